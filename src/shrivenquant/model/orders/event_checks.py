"""Checks of an event's content against the order it is applied to.

The state machine decides whether an event may happen in the order's status; these checks
decide whether its content fits the order (no overfill, no duplicate trade, ...).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shrivenquant.model.events.order import (
    OrderEmulated,
    OrderEvent,
    OrderFilled,
    OrderTriggered,
    OrderUpdated,
)
from shrivenquant.model.orders.validation import FieldRule

if TYPE_CHECKING:
    from shrivenquant.model.orders.base import Order


def check_event_content(order: Order, event: OrderEvent) -> None:
    """Raise ``ValueError`` for an event the state machine allows but ``order`` cannot take."""
    rules = order.RULES
    if isinstance(event, OrderFilled):
        if event.order_side is not order.side:
            raise ValueError(
                f"{_where(order, event)}: order_side {event.order_side} is not {order.side}"
            )
        last_raw = event.last_qty._raw
        if last_raw <= 0:
            raise ValueError(
                f"{_where(order, event)}: last_qty must be positive, got {event.last_qty}"
            )
        if order.has_trade_id(event.trade_id):
            raise ValueError(f"{_where(order, event)}: duplicate trade_id {event.trade_id}")
        if last_raw > order.leaves_raw:
            raise ValueError(
                f"{_where(order, event)}: last_qty {event.last_qty} exceeds leaves_qty "
                f"{order.leaves_qty}"
            )
    elif isinstance(event, OrderUpdated):
        if event.quantity._raw <= order.filled_raw:
            raise ValueError(
                f"{_where(order, event)}: quantity {event.quantity} must exceed filled_qty "
                f"{order.filled_qty}"
            )
        if event.price is not None and rules.price is FieldRule.FORBIDDEN:
            raise ValueError(f"{_where(order, event)}: price is not valid for {order.order_type}")
        if event.trigger_price is not None and rules.trigger_price is FieldRule.FORBIDDEN:
            raise ValueError(
                f"{_where(order, event)}: trigger_price is not valid for {order.order_type}"
            )
    elif isinstance(event, OrderTriggered) and not rules.has_trigger:
        raise ValueError(f"{_where(order, event)}: a {order.order_type} order has no trigger")
    elif isinstance(event, OrderEmulated) and order.emulation_trigger is None:
        raise ValueError(f"{_where(order, event)}: the order has no emulation_trigger")


def _where(order: Order, event: OrderEvent) -> str:
    return f"{type(event).__name__} for order {order.client_order_id}"
