"""The `Order`: built from `OrderInitialized`, changed only by applying order events.

An order is a mutable object owned by the execution engine. `Order.apply` is the one way its
state changes: it checks the event belongs to the order, drives the state machine
(`shrivenquant.model.orders.fsm`), checks the event's content, and only then updates the
order, so a refused event leaves the order exactly as it was.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import ClassVar, Final, Self

from shrivenquant.model.currency import Currency
from shrivenquant.model.enums import LiquiditySide, OrderStatus, OrderType
from shrivenquant.model.events.order import (
    OrderAccepted,
    OrderCanceled,
    OrderCancelRejected,
    OrderDenied,
    OrderEmulated,
    OrderEvent,
    OrderExpired,
    OrderFilled,
    OrderInitialized,
    OrderModifyRejected,
    OrderPendingCancel,
    OrderPendingUpdate,
    OrderRejected,
    OrderReleased,
    OrderSubmitted,
    OrderTriggered,
    OrderUpdated,
)
from shrivenquant.model.identifiers import AccountId, PositionId, TradeId, VenueOrderId
from shrivenquant.model.orders.event_checks import check_event_content
from shrivenquant.model.orders.fills import FillLedger
from shrivenquant.model.orders.fsm import (
    CLOSED_STATUSES,
    INFLIGHT_STATUSES,
    LOCAL_STATUSES,
    OPEN_STATUSES,
    OrderStateMachine,
    OrderTrigger,
)
from shrivenquant.model.orders.spec import OrderSpec
from shrivenquant.model.orders.validation import OrderRules, check_order_init
from shrivenquant.model.values import Money, Price, Quantity

_TRIGGERS: Final[dict[type[OrderEvent], OrderTrigger]] = {
    OrderDenied: OrderTrigger.DENY,
    OrderEmulated: OrderTrigger.EMULATE,
    OrderReleased: OrderTrigger.RELEASE,
    OrderSubmitted: OrderTrigger.SUBMIT,
    OrderAccepted: OrderTrigger.ACCEPT,
    OrderRejected: OrderTrigger.REJECT,
    OrderCanceled: OrderTrigger.CANCEL,
    OrderExpired: OrderTrigger.EXPIRE,
    OrderTriggered: OrderTrigger.TRIGGER,
    OrderPendingUpdate: OrderTrigger.PENDING_UPDATE,
    OrderPendingCancel: OrderTrigger.PENDING_CANCEL,
    OrderModifyRejected: OrderTrigger.MODIFY_REJECT,
    OrderCancelRejected: OrderTrigger.CANCEL_REJECT,
    OrderUpdated: OrderTrigger.UPDATE,
}

# Events with nothing for `check_event_content` to check: the state machine decides alone.
_PLAIN_EVENTS: Final = frozenset(
    {
        OrderDenied,
        OrderReleased,
        OrderSubmitted,
        OrderAccepted,
        OrderRejected,
        OrderCanceled,
        OrderExpired,
        OrderPendingUpdate,
        OrderPendingCancel,
        OrderModifyRejected,
        OrderCancelRejected,
    }
)

_REGISTRY: dict[OrderType, type[Order]] = {}


def order_class(order_type: OrderType) -> type[Order]:
    """Return the `Order` subclass for ``order_type``."""
    try:
        return _REGISTRY[order_type]
    except KeyError:
        raise ValueError(f"no order class is registered for order_type {order_type}") from None


def validate_order_init(init: OrderInitialized) -> None:
    """Raise ``ValueError`` naming the field if ``init`` is not a valid order of its type."""
    check_order_init(init, order_class(init.order_type).RULES)


class Order(OrderSpec):
    """An order and everything that has happened to it.

    Build one with `Order.from_init` (or a subclass directly); change it only with `apply`.
    ``leaves_qty`` is the unfilled quantity (``quantity - filled_qty``); whether that quantity
    still works at the venue is ``is_open``. Every status is exactly one of ``is_local``
    (not sent yet), ``is_open`` (sent, not finished) or ``is_closed``.
    """

    RULES: ClassVar[OrderRules]

    __slots__ = (
        "_account_id",
        "_events",
        "_fsm",
        "_is_triggered",
        "_last_trade_id",
        "_ledger",
        "_liquidity_side",
        "_position_id",
        "_price",
        "_quantity",
        "_released_price",
        "_trigger_price",
        "_ts_last",
        "_venue_order_id",
    )

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        rules = cls.__dict__.get("RULES")
        if isinstance(rules, OrderRules):
            if rules.order_type in _REGISTRY:
                raise TypeError(f"an order class for {rules.order_type} already exists")
            _REGISTRY[rules.order_type] = cls

    def __init__(self, init: OrderInitialized) -> None:
        rules = type(self).__dict__.get("RULES")
        if not isinstance(rules, OrderRules):
            raise TypeError(f"{type(self).__name__} is abstract; use Order.from_init(init)")
        check_order_init(init, rules)
        super().__init__(init)
        self._fsm = OrderStateMachine(order_id=init.client_order_id)
        self._ledger = FillLedger()
        self._events: list[OrderEvent] = [init]
        self._quantity = init.quantity
        self._price = init.price
        self._trigger_price = init.trigger_price
        self._venue_order_id: VenueOrderId | None = None
        self._account_id: AccountId | None = None
        self._position_id: PositionId | None = None
        self._last_trade_id: TradeId | None = None
        self._liquidity_side = LiquiditySide.NO_LIQUIDITY_SIDE
        self._released_price: Price | None = None
        self._is_triggered = False
        self._ts_last = init.ts_event

    @classmethod
    def from_init(cls, init: OrderInitialized) -> Self:
        """Build the order of ``init.order_type``.

        Raises:
            ValueError: ``init`` breaks the rules of its order type.
            TypeError: called on a subclass that is not the class for ``init.order_type``.
        """
        order_cls = order_class(init.order_type)
        if not issubclass(order_cls, cls):
            raise TypeError(f"{cls.__name__} cannot be built from a {init.order_type} order")
        return order_cls(init)

    @classmethod
    def from_events(cls, events: Iterable[OrderEvent]) -> Self:
        """Rebuild an order by replaying its events; the first must be `OrderInitialized`.

        Raises:
            TypeError: the first event is not `OrderInitialized`.
        """
        it = iter(events)
        first = next(it, None)
        if not isinstance(first, OrderInitialized):
            raise TypeError("the first event of an order must be OrderInitialized")
        order = cls.from_init(first)
        for event in it:
            order.apply(event)
        return order

    # -- event application ---------------------------------------------------------------------

    def apply(self, event: OrderEvent) -> None:
        """Apply ``event`` to the order.

        Raises:
            ValueError: the event is for another order, or its content is inconsistent with
                the order (overfill, duplicate trade id, ...).
            TypeError: the event is a second `OrderInitialized`.
            InvalidStateTransition: the event is not valid in the current status.
        """
        init = self._init
        own_id = init.client_order_id
        event_id = event.client_order_id
        if event_id is not own_id and event_id != own_id:
            raise ValueError(
                f"{type(event).__name__}.client_order_id {event_id} does not match order {own_id}"
            )
        instrument_id = event.instrument_id
        if instrument_id is not init.instrument_id and instrument_id != init.instrument_id:
            raise ValueError(
                f"{type(event).__name__}.instrument_id {instrument_id} does not match "
                f"order {own_id} on {init.instrument_id}"
            )
        kind = type(event)
        if kind is OrderFilled:
            fill: OrderFilled = event  # type: ignore[assignment]
            if self._ledger.filled_raw + fill.last_qty._raw >= self._quantity._raw:
                trigger = OrderTrigger.FILL_COMPLETE
            else:
                trigger = OrderTrigger.FILL_PARTIAL
        elif kind is OrderInitialized:
            raise TypeError(f"order {own_id} is already initialized")
        else:
            trigger = _TRIGGERS[kind]
        fsm = self._fsm
        status = fsm.peek(trigger)
        if kind not in _PLAIN_EVENTS:
            check_event_content(self, event)
        fsm.advance_to(status)
        self._update(event)
        self._events.append(event)
        self._ts_last = event.ts_event

    def _update(self, event: OrderEvent) -> None:
        if isinstance(event, OrderFilled):
            self._ledger.record(event)
            self._last_trade_id = event.trade_id
            self._liquidity_side = event.liquidity_side
            if event.position_id is not None:
                self._position_id = event.position_id
        elif isinstance(event, OrderUpdated):
            self._quantity = event.quantity
            if event.price is not None:
                self._price = event.price
            if event.trigger_price is not None:
                self._trigger_price = event.trigger_price
        elif isinstance(event, OrderReleased):
            self._released_price = event.released_price
        elif isinstance(event, OrderTriggered):
            self._is_triggered = True
        venue_order_id = getattr(event, "venue_order_id", None)
        if venue_order_id is not None and isinstance(venue_order_id, VenueOrderId):
            self._venue_order_id = venue_order_id
        account_id = getattr(event, "account_id", None)
        if account_id is not None and isinstance(account_id, AccountId):
            self._account_id = account_id

    # -- state ---------------------------------------------------------------------------------

    @property
    def status(self) -> OrderStatus:
        """The current status."""
        return self._fsm._status  # the machine's slot read directly: read on every event

    @property
    def status_before_pending(self) -> OrderStatus:
        """The last status that was not ``PENDING_UPDATE``/``PENDING_CANCEL``."""
        return self._fsm.status_before_pending

    @property
    def quantity(self) -> Quantity:
        """The total quantity (changed by `OrderUpdated`)."""
        return self._quantity

    @property
    def price(self) -> Price | None:
        """The limit price, if the order type has one."""
        return self._price

    @property
    def trigger_price(self) -> Price | None:
        """The trigger price, if the order type has one."""
        return self._trigger_price

    @property
    def filled_qty(self) -> Quantity:
        """Quantity filled so far."""
        return self._ledger.filled_qty(self._quantity.precision)

    @property
    def leaves_qty(self) -> Quantity:
        """Quantity not yet filled (``quantity - filled_qty``)."""
        quantity = self._quantity
        ledger = self._ledger
        precision = max(quantity.precision, ledger.qty_precision)
        return Quantity.from_raw(quantity._raw - ledger.filled_raw, precision)

    @property
    def leaves_raw(self) -> int:
        """`leaves_qty` as a raw int (units of 10**-9)."""
        return self._quantity._raw - self._ledger.filled_raw

    @property
    def filled_raw(self) -> int:
        """`filled_qty` as a raw int (units of 10**-9)."""
        return self._ledger.filled_raw

    @property
    def avg_px(self) -> Decimal | None:
        """Quantity-weighted average fill price (34 significant digits), None before a fill."""
        return self._ledger.avg_px()

    @property
    def trade_ids(self) -> tuple[TradeId, ...]:
        """Trade ids of every fill, in order."""
        return self._ledger.trade_ids

    def has_trade_id(self, trade_id: TradeId) -> bool:
        """Whether a fill with ``trade_id`` was applied."""
        return self._ledger.has_trade_id(trade_id)

    @property
    def last_trade_id(self) -> TradeId | None:
        """Trade id of the latest fill."""
        return self._last_trade_id

    @property
    def commissions(self) -> dict[Currency, Money]:
        """Total commission per currency (a copy)."""
        return self._ledger.commissions()

    @property
    def liquidity_side(self) -> LiquiditySide:
        """Liquidity side of the latest fill."""
        return self._liquidity_side

    @property
    def venue_order_id(self) -> VenueOrderId | None:
        """The venue's id for the order, once known."""
        return self._venue_order_id

    @property
    def account_id(self) -> AccountId | None:
        """The account the order was sent with, once known."""
        return self._account_id

    @property
    def position_id(self) -> PositionId | None:
        """The position the fills went to, once known."""
        return self._position_id

    @property
    def released_price(self) -> Price | None:
        """The price at which the emulator released the order."""
        return self._released_price

    @property
    def is_triggered(self) -> bool:
        """Whether the order's trigger has fired (`OrderTriggered` applied)."""
        return self._is_triggered

    @property
    def events(self) -> tuple[OrderEvent, ...]:
        """Every event applied, starting with `OrderInitialized`."""
        return tuple(self._events)

    @property
    def last_event(self) -> OrderEvent:
        """The most recent event."""
        return self._events[-1]

    @property
    def event_count(self) -> int:
        """How many events the order has (including `OrderInitialized`)."""
        return len(self._events)

    @property
    def ts_last(self) -> int:
        """``ts_event`` of the most recent event (UNIX ns)."""
        return self._ts_last

    @property
    def is_local(self) -> bool:
        """Not sent yet: initialized, emulated or released."""
        return self._fsm._status in LOCAL_STATUSES

    @property
    def is_open(self) -> bool:
        """Sent and not finished: the venue holds, or may hold, the order."""
        return self._fsm._status in OPEN_STATUSES

    @property
    def is_closed(self) -> bool:
        """Finished: denied, rejected, canceled, expired or filled."""
        return self._fsm._status in CLOSED_STATUSES

    @property
    def is_inflight(self) -> bool:
        """Waiting for the venue to answer a submit, modify or cancel."""
        return self._fsm._status in INFLIGHT_STATUSES

    @property
    def is_pending_update(self) -> bool:
        """Whether a modify request is waiting for an answer."""
        return self._fsm._status is OrderStatus.PENDING_UPDATE

    @property
    def is_pending_cancel(self) -> bool:
        """Whether a cancel request is waiting for an answer."""
        return self._fsm._status is OrderStatus.PENDING_CANCEL

    @property
    def is_emulated(self) -> bool:
        """Whether the local emulator currently holds the order."""
        return self._fsm._status is OrderStatus.EMULATED

    def __repr__(self) -> str:
        price = f" @ {self._price}" if self._price is not None else ""
        trigger = f" trigger {self._trigger_price}" if self._trigger_price is not None else ""
        return (
            f"{type(self).__name__}({self.client_order_id} {self.side} {self._quantity} "
            f"{self.instrument_id}{price}{trigger} {self.time_in_force}, "
            f"status={self._fsm._status}, filled={self.filled_qty})"
        )
