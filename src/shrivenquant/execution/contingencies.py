"""Contingent orders managed by the engine (for venues that do not manage them):

- **OTO** (a bracket's entry): the children wait, unsent, until the parent is done. When it is
  completely filled they are released; when it closes partly filled they are first cut to the
  filled quantity; when it closes unfilled they are canceled.
- **OCO**: a fill of one order cancels its siblings; so does its cancel, expiry or rejection.
- **OUO**: a fill of one order cuts each open sibling so that both have the same quantity left
  (a complete fill cancels them); its cancel, expiry or rejection cancels them.

The rules are written against order state, not against the event that arrived, so `resume` can
run them over the whole cache after a restart and finish whatever the crash interrupted; running
them twice changes nothing. Orders already pending cancel are left alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shrivenquant.execution.command_handler import client_for
from shrivenquant.model.enums import ContingencyType, OrderStatus
from shrivenquant.model.events import (
    OrderCanceled,
    OrderDenied,
    OrderEvent,
    OrderExpired,
    OrderFilled,
    OrderRejected,
)
from shrivenquant.model.identifiers import ClientOrderId
from shrivenquant.model.orders import Order
from shrivenquant.model.values import Quantity

if TYPE_CHECKING:
    from shrivenquant.execution.engine import ExecutionEngine

_SIBLINGS = frozenset({ContingencyType.OCO, ContingencyType.OUO})
_ENDINGS = (OrderCanceled, OrderExpired, OrderRejected, OrderDenied)


class ContingencyManager:
    """Carries out OTO, OCO and OUO links between orders."""

    __slots__ = ("_cascaded", "_engine")

    def __init__(self, engine: ExecutionEngine) -> None:
        self._engine = engine
        # Orders this manager canceled because a sibling filled or ended: their own ending
        # must not cascade back to the sibling that caused it.
        self._cascaded: set[ClientOrderId] = set()

    def on_order_event(self, order: Order, event: OrderEvent) -> None:
        """React to an event just applied to ``order``."""
        contingency = order.contingency_type
        if contingency is ContingencyType.NO_CONTINGENCY or self._venue_manages(order):
            return
        if contingency is ContingencyType.OTO:
            if order.is_closed:
                self._settle_children(order)
        elif isinstance(event, OrderFilled):
            self._after_fill(order)
        elif isinstance(event, _ENDINGS) and order.is_closed:
            if order.client_order_id in self._cascaded:
                self._cascaded.discard(order.client_order_id)
            elif not any(o.filled_qty.raw for o in self._linked(order)):
                # A sibling that has traded is why this order ended (venues that carry out
                # OCO themselves cancel it without our asking): it keeps working.
                self._cancel_siblings(order)

    def resume(self) -> None:
        """Apply every link whose trigger already happened (after a restart)."""
        for order in self._engine.cache.orders():
            contingency = order.contingency_type
            if contingency is ContingencyType.OTO and order.is_closed:
                self._settle_children(order)
            elif contingency in _SIBLINGS:
                if order.filled_qty.raw > 0:
                    self._after_fill(order)
                elif order.is_closed and not any(
                    o.filled_qty.raw for o in self._linked(order)
                ):  # an order closed because its sibling filled is handled by that sibling
                    self._cancel_siblings(order)

    # -- OTO ---------------------------------------------------------------------------------

    def _settle_children(self, parent: Order) -> None:
        engine = self._engine
        filled = parent.filled_qty
        for child in self._linked(parent):
            if child.status is not OrderStatus.INITIALIZED:
                continue  # already released, or closed
            if not filled.raw:
                engine.changes.cancel(child)
                continue
            if child.quantity.raw > filled.raw:
                engine.emit(engine.events.updated(child, filled))
            if child.status is OrderStatus.INITIALIZED:
                engine.commands.submit(child)

    # -- OCO / OUO ---------------------------------------------------------------------------

    def _after_fill(self, order: Order) -> None:
        if order.contingency_type is ContingencyType.OCO or not order.leaves_qty.raw:
            self._cancel_siblings(order)
            return
        leaves = order.leaves_qty.raw
        for sibling in self._linked(order):
            if not self._actionable(sibling) or sibling.is_pending_update:
                continue
            target = sibling.filled_qty.raw + leaves
            if sibling.quantity.raw > target:
                precision = max(sibling.quantity.precision, order.leaves_qty.precision)
                self._engine.changes.modify(
                    sibling, Quantity.from_raw(target, precision), None, None
                )

    def _cancel_siblings(self, order: Order) -> None:
        for sibling in self._linked(order):
            if self._actionable(sibling):
                self._cascaded.add(sibling.client_order_id)
                self._engine.changes.cancel(sibling)
                if sibling.is_closed:  # canceled locally: its ending has been handled
                    self._cascaded.discard(sibling.client_order_id)

    # -- helpers -----------------------------------------------------------------------------

    def _linked(self, order: Order) -> list[Order]:
        cache = self._engine.cache
        linked = []
        for client_order_id in order.linked_order_ids:
            other = cache.order(client_order_id)
            if other is not None:
                linked.append(other)
        return linked

    def _venue_manages(self, order: Order) -> bool:
        # The order went to the venue with its links: the venue carries them out and reports.
        if order.is_emulated or order.status is OrderStatus.INITIALIZED:
            return False
        client = client_for(self._engine, order)
        return client is not None and order.contingency_type in client.supported_contingencies

    @staticmethod
    def _actionable(order: Order) -> bool:
        return not order.is_closed and not order.is_pending_cancel
