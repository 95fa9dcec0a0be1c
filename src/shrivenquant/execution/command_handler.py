"""Trading commands: create orders and order lists, route new orders to their client or the
emulator. Changes to existing orders are `OrderChanges`' job (``order_changes.py``).

Every command sent to a client that differs from the one received (an order released by the
emulator, a child released by its parent, a list split for a client that cannot take lists) is
journaled before it is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec

from shrivenquant.core.uuid import UUID4
from shrivenquant.execution.counters import Anomaly
from shrivenquant.execution.triggers import EMULATED_TYPES
from shrivenquant.model.commands import (
    SubmitOrder,
    SubmitOrderList,
    TradingCommand,
)
from shrivenquant.model.enums import ContingencyType
from shrivenquant.model.events.order import OrderInitialized
from shrivenquant.model.identifiers import ClientId, PositionId
from shrivenquant.model.orders import Order, OrderList

if TYPE_CHECKING:
    from shrivenquant.execution.client import ExecutionClient
    from shrivenquant.execution.engine import ExecutionEngine

C = TypeVar("C", bound=TradingCommand)


def current_form(order: Order) -> OrderInitialized:
    """``order``'s `OrderInitialized` with the quantity and prices it has now."""
    init = order.init_event
    quantity, price, trigger_price = order.quantity, order.price, order.trigger_price
    if (
        (quantity is init.quantity or quantity == init.quantity)
        and (price is init.price or price == init.price)
        and (trigger_price is init.trigger_price or trigger_price == init.trigger_price)
    ):
        return init
    return msgspec.structs.replace(
        init, quantity=order.quantity, price=order.price, trigger_price=order.trigger_price
    )


def strip_contingency(init: OrderInitialized) -> OrderInitialized:
    """``init`` without its links, for a client that does not manage the contingency."""
    if init.contingency_type is ContingencyType.NO_CONTINGENCY and init.parent_order_id is None:
        return init
    return msgspec.structs.replace(
        init,
        contingency_type=ContingencyType.NO_CONTINGENCY,
        linked_order_ids=(),
        parent_order_id=None,
    )


class CommandHandler:
    """Carries out trading commands for the `ExecutionEngine`."""

    __slots__ = ("_cache", "_engine", "_events", "_log")

    def __init__(self, engine: ExecutionEngine) -> None:
        self._engine = engine
        self._cache = engine.cache
        self._events = engine.events
        self._log = engine.log

    # -- dispatch ----------------------------------------------------------------------------

    def handle(self, command: TradingCommand) -> None:
        """Carry out a command that has been journaled."""
        if isinstance(command, SubmitOrder):
            order = self.create_order(command.order, command.client_id, command.position_id)
            if order is not None:
                self.submit(order, command)
        elif isinstance(command, SubmitOrderList):
            self._submit_order_list(command)
        else:
            self._engine.changes.handle(command)

    def prepare(self, command: TradingCommand) -> TradingCommand:
        """The command as the engine will journal and carry it out.

        An order of a type its client does not support is marked for emulation (its
        ``emulation_trigger`` set to its ``trigger_type``) before it is journaled, so the
        journal replays the order exactly as the engine handled it.
        """
        if isinstance(command, SubmitOrder):
            init = self._mark_emulated(command.order, command.client_id)
            if init is not command.order:
                return msgspec.structs.replace(command, order=init)
        elif isinstance(command, SubmitOrderList):
            inits = tuple(self._mark_emulated(i, command.client_id) for i in command.orders)
            if any(a is not b for a, b in zip(inits, command.orders, strict=True)):
                return msgspec.structs.replace(command, orders=inits)
        return command

    def _mark_emulated(
        self, init: OrderInitialized, client_id: ClientId | None
    ) -> OrderInitialized:
        if init.emulation_trigger is not None or init.order_type not in EMULATED_TYPES:
            return init
        client = self._engine.router.route(init.instrument_id, client_id)
        if client is None or init.order_type in client.supported_order_types:
            return init
        return msgspec.structs.replace(init, emulation_trigger=init.trigger_type)

    def replay(self, command: TradingCommand) -> None:
        """Rebuild what a journaled command created: orders and order lists, nothing else."""
        if isinstance(command, SubmitOrder):
            if not self._cache.order_exists(command.order.client_order_id):
                self.create_order(command.order, command.client_id, command.position_id)
        elif (
            isinstance(command, SubmitOrderList)
            and self._cache.order_list(command.order_list_id) is None
        ):
            self._create_order_list(command)

    def refuse(self, command: TradingCommand, reason: str) -> None:
        """Tell the strategy a command was not carried out (orders get `OrderDenied`)."""
        inits: tuple[OrderInitialized, ...] = ()
        if isinstance(command, SubmitOrder):
            inits = (command.order,)
        elif isinstance(command, SubmitOrderList):
            inits = command.orders
        for init in inits:
            self._engine.publish(self._events.denied(init, reason))
        self._log.error("command refused", command=type(command).__name__, reason=reason)

    # -- orders ------------------------------------------------------------------------------

    def create_order(
        self,
        init: OrderInitialized,
        client_id: ClientId | None,
        position_id: PositionId | None,
    ) -> Order | None:
        """Build the order of ``init`` and cache it; None (and a denial) if it cannot be."""
        engine = self._engine
        if self._cache.order_exists(init.client_order_id):
            self._deny_unbuilt(init, Anomaly.DUPLICATE_ORDER, "duplicate client_order_id")
            return None
        try:
            order = Order.from_init(init)
        except (ValueError, TypeError) as exc:
            self._deny_unbuilt(init, Anomaly.INVALID_ORDER, f"invalid order: {exc}")
            return None
        self._cache.add_order(order, client_id, position_id)
        if not engine.is_replaying:
            engine.publish(init)
        return order

    def _deny_unbuilt(self, init: OrderInitialized, kind: Anomaly, reason: str) -> None:
        engine = self._engine
        engine.counters.anomaly(kind)
        if engine.is_replaying:
            return
        self._log.warning(reason, client_order_id=str(init.client_order_id))
        engine.publish(self._events.denied(init, reason))

    def submit(self, order: Order, command: SubmitOrder | None = None) -> None:
        """Send a new order to its client, or hand it to the emulator."""
        engine = self._engine
        client = self._client_for(order)
        if client is None:
            engine.counters.anomaly(Anomaly.NO_CLIENT)
            engine.emit(
                self._events.denied(order, f"no execution client for {order.instrument_id}")
            )
            return
        if order.emulation_trigger is not None or (
            order.order_type not in client.supported_order_types
        ):
            engine.emulator.emulate(order)
            return
        self.send_submit(order, client, command)

    def send_submit(
        self,
        order: Order,
        client: ExecutionClient,
        command: SubmitOrder | None = None,
        init: OrderInitialized | None = None,
    ) -> None:
        """Send ``order`` (as ``init`` if given: an emulated order's venue form) to ``client``."""
        venue_init = init if init is not None else current_form(order)
        if order.contingency_type not in client.supported_contingencies:
            venue_init = strip_contingency(venue_init)
        if command is None or command.order is not venue_init:
            now = self._engine.clock.timestamp_ns()
            command = SubmitOrder(
                trader_id=order.trader_id,
                strategy_id=order.strategy_id,
                instrument_id=order.instrument_id,
                client_id=client.client_id,
                order=venue_init,
                position_id=self._cache.position_id_for_order(order.client_order_id),
                command_id=UUID4(),
                ts_event=now,
                ts_init=now,
            )
            self._engine.journal_append(command)
        if not self._call(client.submit_order, command):
            self._engine.emit(self._events.denied(order, "execution client failed to submit"))

    def _submit_order_list(self, command: SubmitOrderList) -> None:
        order_list = self._create_order_list(command)
        if order_list is None:
            return
        client = self._client_for(order_list.first)
        if (
            client is not None
            and all(
                (o.contingency_type is ContingencyType.NO_CONTINGENCY and o.parent_order_id is None)
                or o.contingency_type in client.supported_contingencies
                for o in order_list
            )
            and all(
                o.emulation_trigger is None and o.order_type in client.supported_order_types
                for o in order_list
            )
        ):
            if not self._call(client.submit_order_list, command):
                for order in order_list:
                    self._engine.emit(
                        self._events.denied(order, "execution client failed to submit")
                    )
            return
        for order in order_list:
            if order.parent_order_id is None:  # OTO children wait for their parent to fill
                self.submit(order)

    def _create_order_list(self, command: SubmitOrderList) -> OrderList | None:
        engine = self._engine
        reason: str | None = None
        orders: list[Order] = []
        if self._cache.order_list(command.order_list_id) is not None:
            reason = f"duplicate order_list_id {command.order_list_id}"
        elif any(self._cache.order_exists(i.client_order_id) for i in command.orders):
            reason = "duplicate client_order_id in order list"
        else:
            try:
                orders = [Order.from_init(init) for init in command.orders]
                order_list = OrderList(
                    command.order_list_id, command.instrument_id, command.strategy_id, orders
                )
            except (ValueError, TypeError) as exc:
                reason = f"invalid order list: {exc}"
        if reason is not None:
            engine.counters.anomaly(Anomaly.INVALID_ORDER)
            if not engine.is_replaying:
                self.refuse(command, reason)
            return None
        self._cache.add_order_list(order_list)
        for order in orders:
            self._cache.add_order(order, command.client_id, command.position_id)
            if not engine.is_replaying:
                engine.publish(order.init_event)
        return order_list

    # -- helpers -----------------------------------------------------------------------------

    def _client_for(self, order: Order) -> ExecutionClient | None:
        return client_for(self._engine, order)

    def _call(self, method: Callable[[C], None], command: C) -> bool:
        return call_client(self._log, method, command)


def client_for(engine: ExecutionEngine, order: Order) -> ExecutionClient | None:
    """The execution client ``order`` is routed to."""
    return engine.router.route(
        order.instrument_id, engine.cache.client_id_for_order(order.client_order_id)
    )


def call_client(log: Any, method: Callable[[C], None], command: C) -> bool:
    """Call a client's command method; log and return False if it raises."""
    try:
        method(command)
    except Exception:
        log.exception(
            "execution client raised",
            method=getattr(method, "__name__", "?"),
            command=type(command).__name__,
        )
        return False
    return True
