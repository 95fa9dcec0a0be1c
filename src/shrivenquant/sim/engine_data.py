"""How market data fills the simulated venue's resting orders and fires its waiting ones (part
of `OrderMatchingEngine`).

Each data record first updates the prices triggers watch and the outside liquidity, then fills
the resting orders the market moved through, as makers at their own prices, in price-time
priority, and finally trails and fires the waiting stop and if-touched orders.

- **Quotes** (L1): an ask at or below resting bids trades with them (up to the ask size), a bid
  at or above resting asks likewise. In L2 and L3 modes quotes only move the watched prices.
- **Trades**: a trade strictly through a resting order's price fills it (up to the trade size);
  a trade at its price fills it only as the fill model decides (touch), and only on the side
  the aggressor traded against.
- **Bars**: the bar becomes a path of prices (`shrivenquant.sim.bar_path`); each point acts as
  a trade of a quarter of the bar's volume (unlimited when the bar has no volume).
- **Book deltas and snapshots** (L2): outside levels that cross resting orders trade with them
  level by level.

In L3 mode the venue's orders are the whole market: data moves the watched prices, nothing else.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Final

from shrivenquant.model.data import Bar, OrderBookDeltas, OrderBookSnapshot, QuoteTick, TradeTick
from shrivenquant.model.enums import AggressorSide, BookType, OrderSide, OrderType
from shrivenquant.sim.bar_path import bar_path, check_bar
from shrivenquant.sim.fill_model import FillModel
from shrivenquant.sim.orders import TRAILING_TYPES
from shrivenquant.sim.triggers import trailing_limit, trailing_trigger

if TYPE_CHECKING:
    from shrivenquant.book import Fill, MatchingBook
    from shrivenquant.core.clock import Clock
    from shrivenquant.model.instruments import Instrument
    from shrivenquant.sim.accounts import VenueAccount
    from shrivenquant.sim.market import MarketLiquidity
    from shrivenquant.sim.orders import SimOrder

_BUY: Final = OrderSide.BUY
_SELL: Final = OrderSide.SELL
_EVERYTHING: Final = 10**30  # "all of it" for a quantity query (a multiple of every lot step)


class MarketDataFills:
    """The market data half of `OrderMatchingEngine` (see the module docstring)."""

    instrument: Instrument
    book: MatchingBook
    market: MarketLiquidity
    _book_type: BookType
    _tick: int
    _size_step: int
    _fill_model: FillModel
    _rng: random.Random

    _clock: Clock
    _triggers: dict[int, SimOrder]

    if TYPE_CHECKING:

        def _fires(self, order: SimOrder) -> bool: ...

        def _fire(self, order: SimOrder) -> None: ...

        def _watched(self, order: SimOrder) -> int | None: ...

        def _relock(self, order: SimOrder) -> str | None: ...

        def _reject(self, order: SimOrder, refusal: str, post_only: bool) -> None: ...

        def _report_updated(self, order: SimOrder) -> None: ...

        def _guard_reduce_only(
            self,
            taker_side: OrderSide,
            limit: int,
            qty: int,
            taker_account: VenueAccount | None,
        ) -> bool: ...

        def _apply_book_fills(self, taker: SimOrder | None, fills: list[Fill]) -> int: ...

    # -- data ----------------------------------------------------------------------------------

    def process_quote_tick(self, tick: QuoteTick) -> None:
        """A new top of book."""
        self.market.set_quote(
            tick.bid_price.raw, tick.bid_size.raw, tick.ask_price.raw, tick.ask_size.raw
        )
        if self._book_type is BookType.L1_MBP:
            self._cross_outside()
        self.check_triggers()

    def process_trade_tick(self, tick: TradeTick) -> None:
        """A trade printed by the market."""
        price, size = tick.price.raw, tick.size.raw
        self.market.set_trade_point(price, size)
        if self._book_type is not BookType.L3_MBO:
            aggressor = tick.aggressor_side
            self._trade_fills(
                price,
                size,
                sellers_touch=aggressor is not AggressorSide.BUYER,
                buyers_touch=aggressor is not AggressorSide.SELLER,
            )
        self.check_triggers()

    @property
    def idle(self) -> bool:
        """Whether no order rests or waits here, so market data can only move the prices."""
        return not self._triggers and not len(self.book)

    def process_bar(self, bar: Bar) -> None:
        """A bar, walked as a path of prices (see `shrivenquant.sim.bar_path`)."""
        if not self._triggers and not len(self.book):
            self.bar_prices(bar)
            return
        volume = bar.volume.raw
        step = self._size_step
        size = None if not volume else max(volume // 4 // step * step, step)
        for point in bar_path(bar.open.raw, bar.high.raw, bar.low.raw, bar.close.raw):
            self.market.set_trade_point(point, size)
            if self._book_type is not BookType.L3_MBO:
                self._trade_fills(point, size, sellers_touch=True, buyers_touch=True)
            self.check_triggers()

    def bar_prices(self, bar: Bar) -> None:
        """A bar while the engine is `idle`: with nothing to fill or fire, walking its path
        would only leave the last point (the close) as the market's price, so that is set
        directly (the bar is checked as the walk checks it)."""
        close = bar.close.raw
        check_bar(bar.open.raw, bar.high.raw, bar.low.raw, close)
        volume = bar.volume.raw
        step = self._size_step
        self.market.set_trade_point(
            close, None if not volume else max(volume // 4 // step * step, step)
        )

    def process_order_book_deltas(self, deltas: OrderBookDeltas) -> None:
        """Depth updates (used as liquidity in L2 mode)."""
        self.market.apply_deltas(deltas)
        if self._book_type is BookType.L2_MBP:
            self._cross_outside()
        self.check_triggers()

    def process_order_book_snapshot(self, snapshot: OrderBookSnapshot) -> None:
        """A depth snapshot (replaces the outside book in L2 mode)."""
        self.market.apply_snapshot(snapshot)
        if self._book_type is BookType.L2_MBP:
            self._cross_outside()
        self.check_triggers()

    # -- fills ---------------------------------------------------------------------------------

    def _cross_outside(self) -> None:
        """Trade resting orders with outside levels that cross them, best level first."""
        for taker_side in (_SELL, _BUY):  # outside asks hit our bids, outside bids our asks
            takes = taker_side.opposite  # the side of outside liquidity, as a taker sees it
            while True:
                best = self.market.best(takes)
                if best is None or not self.book.would_cross(taker_side, best[0]):
                    break
                price, size = best
                filled = self._passive(taker_side, price, size)
                if not filled:
                    break
                self.market.consume(takes, price, filled)

    def _trade_fills(
        self, price: int, size: int | None, *, sellers_touch: bool, buyers_touch: bool
    ) -> None:
        """Fill resting orders a trade (or bar point) at ``price`` went through or touched."""
        for taker_side, through, touch in (
            (_SELL, price + self._tick, sellers_touch),
            (_BUY, price - self._tick, buyers_touch),
        ):
            filled = self._passive(taker_side, through, size) if through > 0 else 0
            left = None if size is None else size - filled
            if (
                touch
                and (left is None or left > 0)
                and self.book.would_cross(taker_side, price)
                and self._fill_model.touch_fills(self._rng)
            ):
                filled += self._passive(taker_side, price, left)
            if filled:
                self.market.consume(taker_side.opposite, price, filled)

    def _passive(self, taker_side: OrderSide, limit: int, qty: int | None) -> int:
        """An outside order of ``taker_side`` trades up to ``qty`` (None: unlimited) with the
        resting orders at ``limit`` or better; return the quantity traded."""
        book = self.book
        if not book.would_cross(taker_side, limit):
            return 0
        if qty is None:
            qty = book.fillable_qty(taker_side, limit, _EVERYTHING)
        qty = qty // self._size_step * self._size_step
        if qty <= 0:
            return 0
        self._guard_reduce_only(taker_side, limit, qty, None)
        if not book.would_cross(taker_side, limit):
            return 0
        return self._apply_book_fills(None, book.match(taker_side, limit, qty))

    # -- triggers ------------------------------------------------------------------------------

    def _trail(self, order: SimOrder) -> bool:
        """Move a trailing stop's trigger (and limit) with the market; False if it was
        rejected for lack of funds."""
        watched = self._watched(order)
        init = order.init
        if watched is None or init.trailing_offset is None:
            return True
        trigger = trailing_trigger(
            order.side,
            init.trailing_offset_type,
            init.trailing_offset,
            order.trigger_raw,
            watched,
            self._tick,
        )
        if trigger is None:
            return True
        old = (order.trigger_raw, order.price_raw)
        order.trigger_raw = trigger
        if order.order_type is OrderType.TRAILING_STOP_LIMIT and init.limit_offset is not None:
            order.price_raw = trailing_limit(
                order.side, init.trailing_offset_type, init.limit_offset, trigger, self._tick
            )
        refusal = self._relock(order)
        if refusal is not None:
            order.trigger_raw, order.price_raw = old
            self._reject(order, refusal, False)
            return False
        order.ts_last = self._clock.timestamp_ns()
        self._report_updated(order)
        return True

    def check_triggers(self) -> None:
        """Trail and fire the waiting orders against the current prices, until none fires."""
        fired = True
        while fired and self._triggers:
            fired = False
            for order in list(self._triggers.values()):
                if order.key not in self._triggers:
                    continue
                if order.order_type in TRAILING_TYPES and not self._trail(order):
                    continue
                if self._fires(order):
                    self._fire(order)
                    fired = True
