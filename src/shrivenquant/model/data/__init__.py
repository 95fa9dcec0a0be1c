"""Market data records: quotes, trades, bars and order book updates.

Every record is an immutable msgspec struct deriving from `Data` (a `Message`), so it carries
``ts_event`` and ``ts_init``, travels on the bus and round-trips exactly through
`shrivenquant.model.codec.MessageCodec`. Records are lean because they are on the hottest
paths: construction and decoding do not check cross-field invariants; each record with such
invariants has a ``validate()`` method (and `Bar.checked` builds and validates in one step).
"""

from __future__ import annotations

from typing import Final

from shrivenquant.model.data.bar import Bar, BarSpecification, BarType
from shrivenquant.model.data.base import Data
from shrivenquant.model.data.book import (
    F_LAST,
    F_SNAPSHOT,
    BookLevel,
    BookOrder,
    OrderBookDelta,
    OrderBookDeltas,
    OrderBookSnapshot,
)
from shrivenquant.model.data.tick import QuoteTick, TradeTick

__all__ = [
    "DATA_TYPES",
    "F_LAST",
    "F_SNAPSHOT",
    "Bar",
    "BarSpecification",
    "BarType",
    "BookLevel",
    "BookOrder",
    "Data",
    "OrderBookDelta",
    "OrderBookDeltas",
    "OrderBookSnapshot",
    "QuoteTick",
    "TradeTick",
]

DATA_TYPES: Final[tuple[type[Data], ...]] = (
    QuoteTick,
    TradeTick,
    Bar,
    OrderBookDelta,
    OrderBookDeltas,
    OrderBookSnapshot,
)
"""Every concrete market data record type."""
