"""Contingent orders the simulated venue manages itself (when it supports them).

- **OTO**: the children are accepted with their parent but wait, working nothing and locking
  nothing. When the parent is completely filled they start working; when it closes partly
  filled they are first cut to the filled quantity; when it closes unfilled they are canceled.
- **OCO**: a fill of one order cancels its open siblings; so does its cancel, expiry or
  rejection.
- **OUO**: a fill of one order cuts each open sibling to the same open quantity (a complete
  fill cancels them); its cancel, expiry or rejection cancels them.

An order canceled because a sibling traded does not in turn cancel that sibling: a close only
cancels siblings that have not traded.

Reactions run after the venue has finished the action that caused them (a whole match, say),
so a sweep never changes under its own feet; they are the same rules the execution engine
applies when a venue does not manage contingencies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shrivenquant.model.enums import ContingencyType, OrderStatus
from shrivenquant.sim.orders import SimOrder

if TYPE_CHECKING:
    from shrivenquant.sim.matching_engine import OrderMatchingEngine
    from shrivenquant.sim.venue import SimulatedVenue


class VenueContingencies:
    """Carries out OTO, OCO and OUO links at a simulated venue (see the module docstring)."""

    __slots__ = ("_venue",)

    def __init__(self, venue: SimulatedVenue) -> None:
        self._venue = venue

    def on_fill(self, engine: OrderMatchingEngine, order: SimOrder) -> None:
        """React (later) to a fill of ``order``."""
        contingency = order.init.contingency_type
        if contingency is ContingencyType.OTO:
            if order.status is OrderStatus.FILLED:
                self._venue.defer(lambda: self._settle_children(engine, order))
        elif contingency is ContingencyType.OCO:
            self._venue.defer(lambda: self._cancel_siblings(engine, order))
        elif contingency is ContingencyType.OUO:
            self._venue.defer(lambda: self._after_ouo_fill(engine, order))

    def on_closed(self, engine: OrderMatchingEngine, order: SimOrder) -> None:
        """React (later) to ``order`` being canceled, expired or rejected."""
        contingency = order.init.contingency_type
        if contingency is ContingencyType.OTO:
            self._venue.defer(lambda: self._settle_children(engine, order))
        elif contingency in (ContingencyType.OCO, ContingencyType.OUO):
            self._venue.defer(lambda: self._cancel_siblings(engine, order, spare_traded=True))

    def _settle_children(self, engine: OrderMatchingEngine, parent: SimOrder) -> None:
        filled = parent.filled_raw
        for child in self._linked(parent):
            if not child.is_open or child.is_active:
                continue
            child_engine = self._venue.engine(child.init.instrument_id)
            if not filled:
                child_engine.cancel(child)
                continue
            if child.quantity_raw > filled:
                child_engine.cut(child, filled)
            child_engine.activate(child)

    def _after_ouo_fill(self, engine: OrderMatchingEngine, order: SimOrder) -> None:
        leaves = order.leaves_raw if order.is_open else 0
        if not leaves:
            self._cancel_siblings(engine, order)
            return
        for sibling in self._linked(order):
            if sibling.is_open and sibling.leaves_raw > leaves:
                self._venue.engine(sibling.init.instrument_id).cut(sibling, leaves)

    def _cancel_siblings(
        self, engine: OrderMatchingEngine, order: SimOrder, spare_traded: bool = False
    ) -> None:
        for sibling in self._linked(order):
            if sibling.is_open and not (spare_traded and sibling.filled_raw):
                self._venue.engine(sibling.init.instrument_id).cancel(sibling)

    @staticmethod
    def _linked(order: SimOrder) -> list[SimOrder]:
        orders = order.account.orders
        linked = []
        for client_order_id in order.init.linked_order_ids:
            other = orders.get(client_order_id)
            if other is not None:
                linked.append(other)
        return linked
