"""Order events: everything that can happen to an order, in the past tense.

Orders change only by applying these events (`shrivenquant.model.orders.Order.apply`), in the
execution engine. Adapters and the simulator create them to report what the venue did; the
risk engine and the order emulator create the local ones (denied, emulated, released).

Every event names its order by ``client_order_id`` and carries ``reconciliation``: true when
the event was inferred from a venue state report at start-up rather than received live.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TypeAlias

from shrivenquant.model.currency import Currency
from shrivenquant.model.enums import (
    ContingencyType,
    LiquiditySide,
    OrderSide,
    OrderType,
    TimeInForce,
    TrailingOffsetType,
    TriggerType,
)
from shrivenquant.model.identifiers import (
    AccountId,
    ClientOrderId,
    ComponentId,
    InstrumentId,
    OrderListId,
    PositionId,
    StrategyId,
    TradeId,
    TraderId,
    VenueOrderId,
)
from shrivenquant.model.messages import Event
from shrivenquant.model.values import Money, Price, Quantity

__all__ = [
    "ORDER_EVENT_TYPES",
    "OrderAccepted",
    "OrderCancelRejected",
    "OrderCanceled",
    "OrderDenied",
    "OrderEmulated",
    "OrderEvent",
    "OrderExpired",
    "OrderFilled",
    "OrderInitialized",
    "OrderModifyRejected",
    "OrderPendingCancel",
    "OrderPendingUpdate",
    "OrderRejected",
    "OrderReleased",
    "OrderSubmitted",
    "OrderTriggered",
    "OrderUpdated",
]


class _OrderEvent(Event, frozen=True, kw_only=True, gc=False):
    """Fields shared by every order event (private: not a message of its own).

    Order events hold only values, ids and containers of them, so they cannot be part of a
    reference cycle: ``gc=False`` keeps the cyclic garbage collector from walking the events
    every order keeps (the history is long-lived).
    """

    trader_id: TraderId
    strategy_id: StrategyId
    instrument_id: InstrumentId
    client_order_id: ClientOrderId
    reconciliation: bool = False


class OrderInitialized(_OrderEvent, frozen=True, kw_only=True):
    """An order was created; holds everything needed to rebuild it.

    Fields that an order type does not use stay at their defaults (`None`, empty, false);
    `shrivenquant.model.orders.validate_order_init` says which type needs which field.
    """

    order_side: OrderSide
    order_type: OrderType
    quantity: Quantity
    time_in_force: TimeInForce
    price: Price | None = None
    trigger_price: Price | None = None
    trigger_type: TriggerType = TriggerType.DEFAULT
    limit_offset: Decimal | None = None
    trailing_offset: Decimal | None = None
    trailing_offset_type: TrailingOffsetType = TrailingOffsetType.NO_TRAILING_OFFSET
    expire_time_ns: int | None = None
    post_only: bool = False
    reduce_only: bool = False
    quote_quantity: bool = False
    display_qty: Quantity | None = None
    emulation_trigger: TriggerType | None = None
    contingency_type: ContingencyType = ContingencyType.NO_CONTINGENCY
    order_list_id: OrderListId | None = None
    linked_order_ids: tuple[ClientOrderId, ...] = ()
    parent_order_id: ClientOrderId | None = None
    exec_algorithm_id: ComponentId | None = None
    exec_algorithm_params: dict[str, str] | None = None
    exec_spawn_id: ClientOrderId | None = None
    tags: tuple[str, ...] = ()


class OrderDenied(_OrderEvent, frozen=True, kw_only=True):
    """The order was refused before it reached a venue (risk check, emulator, throttle)."""

    reason: str


class OrderEmulated(_OrderEvent, frozen=True, kw_only=True):
    """The order is held by the local order emulator until its trigger condition is met."""


class OrderReleased(_OrderEvent, frozen=True, kw_only=True):
    """The emulator released the order for submission; ``released_price`` fired the trigger."""

    released_price: Price


class OrderSubmitted(_OrderEvent, frozen=True, kw_only=True):
    """The order was sent to the venue."""

    account_id: AccountId


class OrderAccepted(_OrderEvent, frozen=True, kw_only=True):
    """The venue accepted the order and gave it ``venue_order_id``."""

    venue_order_id: VenueOrderId
    account_id: AccountId


class OrderRejected(_OrderEvent, frozen=True, kw_only=True):
    """The venue refused the order."""

    account_id: AccountId
    reason: str
    due_post_only: bool = False


class OrderCanceled(_OrderEvent, frozen=True, kw_only=True):
    """The order was canceled (at the venue, or locally before it was sent)."""

    venue_order_id: VenueOrderId | None = None
    account_id: AccountId | None = None


class OrderExpired(_OrderEvent, frozen=True, kw_only=True):
    """The order's time in force ran out (GTD/DAY expiry, or an unfilled IOC/FOK)."""

    venue_order_id: VenueOrderId | None = None
    account_id: AccountId | None = None


class OrderTriggered(_OrderEvent, frozen=True, kw_only=True):
    """A stop-limit or limit-if-touched order's trigger fired; it now works as a limit order."""

    venue_order_id: VenueOrderId | None = None
    account_id: AccountId | None = None


class OrderPendingUpdate(_OrderEvent, frozen=True, kw_only=True):
    """A modify request was sent; the venue has not answered yet."""

    account_id: AccountId
    venue_order_id: VenueOrderId | None = None


class OrderPendingCancel(_OrderEvent, frozen=True, kw_only=True):
    """A cancel request was sent; the venue has not answered yet."""

    account_id: AccountId
    venue_order_id: VenueOrderId | None = None


class OrderModifyRejected(_OrderEvent, frozen=True, kw_only=True):
    """A modify request was refused; the order is unchanged."""

    reason: str
    venue_order_id: VenueOrderId | None = None
    account_id: AccountId | None = None


class OrderCancelRejected(_OrderEvent, frozen=True, kw_only=True):
    """A cancel request was refused (often because the order had already filled)."""

    reason: str
    venue_order_id: VenueOrderId | None = None
    account_id: AccountId | None = None


class OrderUpdated(_OrderEvent, frozen=True, kw_only=True):
    """The order's quantity and/or prices changed.

    ``quantity`` is the new total quantity (including what is already filled). A ``None`` price
    leaves that price unchanged. Some venues give a modified order a new ``venue_order_id``.
    """

    quantity: Quantity
    price: Price | None = None
    trigger_price: Price | None = None
    venue_order_id: VenueOrderId | None = None
    account_id: AccountId | None = None


class OrderFilled(_OrderEvent, frozen=True, kw_only=True):
    """The order traded ``last_qty`` at ``last_px`` (one trade at the venue)."""

    venue_order_id: VenueOrderId
    account_id: AccountId
    trade_id: TradeId
    order_side: OrderSide
    order_type: OrderType
    last_qty: Quantity
    last_px: Price
    currency: Currency
    commission: Money
    liquidity_side: LiquiditySide
    position_id: PositionId | None = None


OrderEvent: TypeAlias = (
    OrderInitialized
    | OrderDenied
    | OrderEmulated
    | OrderReleased
    | OrderSubmitted
    | OrderAccepted
    | OrderRejected
    | OrderCanceled
    | OrderExpired
    | OrderTriggered
    | OrderPendingUpdate
    | OrderPendingCancel
    | OrderModifyRejected
    | OrderCancelRejected
    | OrderUpdated
    | OrderFilled
)
"""Any order event."""

ORDER_EVENT_TYPES: tuple[type[OrderEvent], ...] = (
    OrderInitialized,
    OrderDenied,
    OrderEmulated,
    OrderReleased,
    OrderSubmitted,
    OrderAccepted,
    OrderRejected,
    OrderCanceled,
    OrderExpired,
    OrderTriggered,
    OrderPendingUpdate,
    OrderPendingCancel,
    OrderModifyRejected,
    OrderCancelRejected,
    OrderUpdated,
    OrderFilled,
)
"""Every concrete order event class."""
