"""Data commands, requests and responses: how components ask the data engine for market data.

Strategies and actors send `SubscribeData` and `UnsubscribeData` to the data engine's
``DATA_ENGINE_EXECUTE`` endpoint; the engine forwards the first subscription of a stream to the
data client serving it (and the last unsubscription). Historical data is asked for with
`RequestData` through ``bus.request(DATA_ENGINE_REQUEST, request, callback)``; the callback
gets one `DataResponse` whose ``correlation_id`` is the request's ``request_id``.

What a command names depends on its data type:

| data type        | names                                              |
|------------------|----------------------------------------------------|
| `QUOTES`, `TRADES`, `BOOK_DELTAS`, `BOOK_SNAPSHOTS` | ``instrument_id``  |
| `BARS`           | ``bar_type`` (INTERNAL bars are built by the engine from trades) |
| `INSTRUMENTS`    | ``instrument_id`` (one) or ``venue`` (all of a venue) |

Consistency is checked on construction and on decoding, so a malformed command never reaches
the engine.
"""

from __future__ import annotations

from enum import unique

import msgspec

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
from shrivenquant.model.enums import BookType, _NamedEnum
from shrivenquant.model.identifiers import ClientId, ComponentId, InstrumentId, Venue
from shrivenquant.model.instruments import (
    CryptoPerpetual,
    CurrencyPair,
    Equity,
    FuturesContract,
    OptionContract,
)
from shrivenquant.model.messages import Command, Message

__all__ = [
    "DataResponse",
    "MarketDataType",
    "RequestData",
    "ResponseRecord",
    "SubscribeData",
    "UnsubscribeData",
]


@unique
class MarketDataType(_NamedEnum):
    """The kinds of market data a component can subscribe to or request."""

    QUOTES = "QUOTES"
    TRADES = "TRADES"
    BARS = "BARS"
    BOOK_DELTAS = "BOOK_DELTAS"
    BOOK_SNAPSHOTS = "BOOK_SNAPSHOTS"
    INSTRUMENTS = "INSTRUMENTS"


ResponseRecord = (
    QuoteTick
    | TradeTick
    | Bar
    | OrderBookDelta
    | OrderBookDeltas
    | OrderBookSnapshot
    | CurrencyPair
    | CryptoPerpetual
    | FuturesContract
    | Equity
    | OptionContract
)
"""Any record a `DataResponse` can carry: market data or an instrument definition."""


def _check_target(
    name: str,
    data_type: MarketDataType,
    instrument_id: InstrumentId | None,
    bar_type: BarType | None,
    venue: Venue | None,
) -> None:
    """Check that a command or request names what its data type needs (see module doc)."""
    if data_type is MarketDataType.BARS:
        if bar_type is None:
            raise ValueError(f"{name} of BARS needs a bar_type")
        if instrument_id is not None and instrument_id != bar_type.instrument_id:
            raise ValueError(
                f"{name}: instrument_id {instrument_id} is not the instrument of bar type "
                f"{bar_type}"
            )
        return
    if bar_type is not None:
        raise ValueError(f"{name} of {data_type} must not have a bar_type (got {bar_type})")
    if data_type is MarketDataType.INSTRUMENTS:
        if instrument_id is None and venue is None:
            raise ValueError(f"{name} of INSTRUMENTS needs an instrument_id or a venue")
    elif instrument_id is None:
        raise ValueError(f"{name} of {data_type} needs an instrument_id")
    if instrument_id is not None and venue is not None and venue != instrument_id.venue:
        raise ValueError(f"{name}: venue {venue} is not the venue of instrument {instrument_id}")


class _DataCommand(Command, frozen=True, kw_only=True):
    """Fields shared by the subscription commands (private: not a message of its own).

    Attributes:
        data_type: what to stream.
        instrument_id: the instrument (every type but BARS and venue-wide INSTRUMENTS).
        bar_type: the bar series (BARS only).
        venue: the venue, for venue-wide INSTRUMENTS (else taken from the instrument).
        client_id: route to this data client instead of the venue's.
        subscriber_id: who subscribes; the engine keeps one subscription per subscriber
            and stream (commands without one share an anonymous subscriber).
        book_type: book granularity (book data types).
        depth: book levels wanted, 0 for the full book (book data types).
        interval_ms: snapshot period in milliseconds, 0 for the venue's default.
        params: venue-specific options, passed to the data client untouched.
    """

    data_type: MarketDataType
    instrument_id: InstrumentId | None = None
    bar_type: BarType | None = None
    venue: Venue | None = None
    client_id: ClientId | None = None
    subscriber_id: ComponentId | None = None
    book_type: BookType = BookType.L2_MBP
    depth: int = 0
    interval_ms: int = 0
    params: dict[str, str] = msgspec.field(default_factory=dict)

    def __post_init__(self) -> None:
        name = type(self).__name__
        _check_target(name, self.data_type, self.instrument_id, self.bar_type, self.venue)
        if self.depth < 0:
            raise ValueError(f"{name}: depth must not be negative, got {self.depth}")
        if self.interval_ms < 0:
            raise ValueError(f"{name}: interval_ms must not be negative, got {self.interval_ms}")

    @property
    def target_venue(self) -> Venue | None:
        """The venue whose data client serves this command."""
        if self.bar_type is not None:
            return self.bar_type.instrument_id.venue
        if self.instrument_id is not None:
            return self.instrument_id.venue
        return self.venue


class SubscribeData(_DataCommand, frozen=True, kw_only=True):
    """Start streaming one kind of market data (see the module doc for what to name)."""


class UnsubscribeData(_DataCommand, frozen=True, kw_only=True):
    """Stop streaming what a matching `SubscribeData` started, for its subscriber."""


class RequestData(Message, frozen=True, kw_only=True):
    """Ask for historical data; answered with one `DataResponse`.

    Attributes:
        request_id: the correlation id of the response.
        data_type: what to fetch.
        instrument_id: the instrument (as for the subscription commands).
        bar_type: the bar series (BARS only).
        venue: the venue, for venue-wide INSTRUMENTS.
        client_id: ask this data client (by default the catalog if the engine has one,
            else the venue's client).
        start: first ``ts_init`` wanted (inclusive, ns), None from the beginning.
        end: first ``ts_init`` not wanted (exclusive, ns), None up to now.
        limit: keep only the last ``limit`` records of the range; 0 keeps all.
        requester_id: who asks (for logs).
        params: venue-specific options, passed to the data client untouched.
    """

    request_id: UUID4
    data_type: MarketDataType
    instrument_id: InstrumentId | None = None
    bar_type: BarType | None = None
    venue: Venue | None = None
    client_id: ClientId | None = None
    start: int | None = None
    end: int | None = None
    limit: int = 0
    requester_id: ComponentId | None = None
    params: dict[str, str] = msgspec.field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_target("RequestData", self.data_type, self.instrument_id, self.bar_type, self.venue)
        if self.limit < 0:
            raise ValueError(f"RequestData: limit must not be negative, got {self.limit}")
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError(f"RequestData: end {self.end} is before start {self.start}")

    @property
    def target_venue(self) -> Venue | None:
        """The venue whose data client would serve this request."""
        if self.bar_type is not None:
            return self.bar_type.instrument_id.venue
        if self.instrument_id is not None:
            return self.instrument_id.venue
        return self.venue


class DataResponse(Message, frozen=True, kw_only=True):
    """The answer to a `RequestData`: records in ``ts_init`` order, or an error.

    Attributes:
        correlation_id: the ``request_id`` of the request answered.
        data_type: the data type requested.
        instrument_id: the instrument requested, if any.
        bar_type: the bar type requested, if any.
        venue: the venue requested, if any.
        data: the records found (possibly none).
        error: why the request failed; None when it succeeded.
    """

    correlation_id: UUID4
    data_type: MarketDataType
    instrument_id: InstrumentId | None = None
    bar_type: BarType | None = None
    venue: Venue | None = None
    data: list[ResponseRecord] = msgspec.field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the request succeeded."""
        return self.error is None

    @classmethod
    def for_request(
        cls,
        request: RequestData,
        data: list[ResponseRecord],
        *,
        ts_init: int,
        error: str | None = None,
    ) -> DataResponse:
        """The response to ``request`` carrying ``data`` (or ``error``), stamped ``ts_init``."""
        return cls(
            correlation_id=request.request_id,
            data_type=request.data_type,
            instrument_id=request.instrument_id,
            bar_type=request.bar_type,
            venue=request.venue,
            data=data,
            error=error,
            ts_event=ts_init,
            ts_init=ts_init,
        )
