"""The order emulator: holds stop, if-touched and trailing-stop orders locally until the market
reaches their trigger, then releases them to the venue as market or limit orders.

An order is emulated when it sets ``emulation_trigger`` or when its execution client does not
support its type. The emulator watches quotes or trades on the bus (the data engine writes the
cache before it publishes, so the cached price is always the latest), moves trailing triggers
with `OrderUpdated` events, expires GTD orders on the clock, and releases with `OrderReleased`
followed by a `SubmitOrder` of the order's venue form. Every change goes through the engine, so
it is journaled and rebuilt on replay; `start` picks up the emulated orders the cache holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shrivenquant.bus import topics
from shrivenquant.core.clock import TimeEvent
from shrivenquant.execution.triggers import (
    EMULATED_TYPES,
    TRAILING_TYPES,
    Feed,
    feed_for,
    is_triggered,
    market_price,
    trailing_limit,
    trailing_trigger,
    trigger_of,
    venue_form,
)
from shrivenquant.model.data import QuoteTick, TradeTick
from shrivenquant.model.enums import OrderStatus, TimeInForce, TrailingOffsetType
from shrivenquant.model.events import OrderEmulated, OrderEvent, OrderUpdated
from shrivenquant.model.identifiers import ClientOrderId, InstrumentId
from shrivenquant.model.orders import Order
from shrivenquant.model.values import Price

if TYPE_CHECKING:
    from shrivenquant.execution.engine import ExecutionEngine


class OrderEmulator:
    """Holds emulated orders and fires their triggers from market data."""

    __slots__ = (
        "_busy",
        "_engine",
        "_orders",
        "_quote_subs",
        "_timers",
        "_trade_subs",
        "released_count",
    )

    def __init__(self, engine: ExecutionEngine) -> None:
        self._engine = engine
        self._orders: dict[InstrumentId, dict[ClientOrderId, Order]] = {}
        self._quote_subs: set[InstrumentId] = set()
        self._trade_subs: set[InstrumentId] = set()
        self._timers: dict[ClientOrderId, str] = {}
        self._busy = False
        self.released_count = 0

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Watch every order the cache holds as emulated (after a journal replay)."""
        for order in self._engine.cache.orders_emulated():
            self._track(order)

    def stop(self) -> None:
        """Stop watching: unsubscribe from market data and cancel expiry timers."""
        bus, clock = self._engine.bus, self._engine.clock
        for instrument_id in self._quote_subs:
            bus.unsubscribe(topics.quotes(instrument_id), self._on_quote)
        for instrument_id in self._trade_subs:
            bus.unsubscribe(topics.trades(instrument_id), self._on_trade)
        for name in self._timers.values():
            if name in clock.timer_names:
                clock.cancel_timer(name)
        self._quote_subs.clear()
        self._trade_subs.clear()
        self._timers.clear()
        self._orders.clear()

    def emulated_orders(self) -> list[Order]:
        """The orders being watched."""
        return [o for orders in self._orders.values() for o in orders.values()]

    # -- taking orders -----------------------------------------------------------------------

    def emulate(self, order: Order) -> None:
        """Hold ``order`` locally (`OrderEmulated`), or deny it if it cannot be emulated."""
        engine = self._engine
        reason = self._cannot_emulate(order)
        if reason is not None:
            engine.emit(engine.events.denied(order, reason))
            return
        engine.emit(engine.events.emulated(order))  # tracked in on_order_event

    def _cannot_emulate(self, order: Order) -> str | None:
        if order.order_type not in EMULATED_TYPES:
            return f"the emulator cannot hold a {order.order_type} order"
        if feed_for(order) is None:
            trigger = order.emulation_trigger or order.trigger_type
            return f"the emulator cannot watch trigger type {trigger}"
        if (
            order.order_type in TRAILING_TYPES
            and order.trailing_offset_type is TrailingOffsetType.TICKS
            and self._engine.cache.instrument(order.instrument_id) is None
        ):
            return f"a TICKS trailing offset needs instrument {order.instrument_id} in the cache"
        return None

    def on_order_event(self, order: Order, event: OrderEvent) -> None:
        """Follow an order's events: track it once emulated, drop it once it is not."""
        if not self._orders and not isinstance(event, OrderEmulated | OrderUpdated):
            return  # nothing is held, and only these events can make it hold something
        if order.status is not OrderStatus.EMULATED:
            if self._orders:  # nothing to untrack while no order is held
                self._untrack(order)
        elif isinstance(event, OrderEmulated):
            self._track(order)
        elif isinstance(event, OrderUpdated) and not self._busy:
            self._check_cached(order)

    # -- market data -------------------------------------------------------------------------

    def _on_quote(self, quote: QuoteTick) -> None:
        self._on_data(quote.instrument_id, quote)

    def _on_trade(self, trade: TradeTick) -> None:
        self._on_data(trade.instrument_id, trade)

    def _on_data(self, instrument_id: InstrumentId, data: QuoteTick | TradeTick) -> None:
        orders = self._orders.get(instrument_id)
        if not orders:
            return
        for order in list(orders.values()):
            feed = feed_for(order)
            if feed is None or order.status is not OrderStatus.EMULATED:
                continue
            price = market_price(feed, order.side, data)
            if price is not None:
                self._evaluate(order, price, data.ts_event)

    def _check_cached(self, order: Order) -> None:
        feed = feed_for(order)
        if feed is None:
            return
        cache = self._engine.cache
        data: QuoteTick | TradeTick | None = (
            cache.trade(order.instrument_id)
            if feed is Feed.LAST
            else cache.quote(order.instrument_id)
        )
        if data is not None:
            price = market_price(feed, order.side, data)
            if price is not None:
                self._evaluate(order, price, data.ts_event)

    def _evaluate(self, order: Order, price: Price, ts_event: int) -> None:
        engine = self._engine
        self._busy = True
        try:
            if order.order_type in TRAILING_TYPES:
                instrument = engine.cache.instrument(order.instrument_id)
                tick = None if instrument is None else instrument.price_increment
                trigger = trailing_trigger(order, price, tick)
                if trigger is not None:
                    limit = trailing_limit(order, trigger, tick)
                    engine.emit(engine.events.updated(order, order.quantity, limit, trigger))
            trigger_price = trigger_of(order)
            if (
                order.status is OrderStatus.EMULATED
                and trigger_price is not None
                and is_triggered(order.order_type, order.side, trigger_price, price)
            ):
                self._release(order, price, ts_event)
        finally:
            self._busy = False

    def _release(self, order: Order, price: Price, ts_event: int) -> None:
        engine = self._engine
        engine.emit(engine.events.released(order, price, ts_event))
        if order.status is not OrderStatus.RELEASED:
            return
        self.released_count += 1
        client = engine.router.route(
            order.instrument_id, engine.cache.client_id_for_order(order.client_order_id)
        )
        if client is None:
            engine.emit(engine.events.denied(order, "no execution client for released order"))
            return
        engine.commands.send_submit(order, client, init=venue_form(order))

    # -- tracking ----------------------------------------------------------------------------

    def _track(self, order: Order) -> None:
        instrument_id = order.instrument_id
        self._orders.setdefault(instrument_id, {})[order.client_order_id] = order
        bus = self._engine.bus
        if feed_for(order) is Feed.LAST:
            if instrument_id not in self._trade_subs:
                self._trade_subs.add(instrument_id)
                bus.subscribe(topics.trades(instrument_id), self._on_trade)
        elif instrument_id not in self._quote_subs:
            self._quote_subs.add(instrument_id)
            bus.subscribe(topics.quotes(instrument_id), self._on_quote)
        expire = order.expire_time_ns
        if order.time_in_force is TimeInForce.GTD and expire is not None:
            name = f"ExecEngine-expire-{order.client_order_id}"
            if order.client_order_id not in self._timers:
                self._timers[order.client_order_id] = name
                self._engine.clock.set_time_alert(name, expire, self._on_expiry)
        if not self._engine.is_replaying:
            self._check_cached(order)

    def _untrack(self, order: Order) -> None:
        instrument_id = order.instrument_id
        orders = self._orders.get(instrument_id)
        if orders is None or orders.pop(order.client_order_id, None) is None:
            return
        if not orders:
            del self._orders[instrument_id]
        name = self._timers.pop(order.client_order_id, None)
        clock = self._engine.clock
        if name is not None and name in clock.timer_names:
            clock.cancel_timer(name)

    def _on_expiry(self, event: TimeEvent) -> None:
        for cid, name in list(self._timers.items()):
            if name == event.name:
                self._timers.pop(cid)
                order = self._engine.cache.order(cid)
                if order is not None and order.status is OrderStatus.EMULATED:
                    self._engine.emit(self._engine.events.expired(order, ts_event=event.ts_event))
                return
