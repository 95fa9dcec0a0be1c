"""Trading commands: consistency checks and exact round trips through MessagePack and JSON."""

from __future__ import annotations

import inspect
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.core.uuid import UUID4
from shrivenquant.model import commands
from shrivenquant.model.codec import MessageCodec, all_message_types
from shrivenquant.model.commands import (
    COMMAND_TYPES,
    CancelAllOrders,
    CancelOrder,
    ModifyOrder,
    QueryOrder,
    SubmitOrder,
    SubmitOrderList,
)
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
from shrivenquant.model.orders import Order, OrderList, bracket
from shrivenquant.model.values import Price, Quantity

CODEC = MessageCodec()

_TOKEN = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", min_size=1, max_size=16)
_UUIDS = st.uuids(version=4).map(lambda u: UUID4(str(u)))
_TS = st.integers(0, 2**63 - 1)


def _fixed(cls: type[Any], signed: bool) -> st.SearchStrategy[Any]:
    def build(precision: int, units: int) -> Any:
        return cls.from_raw(units * 10 ** (9 - precision), precision)

    low = -(10**12) if signed else 1
    return st.builds(build, st.integers(0, 9), st.integers(low, 10**12))


PRICES = _fixed(Price, signed=True)
QUANTITIES = _fixed(Quantity, signed=False)


@st.composite
def owners(draw: st.DrawFn) -> dict[str, Any]:
    """trader_id, strategy_id, instrument_id and client_id shared by a command and its orders."""
    return {
        "trader_id": TraderId(draw(_TOKEN)),
        "strategy_id": StrategyId(draw(_TOKEN)),
        "instrument_id": InstrumentId(f"{draw(_TOKEN)}.{draw(_TOKEN)}"),
        "client_id": draw(st.none() | _TOKEN.map(ClientId)),
    }


@st.composite
def order_inits(
    draw: st.DrawFn, owner: dict[str, Any], order_list_id: OrderListId | None = None
) -> OrderInitialized:
    """An `OrderInitialized` with every optional field sometimes set."""
    maybe = st.none
    return OrderInitialized(
        event_id=draw(_UUIDS),
        ts_event=draw(_TS),
        ts_init=draw(_TS),
        trader_id=owner["trader_id"],
        strategy_id=owner["strategy_id"],
        instrument_id=owner["instrument_id"],
        client_order_id=ClientOrderId(draw(_TOKEN)),
        reconciliation=draw(st.booleans()),
        order_side=draw(st.sampled_from([OrderSide.BUY, OrderSide.SELL])),
        order_type=draw(st.sampled_from(list(OrderType))),
        quantity=draw(QUANTITIES),
        time_in_force=draw(st.sampled_from(list(TimeInForce))),
        price=draw(maybe() | PRICES),
        trigger_price=draw(maybe() | PRICES),
        trigger_type=draw(st.sampled_from(list(TriggerType))),
        limit_offset=draw(maybe() | st.decimals("0", "1000", places=4)),
        trailing_offset=draw(maybe() | st.decimals("0.0001", "1000", places=4)),
        trailing_offset_type=draw(st.sampled_from(list(TrailingOffsetType))),
        expire_time_ns=draw(maybe() | _TS),
        post_only=draw(st.booleans()),
        reduce_only=draw(st.booleans()),
        quote_quantity=draw(st.booleans()),
        display_qty=draw(maybe() | QUANTITIES),
        emulation_trigger=draw(maybe() | st.sampled_from(list(TriggerType))),
        contingency_type=draw(st.sampled_from(list(ContingencyType))),
        order_list_id=order_list_id,
        linked_order_ids=tuple(draw(st.lists(_TOKEN.map(ClientOrderId), max_size=3))),
        parent_order_id=draw(maybe() | _TOKEN.map(ClientOrderId)),
        exec_algorithm_params=draw(maybe() | st.dictionaries(_TOKEN, st.text(), max_size=2)),
        tags=tuple(draw(st.lists(st.text(max_size=8), max_size=3))),
    )


def _base(draw: st.DrawFn, owner: dict[str, Any]) -> dict[str, Any]:
    return {"command_id": draw(_UUIDS), "ts_event": draw(_TS), "ts_init": draw(_TS), **owner}


@st.composite
def any_command(draw: st.DrawFn, cls: type[Command]) -> Command:
    owner = draw(owners())
    base = _base(draw, owner)
    order_id = ClientOrderId(draw(_TOKEN))
    venue_id = draw(st.none() | _TOKEN.map(VenueOrderId))
    position_id = draw(st.none() | _TOKEN.map(PositionId))
    if cls is SubmitOrder:
        return SubmitOrder(order=draw(order_inits(owner)), position_id=position_id, **base)
    if cls is SubmitOrderList:
        list_id = OrderListId(draw(_TOKEN))
        orders = draw(st.lists(order_inits(owner, list_id), min_size=1, max_size=3))
        return SubmitOrderList(
            order_list_id=list_id, orders=tuple(orders), position_id=position_id, **base
        )
    if cls is ModifyOrder:
        fields = draw(
            st.fixed_dictionaries(
                {},
                optional={"quantity": QUANTITIES, "price": PRICES, "trigger_price": PRICES},
            ).filter(bool)
        )
        return ModifyOrder(client_order_id=order_id, venue_order_id=venue_id, **fields, **base)
    if cls is CancelOrder:
        return CancelOrder(client_order_id=order_id, venue_order_id=venue_id, **base)
    if cls is CancelAllOrders:
        return CancelAllOrders(order_side=draw(st.sampled_from(list(OrderSide))), **base)
    assert cls is QueryOrder
    return QueryOrder(client_order_id=order_id, venue_order_id=venue_id, **base)


def assert_round_trips(message: Command) -> None:
    packed = CODEC.encode(message)
    decoded = CODEC.decode(packed)
    assert type(decoded) is type(message)
    assert decoded == message
    assert CODEC.encode(decoded) == packed
    text = CODEC.encode_json(message)
    assert CODEC.decode_json(text) == message
    assert CODEC.encode_json(CODEC.decode_json(text)) == text


def test_command_types_lists_every_command_of_the_module() -> None:
    defined = {
        obj
        for name, obj in vars(commands).items()
        if inspect.isclass(obj)
        and issubclass(obj, Command)
        and obj is not Command
        and not name.startswith("_")
    }
    assert defined == set(COMMAND_TYPES)
    assert len(COMMAND_TYPES) == 6
    assert set(COMMAND_TYPES) <= set(all_message_types())


@pytest.mark.parametrize("cls", COMMAND_TYPES, ids=lambda c: c.__name__)
@settings(max_examples=80)
@given(data=st.data())
def test_every_command_round_trips(cls: type[Command], data: st.DataObject) -> None:
    assert_round_trips(data.draw(any_command(cls)))


# -- consistency checks -------------------------------------------------------------------------

OWNER: dict[str, Any] = {
    "trader_id": TraderId("TRADER-001"),
    "strategy_id": StrategyId("S-001"),
    "instrument_id": InstrumentId("BTCUSDT.BINANCE"),
}


def cmd(cls: type[Any], **kw: Any) -> Any:
    return cls(command_id=UUID4(), ts_event=1, ts_init=2, **{**OWNER, **kw})


def limit_init(**kw: Any) -> OrderInitialized:
    fields: dict[str, Any] = {
        "event_id": UUID4(),
        "ts_event": 1,
        "ts_init": 1,
        **OWNER,
        "client_order_id": ClientOrderId("O-1"),
        "order_side": OrderSide.BUY,
        "order_type": OrderType.LIMIT,
        "quantity": Quantity("1"),
        "price": Price("100"),
        "time_in_force": TimeInForce.GTC,
    }
    fields.update(kw)
    return OrderInitialized(**fields)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("trader_id", TraderId("TRADER-002")),
        ("strategy_id", StrategyId("S-002")),
        ("instrument_id", InstrumentId("ETHUSDT.BINANCE")),
    ],
)
def test_submit_order_must_match_its_order(field: str, value: Any) -> None:
    with pytest.raises(ValueError, match=f"SubmitOrder: order O-1 has {field}"):
        cmd(SubmitOrder, order=limit_init(**{field: value}))
    submitted = cmd(SubmitOrder, order=limit_init(), position_id=PositionId("P-1"))
    assert submitted.order.client_order_id == ClientOrderId("O-1")


def test_submit_order_list_checks_its_orders() -> None:
    list_id = OrderListId("L-1")
    with pytest.raises(ValueError, match="must not be empty"):
        cmd(SubmitOrderList, order_list_id=list_id, orders=())
    with pytest.raises(ValueError, match="has order_list_id None, not L-1"):
        cmd(SubmitOrderList, order_list_id=list_id, orders=(limit_init(),))
    wrong = limit_init(order_list_id=list_id, strategy_id=StrategyId("S-002"))
    with pytest.raises(ValueError, match="has strategy_id S-002"):
        cmd(SubmitOrderList, order_list_id=list_id, orders=(wrong,))


def test_modify_order_needs_something_to_change() -> None:
    order_id = ClientOrderId("O-1")
    with pytest.raises(ValueError, match="give quantity, price or trigger_price"):
        cmd(ModifyOrder, client_order_id=order_id)
    with pytest.raises(ValueError, match="quantity must be positive"):
        cmd(ModifyOrder, client_order_id=order_id, quantity=Quantity("0"))
    modify = cmd(ModifyOrder, client_order_id=order_id, trigger_price=Price("-1.5"))
    assert modify.quantity is None
    assert modify.trigger_price == Price("-1.5")


def test_cancel_all_defaults_to_both_sides() -> None:
    assert cmd(CancelAllOrders).order_side is OrderSide.NO_ORDER_SIDE
    assert cmd(CancelAllOrders, order_side=OrderSide.SELL).order_side is OrderSide.SELL


def test_decoding_checks_consistency_too() -> None:
    raw = msgspec.json.decode(CODEC.encode_json(cmd(SubmitOrder, order=limit_init())))
    raw["strategy_id"] = "S-999"
    with pytest.raises(msgspec.ValidationError, match="has strategy_id S-001"):
        CODEC.decode_json(msgspec.json.encode(raw))
    raw = msgspec.json.decode(
        CODEC.encode_json(cmd(ModifyOrder, client_order_id=ClientOrderId("O-1"), price=Price(1)))
    )
    raw["price"] = None
    with pytest.raises(msgspec.ValidationError, match="give quantity"):
        CODEC.decode_json(msgspec.json.encode(raw))


def test_bracket_travels_as_a_submit_order_list_and_rebuilds() -> None:
    orders = bracket(
        **OWNER,
        order_list_id=OrderListId("L-1"),
        client_order_ids=(ClientOrderId("E"), ClientOrderId("SL"), ClientOrderId("TP")),
        entry_side=OrderSide.SELL,
        quantity=Quantity("0.010"),
        entry_price=Price("100.5"),
        stop_loss_trigger=Price("101.25"),
        take_profit_price=Price("98"),
        ts_init=5,
    )
    command = cmd(
        SubmitOrderList,
        order_list_id=orders.order_list_id,
        orders=orders.inits,
        client_id=ClientId("BINANCE"),
    )
    assert_round_trips(command)
    decoded = CODEC.decode_json(CODEC.encode_json(command))
    assert isinstance(decoded, SubmitOrderList)
    rebuilt = OrderList(
        decoded.order_list_id,
        decoded.instrument_id,
        decoded.strategy_id,
        [Order.from_init(init) for init in decoded.orders],
    )
    assert [o.init_event for o in rebuilt] == [o.init_event for o in orders]
    assert rebuilt.first.price == Price("100.5")
    assert rebuilt.orders[1].trigger_price == Price("101.25")
    assert rebuilt.first.quantity == Quantity("0.010")
    assert str(rebuilt.first.quantity) == "0.010"
