"""Trading commands of a strategy: submit, modify, cancel, query and close.

Each method checks its arguments (errors name the method), builds the command at the clock's
time and sends it to the risk engine (``topics.RISK_ENGINE_EXECUTE``) when one is registered,
else straight to the execution engine (``topics.EXEC_ENGINE_EXECUTE``). A kernel always wires
the risk engine; the direct route serves unit tests and tools. Commands can only be sent while
the strategy runs (from ``on_start`` to ``on_stop``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from structlog.typing import FilteringBoundLogger

from shrivenquant.bus import topics
from shrivenquant.bus.message_bus import MessageBus
from shrivenquant.cache import CacheView
from shrivenquant.core.clock import Clock
from shrivenquant.core.lifecycle import ComponentState
from shrivenquant.core.uuid import UUID4
from shrivenquant.model.commands import (
    CancelAllOrders,
    CancelOrder,
    ModifyOrder,
    QueryOrder,
    SubmitOrder,
    SubmitOrderList,
    TradingCommand,
)
from shrivenquant.model.enums import OrderSide, OrderStatus, PositionSide
from shrivenquant.model.identifiers import (
    ClientId,
    InstrumentId,
    PositionId,
    StrategyId,
    TraderId,
)
from shrivenquant.model.orders import Order, OrderList
from shrivenquant.model.position import Position
from shrivenquant.model.values import Price, Quantity
from shrivenquant.strategy.order_factory import OrderFactory


class StrategyCommands:
    """The command methods of `Strategy` (a mixin)."""

    # Provided by `Strategy`.
    bus: MessageBus
    clock: Clock
    log: FilteringBoundLogger
    trader_id: TraderId
    strategy_id: StrategyId
    _active: bool

    if TYPE_CHECKING:

        @property
        def cache(self) -> CacheView: ...

        @property
        def order_factory(self) -> OrderFactory: ...

        @property
        def state(self) -> ComponentState: ...

    def submit_order(
        self,
        order: Order,
        position_id: PositionId | None = None,
        client_id: ClientId | None = None,
    ) -> None:
        """Send ``order`` (fresh from the order factory) for risk checks and execution.

        Args:
            order: a new order of this strategy, not in an order list.
            position_id: the position its fills go to (hedging); None lets the engine decide.
            client_id: the execution client to route to; None routes by venue.

        Raises:
            ValueError: the order belongs to another strategy, is in a list, or was submitted.
            RuntimeError: the strategy is not running.
        """
        self._check_new(order, "submit_order")
        if order.order_list_id is not None:
            raise ValueError(
                f"submit_order: order {order.client_order_id} is in list {order.order_list_id};"
                " submit the list with submit_order_list"
            )
        self._send(
            SubmitOrder(
                order=order.init_event,
                position_id=position_id,
                **self._command_fields(order.instrument_id, client_id),
            )
        )

    def submit_order_list(
        self,
        order_list: OrderList,
        position_id: PositionId | None = None,
        client_id: ClientId | None = None,
    ) -> None:
        """Send a list of linked orders (a bracket, OCO, ...) from the order factory.

        Raises:
            ValueError: an order belongs to another strategy or was submitted already.
            RuntimeError: the strategy is not running.
        """
        if not isinstance(order_list, OrderList):
            raise TypeError(f"submit_order_list: expected an OrderList, got {order_list!r}")
        for order in order_list:
            self._check_new(order, "submit_order_list")
        self._send(
            SubmitOrderList(
                order_list_id=order_list.order_list_id,
                orders=order_list.inits,
                position_id=position_id,
                **self._command_fields(order_list.instrument_id, client_id),
            )
        )

    def modify_order(
        self,
        order: Order,
        quantity: Quantity | None = None,
        price: Price | None = None,
        trigger_price: Price | None = None,
        client_id: ClientId | None = None,
    ) -> None:
        """Ask to change an open order's quantity and/or prices (None leaves one as it is).

        The answer comes as events: ``on_order_pending_update`` then ``on_order_updated``, or
        ``on_order_modify_rejected``. A request that changes nothing is not sent (logged).

        Raises:
            ValueError: nothing to change, a wrong type, or an order the engine does not know.
        """
        live = self._live_order(order, "modify_order")
        for name, value, kind in (
            ("quantity", quantity, Quantity),
            ("price", price, Price),
            ("trigger_price", trigger_price, Price),
        ):
            if value is not None and type(value) is not kind:
                raise ValueError(f"modify_order: {name} must be a {kind.__name__}, got {value!r}")
        if quantity is None and price is None and trigger_price is None:
            raise ValueError("modify_order: give quantity, price or trigger_price")
        if (
            (quantity is None or quantity == live.quantity)
            and (price is None or price == live.price)
            and (trigger_price is None or trigger_price == live.trigger_price)
        ):
            self.log.warning(
                "modify_order changes nothing", client_order_id=str(live.client_order_id)
            )
            return
        self._send(
            ModifyOrder(
                client_order_id=live.client_order_id,
                venue_order_id=live.venue_order_id,
                quantity=quantity,
                price=price,
                trigger_price=trigger_price,
                **self._command_fields(live.instrument_id, client_id),
            )
        )

    def cancel_order(self, order: Order, client_id: ClientId | None = None) -> None:
        """Ask to cancel an order; the answer comes as ``on_order_canceled`` (or
        ``on_order_cancel_rejected``)."""
        live = self._live_order(order, "cancel_order")
        self._send(
            CancelOrder(
                client_order_id=live.client_order_id,
                venue_order_id=live.venue_order_id,
                **self._command_fields(live.instrument_id, client_id),
            )
        )

    def cancel_all_orders(
        self,
        instrument_id: InstrumentId,
        side: OrderSide | None = None,
        client_id: ClientId | None = None,
    ) -> None:
        """Ask to cancel every open order of this strategy on the instrument (one side only
        when ``side`` is given)."""
        if not isinstance(instrument_id, InstrumentId):
            raise TypeError(
                f"cancel_all_orders: instrument_id must be an InstrumentId, got {instrument_id!r}"
            )
        if side is not None and side not in (OrderSide.BUY, OrderSide.SELL):
            raise ValueError(f"cancel_all_orders: side must be BUY, SELL or None, got {side!r}")
        self._send(
            CancelAllOrders(
                order_side=side or OrderSide.NO_ORDER_SIDE,
                **self._command_fields(instrument_id, client_id),
            )
        )

    def query_order(self, order: Order, client_id: ClientId | None = None) -> None:
        """Ask the venue for the order's current state (the engine reconciles the answer)."""
        live = self._live_order(order, "query_order")
        self._send(
            QueryOrder(
                client_order_id=live.client_order_id,
                venue_order_id=live.venue_order_id,
                **self._command_fields(live.instrument_id, client_id),
            )
        )

    def close_position(
        self,
        position: Position,
        client_id: ClientId | None = None,
        tags: Iterable[str] = ("CLOSE",),
    ) -> None:
        """Flatten ``position`` with a reduce-only market order for its whole quantity (a
        closed position is left alone, logged)."""
        if position.strategy_id != self.strategy_id:
            raise ValueError(
                f"close_position: position {position.id} belongs to {position.strategy_id}"
            )
        if position.is_closed:
            self.log.warning("close_position: already closed", position_id=str(position.id))
            return
        side = OrderSide.SELL if position.side is PositionSide.LONG else OrderSide.BUY
        order = self.order_factory.market(
            position.instrument_id, side, position.quantity, reduce_only=True, tags=tags
        )
        self.submit_order(order, position_id=position.id, client_id=client_id)

    def close_all_positions(
        self, instrument_id: InstrumentId | None = None, client_id: ClientId | None = None
    ) -> None:
        """Flatten every open position of this strategy (on ``instrument_id`` if given)."""
        for position in self.cache.positions_open(None, instrument_id, self.strategy_id):
            self.close_position(position, client_id)

    # -- internals ---------------------------------------------------------------------------

    def _command_fields(
        self, instrument_id: InstrumentId, client_id: ClientId | None
    ) -> dict[str, Any]:
        now = self.clock.timestamp_ns()
        return {
            "trader_id": self.trader_id,
            "strategy_id": self.strategy_id,
            "instrument_id": instrument_id,
            "client_id": client_id,
            "command_id": UUID4(),
            "ts_event": now,
            "ts_init": now,
        }

    def _send(self, command: TradingCommand) -> None:
        if not self._active:
            raise RuntimeError(
                f"{self.strategy_id}: cannot send {type(command).__name__} while {self.state.value}"
            )
        endpoints = self.bus.endpoints()
        if topics.RISK_ENGINE_EXECUTE in endpoints:
            self.bus.send(topics.RISK_ENGINE_EXECUTE, command)
        else:
            self.bus.send(topics.EXEC_ENGINE_EXECUTE, command)

    def _check_new(self, order: Order, method: str) -> None:
        if not isinstance(order, Order):
            raise TypeError(f"{method}: expected an Order, got {order!r}")
        if order.strategy_id != self.strategy_id or order.trader_id != self.trader_id:
            raise ValueError(
                f"{method}: order {order.client_order_id} belongs to "
                f"{order.trader_id}/{order.strategy_id}, not {self.trader_id}/{self.strategy_id}"
            )
        if order.status is not OrderStatus.INITIALIZED or self.cache.order_exists(
            order.client_order_id
        ):
            raise ValueError(f"{method}: order {order.client_order_id} was already submitted")

    def _live_order(self, order: Order, method: str) -> Order:
        if not isinstance(order, Order):
            raise TypeError(f"{method}: expected an Order, got {order!r}")
        live = self.cache.order(order.client_order_id)
        if live is None:
            raise ValueError(
                f"{method}: order {order.client_order_id} is unknown (never submitted)"
            )
        if live.strategy_id != self.strategy_id:
            raise ValueError(
                f"{method}: order {order.client_order_id} belongs to {live.strategy_id}"
            )
        return live
