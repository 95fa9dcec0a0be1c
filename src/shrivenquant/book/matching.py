"""`MatchingBook`: a market-by-order (L3) book with price-time priority, for a simulated venue.

Resting orders queue first-in first-out at each price. Taking orders walk the opposite side
from the best price, filling each level's queue in arrival order, and stop at their limit.
The book knows nothing of fees, accounts or time in force: a venue wraps it and decides
IOC/FOK/post-only with `would_cross` and `fillable_qty` before calling `match`.

Priority on `modify`: a lower quantity keeps the order's place in its queue; a new price or a
higher quantity moves it to the back of the queue at its (new) price, as venues do.

Prices and quantities are raw ints (units of 10**-9), whole ticks and lots at the book's
precisions; quantities are the open (leaves) quantities. Order ids are ints chosen by the
caller and unique among resting orders. At rest the book is never crossed: `add` refuses an
order that would trade.

The data structure and the queries are in `MatchingBookView`.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import deque
from typing import Final, NamedTuple, NoReturn

from shrivenquant.book._shared import check_side
from shrivenquant.book.matching_view import MatchingBookView, PriceLevel, RestingOrder
from shrivenquant.model.enums import OrderSide

_BUY: Final = OrderSide.BUY
_SELL: Final = OrderSide.SELL
_COMPACT_SLACK: Final = 16  # dead queue entries tolerated beyond the live count


class Fill(NamedTuple):
    """One trade against a resting order, in raw units (10**-9)."""

    maker_order_id: int
    """The resting order that traded."""
    price_raw: int
    """The trade price: the resting order's price."""
    qty_raw: int
    """The traded quantity."""
    maker_leaves_raw: int
    """The resting order's open quantity after the trade (0: filled and removed)."""


class MatchingBook(MatchingBookView):
    """A price-time priority matching book for one instrument (see the module docstring).

    Args:
        instrument_id: the instrument traded in this book.
        price_precision: the instrument's price precision; prices must be whole ticks of it.
        size_precision: the instrument's size precision; quantities must be whole lots of it.
    """

    __slots__ = ()

    # --- resting orders -----------------------------------------------------------------------

    def add(
        self, order_id: int, side: OrderSide, price_raw: int, qty_raw: int, ts: int = 0
    ) -> None:
        """Rest a passive limit order at the back of the queue at its price.

        Raises:
            ValueError: a duplicate id, a price or quantity off the book's precision, a
                quantity not above 0, or an order that would trade now (match it first).
        """
        if (
            type(order_id) is not int
            or order_id in self._orders
            or type(price_raw) is not int
            or type(qty_raw) is not int
            or price_raw % self._price_step
            or qty_raw % self._size_step
            or qty_raw <= 0
        ):
            self._reject(order_id, price_raw, qty_raw, "add")
        if side is _BUY:
            if self._ask_keys and price_raw >= -self._ask_keys[-1]:
                self._reject_cross(order_id, side, price_raw)
            level = self._bids.get(price_raw)
            if level is None:
                level = self._bids[price_raw] = PriceLevel()
                insort(self._bid_keys, price_raw)
            order = RestingOrder(order_id, True, price_raw, qty_raw, ts)
        elif side is _SELL:
            if self._bid_keys and price_raw <= self._bid_keys[-1]:
                self._reject_cross(order_id, side, price_raw)
            level = self._asks.get(price_raw)
            if level is None:
                level = self._asks[price_raw] = PriceLevel()
                insort(self._ask_keys, -price_raw)
            order = RestingOrder(order_id, False, price_raw, qty_raw, ts)
        else:
            check_side(side, f"MatchingBook {self._instrument_id} add")
            return
        level.queue.append(order)
        level.size += qty_raw
        level.count += 1
        self._orders[order_id] = order

    def cancel(self, order_id: int) -> int | None:
        """Remove a resting order; return its open quantity, or None for an unknown id.

        Unknown ids are normal (the order filled or was cancelled before the request came).
        """
        order = self._orders.pop(order_id, None)
        if order is None:
            return None
        leaves = order.leaves
        self._unlink(order)
        return leaves

    def modify(self, order_id: int, price_raw: int, qty_raw: int, ts: int | None = None) -> bool:
        """Change a resting order's price and open quantity; return whether it kept priority.

        A lower quantity at the same price keeps the order's place in its queue; a new price
        or a higher quantity sends it to the back of the queue at its price (with ``ts`` as
        its new time when given). Cancel instead of modifying to 0.

        Raises:
            KeyError: no resting order has this id.
            ValueError: a price or quantity off the book's precision, a quantity not above 0,
                or a new price that would trade now.
        """
        order = self._orders.get(order_id)
        if order is None:
            raise KeyError(f"MatchingBook {self._instrument_id}: no resting order {order_id}")
        if (
            type(price_raw) is not int
            or type(qty_raw) is not int
            or price_raw % self._price_step
            or qty_raw % self._size_step
            or qty_raw <= 0
        ):
            self._reject(order_id, price_raw, qty_raw, "modify")
        if price_raw == order.price and qty_raw <= order.leaves:
            level = (self._bids if order.is_buy else self._asks)[price_raw]
            level.size -= order.leaves - qty_raw
            order.leaves = qty_raw
            return True
        side = _BUY if order.is_buy else _SELL
        if self.would_cross(side, price_raw):
            self._reject_cross(order_id, side, price_raw)
        del self._orders[order_id]
        self._unlink(order)
        self.add(order_id, side, price_raw, qty_raw, order.ts if ts is None else ts)
        return False

    def _unlink(self, order: RestingOrder) -> None:
        """Take a live order (already out of ``_orders``) off its level."""
        price = order.price
        levels = self._bids if order.is_buy else self._asks
        level = levels[price]
        level.size -= order.leaves
        order.leaves = 0
        level.count -= 1
        if not level.count:
            del levels[price]
            if order.is_buy:
                keys = self._bid_keys
                del keys[bisect_left(keys, price)]
            else:
                keys = self._ask_keys
                del keys[bisect_left(keys, -price)]
        elif len(level.queue) > 2 * level.count + _COMPACT_SLACK:
            level.queue = deque([entry for entry in level.queue if entry.leaves])

    def clear(self) -> None:
        """Remove every resting order."""
        self._bids = {}
        self._asks = {}
        self._bid_keys = []
        self._ask_keys = []
        self._orders = {}

    # --- taking liquidity ---------------------------------------------------------------------

    def match(self, taker_side: OrderSide, price_raw: int | None, qty_raw: int) -> list[Fill]:
        """Trade up to ``qty_raw`` against the opposite side in price-time order.

        Args:
            taker_side: ``BUY`` takes asks from the lowest, ``SELL`` takes bids from the
                highest.
            price_raw: the limit (a buy trades at or below it, a sell at or above it);
                None for a market order.
            qty_raw: the quantity to trade, > 0.

        Returns:
            The fills in execution order; fully filled resting orders are removed. Nothing of
            the taker rests (see `match_and_rest`).
        """
        if (
            type(qty_raw) is not int
            or qty_raw % self._size_step
            or qty_raw <= 0
            or (
                price_raw is not None
                and (type(price_raw) is not int or price_raw % self._price_step)
            )
        ):
            self._reject(None, price_raw, qty_raw, "match")
        if taker_side is _BUY:
            keys, levels, sign = self._ask_keys, self._asks, -1
        elif taker_side is _SELL:
            keys, levels, sign = self._bid_keys, self._bids, 1
        else:
            check_side(taker_side, f"MatchingBook {self._instrument_id} match")
            return []
        # A limit becomes a bound on the sorted keys: take while key >= bound.
        bound = None if price_raw is None else sign * price_raw
        orders = self._orders
        fills: list[Fill] = []
        remaining = qty_raw
        while remaining and keys:
            key = keys[-1]
            if bound is not None and key < bound:
                break
            price = sign * key
            level = levels[price]
            queue = level.queue
            while True:
                order = queue[0]
                leaves = order.leaves
                if not leaves:  # a dead entry left by a cancel
                    queue.popleft()
                elif leaves <= remaining:
                    queue.popleft()
                    order.leaves = 0
                    del orders[order.order_id]
                    remaining -= leaves
                    level.size -= leaves
                    level.count -= 1
                    fills.append(Fill(order.order_id, price, leaves, 0))
                    if not level.count:
                        del levels[price]
                        keys.pop()
                        break
                    if not remaining:
                        break
                else:
                    order.leaves = leaves - remaining
                    level.size -= remaining
                    fills.append(Fill(order.order_id, price, remaining, leaves - remaining))
                    remaining = 0
                    break
        return fills

    def match_and_rest(
        self, order_id: int, side: OrderSide, price_raw: int, qty_raw: int, ts: int = 0
    ) -> list[Fill]:
        """Trade a limit order like `match`, then rest what is left under ``order_id``.

        Raises:
            ValueError: a duplicate id or invalid input; nothing has traded then.
        """
        if type(price_raw) is not int:
            raise ValueError(
                f"MatchingBook {self._instrument_id} match_and_rest: price_raw must be an int "
                f"(a limit price), got {price_raw!r}"
            )
        if type(order_id) is not int or order_id in self._orders:
            self._reject(order_id, price_raw, qty_raw, "match_and_rest")
        fills = self.match(side, price_raw, qty_raw)
        remaining = qty_raw - sum(fill.qty_raw for fill in fills)
        if remaining:
            self.add(order_id, side, price_raw, remaining, ts)
        return fills

    # --- errors -------------------------------------------------------------------------------

    def _reject(
        self, order_id: object, price_raw: object, qty_raw: object, action: str
    ) -> NoReturn:
        where = f"MatchingBook {self._instrument_id} {action}"
        if order_id is not None:
            if type(order_id) is not int:
                raise ValueError(f"{where}: order_id must be an int, got {order_id!r}")
            if action != "modify" and order_id in self._orders:
                raise ValueError(f"{where}: order {order_id} is already resting")
        if price_raw is not None and type(price_raw) is not int:
            raise ValueError(f"{where}: price_raw must be an int, got {price_raw!r}")
        if type(qty_raw) is not int:
            raise ValueError(f"{where}: qty_raw must be an int, got {qty_raw!r}")
        if qty_raw <= 0:
            raise ValueError(f"{where}: qty_raw must be > 0, got {qty_raw}")
        raise ValueError(
            f"{where}: price_raw {price_raw} or qty_raw {qty_raw} is off the book's precision "
            f"(price {self._price_precision}, size {self._size_precision} decimal places)"
        )

    def _reject_cross(self, order_id: int, side: OrderSide, price_raw: int) -> NoReturn:
        best = self.best_ask_raw() if side is _BUY else self.best_bid_raw()
        raise ValueError(
            f"MatchingBook {self._instrument_id}: {side} order {order_id} at raw price "
            f"{price_raw} would trade against {best}; match it first or reject it"
        )
