"""Lists of linked orders (OCO, OUO, OTO) and the bracket helper.

Links are carried by each order's `OrderInitialized`: ``contingency_type`` says how the order
relates to its ``linked_order_ids``; a child of an OTO parent names it in ``parent_order_id``.

- OCO/OUO: siblings list each other with the same contingency type.
- OTO: the parent lists its children; each child names the parent.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import msgspec

from shrivenquant.core.uuid import UUID4
from shrivenquant.model.enums import (
    ContingencyType,
    OrderSide,
    OrderType,
    TimeInForce,
    TriggerType,
)
from shrivenquant.model.events.order import OrderInitialized
from shrivenquant.model.identifiers import (
    ClientOrderId,
    InstrumentId,
    OrderListId,
    StrategyId,
    TraderId,
)
from shrivenquant.model.orders.base import Order
from shrivenquant.model.values import Price, Quantity

_SIBLING_LINKS = frozenset({ContingencyType.OCO, ContingencyType.OUO})


def validate_contingencies(inits: Sequence[OrderInitialized]) -> None:
    """Raise ``ValueError`` unless the links between ``inits`` are complete and consistent."""
    by_id = {init.client_order_id: init for init in inits}
    if len(by_id) != len(inits):
        raise ValueError("order list contains duplicate client_order_ids")
    for init in inits:
        own = init.client_order_id
        for other_id in init.linked_order_ids:
            other = by_id.get(other_id)
            if other is None:
                raise ValueError(f"order {own} links to {other_id}, which is not in the list")
            if init.contingency_type in _SIBLING_LINKS:
                if other.contingency_type is not init.contingency_type:
                    raise ValueError(
                        f"order {own} is {init.contingency_type} with {other_id}, which is "
                        f"{other.contingency_type}"
                    )
                if own not in other.linked_order_ids:
                    raise ValueError(f"order {own} links to {other_id}, which does not link back")
            elif other.parent_order_id != own:
                raise ValueError(f"OTO child {other_id} must name {own} as parent_order_id")
        if init.parent_order_id is not None:
            parent = by_id.get(init.parent_order_id)
            if parent is None:
                raise ValueError(
                    f"order {own} has parent {init.parent_order_id}, which is not in the list"
                )
            if parent.contingency_type is not ContingencyType.OTO or (
                own not in parent.linked_order_ids
            ):
                raise ValueError(f"parent {parent.client_order_id} must be OTO and list {own}")
    _check_no_parent_cycle(by_id)


def _check_no_parent_cycle(by_id: dict[ClientOrderId, OrderInitialized]) -> None:
    for start in by_id.values():
        seen = {start.client_order_id}
        parent_id = start.parent_order_id
        while parent_id is not None:
            if parent_id in seen:
                raise ValueError(f"order {start.client_order_id} is its own OTO ancestor")
            seen.add(parent_id)
            parent_id = by_id[parent_id].parent_order_id


class OrderList:
    """Orders submitted together and linked by contingencies.

    Args:
        order_list_id: the list's id; every order must carry it.
        instrument_id: the instrument every order trades.
        strategy_id: the strategy that owns every order.
        orders: the orders, parent first for brackets.

    Raises:
        ValueError: the list is empty, an order does not belong, or the links are inconsistent.
    """

    __slots__ = ("_instrument_id", "_order_list_id", "_orders", "_strategy_id")

    def __init__(
        self,
        order_list_id: OrderListId,
        instrument_id: InstrumentId,
        strategy_id: StrategyId,
        orders: Sequence[Order],
    ) -> None:
        if not orders:
            raise ValueError(f"order list {order_list_id}: orders must not be empty")
        for order in orders:
            where = f"order list {order_list_id}: order {order.client_order_id}"
            if order.order_list_id != order_list_id:
                raise ValueError(f"{where} has order_list_id {order.order_list_id}")
            if order.instrument_id != instrument_id:
                raise ValueError(f"{where} trades {order.instrument_id}, not {instrument_id}")
            if order.strategy_id != strategy_id:
                raise ValueError(f"{where} belongs to {order.strategy_id}, not {strategy_id}")
        validate_contingencies([order.init_event for order in orders])
        self._order_list_id = order_list_id
        self._instrument_id = instrument_id
        self._strategy_id = strategy_id
        self._orders = tuple(orders)

    @property
    def order_list_id(self) -> OrderListId:
        """The list's id."""
        return self._order_list_id

    @property
    def instrument_id(self) -> InstrumentId:
        """The instrument every order trades."""
        return self._instrument_id

    @property
    def strategy_id(self) -> StrategyId:
        """The strategy that owns the orders."""
        return self._strategy_id

    @property
    def orders(self) -> tuple[Order, ...]:
        """The orders, in submission order."""
        return self._orders

    @property
    def first(self) -> Order:
        """The first order (the entry of a bracket)."""
        return self._orders[0]

    @property
    def inits(self) -> tuple[OrderInitialized, ...]:
        """The `OrderInitialized` of every order (for `SubmitOrderList`)."""
        return tuple(order.init_event for order in self._orders)

    def get(self, client_order_id: ClientOrderId) -> Order:
        """Return the order with ``client_order_id`` (``KeyError`` if absent)."""
        for order in self._orders:
            if order.client_order_id == client_order_id:
                return order
        raise KeyError(f"order {client_order_id} is not in list {self._order_list_id}")

    def __len__(self) -> int:
        return len(self._orders)

    def __iter__(self) -> Iterator[Order]:
        return iter(self._orders)

    def __repr__(self) -> str:
        ids = ", ".join(str(order.client_order_id) for order in self._orders)
        return f"OrderList({self._order_list_id}, {self._instrument_id}, [{ids}])"


def bracket(
    *,
    trader_id: TraderId,
    strategy_id: StrategyId,
    instrument_id: InstrumentId,
    order_list_id: OrderListId,
    client_order_ids: tuple[ClientOrderId, ClientOrderId, ClientOrderId],
    entry_side: OrderSide,
    quantity: Quantity,
    stop_loss_trigger: Price,
    take_profit_price: Price,
    ts_init: int,
    entry_price: Price | None = None,
    entry_time_in_force: TimeInForce = TimeInForce.GTC,
    exit_time_in_force: TimeInForce = TimeInForce.GTC,
    exit_contingency: ContingencyType = ContingencyType.OUO,
    emulation_trigger: TriggerType | None = None,
) -> OrderList:
    """Build an entry with a stop-loss and a take-profit that protect it once it fills.

    The entry (a market order, or a limit order at ``entry_price``) is the OTO parent of two
    reduce-only exits on the other side: a stop-market at ``stop_loss_trigger`` and a limit at
    ``take_profit_price``, linked to each other by ``exit_contingency`` (OUO by default, so a
    partial exit shrinks the other one; OCO cancels it).

    Args:
        client_order_ids: ids of the entry, the stop-loss and the take-profit, in that order.
        emulation_trigger: when given, the exits are held by the local emulator.

    Raises:
        ValueError: prices in the wrong order for the side, or an invalid contingency.
    """
    if entry_side not in (OrderSide.BUY, OrderSide.SELL):
        raise ValueError(f"entry_side must be BUY or SELL, got {entry_side}")
    if exit_contingency not in _SIBLING_LINKS:
        raise ValueError(f"exit_contingency must be OCO or OUO, got {exit_contingency}")
    low, high = (
        (stop_loss_trigger, take_profit_price)
        if entry_side is OrderSide.BUY
        else (take_profit_price, stop_loss_trigger)
    )
    if not low < high or (entry_price is not None and not low < entry_price < high):
        raise ValueError(
            f"bracket {entry_side}: need stop_loss_trigger {stop_loss_trigger}, entry_price "
            f"{entry_price} and take_profit_price {take_profit_price} on the correct sides"
        )
    entry_id, stop_id, profit_id = client_order_ids
    entry = OrderInitialized(
        trader_id=trader_id,
        strategy_id=strategy_id,
        instrument_id=instrument_id,
        client_order_id=entry_id,
        order_side=entry_side,
        order_type=OrderType.MARKET if entry_price is None else OrderType.LIMIT,
        quantity=quantity,
        price=entry_price,
        time_in_force=entry_time_in_force,
        contingency_type=ContingencyType.OTO,
        order_list_id=order_list_id,
        linked_order_ids=(stop_id, profit_id),
        event_id=UUID4(),
        ts_event=ts_init,
        ts_init=ts_init,
    )
    stop_loss = msgspec.structs.replace(
        entry,
        event_id=UUID4(),
        client_order_id=stop_id,
        order_side=entry_side.opposite,
        order_type=OrderType.STOP_MARKET,
        price=None,
        trigger_price=stop_loss_trigger,
        time_in_force=exit_time_in_force,
        reduce_only=True,
        emulation_trigger=emulation_trigger,
        contingency_type=exit_contingency,
        linked_order_ids=(profit_id,),
        parent_order_id=entry_id,
    )
    take_profit = msgspec.structs.replace(
        stop_loss,
        event_id=UUID4(),
        client_order_id=profit_id,
        order_type=OrderType.LIMIT,
        price=take_profit_price,
        trigger_price=None,
        linked_order_ids=(stop_id,),
    )
    orders = [Order.from_init(init) for init in (entry, stop_loss, take_profit)]
    return OrderList(order_list_id, instrument_id, strategy_id, orders)
