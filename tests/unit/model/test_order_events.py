"""Order events: every type round-trips exactly through MessagePack and JSON."""

from __future__ import annotations

import inspect
import types
from decimal import Decimal
from enum import Enum
from typing import Any, Union, get_args, get_origin, get_type_hints

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.core.uuid import UUID4
from shrivenquant.model import identifiers as ids
from shrivenquant.model.codec import MessageCodec, all_message_types
from shrivenquant.model.currency import BTC, INR, USD, USDT, Currency
from shrivenquant.model.enums import LiquiditySide, OrderSide, OrderType, TimeInForce
from shrivenquant.model.events import order as order_events
from shrivenquant.model.events.order import ORDER_EVENT_TYPES, OrderFilled, OrderInitialized
from shrivenquant.model.messages import Event
from shrivenquant.model.values import Money, Price, Quantity

CODEC = MessageCodec()

_ID_TEXT = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=24
)
_CODE = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=10)


def _scaled(signed: bool, cls: type[Any]) -> st.SearchStrategy[Any]:
    """Fixed-point values with any precision 0..9 and a raw value exact at that precision."""

    def build(precision: int, units: int) -> Any:
        return cls.from_raw(units * 10 ** (9 - precision), precision)

    bound = 10**15
    return st.builds(build, st.integers(0, 9), st.integers(-bound if signed else 0, bound))


def _money() -> st.SearchStrategy[Money]:
    def build(currency: Currency, extra: int, units: int) -> Money:
        precision = min(9, currency.precision + extra)
        return Money.from_raw(units * 10 ** (9 - precision), currency, precision)

    currencies = st.sampled_from([USDT, BTC, USD, INR])
    return st.builds(build, currencies, st.integers(0, 3), st.integers(-(10**15), 10**15))


BASE: dict[Any, st.SearchStrategy[Any]] = {
    int: st.integers(0, 2**63 - 1),
    bool: st.booleans(),
    str: st.text(max_size=40),
    Decimal: st.decimals(allow_nan=False, allow_infinity=False),
    UUID4: st.uuids(version=4).map(lambda u: UUID4(str(u))),
    Price: _scaled(True, Price),
    Quantity: _scaled(False, Quantity),
    Money: _money(),
    Currency: st.sampled_from([USDT, BTC, USD, INR]),
    ids.InstrumentId: st.builds(lambda s, v: ids.InstrumentId(f"{s}.{v}"), _CODE, _CODE),
    ids.AccountId: st.builds(lambda a, b: ids.AccountId(f"{a}-{b}"), _CODE, _CODE),
}


def strategy_for(tp: Any) -> st.SearchStrategy[Any]:
    """A strategy for any field type used by the model's messages."""
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        options = [strategy_for(a) for a in get_args(tp) if a is not type(None)]
        return st.one_of(st.none(), *options)
    if origin is tuple:
        item, _ = get_args(tp)
        return st.lists(strategy_for(item), max_size=3).map(tuple)
    if origin is dict:
        key, value = get_args(tp)
        return st.dictionaries(strategy_for(key), strategy_for(value), max_size=3)
    if tp in BASE:
        return BASE[tp]
    if isinstance(tp, type) and issubclass(tp, Enum):
        return st.sampled_from(list(tp))
    if isinstance(tp, type) and issubclass(tp, ids.Identifier):
        return _ID_TEXT.map(tp)
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
        return message_strategy(tp)
    raise NotImplementedError(f"no strategy for {tp!r}")


def message_strategy(cls: type[Any]) -> st.SearchStrategy[Any]:
    """Every field of ``cls`` drawn from its type (optional fields included)."""
    hints = get_type_hints(cls)
    fields = {f: strategy_for(hints[f]) for f in cls.__struct_fields__}
    return st.fixed_dictionaries(fields).map(lambda kw: cls(**kw))


def assert_round_trips(message: Any) -> None:
    packed = CODEC.encode(message)
    decoded = CODEC.decode(packed)
    assert type(decoded) is type(message)
    assert decoded == message
    assert CODEC.encode(decoded) == packed  # same precision, same bytes
    text = CODEC.encode_json(message)
    from_json = CODEC.decode_json(text)
    assert from_json == message
    assert CODEC.encode_json(from_json) == text


def test_order_event_types_lists_every_event_of_the_module() -> None:
    defined = {
        obj
        for name, obj in vars(order_events).items()
        if inspect.isclass(obj)
        and issubclass(obj, Event)
        and not name.startswith("_")
        and obj.__module__ == order_events.__name__
    }
    assert defined == set(ORDER_EVENT_TYPES)
    assert len(ORDER_EVENT_TYPES) == 16
    assert set(ORDER_EVENT_TYPES) <= set(all_message_types())


@pytest.mark.parametrize("cls", ORDER_EVENT_TYPES, ids=lambda c: c.__name__)
@settings(max_examples=60)
@given(data=st.data())
def test_every_event_round_trips(cls: type[Any], data: st.DataObject) -> None:
    event = data.draw(message_strategy(cls))
    assert_round_trips(event)
    common = ("trader_id", "strategy_id", "instrument_id", "client_order_id", "reconciliation")
    assert all(hasattr(event, name) for name in common)


def _filled(**kw: Any) -> OrderFilled:
    fields: dict[str, Any] = {
        "event_id": UUID4(),
        "ts_event": 1,
        "ts_init": 2,
        "trader_id": ids.TraderId("TRADER-001"),
        "strategy_id": ids.StrategyId("S-1"),
        "instrument_id": ids.InstrumentId("BTCUSDT.BINANCE"),
        "client_order_id": ids.ClientOrderId("O-1"),
        "venue_order_id": ids.VenueOrderId("V-1"),
        "account_id": ids.AccountId("BINANCE-001"),
        "trade_id": ids.TradeId("T-1"),
        "order_side": OrderSide.BUY,
        "order_type": OrderType.LIMIT,
        "last_qty": Quantity("0.100"),
        "last_px": Price("65000.10"),
        "currency": USDT,
        "commission": Money("0.0065", USDT),
        "liquidity_side": LiquiditySide.MAKER,
    }
    fields.update(kw)
    return OrderFilled(**fields)


def test_json_shape_is_readable_and_keeps_precision() -> None:
    event = _filled()
    text = CODEC.encode_json(event).decode()
    assert '"type":"OrderFilled"' in text
    assert '"last_qty":"0.100"' in text
    assert '"last_px":"65000.10"' in text
    assert '"commission":"0.00650000 USDT"' in text
    # fields at their defaults are left out and come back as the default
    assert "position_id" not in text
    assert "reconciliation" not in text
    decoded = CODEC.decode_json(text)
    assert isinstance(decoded, OrderFilled)
    assert decoded.position_id is None
    assert decoded.reconciliation is False


def test_events_are_immutable() -> None:
    event = _filled()
    with pytest.raises(AttributeError):
        event.last_qty = Quantity("1")  # type: ignore[misc]


def test_decimal_offsets_keep_their_exponent() -> None:
    init = OrderInitialized(
        event_id=UUID4(),
        ts_event=0,
        ts_init=0,
        trader_id=ids.TraderId("T-1"),
        strategy_id=ids.StrategyId("S-1"),
        instrument_id=ids.InstrumentId("BTCUSDT.BINANCE"),
        client_order_id=ids.ClientOrderId("O-1"),
        order_side=OrderSide.SELL,
        order_type=OrderType.TRAILING_STOP_LIMIT,
        quantity=Quantity("1"),
        time_in_force=TimeInForce.GTC,
        trailing_offset=Decimal("1.50"),
        limit_offset=Decimal("0.10"),
    )
    decoded = CODEC.decode(CODEC.encode(init))
    assert isinstance(decoded, OrderInitialized)
    assert str(decoded.trailing_offset) == "1.50"
    assert str(decoded.limit_offset) == "0.10"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("last_qty", "-1", "cannot be negative"),
        ("last_px", "1.2.3", "invalid Price"),
        ("commission", "1.0 NOPE", "unknown currency"),
        ("account_id", "NODASH", "ISSUER-NUMBER"),
        ("order_side", "UP", r"\$\.order_side"),
        ("ts_event", "soon", r"\$\.ts_event"),
    ],
)
def test_bad_json_is_refused(field: str, value: str, message: str) -> None:
    raw = msgspec.json.decode(CODEC.encode_json(_filled()))
    raw[field] = value
    with pytest.raises(msgspec.ValidationError, match=message):
        CODEC.decode_json(msgspec.json.encode(raw))


def test_missing_field_is_refused() -> None:
    raw = msgspec.json.decode(CODEC.encode_json(_filled()))
    del raw["trade_id"]
    with pytest.raises(msgspec.ValidationError, match="trade_id"):
        CODEC.decode_json(msgspec.json.encode(raw))
