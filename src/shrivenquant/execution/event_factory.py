"""Order events the engine creates itself: local decisions and events inferred at reconciliation.

Every event names the order's trader, strategy and instrument, gets a fresh id and is stamped
with the engine's clock (``ts_event`` defaults to now as well).
"""

from __future__ import annotations

from typing import Any

from shrivenquant.core.clock import Clock
from shrivenquant.core.uuid import UUID4
from shrivenquant.model.events import (
    OrderAccepted,
    OrderCanceled,
    OrderCancelRejected,
    OrderDenied,
    OrderEmulated,
    OrderExpired,
    OrderModifyRejected,
    OrderPendingCancel,
    OrderPendingUpdate,
    OrderRejected,
    OrderReleased,
    OrderSubmitted,
    OrderTriggered,
    OrderUpdated,
)
from shrivenquant.model.events.order import OrderInitialized
from shrivenquant.model.identifiers import AccountId, VenueOrderId
from shrivenquant.model.orders import Order
from shrivenquant.model.values import Price, Quantity


class OrderEventFactory:
    """Builds order events for an order (or its `OrderInitialized`) at the clock's time."""

    __slots__ = ("_clock",)

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def _fields(
        self, order: Order | OrderInitialized, ts_event: int | None, reconciliation: bool
    ) -> dict[str, Any]:
        now = self._clock.timestamp_ns()
        return {
            "trader_id": order.trader_id,
            "strategy_id": order.strategy_id,
            "instrument_id": order.instrument_id,
            "client_order_id": order.client_order_id,
            "reconciliation": reconciliation,
            "event_id": UUID4(),
            "ts_event": now if ts_event is None else ts_event,
            "ts_init": now,
        }

    def denied(self, order: Order | OrderInitialized, reason: str) -> OrderDenied:
        """The order was refused before it reached a venue."""
        return OrderDenied(reason=reason, **self._fields(order, None, False))

    def emulated(self, order: Order) -> OrderEmulated:
        """The emulator holds the order."""
        return OrderEmulated(**self._fields(order, None, False))

    def released(self, order: Order, price: Price, ts_event: int | None = None) -> OrderReleased:
        """The emulator released the order because the market reached ``price``."""
        return OrderReleased(released_price=price, **self._fields(order, ts_event, False))

    def pending_update(self, order: Order, account_id: AccountId) -> OrderPendingUpdate:
        """A modify request is on its way to the venue."""
        return OrderPendingUpdate(
            account_id=account_id,
            venue_order_id=order.venue_order_id,
            **self._fields(order, None, False),
        )

    def pending_cancel(self, order: Order, account_id: AccountId) -> OrderPendingCancel:
        """A cancel request is on its way to the venue."""
        return OrderPendingCancel(
            account_id=account_id,
            venue_order_id=order.venue_order_id,
            **self._fields(order, None, False),
        )

    def modify_rejected(self, order: Order, reason: str) -> OrderModifyRejected:
        """A modify request was refused locally."""
        return OrderModifyRejected(
            reason=reason,
            venue_order_id=order.venue_order_id,
            account_id=order.account_id,
            **self._fields(order, None, False),
        )

    def cancel_rejected(self, order: Order, reason: str) -> OrderCancelRejected:
        """A cancel request was refused locally."""
        return OrderCancelRejected(
            reason=reason,
            venue_order_id=order.venue_order_id,
            account_id=order.account_id,
            **self._fields(order, None, False),
        )

    def updated(
        self,
        order: Order,
        quantity: Quantity,
        price: Price | None = None,
        trigger_price: Price | None = None,
        *,
        ts_event: int | None = None,
        reconciliation: bool = False,
    ) -> OrderUpdated:
        """The order's quantity and/or prices changed."""
        return OrderUpdated(
            quantity=quantity,
            price=price,
            trigger_price=trigger_price,
            venue_order_id=order.venue_order_id,
            account_id=order.account_id,
            **self._fields(order, ts_event, reconciliation),
        )

    def canceled(
        self, order: Order, *, ts_event: int | None = None, reconciliation: bool = False
    ) -> OrderCanceled:
        """The order was canceled (locally, or found canceled at reconciliation)."""
        return OrderCanceled(
            venue_order_id=order.venue_order_id,
            account_id=order.account_id,
            **self._fields(order, ts_event, reconciliation),
        )

    def expired(
        self, order: Order, *, ts_event: int | None = None, reconciliation: bool = False
    ) -> OrderExpired:
        """The order's time in force ran out."""
        return OrderExpired(
            venue_order_id=order.venue_order_id,
            account_id=order.account_id,
            **self._fields(order, ts_event, reconciliation),
        )

    def submitted(
        self, order: Order, account_id: AccountId, *, ts_event: int | None = None
    ) -> OrderSubmitted:
        """The order reached the venue (inferred at reconciliation)."""
        return OrderSubmitted(account_id=account_id, **self._fields(order, ts_event, True))

    def accepted(
        self,
        order: Order,
        venue_order_id: VenueOrderId,
        account_id: AccountId,
        *,
        ts_event: int | None = None,
    ) -> OrderAccepted:
        """The venue holds the order (inferred at reconciliation)."""
        return OrderAccepted(
            venue_order_id=venue_order_id,
            account_id=account_id,
            **self._fields(order, ts_event, True),
        )

    def rejected(
        self, order: Order, account_id: AccountId, reason: str, *, ts_event: int | None = None
    ) -> OrderRejected:
        """The venue refused the order (inferred at reconciliation)."""
        return OrderRejected(
            account_id=account_id, reason=reason, **self._fields(order, ts_event, True)
        )

    def triggered(self, order: Order, *, ts_event: int | None = None) -> OrderTriggered:
        """The order's trigger fired at the venue (inferred at reconciliation)."""
        return OrderTriggered(
            venue_order_id=order.venue_order_id,
            account_id=order.account_id,
            **self._fields(order, ts_event, True),
        )
