"""The ports between the data engine and the venues: `DataClient` and `InstrumentProvider`.

A `DataClient` streams one venue's market data. The engine calls `DataClient.subscribe`,
`unsubscribe` and `request` with the commands it received; the base class keeps track of what
is subscribed and dispatches to the ``subscribe_*``/``unsubscribe_*``/``request_*`` methods a
concrete client overrides (those it does not override raise `NotImplementedError`, which the
engine logs and counts). A client reports everything it receives with `send_data` (to the
engine's ``DATA_ENGINE_PROCESS`` endpoint, where the cache is written before anything is
published) and answers requests with `respond`.

Threading: the engine calls the client on the kernel thread; a live client must not block
there (it queues the network work on its event loop and returns) and must call `send_data`
from the kernel thread too.

An `InstrumentProvider` loads instrument definitions (from a venue's REST API, a file or the
catalog) and keeps them for lookup.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterable, Mapping
from typing import Final

from shrivenquant.bus import topics
from shrivenquant.bus.component import Component
from shrivenquant.bus.message_bus import MessageBus
from shrivenquant.core.clock import Clock
from shrivenquant.core.errors import InvalidInputError
from shrivenquant.core.lifecycle import ComponentState
from shrivenquant.data.raw_frames import RawFrame
from shrivenquant.model.data import BarType
from shrivenquant.model.data_commands import (
    DataResponse,
    MarketDataType,
    RequestData,
    ResponseRecord,
    SubscribeData,
    UnsubscribeData,
)
from shrivenquant.model.identifiers import ClientId, InstrumentId, TraderId, Venue
from shrivenquant.model.instruments import Instrument
from shrivenquant.model.messages import Message

_PROCESS: Final = topics.DATA_ENGINE_PROCESS

SubscriptionTarget = InstrumentId | BarType | Venue
"""What a subscription is for: an instrument, a bar type, or a venue (all its instruments)."""


def subscription_target(command: SubscribeData | UnsubscribeData) -> SubscriptionTarget:
    """The instrument, bar type or venue a subscription command is for."""
    if command.bar_type is not None:
        return command.bar_type
    if command.instrument_id is not None:
        return command.instrument_id
    if command.venue is None:  # unreachable: the command checks this on construction
        raise InvalidInputError(f"{type(command).__name__} names no instrument, bar or venue")
    return command.venue


class DataClient(Component, abc.ABC):
    """Base class of every data client (one venue's market data).

    Args:
        trader_id: the trader the kernel runs for.
        bus: the kernel's message bus.
        clock: the kernel's clock (``ts_init`` of everything it reports comes from it).
        client_id: the client's id (commands may route to it explicitly).
        venue: the venue whose data it streams; None for a client serving several venues
            (register it as the engine's default client).
    """

    def __init__(
        self,
        trader_id: TraderId,
        bus: MessageBus,
        clock: Clock,
        *,
        client_id: ClientId,
        venue: Venue | None,
    ) -> None:
        super().__init__(f"DataClient-{client_id.value}", trader_id, bus, clock)
        self.client_id = client_id
        self.venue = venue
        self._subscribed: dict[MarketDataType, set[SubscriptionTarget]] = {
            data_type: set() for data_type in MarketDataType
        }
        self._raw_sink: Callable[[RawFrame], None] | None = None
        self._books_out_of_sync: dict[InstrumentId, str] = {}
        self._books_synced: set[InstrumentId] = set()

    # -- subscriptions (called by the engine) -------------------------------------------------

    def subscribe(self, command: SubscribeData) -> None:
        """Start streaming what ``command`` asks for (the engine sends only the first
        subscription of each stream).

        Raises:
            NotImplementedError: the client does not stream that data type.
        """
        handler = {
            MarketDataType.QUOTES: self.subscribe_quotes,
            MarketDataType.TRADES: self.subscribe_trades,
            MarketDataType.BARS: self.subscribe_bars,
            MarketDataType.BOOK_DELTAS: self.subscribe_book_deltas,
            MarketDataType.BOOK_SNAPSHOTS: self.subscribe_book_snapshots,
            MarketDataType.INSTRUMENTS: self.subscribe_instruments,
        }[command.data_type]
        handler(command)
        self._subscribed[command.data_type].add(subscription_target(command))

    def unsubscribe(self, command: UnsubscribeData) -> None:
        """Stop streaming what ``command`` names (the engine sends only the last
        unsubscription of each stream).

        Raises:
            NotImplementedError: the client does not stream that data type.
        """
        handler = {
            MarketDataType.QUOTES: self.unsubscribe_quotes,
            MarketDataType.TRADES: self.unsubscribe_trades,
            MarketDataType.BARS: self.unsubscribe_bars,
            MarketDataType.BOOK_DELTAS: self.unsubscribe_book_deltas,
            MarketDataType.BOOK_SNAPSHOTS: self.unsubscribe_book_snapshots,
            MarketDataType.INSTRUMENTS: self.unsubscribe_instruments,
        }[command.data_type]
        handler(command)
        self._subscribed[command.data_type].discard(subscription_target(command))

    def subscribed(self, data_type: MarketDataType) -> frozenset[SubscriptionTarget]:
        """What is currently subscribed of ``data_type``."""
        return frozenset(self._subscribed[data_type])

    def is_subscribed(self, data_type: MarketDataType, target: SubscriptionTarget) -> bool:
        """Whether ``target`` is subscribed for ``data_type``."""
        return target in self._subscribed[data_type]

    def subscribe_quotes(self, command: SubscribeData) -> None:
        """Start streaming quotes of ``command.instrument_id`` (override)."""
        self._unsupported(command)

    def subscribe_trades(self, command: SubscribeData) -> None:
        """Start streaming trades of ``command.instrument_id`` (override)."""
        self._unsupported(command)

    def subscribe_bars(self, command: SubscribeData) -> None:
        """Start streaming venue-built bars of ``command.bar_type`` (override)."""
        self._unsupported(command)

    def subscribe_book_deltas(self, command: SubscribeData) -> None:
        """Start streaming book deltas (snapshot, then diffs) of the instrument (override)."""
        self._unsupported(command)

    def subscribe_book_snapshots(self, command: SubscribeData) -> None:
        """Start streaming periodic book snapshots of the instrument (override)."""
        self._unsupported(command)

    def subscribe_instruments(self, command: SubscribeData) -> None:
        """Start streaming definition updates of one instrument or a venue (override)."""
        self._unsupported(command)

    def unsubscribe_quotes(self, command: UnsubscribeData) -> None:
        """Stop streaming quotes (override)."""
        self._unsupported(command)

    def unsubscribe_trades(self, command: UnsubscribeData) -> None:
        """Stop streaming trades (override)."""
        self._unsupported(command)

    def unsubscribe_bars(self, command: UnsubscribeData) -> None:
        """Stop streaming bars (override)."""
        self._unsupported(command)

    def unsubscribe_book_deltas(self, command: UnsubscribeData) -> None:
        """Stop streaming book deltas (override)."""
        self._unsupported(command)

    def unsubscribe_book_snapshots(self, command: UnsubscribeData) -> None:
        """Stop streaming book snapshots (override)."""
        self._unsupported(command)

    def unsubscribe_instruments(self, command: UnsubscribeData) -> None:
        """Stop streaming definition updates (override)."""
        self._unsupported(command)

    # -- requests (called by the engine) ------------------------------------------------------

    def request(self, request: RequestData) -> None:
        """Fetch historical data; answer now or later with `respond` (exactly once).

        Raises:
            NotImplementedError: the client does not serve that data type.
        """
        handler = {
            MarketDataType.QUOTES: self.request_quotes,
            MarketDataType.TRADES: self.request_trades,
            MarketDataType.BARS: self.request_bars,
            MarketDataType.BOOK_DELTAS: self.request_book_deltas,
            MarketDataType.BOOK_SNAPSHOTS: self.request_book_snapshot,
            MarketDataType.INSTRUMENTS: self.request_instruments,
        }[request.data_type]
        handler(request)

    def request_quotes(self, request: RequestData) -> None:
        """Fetch historical quotes (override)."""
        self._unsupported(request)

    def request_trades(self, request: RequestData) -> None:
        """Fetch historical trades (override)."""
        self._unsupported(request)

    def request_bars(self, request: RequestData) -> None:
        """Fetch historical bars (override)."""
        self._unsupported(request)

    def request_book_deltas(self, request: RequestData) -> None:
        """Fetch historical book deltas (override)."""
        self._unsupported(request)

    def request_book_snapshot(self, request: RequestData) -> None:
        """Fetch the current book snapshot (override)."""
        self._unsupported(request)

    def request_instruments(self, request: RequestData) -> None:
        """Fetch instrument definitions (override)."""
        self._unsupported(request)

    # -- reporting (called by the concrete client) --------------------------------------------

    def send_data(self, data: Message) -> None:
        """Hand a record (tick, bar, book update, instrument) to the data engine."""
        self.bus.send(_PROCESS, data)

    def respond(
        self, request: RequestData, data: list[ResponseRecord], error: str | None = None
    ) -> None:
        """Answer ``request`` with ``data`` (in ``ts_init`` order), or with ``error``.

        The response goes through the engine (which caches instruments) to the requester.
        """
        response = DataResponse.for_request(
            request, data, ts_init=self.clock.timestamp_ns(), error=error
        )
        self.bus.send(_PROCESS, response)

    def attach_raw_sink(self, sink: Callable[[RawFrame], None] | None) -> None:
        """Keep raw venue frames: `record_raw` hands each one to ``sink`` (None stops it)."""
        self._raw_sink = sink

    def record_raw(self, stream: str, payload: bytes, ts_init: int | None = None) -> None:
        """Keep one raw payload as received, when a raw sink is attached (else a no-op).

        Args:
            stream: the venue's stream or endpoint name.
            payload: the bytes received.
            ts_init: when it was received (default: now).
        """
        sink = self._raw_sink
        if sink is None:
            return
        venue = self.venue.value if self.venue is not None else self.client_id.value
        now = self.clock.timestamp_ns() if ts_init is None else ts_init
        sink(RawFrame(now, venue, stream, payload))

    def book_sync_changed(self, instrument_id: InstrumentId, synced: bool, reason: str) -> None:
        """Track the books being resynchronised: DEGRADED while any is out of sync.

        A book's first synchronisation is only logged; losing sync after it degrades the
        client until every such book is synced again. Wire it to each `OrderBookSync`'s
        state listener.
        """
        if synced:
            self._books_synced.add(instrument_id)
            self._books_out_of_sync.pop(instrument_id, None)
            if not self._books_out_of_sync and self.state is ComponentState.DEGRADED:
                self.recover()
            return
        if instrument_id not in self._books_synced:
            self.log.info("order book syncing", instrument_id=instrument_id.value, reason=reason)
            return
        self._books_out_of_sync[instrument_id] = reason
        if self.state is ComponentState.RUNNING:
            self.degrade(f"order book {instrument_id} out of sync: {reason}")

    @property
    def books_out_of_sync(self) -> dict[InstrumentId, str]:
        """Books being resynchronised, with the reason."""
        return dict(self._books_out_of_sync)

    def _unsupported(self, message: Message) -> None:
        what = getattr(message, "data_type", "this data")
        raise NotImplementedError(
            f"{type(self).__name__} {self.client_id} does not serve {what} "
            f"({type(message).__name__})"
        )


class InstrumentProvider(abc.ABC):
    """Loads instrument definitions and keeps them for lookup.

    Concrete providers implement `load_all` (and `load_ids` when the source can fetch a
    few instruments cheaply). Loading is asynchronous because a venue provider asks its REST
    API.

    Args:
        venue: the venue whose instruments it provides; None for several venues.
    """

    def __init__(self, venue: Venue | None = None) -> None:
        self.venue = venue
        self._instruments: dict[InstrumentId, Instrument] = {}
        self._loaded = False

    @abc.abstractmethod
    async def load_all(self, filters: Mapping[str, str] | None = None) -> None:
        """Load every instrument the source has (``filters`` are source-specific)."""

    async def load_ids(
        self, instrument_ids: Iterable[InstrumentId], filters: Mapping[str, str] | None = None
    ) -> None:
        """Load the given instruments (by default: load all, then check they were found).

        Raises:
            InvalidInputError: some ids are not known to the source; the message lists them.
        """
        wanted = list(instrument_ids)
        if any(i not in self._instruments for i in wanted):
            await self.load_all(filters)
        missing = [i.value for i in wanted if i not in self._instruments]
        if missing:
            raise InvalidInputError(
                f"{type(self).__name__}: unknown instruments {', '.join(missing)}"
            )

    async def load(self, instrument_id: InstrumentId) -> None:
        """Load one instrument (see `load_ids`)."""
        await self.load_ids([instrument_id])

    def add(self, instrument: Instrument) -> None:
        """Add or replace one definition (for concrete providers and tests)."""
        self._instruments[instrument.id] = instrument
        self._loaded = True

    def add_all(self, instruments: Iterable[Instrument]) -> None:
        """Add or replace many definitions."""
        for instrument in instruments:
            self.add(instrument)

    def find(self, instrument_id: InstrumentId) -> Instrument | None:
        """The definition of ``instrument_id``, or None if not loaded."""
        return self._instruments.get(instrument_id)

    def get(self, instrument_id: InstrumentId) -> Instrument:
        """The definition of ``instrument_id``.

        Raises:
            KeyError: it is not loaded.
        """
        try:
            return self._instruments[instrument_id]
        except KeyError:
            raise KeyError(f"instrument {instrument_id} is not loaded") from None

    def list_all(self) -> list[Instrument]:
        """Every loaded definition, in load order."""
        return list(self._instruments.values())

    @property
    def count(self) -> int:
        """How many definitions are loaded."""
        return len(self._instruments)

    @property
    def is_loaded(self) -> bool:
        """Whether anything has been loaded."""
        return self._loaded
