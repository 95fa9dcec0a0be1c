"""Orders: per-type validation, event application, fill accounting, order lists and brackets."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec
import pytest

from shrivenquant.core.errors import InvalidStateTransition
from shrivenquant.core.uuid import UUID4
from shrivenquant.model.codec import MessageCodec
from shrivenquant.model.currency import BNB, USDT
from shrivenquant.model.enums import (
    ContingencyType,
    LiquiditySide,
    OrderSide,
    OrderStatus,
    OrderType,
    TimeInForce,
    TrailingOffsetType,
    TriggerType,
)
from shrivenquant.model.events.order import (
    OrderAccepted,
    OrderCanceled,
    OrderEmulated,
    OrderFilled,
    OrderInitialized,
    OrderPendingCancel,
    OrderReleased,
    OrderSubmitted,
    OrderTriggered,
    OrderUpdated,
)
from shrivenquant.model.identifiers import (
    AccountId,
    ClientOrderId,
    ComponentId,
    InstrumentId,
    OrderListId,
    PositionId,
    StrategyId,
    TradeId,
    TraderId,
    VenueOrderId,
)
from shrivenquant.model.orders import (
    ORDER_CLASSES,
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
    order_class,
    validate_contingencies,
    validate_order_init,
)
from shrivenquant.model.values import Money, Price, Quantity

ACCOUNT = AccountId("BINANCE-001")
TRADER = TraderId("TRADER-001")
STRATEGY = StrategyId("S-001")
BTCUSDT = InstrumentId("BTCUSDT.BINANCE")

# The fields each type needs to be valid; tests add or remove one to break a rule.
TYPE_FIELDS: dict[OrderType, dict[str, Any]] = {
    OrderType.MARKET: {},
    OrderType.LIMIT: {"price": Price("100.0")},
    OrderType.STOP_MARKET: {"trigger_price": Price("95.0")},
    OrderType.STOP_LIMIT: {"price": Price("94.0"), "trigger_price": Price("95.0")},
    OrderType.MARKET_IF_TOUCHED: {"trigger_price": Price("105.0")},
    OrderType.LIMIT_IF_TOUCHED: {"price": Price("106.0"), "trigger_price": Price("105.0")},
    OrderType.TRAILING_STOP_MARKET: {
        "trailing_offset": Decimal("50"),
        "trailing_offset_type": TrailingOffsetType.BASIS_POINTS,
    },
    OrderType.TRAILING_STOP_LIMIT: {
        "trailing_offset": Decimal("1.5"),
        "limit_offset": Decimal("0.5"),
        "trailing_offset_type": TrailingOffsetType.PRICE,
    },
}
CLASSES = {
    OrderType.MARKET: MarketOrder,
    OrderType.LIMIT: LimitOrder,
    OrderType.STOP_MARKET: StopMarketOrder,
    OrderType.STOP_LIMIT: StopLimitOrder,
    OrderType.MARKET_IF_TOUCHED: MarketIfTouchedOrder,
    OrderType.LIMIT_IF_TOUCHED: LimitIfTouchedOrder,
    OrderType.TRAILING_STOP_MARKET: TrailingStopMarketOrder,
    OrderType.TRAILING_STOP_LIMIT: TrailingStopLimitOrder,
}


def make_init(order_type: OrderType = OrderType.LIMIT, **overrides: Any) -> OrderInitialized:
    fields: dict[str, Any] = {
        "event_id": UUID4(),
        "ts_event": 1,
        "ts_init": 1,
        "trader_id": TRADER,
        "strategy_id": STRATEGY,
        "instrument_id": BTCUSDT,
        "client_order_id": ClientOrderId("O-1"),
        "order_side": OrderSide.BUY,
        "order_type": order_type,
        "quantity": Quantity("2.000"),
        "time_in_force": TimeInForce.GTC,
        **TYPE_FIELDS[order_type],
    }
    fields.update(overrides)
    return OrderInitialized(**fields)


def ev(cls: type[Any], **kw: Any) -> Any:
    fields: dict[str, Any] = {
        "event_id": UUID4(),
        "ts_event": 10,
        "ts_init": 10,
        "trader_id": TRADER,
        "strategy_id": STRATEGY,
        "instrument_id": BTCUSDT,
        "client_order_id": ClientOrderId("O-1"),
    }
    fields.update(kw)
    return cls(**fields)


def fill(qty: str, px: str, trade: str, **kw: Any) -> OrderFilled:
    fields: dict[str, Any] = {
        "venue_order_id": VenueOrderId("V-1"),
        "account_id": ACCOUNT,
        "trade_id": TradeId(trade),
        "order_side": OrderSide.BUY,
        "order_type": OrderType.LIMIT,
        "last_qty": Quantity(qty),
        "last_px": Price(px),
        "currency": USDT,
        "commission": Money("0.10", USDT),
        "liquidity_side": LiquiditySide.TAKER,
    }
    fields.update(kw)
    result: OrderFilled = ev(OrderFilled, **fields)
    return result


def accepted_limit(**overrides: Any) -> Order:
    order = Order.from_init(make_init(OrderType.LIMIT, **overrides))
    order.apply(ev(OrderSubmitted, account_id=ACCOUNT))
    order.apply(ev(OrderAccepted, venue_order_id=VenueOrderId("V-1"), account_id=ACCOUNT))
    return order


# -- construction and validation ---------------------------------------------------------------


@pytest.mark.parametrize("order_type", list(OrderType), ids=str)
def test_every_type_builds_its_class(order_type: OrderType) -> None:
    init = make_init(order_type)
    order = Order.from_init(init)
    assert type(order) is CLASSES[order_type]
    assert order_class(order_type) is CLASSES[order_type]
    assert order.order_type is order_type
    assert order.status is OrderStatus.INITIALIZED
    assert order.is_local
    assert not order.is_open
    assert not order.is_closed
    assert order.filled_qty == Quantity("0")
    assert order.leaves_qty == init.quantity
    assert order.avg_px is None
    assert order.events == (init,)
    validate_order_init(init)


def test_order_classes_cover_every_type_once() -> None:
    assert {cls.RULES.order_type for cls in ORDER_CLASSES} == set(OrderType)
    assert len(ORDER_CLASSES) == len(OrderType)


def test_abstract_order_and_wrong_class_are_refused() -> None:
    init = make_init(OrderType.MARKET)
    with pytest.raises(TypeError, match="abstract"):
        Order(init)
    with pytest.raises(TypeError, match="LimitOrder cannot be built from a MARKET"):
        LimitOrder.from_init(init)
    with pytest.raises(ValueError, match="order_type must be LIMIT"):
        LimitOrder(init)


def test_subclass_for_a_registered_type_is_refused() -> None:
    with pytest.raises(TypeError, match="already exists"):

        class _Again(Order):
            __slots__ = ()
            RULES = MarketOrder.RULES


INVALID: list[tuple[OrderType, dict[str, Any], str]] = [
    (OrderType.MARKET, {"price": Price("1")}, "price is not valid"),
    (OrderType.MARKET, {"time_in_force": TimeInForce.GTD, "expire_time_ns": 5}, "GTD not allowed"),
    (OrderType.MARKET, {"post_only": True}, "post_only is only valid"),
    (OrderType.MARKET, {"display_qty": Quantity("1")}, "display_qty is only valid"),
    (OrderType.MARKET, {"emulation_trigger": TriggerType.LAST_PRICE}, "emulation_trigger"),
    (OrderType.MARKET, {"trigger_type": TriggerType.MARK_PRICE}, "trigger_type is only valid"),
    (OrderType.LIMIT, {"price": None}, "price is required"),
    (OrderType.LIMIT, {"trigger_price": Price("1")}, "trigger_price is not valid"),
    (OrderType.LIMIT, {"quantity": Quantity("0")}, "quantity must be positive"),
    (OrderType.LIMIT, {"order_side": OrderSide.NO_ORDER_SIDE}, "order_side must be BUY or SELL"),
    (OrderType.LIMIT, {"time_in_force": TimeInForce.GTD}, "expire_time_ns"),
    (OrderType.LIMIT, {"time_in_force": TimeInForce.GTD, "expire_time_ns": 0}, "expire_time_ns"),
    (OrderType.LIMIT, {"expire_time_ns": 5}, "only valid with time_in_force GTD"),
    (OrderType.LIMIT, {"post_only": True, "time_in_force": TimeInForce.IOC}, "post_only cannot"),
    (OrderType.LIMIT, {"post_only": True, "time_in_force": TimeInForce.FOK}, "post_only cannot"),
    (
        OrderType.LIMIT,
        {"display_qty": Quantity("1"), "time_in_force": TimeInForce.FOK},
        "display_qty cannot",
    ),
    (OrderType.LIMIT, {"display_qty": Quantity("3")}, "display_qty must not exceed"),
    (OrderType.LIMIT, {"trailing_offset": Decimal("1")}, "trailing_offset is only valid"),
    (
        OrderType.LIMIT,
        {"trailing_offset_type": TrailingOffsetType.PRICE},
        "trailing_offset_type is only valid",
    ),
    (OrderType.LIMIT, {"limit_offset": Decimal("1")}, "limit_offset is not valid"),
    (OrderType.LIMIT, {"contingency_type": ContingencyType.OCO}, "needs linked ids"),
    (OrderType.LIMIT, {"linked_order_ids": (ClientOrderId("O-2"),)}, "needs a contingency"),
    (
        OrderType.LIMIT,
        {"contingency_type": ContingencyType.OCO, "linked_order_ids": (ClientOrderId("O-1"),)},
        "must not contain the order itself",
    ),
    (
        OrderType.LIMIT,
        {
            "contingency_type": ContingencyType.OCO,
            "linked_order_ids": (ClientOrderId("O-2"), ClientOrderId("O-2")),
        },
        "duplicates",
    ),
    (OrderType.LIMIT, {"parent_order_id": ClientOrderId("O-1")}, "parent_order_id must not"),
    (OrderType.STOP_MARKET, {"trigger_price": None}, "trigger_price is required"),
    (OrderType.STOP_MARKET, {"price": Price("1")}, "price is not valid"),
    (OrderType.STOP_MARKET, {"post_only": True}, "post_only is only valid"),
    (OrderType.STOP_LIMIT, {"price": None}, "price is required"),
    (OrderType.STOP_LIMIT, {"trigger_price": None}, "trigger_price is required"),
    (OrderType.MARKET_IF_TOUCHED, {"trigger_price": None}, "trigger_price is required"),
    (OrderType.MARKET_IF_TOUCHED, {"price": Price("1")}, "price is not valid"),
    (OrderType.LIMIT_IF_TOUCHED, {"price": None}, "price is required"),
    (OrderType.TRAILING_STOP_MARKET, {"trailing_offset": None}, "trailing_offset is required"),
    (OrderType.TRAILING_STOP_MARKET, {"trailing_offset": Decimal("0")}, "must be positive"),
    (OrderType.TRAILING_STOP_MARKET, {"trailing_offset": Decimal("-1")}, "must be positive"),
    (OrderType.TRAILING_STOP_MARKET, {"trailing_offset": Decimal("NaN")}, "must be finite"),
    (
        OrderType.TRAILING_STOP_MARKET,
        {"trailing_offset_type": TrailingOffsetType.NO_TRAILING_OFFSET},
        "trailing_offset_type is required",
    ),
    (
        OrderType.TRAILING_STOP_MARKET,
        {"trailing_offset_type": TrailingOffsetType.TICKS, "trailing_offset": Decimal("2.5")},
        "whole number",
    ),
    (OrderType.TRAILING_STOP_MARKET, {"price": Price("1")}, "price is not valid"),
    (OrderType.TRAILING_STOP_MARKET, {"limit_offset": Decimal("1")}, "limit_offset is not valid"),
    (OrderType.TRAILING_STOP_LIMIT, {"limit_offset": None}, "limit_offset is required"),
    (OrderType.TRAILING_STOP_LIMIT, {"limit_offset": Decimal("-0.1")}, "zero or positive"),
]


@pytest.mark.parametrize(("order_type", "overrides", "message"), INVALID)
def test_invalid_orders_are_refused_naming_the_field(
    order_type: OrderType, overrides: dict[str, Any], message: str
) -> None:
    init = make_init(order_type, **overrides)
    with pytest.raises(ValueError, match=message):
        Order.from_init(init)
    with pytest.raises(ValueError, match=message):
        validate_order_init(init)


VALID_OPTIONS: list[tuple[OrderType, dict[str, Any]]] = [
    (OrderType.MARKET, {"time_in_force": TimeInForce.IOC, "reduce_only": True}),
    (OrderType.MARKET, {"quote_quantity": True, "time_in_force": TimeInForce.FOK}),
    (OrderType.LIMIT, {"post_only": True, "display_qty": Quantity("0.5")}),
    (OrderType.LIMIT, {"time_in_force": TimeInForce.GTD, "expire_time_ns": 1_700_000_000}),
    (OrderType.LIMIT, {"emulation_trigger": TriggerType.BID_ASK}),
    (OrderType.STOP_LIMIT, {"post_only": True, "trigger_type": TriggerType.MARK_PRICE}),
    (OrderType.STOP_MARKET, {"time_in_force": TimeInForce.DAY, "reduce_only": True}),
    (OrderType.LIMIT_IF_TOUCHED, {"display_qty": Quantity("0")}),
    (OrderType.TRAILING_STOP_MARKET, {"trigger_price": Price("90"), "emulation_trigger": None}),
    (
        OrderType.TRAILING_STOP_MARKET,
        {"trailing_offset_type": TrailingOffsetType.TICKS, "trailing_offset": Decimal("5")},
    ),
    (OrderType.TRAILING_STOP_LIMIT, {"limit_offset": Decimal("0"), "price": Price("99")}),
]


@pytest.mark.parametrize(("order_type", "overrides"), VALID_OPTIONS)
def test_valid_option_combinations_build(order_type: OrderType, overrides: dict[str, Any]) -> None:
    order = Order.from_init(make_init(order_type, **overrides))
    for name, value in overrides.items():
        shown = {"order_side": "side"}.get(name, name)
        assert getattr(order, shown) == value


def test_spec_properties_come_from_the_init_event() -> None:
    init = make_init(
        OrderType.LIMIT,
        tags=("entry",),
        exec_algorithm_id=ComponentId("TWAP"),
        exec_algorithm_params={"horizon_secs": "60"},
        contingency_type=ContingencyType.OTO,
        linked_order_ids=(ClientOrderId("O-2"),),
        order_list_id=OrderListId("L-1"),
    )
    order = Order.from_init(init)
    assert order.init_event is init
    assert order.init_id == init.event_id
    assert order.tags == ("entry",)
    assert order.exec_algorithm_id == ComponentId("TWAP")
    params = order.exec_algorithm_params
    params["horizon_secs"] = "1"
    assert order.exec_algorithm_params == {"horizon_secs": "60"}
    assert order.is_buy
    assert not order.is_sell
    assert order.is_contingent
    assert order.is_parent
    assert not order.is_child
    assert order.trader_id == TRADER
    assert order.strategy_id == STRATEGY
    assert order.ts_init == 1
    assert order.ts_last == 1
    assert "O-1" in repr(order)
    assert "INITIALIZED" in repr(order)
    with pytest.raises(AttributeError):
        order.status = OrderStatus.FILLED  # type: ignore[misc]


# -- applying events ----------------------------------------------------------------------------


def test_event_for_another_order_or_instrument_is_refused() -> None:
    order = accepted_limit()
    count = order.event_count
    with pytest.raises(ValueError, match="client_order_id O-2 does not match"):
        order.apply(ev(OrderCanceled, client_order_id=ClientOrderId("O-2")))
    with pytest.raises(ValueError, match=r"instrument_id ETHUSDT\.BINANCE does not match"):
        order.apply(ev(OrderCanceled, instrument_id=InstrumentId("ETHUSDT.BINANCE")))
    with pytest.raises(TypeError, match="already initialized"):
        order.apply(make_init())
    assert order.event_count == count
    assert order.status is OrderStatus.ACCEPTED


def test_fills_accumulate_exactly() -> None:
    order = accepted_limit()
    order.apply(fill("0.5", "100.10", "T-1", position_id=PositionId("P-1")))
    assert order.status is OrderStatus.PARTIALLY_FILLED
    order.apply(fill("0.25", "100.40", "T-2", commission=Money("0.001", BNB)))
    order.apply(fill("1.25", "99.90", "T-3", liquidity_side=LiquiditySide.MAKER))
    assert order.status is OrderStatus.FILLED
    assert order.is_closed
    assert order.filled_qty == Quantity("2")
    assert order.leaves_qty == Quantity("0")
    expected = (
        Decimal("0.5") * Decimal("100.10")
        + Decimal("0.25") * Decimal("100.40")
        + Decimal("1.25") * Decimal("99.90")
    ) / 2
    assert order.avg_px == expected
    assert order.commissions == {USDT: Money("0.20", USDT), BNB: Money("0.001", BNB)}
    assert order.trade_ids == (TradeId("T-1"), TradeId("T-2"), TradeId("T-3"))
    assert order.last_trade_id == TradeId("T-3")
    assert order.liquidity_side is LiquiditySide.MAKER
    assert order.position_id == PositionId("P-1")
    assert order.venue_order_id == VenueOrderId("V-1")
    assert order.account_id == ACCOUNT


def test_fill_of_a_finer_precision_widens_the_filled_quantity() -> None:
    order = accepted_limit()
    order.apply(fill("0.00001", "100", "T-1"))
    assert str(order.filled_qty) == "0.00001"
    assert str(order.leaves_qty) == "1.99999"


def test_repeating_average_price_rounds_to_34_digits() -> None:
    order = accepted_limit(quantity=Quantity("3"))
    order.apply(fill("1", "1", "T-1"))
    order.apply(fill("2", "2", "T-2"))
    assert order.avg_px == Decimal("1.666666666666666666666666666666667")


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (fill("0.5", "100", "T-1"), "duplicate trade_id T-1"),
        (fill("1.6", "100", "T-9"), "exceeds leaves_qty 1.5"),
        (fill("0.1", "100", "T-9", order_side=OrderSide.SELL), "order_side SELL is not BUY"),
        (fill("0", "100", "T-9"), "last_qty must be positive"),
    ],
)
def test_bad_fills_are_refused_and_leave_the_order_unchanged(
    event: OrderFilled, message: str
) -> None:
    order = accepted_limit()
    order.apply(fill("0.5", "100", "T-1"))
    before = (order.status, order.filled_qty, order.event_count, order.avg_px)
    with pytest.raises(ValueError, match=message):
        order.apply(event)
    assert (order.status, order.filled_qty, order.event_count, order.avg_px) == before


def test_update_changes_quantity_and_prices_and_venue_order_id() -> None:
    order = accepted_limit()
    order.apply(fill("0.5", "100", "T-1"))
    order.apply(ev(OrderUpdated, quantity=Quantity("3"), venue_order_id=VenueOrderId("V-2")))
    assert order.quantity == Quantity("3")
    assert order.price == Price("100.0")
    assert order.leaves_qty == Quantity("2.5")
    order.apply(ev(OrderUpdated, quantity=Quantity("3"), price=Price("101")))
    assert order.price == Price("101")
    assert order.venue_order_id == VenueOrderId("V-2")
    assert order.status is OrderStatus.PARTIALLY_FILLED


@pytest.mark.parametrize(
    ("order_type", "update", "message"),
    [
        (OrderType.LIMIT, {"quantity": Quantity("0.5")}, "must exceed filled_qty 0.5"),
        (OrderType.LIMIT, {"trigger_price": Price("1")}, "trigger_price is not valid"),
        (OrderType.MARKET, {"price": Price("1")}, "price is not valid for MARKET"),
    ],
)
def test_invalid_updates_are_refused(
    order_type: OrderType, update: dict[str, Any], message: str
) -> None:
    order = Order.from_init(make_init(order_type))
    order.apply(ev(OrderSubmitted, account_id=ACCOUNT))
    order.apply(fill("0.5", "100", "T-1", order_type=order_type))
    kw = {"quantity": order.quantity, **update}
    with pytest.raises(ValueError, match=message):
        order.apply(ev(OrderUpdated, **kw))
    assert order.quantity == Quantity("2")
    assert order.event_count == 3


def test_trigger_and_emulation_need_the_right_order() -> None:
    limit = accepted_limit()
    with pytest.raises(ValueError, match="LIMIT order has no trigger"):
        limit.apply(ev(OrderTriggered))
    with pytest.raises(ValueError, match="no emulation_trigger"):
        Order.from_init(make_init()).apply(ev(OrderEmulated))
    stop = Order.from_init(make_init(OrderType.STOP_LIMIT))
    stop.apply(ev(OrderSubmitted, account_id=ACCOUNT))
    stop.apply(ev(OrderTriggered, venue_order_id=VenueOrderId("V-7")))
    assert stop.is_triggered
    assert stop.status is OrderStatus.TRIGGERED
    assert stop.venue_order_id == VenueOrderId("V-7")
    assert stop.is_open


def test_emulated_order_is_released_then_submitted() -> None:
    order = Order.from_init(make_init(emulation_trigger=TriggerType.LAST_PRICE))
    order.apply(ev(OrderEmulated))
    assert order.is_emulated
    assert order.is_local
    order.apply(ev(OrderUpdated, quantity=Quantity("1"), price=Price("99")))
    assert order.status is OrderStatus.EMULATED
    assert order.price == Price("99")
    order.apply(ev(OrderReleased, released_price=Price("99.5")))
    assert order.status is OrderStatus.RELEASED
    assert order.released_price == Price("99.5")
    order.apply(ev(OrderSubmitted, account_id=ACCOUNT))
    assert order.is_inflight
    assert order.account_id == ACCOUNT


def test_ioc_canceled_straight_from_submitted() -> None:
    order = Order.from_init(make_init(time_in_force=TimeInForce.IOC))
    order.apply(ev(OrderSubmitted, account_id=ACCOUNT))
    order.apply(fill("0.5", "100", "T-1"))
    order.apply(ev(OrderCanceled))
    assert order.status is OrderStatus.CANCELED
    assert order.filled_qty == Quantity("0.5")


def test_late_fills_after_cancel_keep_the_order_closed() -> None:
    order = accepted_limit()
    order.apply(ev(OrderPendingCancel, account_id=ACCOUNT))
    assert order.is_pending_cancel
    assert order.is_inflight
    order.apply(fill("0.5", "100", "T-1"))  # traded while the cancel was in flight
    assert order.status is OrderStatus.PARTIALLY_FILLED
    order.apply(ev(OrderCanceled))
    order.apply(fill("0.5", "100", "T-2"))  # reported after the cancel confirmation
    assert order.status is OrderStatus.CANCELED
    assert order.filled_qty == Quantity("1")
    order.apply(fill("1", "100", "T-3"))
    assert order.status is OrderStatus.FILLED
    assert order.leaves_qty == Quantity("0")
    with pytest.raises(InvalidStateTransition):
        order.apply(ev(OrderCanceled))


def test_reconciliation_adopts_an_external_order_as_accepted() -> None:
    order = Order.from_init(make_init(reconciliation=True))
    order.apply(
        ev(
            OrderAccepted,
            venue_order_id=VenueOrderId("V-9"),
            account_id=ACCOUNT,
            reconciliation=True,
        )
    )
    assert order.status is OrderStatus.ACCEPTED
    assert order.venue_order_id == VenueOrderId("V-9")


def test_replaying_events_rebuilds_the_same_order() -> None:
    order = accepted_limit()
    order.apply(fill("0.5", "100.5", "T-1"))
    order.apply(ev(OrderUpdated, quantity=Quantity("4"), price=Price("100.7")))
    order.apply(fill("1", "100.7", "T-2", commission=Money("0.3", BNB)))
    replayed = Order.from_events(order.events)
    for name in (
        "status", "quantity", "price", "filled_qty", "leaves_qty", "avg_px", "trade_ids",
        "commissions", "venue_order_id", "account_id", "ts_last", "events",
    ):  # fmt: skip
        assert getattr(replayed, name) == getattr(order, name), name
    with pytest.raises(TypeError, match="first event"):
        Order.from_events(order.events[1:])


def test_events_serialise_and_replay_identically() -> None:
    codec = MessageCodec()
    order = accepted_limit()
    order.apply(fill("2", "100", "T-1"))
    decoded = [codec.decode(codec.encode(e)) for e in order.events]
    replayed = Order.from_events(decoded)  # type: ignore[arg-type]
    assert replayed.events == order.events
    assert replayed.avg_px == order.avg_px


# -- order lists and brackets -------------------------------------------------------------------

IDS3 = (ClientOrderId("E-1"), ClientOrderId("SL-1"), ClientOrderId("TP-1"))


def make_bracket(**kw: Any) -> OrderList:
    fields: dict[str, Any] = {
        "trader_id": TRADER,
        "strategy_id": STRATEGY,
        "instrument_id": BTCUSDT,
        "order_list_id": OrderListId("L-1"),
        "client_order_ids": IDS3,
        "entry_side": OrderSide.BUY,
        "quantity": Quantity("1"),
        "stop_loss_trigger": Price("90"),
        "take_profit_price": Price("110"),
        "ts_init": 7,
    }
    fields.update(kw)
    return bracket(**fields)


def test_bracket_links_entry_and_exits() -> None:
    orders = make_bracket(entry_price=Price("100"), emulation_trigger=TriggerType.LAST_PRICE)
    entry, stop, profit = orders.orders
    assert orders.first is entry
    assert len(orders) == 3
    assert list(orders) == [entry, stop, profit]
    assert type(entry) is LimitOrder
    assert entry.price == Price("100")
    assert type(stop) is StopMarketOrder
    assert stop.trigger_price == Price("90")
    assert type(profit) is LimitOrder
    assert profit.price == Price("110")
    assert entry.contingency_type is ContingencyType.OTO
    assert entry.linked_order_ids == (IDS3[1], IDS3[2])
    for exit_order, sibling in ((stop, profit), (profit, stop)):
        assert exit_order.side is OrderSide.SELL
        assert exit_order.reduce_only
        assert exit_order.parent_order_id == entry.client_order_id
        assert exit_order.linked_order_ids == (sibling.client_order_id,)
        assert exit_order.contingency_type is ContingencyType.OUO
        assert exit_order.emulation_trigger is TriggerType.LAST_PRICE
    assert orders.get(IDS3[1]) is stop
    assert orders.inits[0] is entry.init_event
    assert "L-1" in repr(orders)
    with pytest.raises(KeyError):
        orders.get(ClientOrderId("X"))


def test_sell_bracket_with_market_entry_and_oco_exits() -> None:
    orders = make_bracket(
        entry_side=OrderSide.SELL,
        stop_loss_trigger=Price("110"),
        take_profit_price=Price("90"),
        exit_contingency=ContingencyType.OCO,
    )
    assert type(orders.first) is MarketOrder
    assert all(o.side is OrderSide.BUY for o in orders.orders[1:])
    assert orders.orders[1].contingency_type is ContingencyType.OCO


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"stop_loss_trigger": Price("120")}, "correct sides"),
        ({"entry_price": Price("80")}, "correct sides"),
        ({"entry_side": OrderSide.SELL}, "correct sides"),
        ({"entry_side": OrderSide.NO_ORDER_SIDE}, "entry_side must be BUY or SELL"),
        ({"exit_contingency": ContingencyType.OTO}, "exit_contingency must be OCO or OUO"),
    ],
)
def test_bracket_refuses_bad_input(kw: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_bracket(**kw)


def _replace(order: Order, **changes: Any) -> OrderInitialized:
    return msgspec.structs.replace(order.init_event, **changes)


def test_order_list_checks_membership() -> None:
    orders = make_bracket().orders
    list_id = OrderListId("L-1")
    with pytest.raises(ValueError, match="must not be empty"):
        OrderList(list_id, BTCUSDT, STRATEGY, [])
    with pytest.raises(ValueError, match="has order_list_id L-1"):
        OrderList(OrderListId("L-2"), BTCUSDT, STRATEGY, orders)
    with pytest.raises(ValueError, match=r"trades BTCUSDT\.BINANCE"):
        OrderList(list_id, InstrumentId("ETHUSDT.BINANCE"), STRATEGY, orders)
    with pytest.raises(ValueError, match="belongs to S-001"):
        OrderList(list_id, BTCUSDT, StrategyId("S-002"), orders)
    with pytest.raises(ValueError, match="duplicate client_order_ids"):
        OrderList(list_id, BTCUSDT, STRATEGY, [*orders, orders[0]])


def test_contingency_links_must_be_consistent() -> None:
    entry, stop, profit = make_bracket().orders
    e, s, p = entry.init_event, stop.init_event, profit.init_event
    with pytest.raises(ValueError, match="not in the list"):
        validate_contingencies([e, s])
    with pytest.raises(ValueError, match="does not link back"):
        validate_contingencies([e, s, _replace(profit, linked_order_ids=(ClientOrderId("Z"),))])
    with pytest.raises(ValueError, match="is OUO with TP-1, which is OCO"):
        validate_contingencies([e, s, _replace(profit, contingency_type=ContingencyType.OCO)])
    with pytest.raises(ValueError, match="must name E-1 as parent_order_id"):
        validate_contingencies([e, s, _replace(profit, parent_order_id=None)])
    with pytest.raises(ValueError, match="must be OTO and list"):
        validate_contingencies([_replace(entry, linked_order_ids=(IDS3[1],)), s, p])
    lone = _replace(profit, contingency_type=ContingencyType.NO_CONTINGENCY, linked_order_ids=())
    with pytest.raises(ValueError, match="has parent E-1, which is not in the list"):
        validate_contingencies([lone])
    validate_contingencies([e, s, p])


def test_oto_cycles_are_refused() -> None:
    a, b = ClientOrderId("A"), ClientOrderId("B")
    oto: dict[str, Any] = {"contingency_type": ContingencyType.OTO}
    first = make_init(client_order_id=a, linked_order_ids=(b,), parent_order_id=b, **oto)
    second = make_init(client_order_id=b, linked_order_ids=(a,), parent_order_id=a, **oto)
    with pytest.raises(ValueError, match="own OTO ancestor"):
        validate_contingencies([first, second])
