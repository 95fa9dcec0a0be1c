"""`OrderMatchingEngine`: one instrument of a simulated venue.

The engine holds the venue's resting orders in a price-time priority `MatchingBook`, the
untriggered stop and if-touched orders in arrival order, and the market outside the venue
(`MarketLiquidity`). An incoming order is checked (filters, post-only, reduce-only, balance),
accepted, and then, by type and time in force:

- market orders take liquidity at once; what they cannot fill expires;
- limit orders take what crosses, then rest (GTC, GTD, DAY) or expire the rest (IOC); a
  fill-or-kill order trades only when its whole quantity is available, else it expires;
- stop, if-touched and trailing orders wait for their trigger, then trade as market or limit
  orders; trailing stops move their trigger as the market moves.

A taker walks the outside liquidity and the book together, best price first; at equal prices
the outside liquidity, which was there before the venue's orders, goes first. Every trade in the
book is at the resting order's price; the resting order is the maker. Market data moving
through resting orders fills them as makers (`shrivenquant.sim.engine_data`).

The engine never changes an order that another component owns: it reports each change through
the order's account sink, and books fills into the venue account.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from shrivenquant.book import Fill, MatchingBook
from shrivenquant.core.errors import InvalidInputError
from shrivenquant.core.uuid import UUID4
from shrivenquant.model.enums import (
    BookType,
    LiquiditySide,
    OrderSide,
    OrderStatus,
    TimeInForce,
)
from shrivenquant.model.events import OrderFilled
from shrivenquant.model.instruments import Instrument
from shrivenquant.model.values import Price, Quantity
from shrivenquant.sim.engine_checks import OrderChecks
from shrivenquant.sim.engine_data import MarketDataFills
from shrivenquant.sim.engine_guards import OrderGuards
from shrivenquant.sim.market import MarketLiquidity
from shrivenquant.sim.orders import (
    LIMIT_TRIGGERED_TYPES,
    TRAILING_TYPES,
    SimOrder,
)
from shrivenquant.sim.rejects import RejectCode, reason

if TYPE_CHECKING:
    from shrivenquant.sim.venue import SimulatedVenue

_BUY: Final = OrderSide.BUY
_SELL: Final = OrderSide.SELL
_MAKER: Final = LiquiditySide.MAKER
_TAKER: Final = LiquiditySide.TAKER
_IMMEDIATE: Final = frozenset({TimeInForce.IOC, TimeInForce.FOK})
_EXPIRING: Final = frozenset({TimeInForce.GTD, TimeInForce.DAY})  # see `OrderExpiry`


class OrderMatchingEngine(OrderChecks, OrderGuards, MarketDataFills):
    """Matches the orders of one instrument (see the module docstring).

    Args:
        instrument: the instrument traded.
        venue: the venue the engine belongs to (clock, models, contingencies, expiry).
    """

    def __init__(self, instrument: Instrument, venue: SimulatedVenue) -> None:
        config = venue.config
        self.instrument = instrument
        self.book = MatchingBook(
            instrument.id, instrument.price_precision, instrument.size_precision
        )
        self.market = MarketLiquidity(instrument, config.book_type)
        self._venue = venue
        self._clock = venue.clock
        self._fees = config.fee_model
        self._fill_model = config.fill_model
        self._rng = config.fill_model.rng(instrument.id)
        self._book_type = config.book_type
        self._reject_stops = config.reject_stop_orders
        self._tick = instrument.price_increment.raw
        self._lot = instrument.quantity_step.raw
        self._size_step = 10 ** (9 - instrument.size_precision)
        self._pp = instrument.price_precision
        self._sp = instrument.size_precision
        self._resting: dict[int, SimOrder] = {}
        self._triggers: dict[int, SimOrder] = {}
        self._reduce_only: dict[int, SimOrder] = {}

    def update_instrument(self, instrument: Instrument) -> None:
        """Take a new definition of the instrument (same precisions: the book keeps them).

        Raises:
            InvalidInputError: the precisions changed.
        """
        old = self.instrument
        if (instrument.price_precision, instrument.size_precision) != (
            old.price_precision,
            old.size_precision,
        ):
            raise InvalidInputError(
                f"{instrument.id}: a new definition cannot change the price or size precision "
                f"({old.price_precision}/{old.size_precision} -> "
                f"{instrument.price_precision}/{instrument.size_precision})"
            )
        self.instrument = instrument
        self._tick = instrument.price_increment.raw
        self._lot = instrument.quantity_step.raw

    # -- queries -------------------------------------------------------------------------------

    def resting_orders(self) -> list[SimOrder]:
        """Orders resting in the book, in no particular order."""
        return list(self._resting.values())

    def trigger_orders(self) -> list[SimOrder]:
        """Orders waiting for their trigger, in arrival order."""
        return list(self._triggers.values())

    # -- new orders ----------------------------------------------------------------------------

    def submit(self, order: SimOrder, active: bool = True) -> None:
        """Check, accept and work a new order (``active`` False: an OTO child that waits)."""
        order.is_active = active
        refusal, post_only = self._check_new(order)
        if refusal is not None:
            self._reject(order, refusal, post_only)
            return
        order.status = OrderStatus.ACCEPTED
        order.ts_accepted = order.ts_last = self._clock.timestamp_ns()
        sink = order.account.sink
        if sink is not None:
            sink.on_order_accepted(order)
        if order.init.time_in_force in _EXPIRING:
            self._venue.schedule_expiry(order)
        if active:
            self._start(order)

    def activate(self, order: SimOrder) -> None:
        """Start working an accepted OTO child whose parent is done."""
        if not order.is_open or order.is_active:
            return
        order.is_active = True
        if order.init.reduce_only and not order.account.reducible_raw(
            self.instrument.id, order.side
        ):
            self._close(order, OrderStatus.CANCELED)
            return
        self._start(order)

    def _start(self, order: SimOrder) -> None:
        refusal = self._relock(order)
        if refusal is not None:
            self._reject(order, refusal, False)
            return
        if order.init.reduce_only:
            self._reduce_only[order.key] = order
        self._route(order)

    # -- working orders ------------------------------------------------------------------------

    def _route(self, order: SimOrder) -> None:
        if order.has_pending_trigger:
            if order.order_type in TRAILING_TYPES and not self._trail(order):
                return
            if self._fires(order):
                self._fire(order)
            elif order.is_open:
                self._triggers[order.key] = order
            return
        self._execute(order)

    def _fire(self, order: SimOrder) -> None:
        self._triggers.pop(order.key, None)
        order.is_triggered = True
        order.ts_last = self._clock.timestamp_ns()
        if order.order_type in LIMIT_TRIGGERED_TYPES:
            order.status = OrderStatus.TRIGGERED
            sink = order.account.sink
            if sink is not None:
                sink.on_order_triggered(order)
        else:
            order.account.set_lock(self.instrument, order, None)
        self._execute(order)

    def _execute(self, order: SimOrder) -> None:
        """Trade an active order that is (now) a market or limit order, then rest or expire."""
        init = order.init
        side = init.order_side
        limit = order.price_raw if order.is_limit_priced else None
        if limit is not None and init.post_only and self._would_take(side, limit):
            self._reject(
                order, reason(RejectCode.POST_ONLY_WOULD_TAKE, "the order would take"), True
            )
            return
        tif = init.time_in_force
        if init.reduce_only and not self._reduce_cap(order):
            self._close(order, OrderStatus.CANCELED)
            return
        if tif is TimeInForce.FOK and self._available(order, limit) < order.leaves_raw:
            self._close(order, OrderStatus.EXPIRED)
            return
        filled_before = order.filled_raw
        short = self._take(order, limit)
        if not order.is_open:
            return
        if limit is None or tif in _IMMEDIATE:
            if short and order.filled_raw == filled_before:
                self._reject(order, reason(RejectCode.INSUFFICIENT_BALANCE, short), False)
            else:
                self._close(order, OrderStatus.EXPIRED)
            return
        if order.init.reduce_only and not self._reduce_cap(order):
            self._close(order, OrderStatus.CANCELED)
            return
        self._rest(order)

    def _rest(self, order: SimOrder) -> None:
        assert order.price_raw is not None
        self.book.add(
            order.key, order.side, order.price_raw, order.leaves_raw, self._clock.timestamp_ns()
        )
        self._resting[order.key] = order

    def _take(self, order: SimOrder, limit: int | None) -> str | None:
        """Trade ``order`` against the outside liquidity and the book up to ``limit``.

        Returns:
            Why the order stopped short for lack of funds, or None.
        """
        side = order.side
        is_buy = side is _BUY
        book = self.book
        market = self.market
        external = self._book_type is not BookType.L3_MBO
        check_funds = limit is None and order.account.is_cash
        slip = self._slippage_possible(order)
        reduce_only = order.init.reduce_only
        while True:
            want = self._reduce_cap(order) if reduce_only else order.quantity_raw - order.filled_raw
            if want <= 0:
                return None
            ext = market.best(side) if external else None
            own = book.best_ask_raw() if is_buy else book.best_bid_raw()
            if ext is not None and (
                own is None or (ext[0] <= own[0] if is_buy else ext[0] >= own[0])
            ):
                price, size = ext
                if limit is not None and (price > limit if is_buy else price < limit):
                    return None
                qty = want if size is None else min(want, size)
                fill_px = price
                if slip and self._fill_model.slips(self._rng):
                    fill_px = price + self._tick if is_buy else max(price - self._tick, self._tick)
                if check_funds:
                    qty = self._affordable(order, qty, fill_px)
                    if qty <= 0:
                        return self._why_short(order, want, fill_px)
                market.consume(side, price, qty)
                self._fill(order, qty, fill_px, _TAKER)
                continue
            if own is None:
                return None
            price = own[0]
            if limit is not None and (price > limit if is_buy else price < limit):
                return None
            qty = want
            if check_funds:
                qty = self._affordable(order, qty, price)
                if qty <= 0:
                    return self._why_short(order, want, price)
            if self._guard_reduce_only(side, price, qty, order.account):
                continue  # makers were cut or canceled: look at the book again
            self._apply_book_fills(order, book.match(side, price, qty))

    def _apply_book_fills(self, taker: SimOrder | None, fills: list[Fill]) -> int:
        """Report the trades of one match; return the quantity traded."""
        resting = self._resting
        traded = 0
        for fill in fills:
            maker = resting[fill.maker_order_id]
            if not fill.maker_leaves_raw:
                del resting[fill.maker_order_id]
            if taker is not None:
                self._fill(taker, fill.qty_raw, fill.price_raw, _TAKER)
            self._fill(maker, fill.qty_raw, fill.price_raw, _MAKER)
            traded += fill.qty_raw
        if fills and taker is not None:
            self.market.last_raw = fills[-1].price_raw
        return traded

    def _fill(self, order: SimOrder, qty: int, price: int, liquidity: LiquiditySide) -> None:
        """Record one trade of ``order``: its state, the account, the report."""
        instrument = self.instrument
        now = self._clock.timestamp_ns()
        order.filled_raw += qty
        order.notional_raw += qty * price
        order.ts_last = now
        if order.filled_raw >= order.quantity_raw:
            order.status = OrderStatus.FILLED
            self._remove(order)
        else:
            order.status = OrderStatus.PARTIALLY_FILLED
        last_qty = Quantity.from_raw(qty, self._sp)
        last_px = Price.from_raw(price, self._pp)
        init = order.init
        account = order.account
        fill = OrderFilled(
            trader_id=init.trader_id,
            strategy_id=init.strategy_id,
            instrument_id=init.instrument_id,
            client_order_id=init.client_order_id,
            venue_order_id=order.venue_order_id,
            account_id=account.id,
            trade_id=self._venue.next_trade_id(),
            order_side=init.order_side,
            order_type=init.order_type,
            last_qty=last_qty,
            last_px=last_px,
            currency=instrument.quote_currency,
            commission=self._fees.commission(instrument, last_qty, last_px, liquidity),
            liquidity_side=liquidity,
            position_id=order.position_id,
            event_id=UUID4(),
            ts_event=now,
            ts_init=now,
        )
        if account.order_lock(order) is not None or order.lock_price_raw is not None:
            account.set_lock(instrument, order, account.lock_for(instrument, order))
        account.book_fill(instrument, fill)
        sink = account.sink
        if sink is not None:
            sink.on_order_filled(fill)
        self._venue.order_filled(self, order)

    # -- modify, cancel, expire ----------------------------------------------------------------

    def modify(
        self,
        order: SimOrder,
        quantity_raw: int | None,
        price_raw: int | None,
        trigger_raw: int | None,
    ) -> str | None:
        """Change an open order; return the refusal reason, or None once applied."""
        refusal = self._check_modify(order, quantity_raw, price_raw, trigger_raw)
        if refusal is not None:
            return refusal
        old = (order.quantity_raw, order.price_raw, order.trigger_raw)
        if quantity_raw is not None:
            order.quantity_raw = quantity_raw
        if price_raw is not None:
            order.price_raw = price_raw
        if trigger_raw is not None:
            order.trigger_raw = trigger_raw
        refusal = self._relock(order)
        if refusal is not None:
            order.quantity_raw, order.price_raw, order.trigger_raw = old
            return refusal
        order.ts_last = self._clock.timestamp_ns()
        self._report_updated(order)
        if order.key in self._resting:
            assert order.price_raw is not None
            if self._would_take(order.side, order.price_raw):
                del self._resting[order.key]
                self.book.cancel(order.key)
                self._execute(order)
            else:
                self.book.modify(order.key, order.price_raw, order.leaves_raw, order.ts_last)
        elif order.key in self._triggers and self._fires(order):
            self._fire(order)
        return None

    def cancel(self, order: SimOrder) -> None:
        """Cancel an open order (a client request or the venue's own decision)."""
        self._close(order, OrderStatus.CANCELED)

    def expire(self, order: SimOrder) -> None:
        """Expire an open order whose time in force ran out."""
        if order.is_open:
            self._close(order, OrderStatus.EXPIRED)

    def _close(self, order: SimOrder, status: OrderStatus) -> None:
        order.status = status
        order.ts_last = self._clock.timestamp_ns()
        self._remove(order)
        account = order.account
        account.set_lock(self.instrument, order, None)
        sink = account.sink
        if sink is not None:
            if status is OrderStatus.CANCELED:
                sink.on_order_canceled(order)
            else:
                sink.on_order_expired(order)
        self._venue.order_closed(self, order)

    def _reject(self, order: SimOrder, refusal: str, post_only: bool) -> None:
        order.status = OrderStatus.REJECTED
        order.ts_last = self._clock.timestamp_ns()
        self._remove(order)
        account = order.account
        account.set_lock(self.instrument, order, None)
        sink = account.sink
        if sink is not None:
            sink.on_order_rejected(order, refusal, post_only)
        self._venue.order_closed(self, order)

    def _remove(self, order: SimOrder) -> None:
        key = order.key
        if self._triggers:
            self._triggers.pop(key, None)
        if self._reduce_only:
            self._reduce_only.pop(key, None)
        if self._resting.pop(key, None) is not None:
            self.book.cancel(key)
        if order.expiry_ns is not None:
            self._venue.cancel_expiry(order)

    def _report_updated(self, order: SimOrder) -> None:
        sink = order.account.sink
        if sink is not None:
            sink.on_order_updated(order)
