"""What an order asked for: read-only fields that never change after `OrderInitialized`."""

from __future__ import annotations

from decimal import Decimal

from shrivenquant.core.uuid import UUID4
from shrivenquant.model.enums import (
    ContingencyType,
    OrderSide,
    OrderType,
    TimeInForce,
    TrailingOffsetType,
    TriggerType,
)
from shrivenquant.model.events.order import OrderInitialized
from shrivenquant.model.identifiers import (
    ClientOrderId,
    ComponentId,
    InstrumentId,
    OrderListId,
    StrategyId,
    TraderId,
)
from shrivenquant.model.values import Quantity


class OrderSpec:
    """Read-only view of the fields fixed by an order's `OrderInitialized` event.

    Quantity and prices are not here: a venue can change them (`OrderUpdated`).
    """

    __slots__ = ("_init",)

    def __init__(self, init: OrderInitialized) -> None:
        self._init = init

    @property
    def init_event(self) -> OrderInitialized:
        """The event the order was built from."""
        return self._init

    @property
    def trader_id(self) -> TraderId:
        """The trader that owns the order."""
        return self._init.trader_id

    @property
    def strategy_id(self) -> StrategyId:
        """The strategy that owns the order (``EXTERNAL`` for adopted orders)."""
        return self._init.strategy_id

    @property
    def instrument_id(self) -> InstrumentId:
        """The instrument traded."""
        return self._init.instrument_id

    @property
    def client_order_id(self) -> ClientOrderId:
        """ShrivenQuant's id for the order."""
        return self._init.client_order_id

    @property
    def side(self) -> OrderSide:
        """Buy or sell."""
        return self._init.order_side

    @property
    def order_type(self) -> OrderType:
        """The order type."""
        return self._init.order_type

    @property
    def time_in_force(self) -> TimeInForce:
        """How long the order works."""
        return self._init.time_in_force

    @property
    def expire_time_ns(self) -> int | None:
        """Expiry of a GTD order (UNIX ns), else None."""
        return self._init.expire_time_ns

    @property
    def trigger_type(self) -> TriggerType:
        """The price stream that fires the trigger of stop/if-touched/trailing orders."""
        return self._init.trigger_type

    @property
    def limit_offset(self) -> Decimal | None:
        """Distance of a trailing stop-limit's limit price from its trigger price."""
        return self._init.limit_offset

    @property
    def trailing_offset(self) -> Decimal | None:
        """Distance of a trailing stop's trigger from the market."""
        return self._init.trailing_offset

    @property
    def trailing_offset_type(self) -> TrailingOffsetType:
        """Unit of the trailing offsets."""
        return self._init.trailing_offset_type

    @property
    def post_only(self) -> bool:
        """Whether the order must only add liquidity."""
        return self._init.post_only

    @property
    def reduce_only(self) -> bool:
        """Whether the order may only reduce a position."""
        return self._init.reduce_only

    @property
    def quote_quantity(self) -> bool:
        """Whether the quantity is in the quote currency."""
        return self._init.quote_quantity

    @property
    def display_qty(self) -> Quantity | None:
        """Visible quantity of an iceberg order, else None."""
        return self._init.display_qty

    @property
    def emulation_trigger(self) -> TriggerType | None:
        """The trigger the local emulator watches, or None if the venue holds the order."""
        return self._init.emulation_trigger

    @property
    def contingency_type(self) -> ContingencyType:
        """How the order is linked to ``linked_order_ids``."""
        return self._init.contingency_type

    @property
    def order_list_id(self) -> OrderListId | None:
        """The list the order belongs to, if any."""
        return self._init.order_list_id

    @property
    def linked_order_ids(self) -> tuple[ClientOrderId, ...]:
        """Orders this one is contingent with (OCO/OUO siblings, or OTO children)."""
        return self._init.linked_order_ids

    @property
    def parent_order_id(self) -> ClientOrderId | None:
        """The OTO parent that triggers this order, if any."""
        return self._init.parent_order_id

    @property
    def exec_algorithm_id(self) -> ComponentId | None:
        """The execution algorithm that works the order, if any."""
        return self._init.exec_algorithm_id

    @property
    def exec_algorithm_params(self) -> dict[str, str]:
        """Parameters for the execution algorithm (a copy)."""
        return dict(self._init.exec_algorithm_params or {})

    @property
    def exec_spawn_id(self) -> ClientOrderId | None:
        """The primary order an execution algorithm spawned this one from, if any."""
        return self._init.exec_spawn_id

    @property
    def tags(self) -> tuple[str, ...]:
        """Free-form labels."""
        return self._init.tags

    @property
    def init_id(self) -> UUID4:
        """The id of the `OrderInitialized` event."""
        return self._init.event_id

    @property
    def ts_init(self) -> int:
        """When the order was created (UNIX ns)."""
        return self._init.ts_init

    @property
    def is_buy(self) -> bool:
        """Whether this is a buy order."""
        return self._init.order_side is OrderSide.BUY

    @property
    def is_sell(self) -> bool:
        """Whether this is a sell order."""
        return self._init.order_side is OrderSide.SELL

    @property
    def is_contingent(self) -> bool:
        """Whether the order is linked to other orders."""
        return self._init.contingency_type is not ContingencyType.NO_CONTINGENCY

    @property
    def is_parent(self) -> bool:
        """Whether the order triggers other orders when it fills (OTO)."""
        return self._init.contingency_type is ContingencyType.OTO

    @property
    def is_child(self) -> bool:
        """Whether another order's fill triggers this one."""
        return self._init.parent_order_id is not None
