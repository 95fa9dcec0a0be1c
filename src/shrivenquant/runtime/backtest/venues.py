"""The simulated venues of a backtest, and the route of each data record to its venue.

Every record is shown to the venue listing its instrument before the strategies see it, so a
venue's prices and liquidity are those of the moment the strategies react to.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any, Final

from shrivenquant.model.data import (
    Bar,
    BarType,
    OrderBookDelta,
    OrderBookDeltas,
    OrderBookSnapshot,
    QuoteTick,
    TradeTick,
)
from shrivenquant.model.identifiers import AccountId, InstrumentId, Venue
from shrivenquant.model.instruments import Instrument
from shrivenquant.sim import SimExecutionClient, SimulatedVenue

Processor = Callable[[Any], None]
RouteKey = BarType | tuple[type, InstrumentId]

_MISSING: Final = object()
_IN_FLIGHT: Final = attrgetter("in_flight")


class SimVenues:
    """The venues of a run (one `SimulatedVenue` and its `SimExecutionClient` each)."""

    def __init__(self) -> None:
        self._venues: dict[Venue, SimulatedVenue] = {}
        self._clients: dict[Venue, SimExecutionClient] = {}
        self.routes: dict[Any, Processor | None] = {}
        self._bar_starts: dict[BarType, int] = {}
        self._client_list: tuple[SimExecutionClient, ...] = ()

    def add(self, venue: SimulatedVenue, client: SimExecutionClient) -> None:
        """Add a venue and the client trading its account.

        Raises:
            ValueError: the venue was added already.
        """
        if venue.venue in self._venues:
            raise ValueError(f"venue {venue.venue} added twice")
        self._venues[venue.venue] = venue
        self._clients[venue.venue] = client
        self._client_list = tuple(self._clients.values())
        self.routes.clear()

    def venue(self, venue: Venue) -> SimulatedVenue | None:
        """The simulated venue of that name, or None."""
        return self._venues.get(venue)

    def venues(self) -> list[SimulatedVenue]:
        """Every venue, in the order added."""
        return list(self._venues.values())

    def clients(self) -> list[SimExecutionClient]:
        """Every venue's execution client, in the order added."""
        return list(self._clients.values())

    def account_ids(self) -> list[AccountId]:
        """The account each client trades, in the order the venues were added."""
        return [client.account_id for client in self._clients.values()]

    def list_instrument(self, instrument: Instrument) -> bool:
        """List ``instrument`` at its venue if that venue is simulated; True if listed."""
        venue = self._venues.get(instrument.id.venue)
        if venue is None:
            return False
        venue.add_instrument(instrument)
        self.routes.clear()
        return True

    def in_flight(self) -> bool:
        """Whether any client has commands on their way to its venue."""
        return any(map(_IN_FLIGHT, self._client_list))  # once per record: no generator

    # -- routing -------------------------------------------------------------------------------

    def resolve(self, key: Any, record: Any) -> Processor | None:
        """The venue processor for ``record`` (cached under ``key``); None when no simulated
        venue lists its instrument."""
        processor = self.routes.get(key, _MISSING)
        if processor is _MISSING:
            processor = self._make_route(record)
            self.routes[key] = processor
        return processor  # type: ignore[return-value]

    def _make_route(self, record: Any) -> Processor | None:
        kind = type(record)
        instrument_id = record.bar_type.instrument_id if kind is Bar else record.instrument_id
        venue = self._venues.get(instrument_id.venue)
        if venue is None or venue.instrument(instrument_id) is None:
            return None
        if kind is Bar:
            return venue.bar_processor(instrument_id)
        if kind is QuoteTick:
            return venue.process_quote_tick
        if kind is TradeTick:
            return venue.process_trade_tick
        if kind is OrderBookDeltas:
            return venue.process_order_book_deltas
        if kind is OrderBookSnapshot:
            return venue.process_order_book_snapshot
        if kind is OrderBookDelta:
            return lambda delta: venue.process_order_book_deltas(
                OrderBookDeltas(
                    instrument_id=delta.instrument_id,
                    deltas=[delta],
                    ts_event=delta.ts_event,
                    ts_init=delta.ts_init,
                )
            )
        return None

    # -- the open of a bar ---------------------------------------------------------------------

    def bar_start(self, bar: Bar) -> int:
        """When ``bar`` opened: its close minus its length for time bars, else its
        ``ts_init``."""
        length = self._bar_starts.get(bar.bar_type)
        if length is None:
            spec = bar.bar_type.spec
            try:
                length = spec.timedelta_ns() if spec.is_time_aggregated() else 0
            except ValueError:  # months have no fixed length
                length = 0
            self._bar_starts[bar.bar_type] = length
        return min(bar.ts_event - length, bar.ts_init) if length else bar.ts_init

    def process_open(self, bar: Bar) -> None:
        """Show the venue only the bar's open: one trade point at the open price (with a
        quarter of the bar's volume, as each point of a bar's path has)."""
        processor = self.resolve(bar.bar_type, bar)
        if processor is None:
            return
        start = self.bar_start(bar)
        processor(
            Bar(
                bar_type=bar.bar_type,
                open=bar.open,
                high=bar.open,
                low=bar.open,
                close=bar.open,
                volume=bar.volume,
                ts_event=start,
                ts_init=start,
            )
        )
