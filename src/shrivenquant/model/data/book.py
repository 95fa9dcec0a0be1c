"""Order book records: single deltas, batches of deltas, and full depth snapshots.

A venue's depth stream becomes `OrderBookDelta` records (add, update, delete one order or
price level, or clear the book), grouped in `OrderBookDeltas` per venue message. A REST depth
query becomes an `OrderBookSnapshot`. For market-by-price (L2) books ``BookOrder.order_id`` is
0 and the price identifies the level.

``flags`` is a bit set: `F_LAST` marks the last delta of a venue message (the book is
consistent after applying it), `F_SNAPSHOT` marks deltas that rebuild the book from a snapshot.
"""

from __future__ import annotations

from typing import Final

import msgspec

from shrivenquant.model.data.base import Data
from shrivenquant.model.enums import BookAction, OrderSide
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.model.values import Price, Quantity

F_SNAPSHOT: Final = 1 << 5
F_LAST: Final = 1 << 7


class BookOrder(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One order (L3) or one price level (L2, ``order_id`` 0) on one side of a book."""

    side: OrderSide
    price: Price
    size: Quantity
    order_id: int = 0


class BookLevel(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """The total size resting at one price."""

    price: Price
    size: Quantity


class OrderBookDelta(Data, frozen=True, kw_only=True, gc=False):
    """One change to an order book.

    ``order`` is None exactly when ``action`` is CLEAR. ``sequence`` is the venue's update id
    (0 when the venue has none).
    """

    instrument_id: InstrumentId
    action: BookAction
    order: BookOrder | None = None
    flags: int = 0
    sequence: int = 0

    def validate(self) -> None:
        """Raise `ValueError` when the delta is inconsistent.

        Checks: ``order`` is None exactly for CLEAR; ADD and UPDATE have a positive size and a
        side; ``flags`` and ``sequence`` are not negative.
        """
        where = f"OrderBookDelta {self.instrument_id} seq {self.sequence}"
        order = self.order
        if self.action is BookAction.CLEAR:
            if order is not None:
                raise ValueError(f"{where}: order must be None for CLEAR")
        elif order is None:
            raise ValueError(f"{where}: order is required for {self.action}")
        elif order.side is OrderSide.NO_ORDER_SIDE:
            raise ValueError(f"{where}: order.side must be BUY (bid) or SELL (ask)")
        elif self.action is not BookAction.DELETE and not order.size:
            raise ValueError(f"{where}: order.size must be > 0 for {self.action}")
        if self.flags < 0:
            raise ValueError(f"{where}: flags must not be negative, got {self.flags}")
        if self.sequence < 0:
            raise ValueError(f"{where}: sequence must not be negative, got {self.sequence}")

    @property
    def is_last(self) -> bool:
        """Whether this delta ends a venue message (the book is consistent after it)."""
        return bool(self.flags & F_LAST)


class OrderBookDeltas(Data, frozen=True, kw_only=True):
    """The deltas of one venue message, applied together and in order."""

    instrument_id: InstrumentId
    deltas: list[OrderBookDelta]

    @property
    def sequence(self) -> int:
        """The sequence of the last delta (0 when there are none)."""
        return self.deltas[-1].sequence if self.deltas else 0

    @property
    def is_snapshot(self) -> bool:
        """Whether these deltas rebuild the book (the first one carries `F_SNAPSHOT`)."""
        return bool(self.deltas) and bool(self.deltas[0].flags & F_SNAPSHOT)

    def validate(self) -> None:
        """Raise `ValueError` unless there are deltas, all of this instrument, each valid, in
        non-decreasing sequence order."""
        if not self.deltas:
            raise ValueError(f"OrderBookDeltas {self.instrument_id}: deltas must not be empty")
        previous = 0
        for index, delta in enumerate(self.deltas):
            if delta.instrument_id != self.instrument_id:
                raise ValueError(
                    f"OrderBookDeltas {self.instrument_id}: deltas[{index}] is for "
                    f"{delta.instrument_id}"
                )
            delta.validate()
            if delta.sequence < previous:
                raise ValueError(
                    f"OrderBookDeltas {self.instrument_id}: deltas[{index}].sequence "
                    f"{delta.sequence} goes back from {previous}"
                )
            previous = delta.sequence


class OrderBookSnapshot(Data, frozen=True, kw_only=True):
    """Aggregated depth at one moment: bids best (highest) first, asks best (lowest) first."""

    instrument_id: InstrumentId
    bids: list[BookLevel]
    asks: list[BookLevel]
    sequence: int = 0

    @property
    def best_bid(self) -> BookLevel | None:
        """The highest bid level, if any."""
        return self.bids[0] if self.bids else None

    @property
    def best_ask(self) -> BookLevel | None:
        """The lowest ask level, if any."""
        return self.asks[0] if self.asks else None

    def validate(self) -> None:
        """Raise `ValueError` unless bids strictly descend, asks strictly ascend, every size is
        positive and the book is not crossed (best bid < best ask)."""
        where = f"OrderBookSnapshot {self.instrument_id} seq {self.sequence}"
        _check_side(where, "bids", self.bids, descending=True)
        _check_side(where, "asks", self.asks, descending=False)
        if self.bids and self.asks and self.bids[0].price >= self.asks[0].price:
            raise ValueError(
                f"{where}: crossed book, best bid {self.bids[0].price} >= best ask "
                f"{self.asks[0].price}"
            )
        if self.sequence < 0:
            raise ValueError(f"{where}: sequence must not be negative, got {self.sequence}")


def _check_side(where: str, name: str, levels: list[BookLevel], *, descending: bool) -> None:
    previous: Price | None = None
    for index, level in enumerate(levels):
        if not level.size:
            raise ValueError(f"{where}: {name}[{index}].size must be > 0")
        price = level.price
        if previous is not None and (price >= previous if descending else price <= previous):
            order = "descend" if descending else "ascend"
            raise ValueError(
                f"{where}: {name} must strictly {order}; {name}[{index}].price {price} "
                f"follows {previous}"
            )
        previous = price
