"""Market data subscriptions of an actor, the indicators fed from them, and their handlers.

``subscribe_*`` subscribes the actor to the bus topic of the stream (`shrivenquant.bus.topics`)
and, when a data engine is registered at ``topics.DATA_ENGINE_EXECUTE``, sends it a
`SubscribeData` command; with no data engine (data replayed straight onto the bus) nothing is
sent and no dead letter is made. Subscribing twice to one stream is a no-op. Every
subscription ends when the actor stops, faults or resets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from shrivenquant.bus import topics
from shrivenquant.bus.message_bus import MessageBus
from shrivenquant.core.clock import Clock
from shrivenquant.core.uuid import UUID4
from shrivenquant.model.data import (
    Bar,
    BarType,
    OrderBookDelta,
    OrderBookDeltas,
    OrderBookSnapshot,
    QuoteTick,
    TradeTick,
)
from shrivenquant.model.data_commands import MarketDataType, SubscribeData, UnsubscribeData
from shrivenquant.model.identifiers import ClientId, ComponentId, InstrumentId, Venue
from shrivenquant.model.instruments import Instrument
from shrivenquant.strategy.hooks import ActorHooks
from shrivenquant.strategy.indicators import Indicator, PriceIndicator


@dataclass(frozen=True, slots=True)
class Subscription:
    """One bus subscription of an actor, and the data stream it asked the data engine for."""

    handler: Callable[[Any], None]
    kind: MarketDataType | None = None
    instrument_id: InstrumentId | None = None
    bar_type: BarType | None = None
    venue: Venue | None = None
    client_id: ClientId | None = None


def _check(value: object, kind: type, name: str) -> None:
    if not isinstance(value, kind):
        raise TypeError(f"{name} must be a {kind.__name__}, got {value!r}")


class MarketDataSubscriptions(ActorHooks):
    """The ``subscribe_*`` helpers and the market data handlers (mixed into `Actor`)."""

    # Provided by `Actor`.
    bus: MessageBus
    clock: Clock
    id: ComponentId
    _active: bool
    _subscriptions: dict[str, Subscription]
    _bar_indicators: dict[BarType, list[Indicator]]
    _bar_close_feeds: dict[BarType, list[Callable[[float], None]]]
    _fed_bar_type: BarType | None
    _fed_closes: list[Callable[[float], None]] | None
    _fed_bars: list[Indicator] | None
    _trade_indicators: dict[InstrumentId, list[Indicator]]
    _quote_indicators: dict[InstrumentId, list[Indicator]]

    if TYPE_CHECKING:

        def _hook_failed(self, hook: str, exc: Exception, msg: object) -> None: ...

        def _require_registered(self, what: str) -> None: ...

    # -- indicators --------------------------------------------------------------------------

    def register_indicator_for_bars(self, bar_type: BarType, indicator: Indicator) -> None:
        """Feed ``indicator`` every bar of ``bar_type`` before `on_bar` sees it."""
        _check(bar_type, BarType, "bar_type")
        indicators = self._bar_indicators.setdefault(bar_type, [])
        _add_indicator(indicators, indicator)
        # When every indicator of the series takes the close as it is, the close is converted
        # once per bar and handed to each one's `update_raw` (same value, fewer calls).
        if all(type(i).handle_bar is PriceIndicator.handle_bar for i in indicators):
            self._bar_close_feeds[bar_type] = [
                cast(PriceIndicator, i).update_raw for i in indicators
            ]
        else:
            self._bar_close_feeds.pop(bar_type, None)
        self._fed_bar_type = None

    def register_indicator_for_trades(
        self, instrument_id: InstrumentId, indicator: Indicator
    ) -> None:
        """Feed ``indicator`` every trade of the instrument before `on_trade` sees it."""
        _check(instrument_id, InstrumentId, "instrument_id")
        _add_indicator(self._trade_indicators.setdefault(instrument_id, []), indicator)

    def register_indicator_for_quotes(
        self, instrument_id: InstrumentId, indicator: Indicator
    ) -> None:
        """Feed ``indicator`` every quote of the instrument before `on_quote` sees it."""
        _check(instrument_id, InstrumentId, "instrument_id")
        _add_indicator(self._quote_indicators.setdefault(instrument_id, []), indicator)

    @property
    def registered_indicators(self) -> list[Indicator]:
        """Every registered indicator (each once)."""
        seen: dict[int, Indicator] = {}
        for table in (self._bar_indicators, self._trade_indicators, self._quote_indicators):
            for indicators in table.values():
                for indicator in indicators:
                    seen.setdefault(id(indicator), indicator)
        return list(seen.values())

    # -- subscriptions -----------------------------------------------------------------------

    def subscribe_bars(self, bar_type: BarType, client_id: ClientId | None = None) -> bool:
        """Receive the bars of ``bar_type`` in `on_bar`; False if already subscribed."""
        _check(bar_type, BarType, "bar_type")
        sub = Subscription(
            self._handle_bar, MarketDataType.BARS, bar_type=bar_type, client_id=client_id
        )
        return self._subscribe(topics.bars(bar_type), sub)

    def unsubscribe_bars(self, bar_type: BarType) -> bool:
        """Stop receiving the bars of ``bar_type``; False if not subscribed."""
        _check(bar_type, BarType, "bar_type")
        return self._unsubscribe(topics.bars(bar_type))

    def subscribe_trades(
        self, instrument_id: InstrumentId, client_id: ClientId | None = None
    ) -> bool:
        """Receive the instrument's trades in `on_trade`; False if already subscribed."""
        return self._subscribe_instrument(
            topics.trades, self._handle_trade, MarketDataType.TRADES, instrument_id, client_id
        )

    def unsubscribe_trades(self, instrument_id: InstrumentId) -> bool:
        """Stop receiving the instrument's trades; False if not subscribed."""
        _check(instrument_id, InstrumentId, "instrument_id")
        return self._unsubscribe(topics.trades(instrument_id))

    def subscribe_quotes(
        self, instrument_id: InstrumentId, client_id: ClientId | None = None
    ) -> bool:
        """Receive the instrument's quotes in `on_quote`; False if already subscribed."""
        return self._subscribe_instrument(
            topics.quotes, self._handle_quote, MarketDataType.QUOTES, instrument_id, client_id
        )

    def unsubscribe_quotes(self, instrument_id: InstrumentId) -> bool:
        """Stop receiving the instrument's quotes; False if not subscribed."""
        _check(instrument_id, InstrumentId, "instrument_id")
        return self._unsubscribe(topics.quotes(instrument_id))

    def subscribe_book_deltas(
        self, instrument_id: InstrumentId, client_id: ClientId | None = None
    ) -> bool:
        """Receive the instrument's order book deltas in `on_book_deltas`."""
        return self._subscribe_instrument(
            topics.book_deltas,
            self._handle_book_deltas,
            MarketDataType.BOOK_DELTAS,
            instrument_id,
            client_id,
        )

    def unsubscribe_book_deltas(self, instrument_id: InstrumentId) -> bool:
        """Stop receiving the instrument's order book deltas."""
        _check(instrument_id, InstrumentId, "instrument_id")
        return self._unsubscribe(topics.book_deltas(instrument_id))

    def subscribe_book_snapshots(
        self, instrument_id: InstrumentId, client_id: ClientId | None = None
    ) -> bool:
        """Receive the instrument's order book snapshots in `on_book`."""
        return self._subscribe_instrument(
            topics.book_snapshots,
            self._handle_book_snapshot,
            MarketDataType.BOOK_SNAPSHOTS,
            instrument_id,
            client_id,
        )

    def unsubscribe_book_snapshots(self, instrument_id: InstrumentId) -> bool:
        """Stop receiving the instrument's order book snapshots."""
        _check(instrument_id, InstrumentId, "instrument_id")
        return self._unsubscribe(topics.book_snapshots(instrument_id))

    def subscribe_instrument(
        self, instrument_id: InstrumentId, client_id: ClientId | None = None
    ) -> bool:
        """Receive changes to the instrument's definition in `on_instrument`."""
        return self._subscribe_instrument(
            topics.instrument,
            self._handle_instrument,
            MarketDataType.INSTRUMENTS,
            instrument_id,
            client_id,
        )

    def unsubscribe_instrument(self, instrument_id: InstrumentId) -> bool:
        """Stop receiving changes to the instrument's definition."""
        _check(instrument_id, InstrumentId, "instrument_id")
        return self._unsubscribe(topics.instrument(instrument_id))

    def subscribe_instruments(
        self, venue: Venue | None = None, client_id: ClientId | None = None
    ) -> bool:
        """Receive new and changed definitions of every instrument (of ``venue``)."""
        if venue is not None:
            _check(venue, Venue, "venue")
        sub = Subscription(
            self._handle_instrument, MarketDataType.INSTRUMENTS, venue=venue, client_id=client_id
        )
        return self._subscribe(topics.instruments_all(venue), sub)

    def unsubscribe_instruments(self, venue: Venue | None = None) -> bool:
        """Stop receiving instrument definitions (of ``venue``)."""
        return self._unsubscribe(topics.instruments_all(venue))

    def subscribe_events(self, topic: str) -> bool:
        """Receive every message published on ``topic`` (a topic or pattern from
        `shrivenquant.bus.topics`, e.g. ``topics.risk_events()``) in `on_event`."""
        return self._subscribe(topic, Subscription(self._handle_event))

    def unsubscribe_events(self, topic: str) -> bool:
        """Stop receiving the messages of ``topic``."""
        return self._unsubscribe(topic)

    @property
    def subscribed_topics(self) -> list[str]:
        """The bus topics and patterns the component is subscribed to, sorted."""
        return sorted(self._subscriptions)

    # -- internals ---------------------------------------------------------------------------

    def _subscribe_instrument(
        self,
        topic_of: Callable[[InstrumentId], str],
        handler: Callable[[Any], None],
        kind: MarketDataType,
        instrument_id: InstrumentId,
        client_id: ClientId | None,
    ) -> bool:
        _check(instrument_id, InstrumentId, "instrument_id")
        sub = Subscription(handler, kind, instrument_id=instrument_id, client_id=client_id)
        return self._subscribe(topic_of(instrument_id), sub)

    def _subscribe(self, topic: str, sub: Subscription) -> bool:
        self._require_registered("subscribe")
        if topic in self._subscriptions:
            return False
        self.bus.subscribe(topic, sub.handler)
        self._subscriptions[topic] = sub
        self._tell_data_engine(SubscribeData, sub)
        return True

    def _unsubscribe(self, topic: str) -> bool:
        self._require_registered("unsubscribe")
        sub = self._subscriptions.pop(topic, None)
        if sub is None:
            return False
        self.bus.unsubscribe(topic, sub.handler)
        self._tell_data_engine(UnsubscribeData, sub)
        return True

    def _unsubscribe_all(self) -> None:
        for topic in list(self._subscriptions):
            self._unsubscribe(topic)

    def _tell_data_engine(
        self, command: type[SubscribeData] | type[UnsubscribeData], sub: Subscription
    ) -> None:
        # Checked first so that a kernel without a data engine gets no dead letters.
        if sub.kind is None or topics.DATA_ENGINE_EXECUTE not in self.bus.endpoints():
            return
        now = self.clock.timestamp_ns()
        self.bus.send(
            topics.DATA_ENGINE_EXECUTE,
            command(
                data_type=sub.kind,
                subscriber_id=self.id,
                instrument_id=sub.instrument_id,
                bar_type=sub.bar_type,
                venue=sub.venue,
                client_id=sub.client_id,
                command_id=UUID4(),
                ts_event=now,
                ts_init=now,
            ),
        )

    # -- handlers (bus callbacks) ------------------------------------------------------------

    def _handle_bar(self, bar: Bar) -> None:
        if not self._active:
            return
        try:
            bar_type = bar.bar_type
            # Bars of one series share their BarType object and come in runs: an identity
            # check finds the series' indicators without hashing the bar type.
            if bar_type is not self._fed_bar_type:
                self._fed_bar_type = bar_type
                self._fed_closes = self._bar_close_feeds.get(bar_type)
                self._fed_bars = self._bar_indicators.get(bar_type)
            feeds = self._fed_closes
            if feeds is not None:
                close = bar.close.as_double()
                for feed in feeds:
                    feed(close)
            elif self._fed_bars:
                for indicator in self._fed_bars:
                    indicator.handle_bar(bar)
            self.on_bar(bar)
        except Exception as exc:  # noqa: BLE001 - user code may raise anything
            self._hook_failed("on_bar", exc, bar)

    def _handle_trade(self, trade: TradeTick) -> None:
        if not self._active:
            return
        try:
            indicators = self._trade_indicators.get(trade.instrument_id)
            if indicators:
                for indicator in indicators:
                    indicator.handle_trade(trade)
            self.on_trade(trade)
        except Exception as exc:  # noqa: BLE001 - user code may raise anything
            self._hook_failed("on_trade", exc, trade)

    def _handle_quote(self, quote: QuoteTick) -> None:
        if not self._active:
            return
        try:
            indicators = self._quote_indicators.get(quote.instrument_id)
            if indicators:
                for indicator in indicators:
                    indicator.handle_quote(quote)
            self.on_quote(quote)
        except Exception as exc:  # noqa: BLE001 - user code may raise anything
            self._hook_failed("on_quote", exc, quote)

    def _handle_book_deltas(self, deltas: OrderBookDelta | OrderBookDeltas) -> None:
        if not self._active:
            return
        try:
            self.on_book_deltas(deltas)
        except Exception as exc:  # noqa: BLE001 - user code may raise anything
            self._hook_failed("on_book_deltas", exc, deltas)

    def _handle_book_snapshot(self, snapshot: OrderBookSnapshot) -> None:
        if not self._active:
            return
        try:
            self.on_book(snapshot)
        except Exception as exc:  # noqa: BLE001 - user code may raise anything
            self._hook_failed("on_book", exc, snapshot)

    def _handle_instrument(self, instrument: Instrument) -> None:
        if not self._active:
            return
        try:
            self.on_instrument(instrument)
        except Exception as exc:  # noqa: BLE001 - user code may raise anything
            self._hook_failed("on_instrument", exc, instrument)

    def _handle_event(self, event: object) -> None:
        if not self._active:
            return
        try:
            self.on_event(event)
        except Exception as exc:  # noqa: BLE001 - user code may raise anything
            self._hook_failed("on_event", exc, event)


def _add_indicator(indicators: list[Indicator], indicator: Indicator) -> None:
    if not isinstance(indicator, Indicator):
        raise TypeError(f"indicator must be an Indicator, got {indicator!r}")
    if not any(existing is indicator for existing in indicators):
        indicators.append(indicator)
