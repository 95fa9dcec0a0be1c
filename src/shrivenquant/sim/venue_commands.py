"""How a `SimulatedVenue` carries out one account's commands (part of `SimulatedVenue`).

A new order gets a venue order id and a record in its account, then goes to its instrument's
matching engine; an order the venue cannot take (an unknown instrument, a duplicate client
order id, links the venue does not manage) is rejected here. A modify or cancel of an order the
venue does not know, or that is already closed, is refused with `UNKNOWN_ORDER` or
`ORDER_CLOSED`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shrivenquant.model.commands import CancelAllOrders, CancelOrder, ModifyOrder, SubmitOrderList
from shrivenquant.model.enums import ContingencyType, OrderSide, OrderStatus
from shrivenquant.model.events.order import OrderInitialized
from shrivenquant.model.identifiers import InstrumentId, PositionId, Venue, VenueOrderId
from shrivenquant.sim.accounts import VenueAccount
from shrivenquant.sim.orders import SimOrder
from shrivenquant.sim.rejects import RejectCode, reason

if TYPE_CHECKING:
    from shrivenquant.core.clock import Clock
    from shrivenquant.sim.config import SimulatedVenueConfig
    from shrivenquant.sim.matching_engine import OrderMatchingEngine


class VenueCommands:
    """Command handling of `SimulatedVenue` (see the module docstring)."""

    config: SimulatedVenueConfig
    clock: Clock
    venue: Venue
    _engines: dict[InstrumentId, OrderMatchingEngine]
    _touched: dict[OrderMatchingEngine, None]
    _next_key: int
    _order_prefix: str

    def _submit(
        self,
        account: VenueAccount,
        init: OrderInitialized,
        position_id: PositionId | None,
        active: bool = True,
    ) -> None:
        order = self._new_order(account, init, position_id)
        if order is None:
            return
        engine = self._engines.get(init.instrument_id)
        if engine is None:
            self._refuse(
                order, reason(RejectCode.UNKNOWN_INSTRUMENT, f"{self.venue} does not list it")
            )
            return
        links = init.contingency_type is not ContingencyType.NO_CONTINGENCY or (
            init.parent_order_id is not None
        )
        if links and not self.config.support_contingent_orders:
            self._refuse(order, reason(RejectCode.UNSUPPORTED, "contingent orders"))
            return
        if active and init.parent_order_id is not None:
            parent = account.orders.get(init.parent_order_id)
            if parent is not None and parent.is_open:
                active = False  # an OTO child sent on its own waits for its open parent
        engine.submit(order, active)
        self._touched[engine] = None

    def _submit_list(self, account: VenueAccount, command: SubmitOrderList) -> None:
        ids = {init.client_order_id for init in command.orders}
        for init in command.orders:
            child = init.parent_order_id is not None and init.parent_order_id in ids
            self._submit(account, init, command.position_id, active=not child)

    def _new_order(
        self, account: VenueAccount, init: OrderInitialized, position_id: PositionId | None
    ) -> SimOrder | None:
        self._next_key += 1
        key = self._next_key
        # `from_wire`: the same checks as the constructor, without its overhead.
        venue_order_id = VenueOrderId.from_wire(f"{self._order_prefix}{key}")
        order = SimOrder(init, account, key, venue_order_id, position_id)
        if init.client_order_id in account.orders:
            # Reported but not stored: the order already known keeps its record.
            self._refuse(order, reason(RejectCode.DUPLICATE_ORDER, "client_order_id already used"))
            return None
        account.orders[init.client_order_id] = order
        return order

    def _refuse(self, order: SimOrder, refusal: str) -> None:
        order.status = OrderStatus.REJECTED
        order.ts_last = self.clock.timestamp_ns()
        sink = order.account.sink
        if sink is not None:
            sink.on_order_rejected(order, refusal, False)

    def _modify(self, account: VenueAccount, command: ModifyOrder) -> None:
        order = account.orders.get(command.client_order_id)
        refusal = self._closed_refusal(order)
        if refusal is None and order is not None:
            engine = self._engines[order.init.instrument_id]
            self._touched[engine] = None
            refusal = engine.modify(
                order,
                None if command.quantity is None else command.quantity.raw,
                None if command.price is None else command.price.raw,
                None if command.trigger_price is None else command.trigger_price.raw,
            )
        if refusal is not None and account.sink is not None:
            account.sink.on_modify_rejected(
                command.strategy_id,
                command.instrument_id,
                command.client_order_id,
                None if order is None else order.venue_order_id,
                refusal,
            )

    def _cancel(self, account: VenueAccount, command: CancelOrder) -> None:
        order = account.orders.get(command.client_order_id)
        refusal = self._closed_refusal(order)
        if refusal is None and order is not None:
            engine = self._engines[order.init.instrument_id]
            self._touched[engine] = None
            engine.cancel(order)
        elif refusal is not None and account.sink is not None:
            account.sink.on_cancel_rejected(
                command.strategy_id,
                command.instrument_id,
                command.client_order_id,
                None if order is None else order.venue_order_id,
                refusal,
            )

    def _cancel_all(self, account: VenueAccount, command: CancelAllOrders) -> None:
        side = None if command.order_side is OrderSide.NO_ORDER_SIDE else command.order_side
        engine = self._engines.get(command.instrument_id)
        if engine is None:
            return
        self._touched[engine] = None
        for order in sorted(account.orders.values(), key=lambda o: o.key):
            if (
                order.is_open
                and order.init.instrument_id == command.instrument_id
                and (side is None or order.side is side)
            ):
                engine.cancel(order)

    @staticmethod
    def _closed_refusal(order: SimOrder | None) -> str | None:
        if order is None:
            return reason(RejectCode.UNKNOWN_ORDER, "the venue does not know this order")
        if not order.is_open:
            return reason(RejectCode.ORDER_CLOSED, f"the order is {order.status.value}")
        return None
