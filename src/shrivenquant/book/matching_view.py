"""`MatchingBookView`: the state and read-only queries of a `MatchingBook`.

Per side a ``dict`` price -> level and a sorted price list with the best price last (bids
ascending, asks negated and ascending). A level holds its total size, its live order count and
a ``deque`` of orders in arrival order. A cancelled order stays in its queue as a dead entry
(leaves 0) that matching skips; a level whose queue holds many more dead than live entries is
compacted. A fill model or a venue's market data publisher reads the book through this view.
"""

from __future__ import annotations

from collections import deque
from typing import Final

from shrivenquant.book._shared import check_precision, check_side, raw_step, top_keys
from shrivenquant.model.data import BookLevel, BookOrder
from shrivenquant.model.enums import OrderSide
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.model.values import Price, Quantity

_BUY: Final = OrderSide.BUY
_SELL: Final = OrderSide.SELL


class RestingOrder:
    """One order in a level's queue; internal to the book (the API returns `BookOrder`)."""

    __slots__ = ("is_buy", "leaves", "order_id", "price", "ts")

    def __init__(self, order_id: int, is_buy: bool, price: int, leaves: int, ts: int) -> None:
        self.order_id = order_id
        self.is_buy = is_buy
        self.price = price
        self.leaves = leaves  # 0 once cancelled, filled or moved: a dead queue entry
        self.ts = ts


class PriceLevel:
    """The orders at one price, in arrival order; internal to the book."""

    __slots__ = ("count", "queue", "size")

    def __init__(self) -> None:
        self.size = 0  # total leaves of the live orders
        self.count = 0  # live orders; the queue may also hold dead entries
        self.queue: deque[RestingOrder] = deque()


class MatchingBookView:
    """Queries on a price-time priority book for one instrument; `MatchingBook` trades.

    Args:
        instrument_id: the instrument traded in this book.
        price_precision: the instrument's price precision; prices must be whole ticks of it.
        size_precision: the instrument's size precision; quantities must be whole lots of it.
    """

    __slots__ = (
        "_ask_keys",
        "_asks",
        "_bid_keys",
        "_bids",
        "_instrument_id",
        "_orders",
        "_price_precision",
        "_price_step",
        "_size_precision",
        "_size_step",
    )

    def __init__(
        self, instrument_id: InstrumentId, price_precision: int, size_precision: int
    ) -> None:
        if not isinstance(instrument_id, InstrumentId):
            raise TypeError(
                f"MatchingBook instrument_id must be an InstrumentId, "
                f"got {type(instrument_id).__name__}"
            )
        self._instrument_id = instrument_id
        self._price_precision = check_precision(price_precision, "MatchingBook price_precision")
        self._size_precision = check_precision(size_precision, "MatchingBook size_precision")
        self._price_step = raw_step(price_precision)
        self._size_step = raw_step(size_precision)
        self._bids: dict[int, PriceLevel] = {}
        self._asks: dict[int, PriceLevel] = {}
        self._bid_keys: list[int] = []  # ascending prices: best bid last
        self._ask_keys: list[int] = []  # ascending negated prices: best ask last
        self._orders: dict[int, RestingOrder] = {}

    @property
    def instrument_id(self) -> InstrumentId:
        """The instrument traded in this book."""
        return self._instrument_id

    @property
    def price_precision(self) -> int:
        """Decimal places of prices in this book."""
        return self._price_precision

    @property
    def size_precision(self) -> int:
        """Decimal places of quantities in this book."""
        return self._size_precision

    def __len__(self) -> int:
        """The number of resting orders."""
        return len(self._orders)

    def __contains__(self, order_id: object) -> bool:
        """Whether an order with this id is resting."""
        return order_id in self._orders

    def would_cross(self, taker_side: OrderSide, price_raw: int | None) -> bool:
        """Whether an order of ``taker_side`` at ``price_raw`` (None: market) would trade now.

        A post-only order is rejected (or repriced) by the venue when this is true.
        """
        if check_side(taker_side, f"MatchingBook {self._instrument_id} would_cross"):
            keys = self._ask_keys
            return bool(keys) and (price_raw is None or -keys[-1] <= price_raw)
        keys = self._bid_keys
        return bool(keys) and (price_raw is None or keys[-1] >= price_raw)

    def fillable_qty(self, taker_side: OrderSide, price_raw: int | None, qty_raw: int) -> int:
        """How much of ``qty_raw`` an order of ``taker_side`` at ``price_raw`` would fill now.

        A fill-or-kill order is accepted by the venue only when this equals ``qty_raw``.
        """
        if type(qty_raw) is not int or qty_raw <= 0:
            raise ValueError(
                f"MatchingBook {self._instrument_id} fillable_qty: qty_raw must be an int > 0, "
                f"got {qty_raw!r}"
            )
        if check_side(taker_side, f"MatchingBook {self._instrument_id} fillable_qty"):
            keys, levels, sign = self._ask_keys, self._asks, -1
        else:
            keys, levels, sign = self._bid_keys, self._bids, 1
        bound = None if price_raw is None else sign * price_raw
        total = 0
        for key in reversed(keys):
            if bound is not None and key < bound:
                break
            total += levels[sign * key].size
            if total >= qty_raw:
                return qty_raw
        return total

    # --- queries ------------------------------------------------------------------------------

    def order(self, order_id: int) -> BookOrder | None:
        """The resting order with this id (its open quantity as ``size``), or None."""
        order = self._orders.get(order_id)
        if order is None:
            return None
        return BookOrder(
            side=_BUY if order.is_buy else _SELL,
            price=Price.from_raw(order.price, self._price_precision),
            size=Quantity.from_raw(order.leaves, self._size_precision),
            order_id=order_id,
        )

    def queue_ahead_raw(self, order_id: int) -> int | None:
        """The open quantity queued ahead of a resting order at its price, or None if unknown."""
        order = self._orders.get(order_id)
        if order is None:
            return None
        level = (self._bids if order.is_buy else self._asks)[order.price]
        ahead = 0
        for entry in level.queue:
            if entry is order:
                break
            ahead += entry.leaves
        return ahead

    def best_bid_raw(self) -> tuple[int, int] | None:
        """The best bid as ``(price_raw, total size_raw)``, or None when there are no bids."""
        if not self._bid_keys:
            return None
        price = self._bid_keys[-1]
        return price, self._bids[price].size

    def best_ask_raw(self) -> tuple[int, int] | None:
        """The best ask as ``(price_raw, total size_raw)``, or None when there are no asks."""
        if not self._ask_keys:
            return None
        price = -self._ask_keys[-1]
        return price, self._asks[price].size

    def best_bid(self) -> BookLevel | None:
        """The highest bid level, or None when there are no bids."""
        best = self.best_bid_raw()
        return None if best is None else self._level(*best)

    def best_ask(self) -> BookLevel | None:
        """The lowest ask level, or None when there are no asks."""
        best = self.best_ask_raw()
        return None if best is None else self._level(*best)

    def is_crossed(self) -> bool:
        """Whether the best bid is at or above the best ask; never true at rest."""
        return bool(self._bid_keys and self._ask_keys) and (
            self._bid_keys[-1] >= -self._ask_keys[-1]
        )

    def bids_raw(self, depth: int | None = None) -> list[tuple[int, int]]:
        """Aggregated bid levels ``(price_raw, size_raw)``, best first; at most ``depth``."""
        levels = self._bids
        return [(price, levels[price].size) for price in self._top(self._bid_keys, depth, 1)]

    def asks_raw(self, depth: int | None = None) -> list[tuple[int, int]]:
        """Aggregated ask levels ``(price_raw, size_raw)``, best first; at most ``depth``."""
        levels = self._asks
        return [(price, levels[price].size) for price in self._top(self._ask_keys, depth, -1)]

    def bids(self, depth: int | None = None) -> list[BookLevel]:
        """Aggregated bid levels, best (highest) first; at most ``depth`` when given."""
        return [self._level(price, size) for price, size in self.bids_raw(depth)]

    def asks(self, depth: int | None = None) -> list[BookLevel]:
        """Aggregated ask levels, best (lowest) first; at most ``depth`` when given."""
        return [self._level(price, size) for price, size in self.asks_raw(depth)]

    def orders_raw(self, side: OrderSide) -> list[tuple[int, int, int, int]]:
        """Resting orders of one side as ``(order_id, price_raw, leaves_raw, ts)`` in priority
        order: best price first, then arrival order."""
        if check_side(side, f"MatchingBook {self._instrument_id} orders_raw"):
            keys, levels, sign = self._bid_keys, self._bids, 1
        else:
            keys, levels, sign = self._ask_keys, self._asks, -1
        result: list[tuple[int, int, int, int]] = []
        for key in reversed(keys):
            price = sign * key
            result.extend(
                (entry.order_id, price, entry.leaves, entry.ts)
                for entry in levels[price].queue
                if entry.leaves
            )
        return result

    def _top(self, keys: list[int], depth: int | None, sign: int) -> list[int]:
        selected = top_keys(keys, depth, f"{type(self).__name__} {self._instrument_id}")
        return selected if sign == 1 else [-key for key in selected]

    def _level(self, price: int, size: int) -> BookLevel:
        return BookLevel(
            price=Price.from_raw(price, self._price_precision),
            size=Quantity.from_raw(size, self._size_precision),
        )

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self._instrument_id}, orders={len(self._orders)}, "
            f"bid={self.best_bid_raw()}, ask={self.best_ask_raw()})"
        )
