"""The `DataEngine`: market data into the cache first, then onto the bus.

Three endpoints:

- ``DATA_ENGINE_EXECUTE`` takes `SubscribeData`/`UnsubscribeData`. The first subscriber of a
  stream starts it on the data client serving it (explicit ``client_id``, else the venue's
  client, else the default client) and the last unsubscriber stops it. INTERNAL bar types are
  built here from trades (the trades are subscribed on the engine's behalf).
- ``DATA_ENGINE_PROCESS`` takes records from data clients and replays: each is checked cheaply,
  written to the cache (quotes, trades, bars, books, instruments), then published on its topic
  (`shrivenquant.bus.topics`); trades then feed the internal bar builders. `DataResponse`s
  from clients arrive here too: instruments they carry are cached, then the requester gets the
  response.
- ``DATA_ENGINE_REQUEST`` takes `RequestData` (through ``bus.request``) and answers from the
  named client, else the catalog, else the venue's client.

See ``docs/concepts/market-data.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, TypeVar

from shrivenquant.bus import topics
from shrivenquant.bus.component import Component
from shrivenquant.bus.message_bus import MessageBus
from shrivenquant.cache import Cache
from shrivenquant.core.clock import Clock
from shrivenquant.data.client import DataClient
from shrivenquant.data.commands import (
    DataClientRouter,
    SubscriptionTable,
    stream_key,
    subscriber_name,
)
from shrivenquant.data.counters import DataAnomaly, DataEngineCounters
from shrivenquant.data.engine_books import BookKeeper
from shrivenquant.data.engine_config import DataEngineConfig
from shrivenquant.data.engine_requests import catalog_response
from shrivenquant.data.internal_bars import BarFeed, InternalBars
from shrivenquant.model.data import (
    Bar,
    BarType,
    OrderBookDelta,
    OrderBookDeltas,
    OrderBookSnapshot,
    QuoteTick,
    TradeTick,
)
from shrivenquant.model.data_commands import (
    DataResponse,
    MarketDataType,
    RequestData,
    SubscribeData,
    UnsubscribeData,
)
from shrivenquant.model.identifiers import ClientId, InstrumentId, TraderId
from shrivenquant.model.instruments import INSTRUMENT_TYPES, Instrument
from shrivenquant.persistence.catalog import ParquetDataCatalog

_C = TypeVar("_C", SubscribeData, UnsubscribeData)
_BOOK_TYPES: Final = frozenset({MarketDataType.BOOK_DELTAS, MarketDataType.BOOK_SNAPSHOTS})


class DataEngine(Component):
    """Routes subscriptions to data clients and puts their data in the cache and on the bus.

    Args:
        trader_id: the trader the kernel runs for.
        bus: the kernel's message bus.
        clock: the kernel's clock (internal time bars close on its timers).
        cache: the kernel's cache; the engine writes instruments and market data into it.
        config: engine settings.
        catalog: where historical requests are answered from when no client is named.

    Register clients with `register_client` (before or after `start`).
    """

    def __init__(
        self,
        trader_id: TraderId,
        bus: MessageBus,
        clock: Clock,
        cache: Cache,
        config: DataEngineConfig | None = None,
        *,
        catalog: ParquetDataCatalog | None = None,
    ) -> None:
        super().__init__("DataEngine", trader_id, bus, clock)
        self.cache = cache
        self.config = config or DataEngineConfig()
        self.catalog = catalog
        self.router = DataClientRouter()
        self.subscriptions = SubscriptionTable()
        self.counters = DataEngineCounters(bus.metrics)
        self.books = BookKeeper(cache, self.counters, self.id.value)
        self.bars = InternalBars(clock, self.config, self._handle_bar, self.counters, self.id.value)
        self._drop_crossed = self.config.drop_crossed_quotes
        self._keep_books = self.config.maintain_books
        self._publish = bus.publish
        self._quote_topics: dict[InstrumentId, str] = {}
        self._trade_routes: dict[InstrumentId, tuple[str, list[BarFeed]]] = {}
        self._bar_topics: dict[BarType, str] = {}
        self._last_bar_type: BarType | None = None
        self._last_bar_topic = ""
        self._delta_topics: dict[InstrumentId, str] = {}
        self._snapshot_topics: dict[InstrumentId, str] = {}
        # Records known to pass the checks (`process_checked`) go straight to these.
        self._accepts: dict[type, Callable[[Any], None]] = {
            QuoteTick: self._accept_quote,
            TradeTick: self._accept_trade,
            Bar: self._accept_bar,
            OrderBookDeltas: self._accept_deltas,
            OrderBookDelta: self._handle_delta,
            OrderBookSnapshot: self._accept_snapshot,
            DataResponse: self._handle_response,
        }
        for instrument_type in INSTRUMENT_TYPES:
            self._accepts[instrument_type] = self._handle_instrument
        # `process` checks first, unless told not to: chosen here, not tested per record.
        self._handlers: dict[type, Callable[[Any], None]] = dict(self._accepts)
        if self.config.validate_data:
            self._handlers.update(
                {
                    QuoteTick: self._handle_quote,
                    TradeTick: self._handle_trade,
                    Bar: self._handle_bar,
                    OrderBookDeltas: self._handle_deltas,
                    OrderBookSnapshot: self._handle_snapshot,
                }
            )

    # -- clients -----------------------------------------------------------------------------

    def register_client(self, client: DataClient, default: bool = False) -> None:
        """Add a data client; with ``default`` it also serves venues no other client does.

        Raises:
            ValueError: a client with the same id is already registered.
        """
        self.router.register(client, default)
        self.log.info("data client registered", client_id=client.client_id.value)

    def deregister_client(self, client_id: ClientId) -> None:
        """Remove a data client (``KeyError`` if unknown)."""
        self.router.deregister(client_id)

    # -- lifecycle ---------------------------------------------------------------------------

    def _on_start(self) -> None:
        self.bus.register(topics.DATA_ENGINE_EXECUTE, self.execute)
        self.bus.register(topics.DATA_ENGINE_PROCESS, self.process)
        self.bus.register(topics.DATA_ENGINE_REQUEST, self.request)

    def _on_stop(self) -> None:
        self.bus.deregister(topics.DATA_ENGINE_EXECUTE)
        self.bus.deregister(topics.DATA_ENGINE_PROCESS)
        self.bus.deregister(topics.DATA_ENGINE_REQUEST)
        self.bars.stop()

    def _on_reset(self) -> None:
        self.subscriptions.clear()
        self.bars.clear()
        self.books.clear()

    # -- DATA_ENGINE_PROCESS: the hot path ---------------------------------------------------

    def process(self, data: Any) -> None:
        """Handle a record from a data client or a replay (the ``DATA_ENGINE_PROCESS``
        endpoint): check it (with ``validate_data``), cache it, publish it."""
        self.counters.processed += 1
        handler = self._handlers.get(type(data))
        if handler is None:
            self._unexpected(data, topics.DATA_ENGINE_PROCESS)
            return
        handler(data)

    def process_checked(self, data: Any) -> None:
        """Cache and publish a record that is known to pass `process`'s checks already.

        The trusted entry point of a replay whose data was checked as a whole before it
        started (a backtest checks catalog arrays on their columns once). It is a method, not
        a bus endpoint: a record that arrives any other way goes through `process` and is
        checked.
        """
        self.counters.processed += 1
        handler = self._accepts.get(type(data))
        if handler is None:
            self._unexpected(data, "DataEngine.process_checked")
            return
        handler(data)

    def _handle_quote(self, quote: QuoteTick) -> None:
        if quote.bid_price.raw > quote.ask_price.raw:
            self.counters.anomaly(DataAnomaly.CROSSED_QUOTE)
            if self._drop_crossed:
                return
        self._accept_quote(quote)

    def _accept_quote(self, quote: QuoteTick) -> None:
        instrument_id = quote.instrument_id
        self.cache.add_quote(quote)
        topic = self._quote_topics.get(instrument_id)
        if topic is None:
            topic = self._quote_topics[instrument_id] = topics.quotes(instrument_id)
        self._publish(topic, quote)

    def _handle_trade(self, trade: TradeTick) -> None:
        if trade.size.raw <= 0:
            self._invalid(trade, "trade size must be > 0")
            return
        self._accept_trade(trade)

    def _accept_trade(self, trade: TradeTick) -> None:
        instrument_id = trade.instrument_id
        self.cache.add_trade(trade)
        route = self._trade_routes.get(instrument_id)
        if route is None:
            route = (topics.trades(instrument_id), self.bars.feeds(instrument_id))
            self._trade_routes[instrument_id] = route
        self._publish(route[0], trade)
        if route[1]:
            self.bars.on_trade(route[1], trade)

    def _handle_bar(self, bar: Bar) -> None:
        try:
            bar.validate()
        except ValueError as exc:
            self._invalid(bar, str(exc))
            return
        self._accept_bar(bar)

    def _accept_bar(self, bar: Bar) -> None:
        bar_type = bar.bar_type
        self.cache.add_bar(bar)
        # Bars of one series share their BarType object and come in runs: an identity check
        # finds the topic without hashing the bar type (a Python-level hash).
        if bar_type is self._last_bar_type:
            topic = self._last_bar_topic
        else:
            found = self._bar_topics.get(bar_type)
            if found is None:
                found = self._bar_topics[bar_type] = topics.bars(bar_type)
            topic = found
            self._last_bar_type, self._last_bar_topic = bar_type, topic
        self._publish(topic, bar)

    def _handle_deltas(self, deltas: OrderBookDeltas) -> None:
        if not deltas.deltas:
            self._invalid(deltas, "no deltas")
            return
        self._accept_deltas(deltas)

    def _accept_deltas(self, deltas: OrderBookDeltas) -> None:
        if self._keep_books and not self.books.apply_deltas(deltas):
            return
        self._publish(self._delta_topic(deltas.instrument_id), deltas)

    def _handle_delta(self, delta: OrderBookDelta) -> None:
        if self._keep_books and not self.books.apply_delta(delta):
            return
        self._publish(self._delta_topic(delta.instrument_id), delta)

    def _handle_snapshot(self, snapshot: OrderBookSnapshot) -> None:
        try:
            snapshot.validate()
        except ValueError as exc:
            self._invalid(snapshot, str(exc))
            return
        self._accept_snapshot(snapshot)

    def _accept_snapshot(self, snapshot: OrderBookSnapshot) -> None:
        if self._keep_books and not self.books.apply_snapshot(snapshot):
            return
        instrument_id = snapshot.instrument_id
        topic = self._snapshot_topics.get(instrument_id)
        if topic is None:
            topic = self._snapshot_topics[instrument_id] = topics.book_snapshots(instrument_id)
        self._publish(topic, snapshot)

    def _handle_instrument(self, instrument: Instrument) -> None:
        self.cache.add_instrument(instrument)
        self.books.on_instrument(instrument)
        self.bars.on_instrument(instrument)
        self._publish(topics.instrument(instrument.id), instrument)

    def _handle_response(self, response: DataResponse) -> None:
        for record in response.data:
            if isinstance(record, Instrument):
                self.cache.add_instrument(record)
                self.books.on_instrument(record)
                self.bars.on_instrument(record)
        if response.error is not None:
            self.log.warning(
                "data request failed",
                correlation_id=str(response.correlation_id),
                data_type=response.data_type.value,
                error=response.error,
            )
        self.bus.respond(response.correlation_id, response)

    def _delta_topic(self, instrument_id: InstrumentId) -> str:
        topic = self._delta_topics.get(instrument_id)
        if topic is None:
            topic = self._delta_topics[instrument_id] = topics.book_deltas(instrument_id)
        return topic

    # -- DATA_ENGINE_EXECUTE: subscriptions --------------------------------------------------

    def execute(self, command: SubscribeData | UnsubscribeData) -> None:
        """Handle a subscription command (the ``DATA_ENGINE_EXECUTE`` endpoint)."""
        self.counters.commands += 1
        if type(command) is SubscribeData:
            self._subscribe(command, subscriber_name(command))
        elif type(command) is UnsubscribeData:
            self._unsubscribe(command, subscriber_name(command))
        else:
            self._unexpected(command, topics.DATA_ENGINE_EXECUTE)

    def _subscribe(self, command: SubscribeData, subscriber: str) -> None:
        key = stream_key(command)
        if not self.subscriptions.add(key, subscriber):
            self.log.debug("already streaming", stream=_show(key), subscriber=subscriber)
            return
        bar_type = command.bar_type
        if bar_type is not None and bar_type.is_internally_aggregated():
            try:
                self.bars.add(bar_type, self.cache.instrument(bar_type.instrument_id))
            except ValueError:
                self.subscriptions.discard_stream(key)
                self.counters.anomaly(DataAnomaly.BAR_BUILD_ERROR)
                self.log.exception("cannot build bars", bar_type=str(bar_type))
                return
            self._subscribe(_trades_for(command), _bars_subscriber(bar_type))
            return
        if (
            command.data_type in _BOOK_TYPES
            and self._keep_books
            and command.instrument_id is not None
        ):
            self.books.ensure(command.instrument_id)
        client = self._client_for(command)
        if client is None:
            return
        try:
            client.subscribe(command)
        except Exception as exc:  # noqa: BLE001 - a client's failure is logged and counted
            self.subscriptions.discard_stream(key)
            self._client_failed(client, command, exc)

    def _unsubscribe(self, command: UnsubscribeData, subscriber: str) -> None:
        key = stream_key(command)
        last = self.subscriptions.remove(key, subscriber)
        if last is None:
            self.counters.anomaly(DataAnomaly.UNKNOWN_SUBSCRIPTION)
            self.log.warning("not subscribed", stream=_show(key), subscriber=subscriber)
            return
        if not last:
            return
        bar_type = command.bar_type
        if bar_type is not None and bar_type.is_internally_aggregated():
            self.bars.remove(bar_type)
            self._unsubscribe(_trades_for(command), _bars_subscriber(bar_type))
            return
        client = self._client_for(command)
        if client is None:
            return
        try:
            client.unsubscribe(command)
        except Exception as exc:  # noqa: BLE001 - a client's failure is logged and counted
            self._client_failed(client, command, exc)

    def _client_for(self, command: SubscribeData | UnsubscribeData) -> DataClient | None:
        client = self.router.route(command.target_venue, command.client_id)
        if client is None:
            self.counters.anomaly(DataAnomaly.NO_CLIENT)
            self.log.info(
                "no data client serves the stream; data must come from a replay",
                stream=_show(stream_key(command)),
            )
        return client

    def _client_failed(self, client: DataClient, message: object, exc: Exception) -> None:
        self.counters.anomaly(DataAnomaly.CLIENT_ERROR)
        self.log.error(
            "data client failed",
            client_id=client.client_id.value,
            msg_type=type(message).__name__,
            error=f"{type(exc).__name__}: {exc}",
        )

    # -- DATA_ENGINE_REQUEST -----------------------------------------------------------------

    def request(self, request: RequestData) -> None:
        """Answer a data request (the ``DATA_ENGINE_REQUEST`` endpoint): from the named
        client, else the catalog, else the venue's client."""
        if type(request) is not RequestData:
            self._unexpected(request, topics.DATA_ENGINE_REQUEST)
            return
        self.counters.requests += 1
        now = self.clock.timestamp_ns()
        if request.client_id is None and self.catalog is not None:
            self._handle_response(catalog_response(self.catalog, request, now))
            return
        client = self.router.route(request.target_venue, request.client_id)
        if client is None:
            self.counters.anomaly(DataAnomaly.NO_CLIENT)
            error = f"no data client or catalog serves {request.data_type} requests"
            self._handle_response(DataResponse.for_request(request, [], ts_init=now, error=error))
            return
        try:
            client.request(request)
        except Exception as exc:  # noqa: BLE001 - the requester gets the error as its response
            self._client_failed(client, request, exc)
            error = f"{type(exc).__name__}: {exc}"
            self._handle_response(DataResponse.for_request(request, [], ts_init=now, error=error))

    # -- helpers -----------------------------------------------------------------------------

    def _invalid(self, data: Any, reason: str) -> None:
        self.counters.anomaly(DataAnomaly.INVALID_DATA)
        self.log.warning("invalid data dropped", msg_type=type(data).__name__, reason=reason)

    def _unexpected(self, message: object, endpoint: str) -> None:
        self.counters.anomaly(DataAnomaly.UNEXPECTED_MESSAGE)
        self.log.error(
            "unexpected message at endpoint", endpoint=endpoint, msg_type=type(message).__name__
        )


def _trades_for(command: _C) -> _C:
    """The trade subscription (or unsubscription) an INTERNAL bar type needs."""
    assert command.bar_type is not None
    return type(command)(
        data_type=MarketDataType.TRADES,
        instrument_id=command.bar_type.instrument_id,
        client_id=command.client_id,
        params=command.params,
        command_id=command.command_id,
        ts_event=command.ts_event,
        ts_init=command.ts_init,
    )


def _bars_subscriber(bar_type: BarType) -> str:
    return f"<bars {bar_type}>"


def _show(key: tuple[MarketDataType, object]) -> str:
    return f"{key[0].value} {key[1]}"
