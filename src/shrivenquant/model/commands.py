"""Trading commands: requests from strategies (via risk) to the execution engine.

Commands are imperative and immutable. Each names the trader, strategy and instrument it acts
for; ``client_id`` optionally routes it to one execution client (otherwise the venue of the
instrument decides). Consistency checks run on construction and on decoding, so a malformed
command never reaches the engine.
"""

from __future__ import annotations

from typing import TypeAlias

from shrivenquant.model.enums import OrderSide
from shrivenquant.model.events.order import OrderInitialized
from shrivenquant.model.identifiers import (
    ClientId,
    ClientOrderId,
    InstrumentId,
    OrderListId,
    PositionId,
    StrategyId,
    TraderId,
    VenueOrderId,
)
from shrivenquant.model.messages import Command
from shrivenquant.model.values import Price, Quantity

__all__ = [
    "COMMAND_TYPES",
    "CancelAllOrders",
    "CancelOrder",
    "ModifyOrder",
    "QueryOrder",
    "SubmitOrder",
    "SubmitOrderList",
    "TradingCommand",
]


class _TradingCommand(Command, frozen=True, kw_only=True):
    """Fields shared by every trading command (private: not a message of its own)."""

    trader_id: TraderId
    strategy_id: StrategyId
    instrument_id: InstrumentId
    client_id: ClientId | None = None


def _check_order_belongs(command: _TradingCommand, order: OrderInitialized) -> None:
    name = type(command).__name__
    if order.trader_id != command.trader_id:
        raise ValueError(f"{name}: order {order.client_order_id} has trader_id {order.trader_id}")
    if order.strategy_id != command.strategy_id:
        raise ValueError(
            f"{name}: order {order.client_order_id} has strategy_id {order.strategy_id}"
        )
    if order.instrument_id != command.instrument_id:
        raise ValueError(
            f"{name}: order {order.client_order_id} has instrument_id {order.instrument_id}"
        )


class SubmitOrder(_TradingCommand, frozen=True, kw_only=True):
    """Submit one order, given by its `OrderInitialized` event."""

    order: OrderInitialized
    position_id: PositionId | None = None

    def __post_init__(self) -> None:
        _check_order_belongs(self, self.order)


class SubmitOrderList(_TradingCommand, frozen=True, kw_only=True):
    """Submit a list of linked orders (OCO, OTO, bracket) together."""

    order_list_id: OrderListId
    orders: tuple[OrderInitialized, ...]
    position_id: PositionId | None = None

    def __post_init__(self) -> None:
        if not self.orders:
            raise ValueError(f"SubmitOrderList {self.order_list_id}: orders must not be empty")
        for order in self.orders:
            _check_order_belongs(self, order)
            if order.order_list_id != self.order_list_id:
                raise ValueError(
                    f"SubmitOrderList: order {order.client_order_id} has order_list_id "
                    f"{order.order_list_id}, not {self.order_list_id}"
                )


class ModifyOrder(_TradingCommand, frozen=True, kw_only=True):
    """Change an open order's quantity and/or prices; ``None`` leaves a field unchanged."""

    client_order_id: ClientOrderId
    venue_order_id: VenueOrderId | None = None
    quantity: Quantity | None = None
    price: Price | None = None
    trigger_price: Price | None = None

    def __post_init__(self) -> None:
        if self.quantity is None and self.price is None and self.trigger_price is None:
            raise ValueError(
                f"ModifyOrder {self.client_order_id}: give quantity, price or trigger_price"
            )
        if self.quantity is not None and self.quantity.raw <= 0:
            raise ValueError(
                f"ModifyOrder {self.client_order_id}: quantity must be positive, "
                f"got {self.quantity}"
            )


class CancelOrder(_TradingCommand, frozen=True, kw_only=True):
    """Cancel one order."""

    client_order_id: ClientOrderId
    venue_order_id: VenueOrderId | None = None


class CancelAllOrders(_TradingCommand, frozen=True, kw_only=True):
    """Cancel every open order of the strategy on the instrument, optionally one side only.

    ``order_side`` ``NO_ORDER_SIDE`` (the default) means both sides.
    """

    order_side: OrderSide = OrderSide.NO_ORDER_SIDE


class QueryOrder(_TradingCommand, frozen=True, kw_only=True):
    """Ask the venue for the current state of one order."""

    client_order_id: ClientOrderId
    venue_order_id: VenueOrderId | None = None


TradingCommand: TypeAlias = (
    SubmitOrder | SubmitOrderList | ModifyOrder | CancelOrder | CancelAllOrders | QueryOrder
)
"""Any trading command."""

COMMAND_TYPES: tuple[type[TradingCommand], ...] = (
    SubmitOrder,
    SubmitOrderList,
    ModifyOrder,
    CancelOrder,
    CancelAllOrders,
    QueryOrder,
)
"""Every concrete command class."""
