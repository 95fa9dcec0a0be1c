"""Orders: the order types, the order state machine, and lists of linked orders."""

from shrivenquant.model.orders.base import Order, order_class, validate_order_init
from shrivenquant.model.orders.fills import AVG_PX_CONTEXT, FillLedger
from shrivenquant.model.orders.fsm import (
    CLOSED_STATUSES,
    INFLIGHT_STATUSES,
    LOCAL_STATUSES,
    OPEN_STATUSES,
    ORDER_TRANSITIONS,
    PENDING_STATUSES,
    RESTORE_PREVIOUS,
    OrderStateMachine,
    OrderTrigger,
    Restore,
)
from shrivenquant.model.orders.order_list import OrderList, bracket, validate_contingencies
from shrivenquant.model.orders.order_types import (
    ORDER_CLASSES,
    LimitIfTouchedOrder,
    LimitOrder,
    MarketIfTouchedOrder,
    MarketOrder,
    StopLimitOrder,
    StopMarketOrder,
    TrailingStopLimitOrder,
    TrailingStopMarketOrder,
)
from shrivenquant.model.orders.spec import OrderSpec
from shrivenquant.model.orders.validation import FieldRule, OrderRules, check_order_init

__all__ = [
    "AVG_PX_CONTEXT",
    "CLOSED_STATUSES",
    "INFLIGHT_STATUSES",
    "LOCAL_STATUSES",
    "OPEN_STATUSES",
    "ORDER_CLASSES",
    "ORDER_TRANSITIONS",
    "PENDING_STATUSES",
    "RESTORE_PREVIOUS",
    "FieldRule",
    "FillLedger",
    "LimitIfTouchedOrder",
    "LimitOrder",
    "MarketIfTouchedOrder",
    "MarketOrder",
    "Order",
    "OrderList",
    "OrderRules",
    "OrderSpec",
    "OrderStateMachine",
    "OrderTrigger",
    "Restore",
    "StopLimitOrder",
    "StopMarketOrder",
    "TrailingStopLimitOrder",
    "TrailingStopMarketOrder",
    "bracket",
    "check_order_init",
    "order_class",
    "validate_contingencies",
    "validate_order_init",
]
