"""What open orders lock and what positions hold, per instrument, for calculated accounts.

Every calculation starts from the instrument's open orders and positions in the cache, so locks
are recomputed rather than adjusted and cannot drift. The price an order locks at is its limit
price, else its trigger price, else the price a market order would pay now (ask to buy, bid to
sell, falling back to the last trade or bar close). An order that cannot be priced locks
nothing and is reported back so the caller can warn.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_UP, Decimal

from shrivenquant.model.accounts import CashAccount, MarginAccount
from shrivenquant.model.balances import MarginBalance
from shrivenquant.model.currency import Currency
from shrivenquant.model.fixed_point import FIXED_SCALAR, div_round
from shrivenquant.model.identifiers import ClientOrderId, InstrumentId
from shrivenquant.model.instruments import Instrument
from shrivenquant.model.orders import Order
from shrivenquant.model.position import Position
from shrivenquant.model.values import Money, Price, Quantity
from shrivenquant.portfolio.marks import MarkPrices


@dataclass(slots=True)
class LockResult:
    """Locked amounts per currency, and the orders that could not be priced."""

    locked: dict[Currency, Money] = field(default_factory=dict)
    unpriced: list[ClientOrderId] = field(default_factory=list)

    def add(self, amount: Money) -> None:
        """Add an amount to its currency."""
        current = self.locked.get(amount.currency)
        self.locked[amount.currency] = amount if current is None else current + amount


def order_lock_price(order: Order, marks: MarkPrices) -> Price | None:
    """The price an open order locks at (see the module docs), or None."""
    price = order.price
    if price is None:
        price = order.trigger_price
    if price is None:
        price = marks.execution_price(order.instrument_id, order.side)
    return price


def base_quantity(order: Order, instrument: Instrument, price: Price) -> Quantity:
    """The order's leaves in units of the instrument (converting a quote-currency quantity)."""
    leaves = order.leaves_qty
    if not order.quote_quantity:
        return leaves
    if price.raw <= 0:
        raise ValueError(f"order {order.client_order_id}: cannot convert at price {price}")
    unit_value = price.raw * instrument.multiplier.raw
    raw = div_round(leaves.raw * FIXED_SCALAR * FIXED_SCALAR, unit_value, ROUND_UP)
    return instrument.make_qty(Decimal(raw).scaleb(-9), ROUND_UP)


class OrderLocks:
    """What open orders lock and what positions hold, with each order's lock remembered.

    An order's lock is recomputed only when its leaves quantity, its lock price or the
    instrument's leverage changed; locks of orders no longer open are dropped.
    """

    __slots__ = ("_known", "_marks")

    def __init__(self, marks: MarkPrices) -> None:
        self._marks = marks
        self._known: dict[InstrumentId, dict[ClientOrderId, tuple[object, Money]]] = {}

    def cash(
        self, account: CashAccount, instrument: Instrument, orders: Iterable[Order]
    ) -> LockResult:
        """What the open orders of one instrument lock in a cash account."""
        result = LockResult()
        known = self._known.get(instrument.id, {})
        fresh: dict[ClientOrderId, tuple[object, Money]] = {}
        for order in orders:
            lock = self._lock(account, instrument, order, None, known=known, fresh=fresh)
            if lock is None:
                result.unpriced.append(order.client_order_id)
            elif lock.raw:
                result.add(lock)
        self._remember(instrument.id, fresh)
        return result

    def margin(
        self,
        account: MarginAccount,
        instrument: Instrument,
        orders: Iterable[Order],
        positions: Iterable[Position],
        mark: Price | None,
    ) -> tuple[MarginBalance, list[ClientOrderId]]:
        """The margin one instrument holds: its open orders' plus its open positions'.

        Reduce-only orders hold no margin. Positions are valued at ``mark``, or at their
        average open price (rounded to the tick) when there is no mark yet.
        """
        currency = instrument.notional_currency
        initial = Money.from_raw(0, currency)
        maintenance = Money.from_raw(0, currency)
        unpriced: list[ClientOrderId] = []
        known = self._known.get(instrument.id, {})
        fresh: dict[ClientOrderId, tuple[object, Money]] = {}
        leverage = account.leverage(instrument.id)
        for order in orders:
            if order.reduce_only:
                continue
            lock = self._lock(account, instrument, order, leverage, known=known, fresh=fresh)
            if lock is None:
                unpriced.append(order.client_order_id)
            elif lock.raw:
                initial += lock
        self._remember(instrument.id, fresh)
        for position in positions:
            if not position.is_open:
                continue
            price = mark if mark is not None else instrument.make_price(position.avg_px_open)
            held = account.calculate_position_margin(instrument, position.quantity, price)
            initial += held.initial
            maintenance += held.maintenance
        margin = MarginBalance(
            initial=initial, maintenance=maintenance, instrument_id=instrument.id
        )
        return margin, unpriced

    def clear(self) -> None:
        """Forget every remembered lock (after a leverage or fee change, or on reset)."""
        self._known.clear()

    def _lock(
        self,
        account: CashAccount | MarginAccount,
        instrument: Instrument,
        order: Order,
        extra: object,
        *,
        known: dict[ClientOrderId, tuple[object, Money]],
        fresh: dict[ClientOrderId, tuple[object, Money]],
    ) -> Money | None:
        price = order_lock_price(order, self._marks)
        if price is None:
            return None
        cid = order.client_order_id
        key = (order.leaves_qty.raw, price.raw, extra)
        remembered = known.get(cid)
        if remembered is not None and remembered[0] == key:
            fresh[cid] = remembered
            return remembered[1]
        qty = base_quantity(order, instrument, price)
        if qty.raw:
            lock = account.calculate_balance_locked(instrument, order.side, qty, price)
        else:
            lock = Money.from_raw(0, instrument.notional_currency)
        fresh[cid] = (key, lock)
        return lock

    def _remember(
        self, instrument_id: InstrumentId, fresh: dict[ClientOrderId, tuple[object, Money]]
    ) -> None:
        if fresh:
            self._known[instrument_id] = fresh
        else:
            self._known.pop(instrument_id, None)
