"""Changes to existing orders: modify, cancel, cancel-all and query commands.

Whatever can be decided locally is (a modify or cancel of an order not at a venue yet, a
request for a closed order); the rest goes to the order's execution client, recorded first as
`OrderPendingUpdate` / `OrderPendingCancel`. A request the engine refuses is answered with
`OrderModifyRejected` / `OrderCancelRejected`, applied to the order when its status allows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shrivenquant.core.uuid import UUID4
from shrivenquant.execution.command_handler import call_client, client_for
from shrivenquant.execution.counters import Anomaly
from shrivenquant.model.commands import CancelAllOrders, CancelOrder, ModifyOrder, QueryOrder
from shrivenquant.model.enums import OrderSide, OrderStatus
from shrivenquant.model.events import OrderCancelRejected, OrderModifyRejected
from shrivenquant.model.identifiers import AccountId
from shrivenquant.model.orders import ORDER_TRANSITIONS, Order, OrderTrigger
from shrivenquant.model.values import Price, Quantity

if TYPE_CHECKING:
    from shrivenquant.execution.client import ExecutionClient
    from shrivenquant.execution.engine import ExecutionEngine

_LOCAL_EDITABLE = frozenset({OrderStatus.INITIALIZED, OrderStatus.EMULATED})


class OrderChanges:
    """Carries out modify, cancel, cancel-all and query commands for the engine."""

    __slots__ = ("_cache", "_engine", "_events", "_log")

    def __init__(self, engine: ExecutionEngine) -> None:
        self._engine = engine
        self._cache = engine.cache
        self._events = engine.events
        self._log = engine.log

    def handle(self, command: ModifyOrder | CancelOrder | CancelAllOrders | QueryOrder) -> None:
        """Carry out a journaled command."""
        if isinstance(command, ModifyOrder):
            self._modify_order(command)
        elif isinstance(command, CancelOrder):
            self._cancel_order(command)
        elif isinstance(command, CancelAllOrders):
            self._cancel_all_orders(command)
        else:
            self._query_order(command)

    # -- modify ------------------------------------------------------------------------------

    def _modify_order(self, command: ModifyOrder) -> None:
        order = self._cache.order(command.client_order_id)
        if order is None:
            self._unknown(command)
            self._engine.publish(
                OrderModifyRejected(
                    **self._command_fields(command), reason="unknown client_order_id"
                )
            )
            return
        self.modify(order, command.quantity, command.price, command.trigger_price, command)

    def modify(
        self,
        order: Order,
        quantity: Quantity | None,
        price: Price | None,
        trigger_price: Price | None,
        command: ModifyOrder | None = None,
    ) -> None:
        """Change an order: locally if it is not at a venue yet, else through its client."""
        status = order.status
        if order.is_closed:
            self.reject_modify(order, f"order is {status.value}")
            return
        if quantity is not None and quantity.raw <= order.filled_qty.raw:
            self.reject_modify(order, f"quantity {quantity} must exceed filled {order.filled_qty}")
            return
        if status in _LOCAL_EDITABLE:
            new_qty = quantity if quantity is not None else order.quantity
            self._engine.emit(self._events.updated(order, new_qty, price, trigger_price))
            return
        if status is OrderStatus.RELEASED or order.is_pending_cancel:
            self.reject_modify(order, f"order is {status.value}")
            return
        client = self._client_for(order)
        if client is None:
            self.reject_modify(order, "no execution client")
            return
        if command is None:
            now = self._engine.clock.timestamp_ns()
            command = ModifyOrder(
                trader_id=order.trader_id,
                strategy_id=order.strategy_id,
                instrument_id=order.instrument_id,
                client_id=client.client_id,
                client_order_id=order.client_order_id,
                venue_order_id=order.venue_order_id,
                quantity=quantity,
                price=price,
                trigger_price=trigger_price,
                command_id=UUID4(),
                ts_event=now,
                ts_init=now,
            )
            self._engine.journal_append(command)
        self._engine.emit(self._events.pending_update(order, self._account_id(order, client)))
        if not call_client(self._log, client.modify_order, command):
            self.reject_modify(order, "execution client failed to modify")

    def reject_modify(self, order: Order, reason: str) -> None:
        """Refuse a modify locally (applied when the order's status allows it)."""
        event = self._events.modify_rejected(order, reason)
        if (order.status, OrderTrigger.MODIFY_REJECT) in ORDER_TRANSITIONS:
            self._engine.emit(event)
        else:
            self._engine.publish(event)

    # -- cancel ------------------------------------------------------------------------------

    def _cancel_order(self, command: CancelOrder) -> None:
        order = self._cache.order(command.client_order_id)
        if order is None:
            self._unknown(command)
            self._engine.publish(
                OrderCancelRejected(
                    **self._command_fields(command), reason="unknown client_order_id"
                )
            )
            return
        self.cancel(order, command)

    def cancel(self, order: Order, command: CancelOrder | None = None) -> None:
        """Cancel an order: locally if it is not at a venue yet, else through its client.

        A cancel of a closed order is answered with `OrderCancelRejected`; a cancel of an order
        already pending cancel is sent again without a second pending event.
        """
        if order.is_closed:
            self.reject_cancel(order, f"order is already {order.status.value}")
            return
        if order.is_local:
            self._engine.emit(self._events.canceled(order))
            return
        client = self._client_for(order)
        if client is None:
            self.reject_cancel(order, "no execution client")
            return
        if command is None:
            command = self._cancel_command(order, client)
            self._engine.journal_append(command)
        if not order.is_pending_cancel:
            self._engine.emit(self._events.pending_cancel(order, self._account_id(order, client)))
        if not call_client(self._log, client.cancel_order, command):
            self.reject_cancel(order, "execution client failed to cancel")

    def reject_cancel(self, order: Order, reason: str) -> None:
        """Refuse a cancel locally (applied when the order's status allows it)."""
        event = self._events.cancel_rejected(order, reason)
        if (order.status, OrderTrigger.CANCEL_REJECT) in ORDER_TRANSITIONS:
            self._engine.emit(event)
        else:
            self._engine.publish(event)

    def _cancel_all_orders(self, command: CancelAllOrders) -> None:
        side = None if command.order_side is OrderSide.NO_ORDER_SIDE else command.order_side
        targets = [
            order
            for order in self._cache.orders(
                instrument_id=command.instrument_id, strategy_id=command.strategy_id, side=side
            )
            if not order.is_closed
        ]
        at_venue = [order for order in targets if not order.is_local]
        for order in targets:
            if order.is_local:
                self.cancel(order)
        if not at_venue:
            return
        client = self._client_for(at_venue[0])
        every_open = self._cache.orders_open(instrument_id=command.instrument_id, side=side)
        if client is None or {o.client_order_id for o in every_open} != {
            o.client_order_id for o in at_venue
        }:
            # Other strategies have orders there too: cancel ours one by one.
            for order in at_venue:
                self.cancel(order)
            return
        for order in at_venue:
            if not order.is_pending_cancel:
                self._engine.emit(
                    self._events.pending_cancel(order, self._account_id(order, client))
                )
        if not call_client(self._log, client.cancel_all_orders, command):
            for order in at_venue:
                self.reject_cancel(order, "execution client failed to cancel")

    def _query_order(self, command: QueryOrder) -> None:
        order = self._cache.order(command.client_order_id)
        if order is None:
            self._unknown(command)
            return
        client = self._client_for(order)
        if client is not None:
            call_client(self._log, client.query_order, command)

    # -- helpers -----------------------------------------------------------------------------

    def _client_for(self, order: Order) -> ExecutionClient | None:
        return client_for(self._engine, order)

    def _cancel_command(self, order: Order, client: ExecutionClient) -> CancelOrder:
        now = self._engine.clock.timestamp_ns()
        return CancelOrder(
            trader_id=order.trader_id,
            strategy_id=order.strategy_id,
            instrument_id=order.instrument_id,
            client_id=client.client_id,
            client_order_id=order.client_order_id,
            venue_order_id=order.venue_order_id,
            command_id=UUID4(),
            ts_event=now,
            ts_init=now,
        )

    @staticmethod
    def _account_id(order: Order, client: ExecutionClient) -> AccountId:
        return order.account_id if order.account_id is not None else client.account_id

    def _unknown(self, command: ModifyOrder | CancelOrder | QueryOrder) -> None:
        self._engine.counters.anomaly(Anomaly.UNKNOWN_ORDER)
        self._log.warning(
            "command for an unknown order",
            command=type(command).__name__,
            client_order_id=str(command.client_order_id),
        )

    def _command_fields(self, command: ModifyOrder | CancelOrder) -> dict[str, Any]:
        now = self._engine.clock.timestamp_ns()
        return {
            "trader_id": command.trader_id,
            "strategy_id": command.strategy_id,
            "instrument_id": command.instrument_id,
            "client_order_id": command.client_order_id,
            "event_id": UUID4(),
            "ts_event": now,
            "ts_init": now,
        }
