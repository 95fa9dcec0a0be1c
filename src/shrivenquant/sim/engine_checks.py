"""The read-only half of `OrderMatchingEngine`: order checks, watched prices, liquidity.

Nothing here changes an order, the book or an account; `OrderMatchingEngine` decides what to do
with the answers. Refusal reasons follow `shrivenquant.sim.rejects`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Final

from shrivenquant.model.enums import (
    BookType,
    OrderSide,
    OrderType,
    TimeInForce,
    TriggerType,
)
from shrivenquant.model.orders import validate_order_init
from shrivenquant.model.values import Quantity
from shrivenquant.sim.filters import check_notional, check_price, check_quantity
from shrivenquant.sim.market import Level
from shrivenquant.sim.orders import STOP_TYPES, TRAILING_TYPES, SimOrder
from shrivenquant.sim.rejects import RejectCode, reason
from shrivenquant.sim.triggers import is_fired

if TYPE_CHECKING:
    from shrivenquant.book import MatchingBook
    from shrivenquant.core.clock import Clock
    from shrivenquant.model.instruments import Instrument
    from shrivenquant.sim.fill_model import FillModel
    from shrivenquant.sim.market import MarketLiquidity

_BUY: Final = OrderSide.BUY
_UNSUPPORTED_TRIGGERS: Final = frozenset({TriggerType.MARK_PRICE, TriggerType.INDEX_PRICE})


class OrderChecks:
    """Checks and market queries of `OrderMatchingEngine` (see the module docstring)."""

    instrument: Instrument
    book: MatchingBook
    market: MarketLiquidity
    _clock: Clock
    _book_type: BookType
    _fill_model: FillModel
    _reject_stops: bool
    _tick: int
    _sp: int

    def bid_raw(self) -> int | None:
        """The best bid the venue sees: the market's, or (L3) the book's."""
        if self._book_type is BookType.L3_MBO:
            best = self.book.best_bid_raw()
            return self.market.bid_raw if best is None else best[0]
        return self.market.bid_raw

    def ask_raw(self) -> int | None:
        """The best ask the venue sees: the market's, or (L3) the book's."""
        if self._book_type is BookType.L3_MBO:
            best = self.book.best_ask_raw()
            return self.market.ask_raw if best is None else best[0]
        return self.market.ask_raw

    def _check_new(self, order: SimOrder) -> tuple[str | None, bool]:
        """Why a new order is refused (and whether for post-only), or (None, False)."""
        init = order.init
        instrument = self.instrument
        try:
            validate_order_init(init)
        except ValueError as exc:
            return reason(RejectCode.INVALID_ORDER, str(exc)), False
        if init.quote_quantity:
            return reason(RejectCode.UNSUPPORTED, "quote-quantity orders"), False
        if init.trigger_type in _UNSUPPORTED_TRIGGERS:
            return reason(RejectCode.UNSUPPORTED, f"trigger type {init.trigger_type}"), False
        refusal = check_quantity(instrument, order.quantity_raw)
        if refusal is None and order.price_raw is not None:
            refusal = check_price(instrument, order.price_raw)
        if refusal is None and order.trigger_raw is not None:
            refusal = check_price(instrument, order.trigger_raw, "trigger price")
        if refusal is not None:
            return refusal, False
        if init.time_in_force is TimeInForce.GTD:
            now = self._clock.timestamp_ns()
            if (init.expire_time_ns or 0) <= now:
                return reason(
                    RejectCode.EXPIRE_TIME, f"expire time {init.expire_time_ns} is not after {now}"
                ), False
        side = init.order_side
        lock_price = order.lock_price_raw
        estimate = lock_price if lock_price is not None else self._estimate_price(side)
        if estimate is not None and (
            instrument.min_notional is not None or instrument.max_notional is not None
        ):
            refusal = check_notional(instrument, order.quantity_raw, estimate)
            if refusal is not None:
                return refusal, False
        if not order.is_active:
            return None, False  # an OTO child is checked when its parent is done
        if init.reduce_only and not order.account.reducible_raw(instrument.id, side):
            return reason(
                RejectCode.REDUCE_ONLY, "the order would open or increase a position"
            ), False
        order_type = init.order_type
        if (
            init.post_only
            and order_type is OrderType.LIMIT
            and self._would_take(side, order.price_raw)
        ):
            return reason(RejectCode.POST_ONLY_WOULD_TAKE, "the order would take liquidity"), True
        if self._reject_stops and order_type in STOP_TYPES and self._fires(order):
            return reason(RejectCode.STOP_WOULD_TRIGGER, "the stop price is already reached"), False
        return self._check_funds(order, lock_price), False

    def _check_funds(self, order: SimOrder, lock_price: int | None) -> str | None:
        """Whether the free balance covers the order (market orders: what they would take).

        ``lock_price`` is ``order.lock_price_raw``.
        """
        account = order.account
        if lock_price is not None:
            price = lock_price
            if order.order_type in TRAILING_TYPES and order.trigger_raw is None:
                return None  # priced once the trigger is set (`_relock` checks it then)
            if not account.is_cash and order.init.reduce_only:
                return None
            required = account.required(self.instrument, order.side, order.quantity_raw, price)
            refusal = account.shortfall(required)
        elif not account.is_cash and order.init.reduce_only:
            return None
        else:
            refusal = self._market_shortfall(order)
        return None if refusal is None else reason(RejectCode.INSUFFICIENT_BALANCE, refusal)

    def _market_shortfall(self, order: SimOrder) -> str | None:
        """Whether the account can pay for what a market order would take now."""
        side = order.side
        account = order.account
        instrument = self.instrument
        remaining = order.quantity_raw
        slip = self._slippage_possible(order)
        tick = self._tick
        total = None
        book = self.book
        levels: Iterable[Level]
        if (
            self._book_type is BookType.L1_MBP
            and (book.best_ask_raw() if side is _BUY else book.best_bid_raw()) is None
        ):
            best = self.market.best(side)  # the quote is all there is to take
            levels = () if best is None else (best,)
        else:
            levels = self._liquidity(side, None)
        for level_price, size in levels:
            qty = remaining if size is None else min(remaining, size)
            price = level_price
            if slip:
                price = price + tick if side is _BUY else max(price - tick, 1)
            amount = account.required(instrument, side, qty, price)
            total = amount if total is None else total + amount
            remaining -= qty
            if remaining <= 0:
                break
        return None if total is None else account.shortfall(total)

    def _estimate_price(self, side: OrderSide) -> int | None:
        """The best price an order of ``side`` would trade at now, if any."""
        is_buy = side is _BUY
        own = self.book.best_ask_raw() if is_buy else self.book.best_bid_raw()
        ext = None if self._book_type is BookType.L3_MBO else self.market.best(side)
        if own is None:
            return None if ext is None else ext[0]
        if ext is None:
            return own[0]
        if is_buy:
            return own[0] if own[0] < ext[0] else ext[0]
        return own[0] if own[0] > ext[0] else ext[0]

    def _check_modify(
        self,
        order: SimOrder,
        quantity_raw: int | None,
        price_raw: int | None,
        trigger_raw: int | None,
    ) -> str | None:
        instrument = self.instrument
        if order.is_market_priced:
            return reason(RejectCode.INVALID_MODIFY, "a market order cannot be modified")
        if price_raw is not None:
            if order.price_raw is None and order.order_type is not OrderType.TRAILING_STOP_LIMIT:
                return reason(RejectCode.INVALID_MODIFY, f"a {order.order_type} has no price")
            refusal = check_price(instrument, price_raw)
            if refusal is not None:
                return refusal
        if trigger_raw is not None:
            if not order.has_pending_trigger:
                return reason(RejectCode.INVALID_MODIFY, "the order has no pending trigger")
            refusal = check_price(instrument, trigger_raw, "trigger price")
            if refusal is not None:
                return refusal
        if quantity_raw is not None:
            if quantity_raw <= order.filled_raw:
                filled = Quantity.from_raw(order.filled_raw, self._sp)
                return reason(
                    RejectCode.INVALID_MODIFY, f"quantity must exceed the filled {filled}"
                )
            refusal = check_quantity(instrument, quantity_raw)
            if refusal is not None:
                return refusal
        new_price = order.price_raw if price_raw is None else price_raw
        if (
            order.init.post_only
            and order.is_limit_priced
            and new_price is not None
            and self._would_take(order.side, new_price)
        ):
            return reason(RejectCode.POST_ONLY_WOULD_TAKE, "the new price would take liquidity")
        if trigger_raw is not None and order.order_type in STOP_TYPES and self._reject_stops:
            watched = self._watched(order)
            if watched is not None and is_fired(order.order_type, order.side, trigger_raw, watched):
                return reason(RejectCode.STOP_WOULD_TRIGGER, "the new stop price is reached")
        return None

    def _reduce_cap(self, order: SimOrder) -> int:
        """The quantity ``order`` may still trade (its leaves, cut to the position if
        reduce-only)."""
        leaves = order.leaves_raw
        if not order.init.reduce_only:
            return leaves
        return min(leaves, order.account.reducible_raw(self.instrument.id, order.side))

    def _watched(self, order: SimOrder) -> int | None:
        """The price ``order``'s trigger watches now."""
        trigger_type = order.init.trigger_type
        if trigger_type is TriggerType.LAST_PRICE:
            return self.market.last_raw
        bid, ask = self.bid_raw(), self.ask_raw()
        if trigger_type is TriggerType.MID_POINT:
            return None if bid is None or ask is None else (bid + ask) // 2
        quoted = ask if order.side is _BUY else bid
        if trigger_type is TriggerType.BID_ASK or quoted is not None:
            return quoted
        return self.market.last_raw

    def _fires(self, order: SimOrder) -> bool:
        trigger = order.trigger_raw
        if trigger is None:
            return False
        watched = self._watched(order)
        return watched is not None and is_fired(order.order_type, order.side, trigger, watched)

    def _would_take(self, side: OrderSide, price: int | None) -> bool:
        """Whether an order of ``side`` at ``price`` would trade now."""
        if self.book.would_cross(side, price):
            return True
        if self._book_type is BookType.L3_MBO:
            return False
        best = self.market.best(side)
        if best is None:
            return False
        return price is None or (best[0] <= price if side is _BUY else best[0] >= price)

    def _liquidity(self, side: OrderSide, limit: int | None) -> Iterator[Level]:
        """The outside levels and book levels an order of ``side`` could take, best first
        (outside first at equal prices), within ``limit``."""
        is_buy = side is _BUY
        outside: list[Level] = (
            [] if self._book_type is BookType.L3_MBO else list(self.market.levels(side))
        )
        book = self.book
        if (book.best_ask_raw() if is_buy else book.best_bid_raw()) is None:
            own: list[tuple[int, int]] = []  # an empty side: no level list to build
        else:
            own = book.asks_raw() if is_buy else book.bids_raw()
        i = j = 0
        while i < len(outside) or j < len(own):
            if j >= len(own) or (
                i < len(outside)
                and (outside[i][0] <= own[j][0] if is_buy else outside[i][0] >= own[j][0])
            ):
                price, size = outside[i]
                i += 1
            else:
                price, size = own[j]
                j += 1
            if limit is not None and (price > limit if is_buy else price < limit):
                return
            yield price, size

    def _available(self, order: SimOrder, limit: int | None) -> int:
        """How much of ``order`` could trade now within ``limit`` (reduce-only cut applied)."""
        want = self._reduce_cap(order)
        total = 0
        for _, size in self._liquidity(order.side, limit):
            if size is None:
                return want
            total += size
            if total >= want:
                return want
        return total

    def _slippage_possible(self, order: SimOrder) -> bool:
        return (
            order.is_market_priced
            and self._book_type is BookType.L1_MBP
            and self._fill_model.prob_slippage > 0.0
        )
