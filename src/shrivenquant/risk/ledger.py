"""The risk engine's own book of positions and working orders, in raw fixed-point ints.

Every order the risk engine lets through is recorded here at once, before the OMS or the venue
has answered, so limits count orders in flight. Order events (from the OMS's order topics)
then keep it true: fills move positions and shrink the working quantity, cancels, rejects,
expiries and denials remove orders, updates change them. On start it is seeded from the
cache (which the OMS rebuilt from its journal).

Per instrument (and per strategy and instrument) an `Exposure` holds the signed position and
the unfilled quantity of working buy and sell orders, which give the worst cases the position
limits check: ``pos + buy`` if every buy fills, ``pos - sell`` if every sell does.
"""

# ruff: noqa: PLR0917 - hot-path calls pass raw ints positionally (keywords cost time)

from __future__ import annotations

from collections.abc import Iterator

from shrivenquant.cache import Cache
from shrivenquant.model.enums import OrderSide, PositionSide
from shrivenquant.model.events import (
    OrderAccepted,
    OrderCanceled,
    OrderDenied,
    OrderEvent,
    OrderExpired,
    OrderFilled,
    OrderInitialized,
    OrderModifyRejected,
    OrderRejected,
    OrderSubmitted,
    OrderUpdated,
)

_REMOVING = frozenset({OrderDenied, OrderRejected, OrderCanceled, OrderExpired})
_AT_VENUE = frozenset({OrderSubmitted, OrderAccepted})


class Exposure:
    """Signed position and working buy/sell quantities of one instrument (raw ints)."""

    __slots__ = ("buy", "orders", "pos", "sell")

    def __init__(self) -> None:
        self.pos = 0
        self.buy = 0
        self.sell = 0
        self.orders = 0

    @property
    def long_worst(self) -> int:
        """The position if every working buy fills."""
        return self.pos + self.buy

    @property
    def short_worst(self) -> int:
        """The position if every working sell fills."""
        return self.pos - self.sell

    def __repr__(self) -> str:
        return f"Exposure(pos={self.pos}, buy={self.buy}, sell={self.sell}, orders={self.orders})"


class WorkingOrder:
    """An order the ledger counts: quantity, what is filled, and its funding while pending.

    ``reserved`` is the largest quantity the order may have (a modify on its way counts at
    its new quantity until the venue answers). ``price`` is the limit price (0 without one),
    for self-trade prevention. ``pending_key``/``pending_raw`` are the funds reserved for it
    until the venue has it (then the account locks them itself).
    """

    __slots__ = (
        "filled",
        "instrument",
        "pending_key",
        "pending_raw",
        "price",
        "qty",
        "reserved",
        "sign",
        "strategy",
        "venue",
    )

    def __init__(
        self,
        instrument: str,
        strategy: str,
        venue: str,
        sign: int,
        qty: int,
        price: int,
        pending_key: str = "",
        pending_raw: int = 0,
    ) -> None:
        self.instrument = instrument
        self.strategy = strategy
        self.venue = venue
        self.sign = sign
        self.qty = qty
        self.reserved = qty
        self.filled = 0
        self.price = price
        self.pending_key = pending_key
        self.pending_raw = pending_raw

    @property
    def leaves(self) -> int:
        """The quantity that may still fill (at the reserved quantity)."""
        left = self.reserved - self.filled
        return left if left > 0 else 0


class RiskLedger:
    """Positions and working orders by instrument, strategy and venue, with open counts."""

    __slots__ = (
        "by_instrument_orders",
        "instruments",
        "open_by_strategy",
        "open_by_venue",
        "open_total",
        "orders",
        "pending",
        "strategies",
        "venue_instruments",
        "version",
    )

    def __init__(self) -> None:
        self.orders: dict[str, WorkingOrder] = {}
        self.instruments: dict[str, Exposure] = {}
        self.strategies: dict[str, dict[str, Exposure]] = {}
        self.venue_instruments: dict[str, dict[str, Exposure]] = {}
        self.by_instrument_orders: dict[str, dict[str, WorkingOrder]] = {}
        self.open_total = 0
        self.open_by_venue: dict[str, int] = {}
        self.open_by_strategy: dict[str, int] = {}
        self.pending: dict[str, int] = {}
        self.version = 0

    # -- lookups ---------------------------------------------------------------------------

    def instrument(self, instrument: str, venue: str) -> Exposure:
        """The instrument-wide exposure (created empty on first use)."""
        exposure = self.instruments.get(instrument)
        if exposure is None:
            exposure = self.instruments[instrument] = Exposure()
            self.venue_instruments.setdefault(venue, {})[instrument] = exposure
        return exposure

    def strategy(self, strategy: str, instrument: str) -> Exposure:
        """The strategy's exposure in one instrument (created empty on first use)."""
        book = self.strategies.get(strategy)
        if book is None:
            book = self.strategies[strategy] = {}
        exposure = book.get(instrument)
        if exposure is None:
            exposure = book[instrument] = Exposure()
        return exposure

    def working(self, instrument: str) -> Iterator[tuple[str, WorkingOrder]]:
        """The working orders of one instrument (client order id, order)."""
        return iter(self.by_instrument_orders.get(instrument, {}).items())

    # -- orders ----------------------------------------------------------------------------

    def add(
        self,
        cid: str,
        instrument: str,
        strategy: str,
        venue: str,
        sign: int,
        qty: int,
        price: int,
        pending_key: str = "",
        pending_raw: int = 0,
    ) -> WorkingOrder:
        """Count a new working order (a no-op returning the existing one if already known)."""
        known = self.orders.get(cid)
        if known is not None:
            return known
        order = WorkingOrder(
            instrument, strategy, venue, sign, qty, price, pending_key, pending_raw
        )
        self.orders[cid] = order
        self.by_instrument_orders.setdefault(instrument, {})[cid] = order
        self._shift(order, qty, 1)
        if pending_raw:
            self.pending[pending_key] = self.pending.get(pending_key, 0) + pending_raw
        self.version += 1
        return order

    def add_init(self, init: OrderInitialized) -> WorkingOrder:
        """Count an order the engine did not pass itself (seen on the order topics)."""
        price = init.price
        return self.add(
            init.client_order_id.value,
            init.instrument_id.value,
            init.strategy_id.value,
            init.instrument_id.venue.value,
            1 if init.order_side is OrderSide.BUY else -1,
            init.quantity.raw,
            0 if price is None else price.raw,
        )

    def reserve(self, cid: str, quantity: int | None) -> None:
        """A modify passed: count the order at the larger of its quantities until answered."""
        order = self.orders.get(cid)
        if order is None:
            return
        if quantity is not None and quantity > order.reserved:
            before = order.leaves
            order.reserved = quantity
            self._shift(order, order.leaves - before, 0)
        self.version += 1

    def remove(self, cid: str) -> None:
        """Stop counting an order (finished)."""
        order = self.orders.pop(cid, None)
        if order is None:
            return
        del self.by_instrument_orders[order.instrument][cid]
        self._shift(order, -order.leaves, -1)
        self._release(order)
        self.version += 1

    def _release(self, order: WorkingOrder) -> None:
        if order.pending_raw:
            self.pending[order.pending_key] -= order.pending_raw
            order.pending_raw = 0

    def _shift(self, order: WorkingOrder, delta: int, count: int) -> None:
        """Move ``delta`` working quantity (and ``count`` open orders) on the order's side."""
        exposures = (
            self.instrument(order.instrument, order.venue),
            self.strategy(order.strategy, order.instrument),
        )
        for exposure in exposures:
            if order.sign > 0:
                exposure.buy += delta
            else:
                exposure.sell += delta
            exposure.orders += count
        if count:
            self.open_total += count
            self.open_by_venue[order.venue] = self.open_by_venue.get(order.venue, 0) + count
            self.open_by_strategy[order.strategy] = (
                self.open_by_strategy.get(order.strategy, 0) + count
            )

    # -- events ----------------------------------------------------------------------------

    def apply(self, event: OrderEvent) -> None:
        """Keep the ledger in step with an order event the OMS applied."""
        kind = type(event)
        if kind is OrderFilled:
            self._fill(event)  # type: ignore[arg-type]
        elif kind in _REMOVING:
            self.remove(event.client_order_id.value)
        elif kind in _AT_VENUE:
            order = self.orders.get(event.client_order_id.value)
            if order is not None and order.pending_raw:
                self._release(order)
                self.version += 1
        elif kind is OrderUpdated:
            self._update(event)  # type: ignore[arg-type]
        elif kind is OrderModifyRejected:
            self._modify_rejected(event.client_order_id.value)
        elif kind is OrderInitialized:
            self.add_init(event)  # type: ignore[arg-type]

    def _fill(self, fill: OrderFilled) -> None:
        cid = fill.client_order_id.value
        instrument = fill.instrument_id.value
        qty = fill.last_qty.raw
        signed = qty if fill.order_side is OrderSide.BUY else -qty
        order = self.orders.get(cid)
        strategy = fill.strategy_id.value
        self.instrument(instrument, fill.instrument_id.venue.value).pos += signed
        self.strategy(strategy, instrument).pos += signed
        if order is not None:
            before = order.leaves
            order.filled += qty
            self._shift(order, order.leaves - before, 0)
            if order.filled >= order.qty:
                self.remove(cid)
        self.version += 1

    def _update(self, event: OrderUpdated) -> None:
        order = self.orders.get(event.client_order_id.value)
        if order is None:
            return
        before = order.leaves
        order.qty = order.reserved = event.quantity.raw
        if event.price is not None:
            order.price = event.price.raw
        self._shift(order, order.leaves - before, 0)
        self.version += 1

    def _modify_rejected(self, cid: str) -> None:
        order = self.orders.get(cid)
        if order is None or order.reserved == order.qty:
            return
        before = order.leaves
        order.reserved = order.qty
        self._shift(order, order.leaves - before, 0)
        self.version += 1

    def add_position(self, instrument: str, strategy: str, venue: str, signed: int) -> None:
        """Add a signed quantity to the positions (seeding from the cache)."""
        self.instrument(instrument, venue).pos += signed
        self.strategy(strategy, instrument).pos += signed
        self.version += 1

    # -- seeding ---------------------------------------------------------------------------

    def seed(self, cache: Cache) -> None:
        """Start again from the cache's open orders and open positions."""
        self.clear()
        for order in cache.orders():
            if order.is_closed:
                continue
            price = order.price
            working = self.add(
                order.client_order_id.value,
                order.instrument_id.value,
                order.strategy_id.value,
                order.instrument_id.venue.value,
                1 if order.side is OrderSide.BUY else -1,
                order.quantity.raw,
                0 if price is None else price.raw,
            )
            before = working.leaves
            working.filled = order.filled_qty.raw
            self._shift(working, working.leaves - before, 0)
        for position in cache.positions_open():
            raw = position.quantity.raw
            self.add_position(
                position.instrument_id.value,
                position.strategy_id.value,
                position.instrument_id.venue.value,
                -raw if position.side is PositionSide.SHORT else raw,
            )

    def clear(self) -> None:
        """Forget everything."""
        self.orders.clear()
        self.instruments.clear()
        self.strategies.clear()
        self.venue_instruments.clear()
        self.by_instrument_orders.clear()
        self.open_total = 0
        self.open_by_venue.clear()
        self.open_by_strategy.clear()
        self.pending.clear()
        self.version += 1
