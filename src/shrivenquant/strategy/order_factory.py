"""The `OrderFactory`: a strategy's orders, with ids and checked arguments.

Each method checks its arguments (errors name the method and the argument), takes the next
client order id from the strategy's `OrderIdGenerator`, builds the `OrderInitialized` event at
the clock's time and returns the `Order` built from it. The order is a draft: the execution
engine builds and keeps the live order when the strategy submits it (``Strategy.submit_order``),
and from then on ``cache.order(client_order_id)`` is the order to read.

Nothing is rounded. Prices must be on the instrument's tick and quantities on its lot; round
explicitly with ``instrument.make_price(...)`` / ``instrument.make_qty(...)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, TypeVar

from shrivenquant.core.clock import Clock
from shrivenquant.core.uuid import UUID4
from shrivenquant.model.enums import (
    ContingencyType,
    OrderSide,
    TimeInForce,
    TrailingOffsetType,
    TriggerType,
)
from shrivenquant.model.events.order import OrderInitialized
from shrivenquant.model.identifiers import InstrumentId, StrategyId, TraderId
from shrivenquant.model.orders import (
    LimitIfTouchedOrder,
    LimitOrder,
    MarketIfTouchedOrder,
    MarketOrder,
    Order,
    OrderList,
    StopLimitOrder,
    StopMarketOrder,
    TrailingStopLimitOrder,
    TrailingStopMarketOrder,
    bracket,
)
from shrivenquant.model.values import Price, Quantity
from shrivenquant.strategy.order_checks import InstrumentLookup, OrderArgs, find_instrument
from shrivenquant.strategy.order_ids import OrderIdGenerator, tag_of

OrderT = TypeVar("OrderT", bound=Order)

GTC = TimeInForce.GTC
DEFAULT_TRIGGER = TriggerType.DEFAULT


class OrderFactory:
    """Builds the orders of one strategy.

    Args:
        trader_id: the trader.
        strategy_id: the strategy the orders belong to.
        clock: stamps the orders and the date-time part of their ids.
        order_id_tag: the strategy's tag in its order ids (default: the part of
            ``strategy_id`` after its last ``-``).
        instruments: where to find instruments to check ticks and lots against (the
            strategy's cache view); None skips those checks (the risk engine still makes them).
    """

    __slots__ = ("_clock", "_ids", "_instruments", "strategy_id", "trader_id")

    def __init__(
        self,
        trader_id: TraderId,
        strategy_id: StrategyId,
        clock: Clock,
        *,
        order_id_tag: str | None = None,
        instruments: InstrumentLookup | None = None,
    ) -> None:
        self.trader_id = trader_id
        self.strategy_id = strategy_id
        self._clock = clock
        self._instruments = instruments
        self._ids = OrderIdGenerator(trader_id, order_id_tag or tag_of(strategy_id.value), clock)

    @property
    def ids(self) -> OrderIdGenerator:
        """The id generator (its counts, and `set_counts` to continue after a restart)."""
        return self._ids

    # -- order types -------------------------------------------------------------------------
    # Every parameter of these methods is the `OrderInitialized` field of the same name (``side``
    # is ``order_side``), so each hands its parameters to `_make` as they are.

    def market(
        self,
        instrument_id: InstrumentId,
        side: OrderSide,
        quantity: Quantity,
        *,
        time_in_force: TimeInForce = GTC,
        reduce_only: bool = False,
        quote_quantity: bool = False,
        tags: Iterable[str] = (),
    ) -> MarketOrder:
        """A market order (any time in force but GTD)."""
        return self._make(MarketOrder, "market", locals())

    def limit(
        self,
        instrument_id: InstrumentId,
        side: OrderSide,
        quantity: Quantity,
        price: Price,
        *,
        time_in_force: TimeInForce = GTC,
        expire_time_ns: int | None = None,
        post_only: bool = False,
        reduce_only: bool = False,
        quote_quantity: bool = False,
        display_qty: Quantity | None = None,
        emulation_trigger: TriggerType | None = None,
        tags: Iterable[str] = (),
    ) -> LimitOrder:
        """A limit order at ``price``; ``display_qty`` makes it an iceberg."""
        return self._make(LimitOrder, "limit", locals())

    def stop_market(
        self,
        instrument_id: InstrumentId,
        side: OrderSide,
        quantity: Quantity,
        trigger_price: Price,
        *,
        trigger_type: TriggerType = DEFAULT_TRIGGER,
        time_in_force: TimeInForce = GTC,
        expire_time_ns: int | None = None,
        reduce_only: bool = False,
        quote_quantity: bool = False,
        emulation_trigger: TriggerType | None = None,
        tags: Iterable[str] = (),
    ) -> StopMarketOrder:
        """A stop-market order: a market order once the market reaches ``trigger_price``."""
        return self._make(StopMarketOrder, "stop_market", locals())

    def stop_limit(
        self,
        instrument_id: InstrumentId,
        side: OrderSide,
        quantity: Quantity,
        price: Price,
        trigger_price: Price,
        *,
        trigger_type: TriggerType = DEFAULT_TRIGGER,
        time_in_force: TimeInForce = GTC,
        expire_time_ns: int | None = None,
        post_only: bool = False,
        reduce_only: bool = False,
        quote_quantity: bool = False,
        display_qty: Quantity | None = None,
        emulation_trigger: TriggerType | None = None,
        tags: Iterable[str] = (),
    ) -> StopLimitOrder:
        """A stop-limit order: a limit order at ``price`` once the market reaches
        ``trigger_price``."""
        return self._make(StopLimitOrder, "stop_limit", locals())

    def market_if_touched(
        self,
        instrument_id: InstrumentId,
        side: OrderSide,
        quantity: Quantity,
        trigger_price: Price,
        *,
        trigger_type: TriggerType = DEFAULT_TRIGGER,
        time_in_force: TimeInForce = GTC,
        expire_time_ns: int | None = None,
        reduce_only: bool = False,
        quote_quantity: bool = False,
        emulation_trigger: TriggerType | None = None,
        tags: Iterable[str] = (),
    ) -> MarketIfTouchedOrder:
        """A market-if-touched order: a market order once the market touches
        ``trigger_price`` (in the favourable direction)."""
        return self._make(MarketIfTouchedOrder, "market_if_touched", locals())

    def limit_if_touched(
        self,
        instrument_id: InstrumentId,
        side: OrderSide,
        quantity: Quantity,
        price: Price,
        trigger_price: Price,
        *,
        trigger_type: TriggerType = DEFAULT_TRIGGER,
        time_in_force: TimeInForce = GTC,
        expire_time_ns: int | None = None,
        post_only: bool = False,
        reduce_only: bool = False,
        quote_quantity: bool = False,
        display_qty: Quantity | None = None,
        emulation_trigger: TriggerType | None = None,
        tags: Iterable[str] = (),
    ) -> LimitIfTouchedOrder:
        """A limit-if-touched order: a limit order at ``price`` once the market touches
        ``trigger_price``."""
        return self._make(LimitIfTouchedOrder, "limit_if_touched", locals())

    def trailing_stop_market(
        self,
        instrument_id: InstrumentId,
        side: OrderSide,
        quantity: Quantity,
        trailing_offset: Decimal,
        *,
        trailing_offset_type: TrailingOffsetType = TrailingOffsetType.PRICE,
        trigger_price: Price | None = None,
        trigger_type: TriggerType = DEFAULT_TRIGGER,
        time_in_force: TimeInForce = GTC,
        expire_time_ns: int | None = None,
        reduce_only: bool = False,
        quote_quantity: bool = False,
        emulation_trigger: TriggerType | None = None,
        tags: Iterable[str] = (),
    ) -> TrailingStopMarketOrder:
        """A stop-market whose trigger follows the market at ``trailing_offset`` (in
        ``trailing_offset_type`` units); ``trigger_price`` sets the first trigger."""
        return self._make(TrailingStopMarketOrder, "trailing_stop_market", locals())

    def trailing_stop_limit(
        self,
        instrument_id: InstrumentId,
        side: OrderSide,
        quantity: Quantity,
        limit_offset: Decimal,
        trailing_offset: Decimal,
        *,
        trailing_offset_type: TrailingOffsetType = TrailingOffsetType.PRICE,
        price: Price | None = None,
        trigger_price: Price | None = None,
        trigger_type: TriggerType = DEFAULT_TRIGGER,
        time_in_force: TimeInForce = GTC,
        expire_time_ns: int | None = None,
        post_only: bool = False,
        reduce_only: bool = False,
        quote_quantity: bool = False,
        display_qty: Quantity | None = None,
        emulation_trigger: TriggerType | None = None,
        tags: Iterable[str] = (),
    ) -> TrailingStopLimitOrder:
        """A stop-limit whose trigger trails the market at ``trailing_offset``, its limit
        ``limit_offset`` beyond the trigger (both in ``trailing_offset_type`` units)."""
        return self._make(TrailingStopLimitOrder, "trailing_stop_limit", locals())

    def bracket(
        self,
        instrument_id: InstrumentId,
        side: OrderSide,
        quantity: Quantity,
        stop_loss_trigger: Price,
        take_profit_price: Price,
        *,
        entry_price: Price | None = None,
        entry_time_in_force: TimeInForce = GTC,
        exit_time_in_force: TimeInForce = GTC,
        exit_contingency: ContingencyType = ContingencyType.OUO,
        emulation_trigger: TriggerType | None = None,
    ) -> OrderList:
        """An entry (market, or limit at ``entry_price``) protected once it fills by a
        stop-market at ``stop_loss_trigger`` and a limit at ``take_profit_price``, linked by
        ``exit_contingency`` (see `shrivenquant.model.orders.bracket`). Submit it with
        ``Strategy.submit_order_list``."""
        args = OrderArgs("bracket", find_instrument("bracket", instrument_id, self._instruments))
        fields: dict[str, Any] = {
            "entry_side": args.side(side),
            "quantity": args.quantity("quantity", quantity),
            "stop_loss_trigger": args.price("stop_loss_trigger", stop_loss_trigger),
            "take_profit_price": args.price("take_profit_price", take_profit_price),
            "entry_price": args.optional_price("entry_price", entry_price),
            "entry_time_in_force": args.enum(
                "entry_time_in_force", entry_time_in_force, TimeInForce
            ),
            "exit_time_in_force": args.enum("exit_time_in_force", exit_time_in_force, TimeInForce),
            "exit_contingency": args.enum("exit_contingency", exit_contingency, ContingencyType),
            "emulation_trigger": args.optional_enum(
                "emulation_trigger", emulation_trigger, TriggerType
            ),
        }
        ids = self._ids
        list_id = ids.order_list_id()
        client_order_ids = (ids.client_order_id(), ids.client_order_id(), ids.client_order_id())
        try:
            return bracket(
                trader_id=self.trader_id,
                strategy_id=self.strategy_id,
                instrument_id=instrument_id,
                order_list_id=list_id,
                client_order_ids=client_order_ids,
                ts_init=self._clock.timestamp_ns(),
                **fields,
            )
        except ValueError as exc:
            ids.take_back(3, 1)
            raise ValueError(f"bracket: {exc}") from exc

    # -- internals ---------------------------------------------------------------------------

    def _make(self, cls: type[OrderT], method: str, params: dict[str, Any]) -> OrderT:
        params = {k: v for k, v in params.items() if k != "self"}
        instrument_id = params.pop("instrument_id")
        args = OrderArgs(method, find_instrument(method, instrument_id, self._instruments))
        now = self._clock.timestamp_ns()
        fields = args.order_fields(params, now)
        client_order_id = self._ids.client_order_id()
        try:
            order = Order.from_init(
                OrderInitialized(
                    trader_id=self.trader_id,
                    strategy_id=self.strategy_id,
                    instrument_id=instrument_id,
                    client_order_id=client_order_id,
                    order_type=cls.RULES.order_type,
                    event_id=UUID4(),
                    ts_event=now,
                    ts_init=now,
                    **fields,
                )
            )
        except ValueError as exc:
            self._ids.take_back(1)
            raise ValueError(f"{method}: {exc}") from exc
        assert isinstance(order, cls)
        return order
