"""The order factory: every order type, checked arguments, deterministic unique ids."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.cache import Cache
from shrivenquant.core.clock import TestClock
from shrivenquant.model.enums import (
    ContingencyType,
    OrderSide,
    OrderType,
    TimeInForce,
    TrailingOffsetType,
    TriggerType,
)
from shrivenquant.model.identifiers import (
    ClientOrderId,
    InstrumentId,
    OrderListId,
    StrategyId,
    TraderId,
)
from shrivenquant.model.orders import Order, OrderList
from shrivenquant.model.values import Price, Quantity
from shrivenquant.strategy import OrderFactory, OrderIdGenerator
from shrivenquant.testkit.instruments import TestInstrumentProvider

T0 = 1_704_164_645_123_456_789  # 2024-01-02T03:04:05.123456789Z
TRADER = TraderId("TRADER-001")
BTC = TestInstrumentProvider.btcusdt_binance()  # tick 0.01, step 0.00001
IID = BTC.id
ONE = Quantity("1.00000")
BUY, SELL = OrderSide.BUY, OrderSide.SELL


def factory(clock: TestClock | None = None, checked: bool = True) -> OrderFactory:
    cache = Cache()
    cache.add_instrument(BTC)
    return OrderFactory(
        TRADER,
        StrategyId("SMACross-001"),
        clock or TestClock(T0),
        instruments=cache.view() if checked else None,
    )


def test_every_order_type_is_built_initialized_with_its_fields() -> None:
    f = factory()
    px, trig = Price("50000.00"), Price("49900.00")
    orders: list[tuple[Order, OrderType]] = [
        (f.market(IID, BUY, ONE, time_in_force=TimeInForce.IOC), OrderType.MARKET),
        (f.limit(IID, SELL, ONE, px, post_only=True, display_qty=Quantity("0.1")), OrderType.LIMIT),
        (
            f.stop_market(IID, SELL, ONE, trig, trigger_type=TriggerType.LAST_PRICE),
            OrderType.STOP_MARKET,
        ),
        (f.stop_limit(IID, SELL, ONE, px, trig), OrderType.STOP_LIMIT),
        (f.market_if_touched(IID, BUY, ONE, trig), OrderType.MARKET_IF_TOUCHED),
        (f.limit_if_touched(IID, BUY, ONE, px, trig), OrderType.LIMIT_IF_TOUCHED),
        (f.trailing_stop_market(IID, SELL, ONE, Decimal("25")), OrderType.TRAILING_STOP_MARKET),
        (
            f.trailing_stop_limit(
                IID,
                SELL,
                ONE,
                Decimal("2"),
                Decimal("10"),
                trailing_offset_type=TrailingOffsetType.TICKS,
            ),
            OrderType.TRAILING_STOP_LIMIT,
        ),
    ]
    for order, order_type in orders:
        assert order.order_type is order_type
        assert order.is_local
        assert order.filled_qty == Quantity(0)
        assert order.trader_id == TRADER
        assert order.strategy_id == StrategyId("SMACross-001")
        assert order.ts_init == T0
        assert order.init_event.ts_event == T0
    assert orders[1][0].post_only
    assert orders[1][0].display_qty == Quantity("0.1")
    assert orders[2][0].trigger_type is TriggerType.LAST_PRICE
    assert orders[3][0].price == px
    assert orders[3][0].trigger_price == trig
    assert orders[6][0].trailing_offset == Decimal("25")
    assert orders[6][0].trailing_offset_type is TrailingOffsetType.PRICE
    assert orders[7][0].limit_offset == Decimal("2")
    assert [o.client_order_id.value for o, _ in orders] == [
        f"O-20240102-030405-001-001-{n}" for n in range(1, 9)
    ]


def test_options_reach_the_order() -> None:
    f = factory()
    order = f.limit(
        IID,
        BUY,
        ONE,
        Price("1.00"),
        time_in_force=TimeInForce.GTD,
        expire_time_ns=T0 + 1,
        reduce_only=True,
        emulation_trigger=TriggerType.BID_ASK,
        tags=["entry", "grid"],
    )
    assert order.expire_time_ns == T0 + 1
    assert order.reduce_only
    assert order.emulation_trigger is TriggerType.BID_ASK
    assert order.tags == ("entry", "grid")
    quote = f.market(IID, BUY, Quantity("100.123"), quote_quantity=True)  # off the lot: allowed
    assert quote.quote_quantity


def test_bracket_builds_a_linked_list() -> None:
    f = factory()
    bracket = f.bracket(
        IID,
        BUY,
        ONE,
        Price("49000.00"),
        Price("51000.00"),
        entry_price=Price("50000.00"),
        exit_contingency=ContingencyType.OCO,
    )
    assert isinstance(bracket, OrderList)
    entry, stop, profit = bracket
    assert bracket.order_list_id.value == "OL-20240102-030405-001-001-1"
    assert entry.order_type is OrderType.LIMIT
    assert entry.is_parent
    assert stop.order_type is OrderType.STOP_MARKET
    assert stop.trigger_price == Price("49000.00")
    assert profit.price == Price("51000.00")
    assert profit.contingency_type is ContingencyType.OCO
    assert [o.client_order_id.value.rsplit("-", 1)[1] for o in bracket] == ["1", "2", "3"]


Build = Callable[[OrderFactory], Any]

BAD: list[tuple[str, Build, str]] = [
    (
        "off tick",
        lambda f: f.limit(IID, BUY, ONE, Price("50000.005")),
        "limit: price 50000.005 is not a multiple of BTCUSDT.BINANCE's tick 0.01",
    ),
    (
        "off lot",
        lambda f: f.market(IID, BUY, Quantity("0.000001")),
        "market: quantity 0.000001 is not a multiple",
    ),
    ("zero qty", lambda f: f.market(IID, BUY, Quantity(0)), "market: quantity must be positive"),
    (
        "float qty",
        lambda f: f.market(IID, BUY, 1.0),
        "market: quantity must be a Quantity, got 1.0",
    ),
    (
        "str side",
        lambda f: f.market(IID, "BUY", ONE),
        "market: side must be OrderSide.BUY or OrderSide.SELL",
    ),
    ("no side", lambda f: f.market(IID, OrderSide.NO_ORDER_SIDE, ONE), "market: side must be"),
    (
        "str id",
        lambda f: f.market("BTCUSDT.BINANCE", BUY, ONE),
        "market: instrument_id must be an InstrumentId",
    ),
    (
        "unknown",
        lambda f: f.market(InstrumentId("ETH.X"), BUY, ONE),
        "market: instrument_id ETH.X is not in the cache",
    ),
    ("str price", lambda f: f.limit(IID, BUY, ONE, "1.00"), "limit: price must be a Price"),
    (
        "no price",
        lambda f: f.stop_limit(IID, BUY, ONE, None, Price("1.00")),
        "stop_limit: STOP_LIMIT order O-",
    ),
    (
        "off tick trigger",
        lambda f: f.stop_market(IID, SELL, ONE, Price("1.001")),
        "stop_market: trigger_price 1.001 is not a multiple",
    ),
    (
        "gtd market",
        lambda f: f.market(IID, BUY, ONE, time_in_force=TimeInForce.GTD),
        "time_in_force GTD not allowed",
    ),
    (
        "gtd no expiry",
        lambda f: f.limit(IID, BUY, ONE, Price("1.00"), time_in_force=TimeInForce.GTD),
        "expire_time_ns (positive UNIX ns) is required for GTD",
    ),
    (
        "past expiry",
        lambda f: f.limit(
            IID, BUY, ONE, Price("1.00"), time_in_force=TimeInForce.GTD, expire_time_ns=T0
        ),
        "limit: expire_time_ns",
    ),
    (
        "tif str",
        lambda f: f.market(IID, BUY, ONE, time_in_force="GTC"),
        "market: time_in_force must be a TimeInForce",
    ),
    (
        "flag",
        lambda f: f.market(IID, BUY, ONE, reduce_only=1),
        "market: reduce_only must be True or False",
    ),
    (
        "float offset",
        lambda f: f.trailing_stop_market(IID, SELL, ONE, 2.5),
        "trailing_stop_market: trailing_offset must be a Decimal",
    ),
    (
        "nan offset",
        lambda f: f.trailing_stop_market(IID, SELL, ONE, Decimal("NaN")),
        "trailing_offset must be finite",
    ),
    (
        "zero offset",
        lambda f: f.trailing_stop_market(IID, SELL, ONE, Decimal(0)),
        "trailing_offset must be positive",
    ),
    (
        "ticks offset",
        lambda f: f.trailing_stop_market(
            IID, SELL, ONE, Decimal("1.5"), trailing_offset_type=TrailingOffsetType.TICKS
        ),
        "in TICKS must be a whole number",
    ),
    (
        "iceberg",
        lambda f: f.limit(IID, BUY, ONE, Price("1.00"), display_qty=Quantity("2")),
        "display_qty must not exceed quantity",
    ),
    (
        "post ioc",
        lambda f: f.limit(
            IID, BUY, ONE, Price("1.00"), post_only=True, time_in_force=TimeInForce.IOC
        ),
        "post_only cannot be combined with IOC",
    ),
    (
        "tags str",
        lambda f: f.market(IID, BUY, ONE, tags="x"),
        "market: tags must be a sequence of str",
    ),
    (
        "bracket sides",
        lambda f: f.bracket(IID, BUY, ONE, Price("51000.00"), Price("49000.00")),
        "bracket: bracket BUY: need stop_loss_trigger",
    ),
    (
        "bracket tick",
        lambda f: f.bracket(IID, BUY, ONE, Price("49000.001"), Price("51000.00")),
        "bracket: stop_loss_trigger 49000.001 is not a multiple",
    ),
    (
        "bracket contingency",
        lambda f: f.bracket(
            IID, BUY, ONE, Price("1.00"), Price("3.00"), exit_contingency=ContingencyType.OTO
        ),
        "exit_contingency must be OCO or OUO",
    ),
]


@pytest.mark.parametrize(("case", "build", "message"), BAD, ids=[c for c, _, _ in BAD])
def test_bad_arguments_are_refused_naming_them(case: str, build: Build, message: str) -> None:
    f = factory()
    with pytest.raises(ValueError) as info:
        build(f)
    assert message in str(info.value)
    # A refused order uses up no id: the next one is number 1.
    assert f.market(IID, BUY, ONE).client_order_id.value.endswith("-1")
    assert f.ids.order_list_count == 0


def test_without_an_instrument_lookup_ticks_are_left_to_risk() -> None:
    order = factory(checked=False).limit(IID, BUY, Quantity("0.0000001"), Price("1.001"))
    assert order.price == Price("1.001")


def test_ids_follow_the_clock_and_the_count() -> None:
    clock = TestClock(T0)
    f = factory(clock)
    first = f.market(IID, BUY, ONE).client_order_id.value
    clock.set_time(T0 + 86_400_000_000_000 + 3_600_000_000_000)
    second = f.market(IID, BUY, ONE).client_order_id.value
    assert (first, second) == ("O-20240102-030405-001-001-1", "O-20240103-040405-001-001-2")
    f.ids.set_counts(41, 9)
    assert f.market(IID, BUY, ONE).client_order_id.value.endswith("-001-001-42")
    with pytest.raises(ValueError, match="order_count must be an int >= 0"):
        f.ids.set_counts(-1, 0)
    tagged = OrderFactory(TRADER, StrategyId("X-1"), clock, order_id_tag="ALPHA")
    assert tagged.market(IID, BUY, ONE).client_order_id.value == "O-20240103-040405-001-ALPHA-1"
    with pytest.raises(ValueError, match="without '-'"):
        OrderIdGenerator(TRADER, "A-B", clock)


def test_continue_after_skips_past_this_generators_ids_only() -> None:
    clock = TestClock(T0)
    ids = OrderIdGenerator(TRADER, "001", clock)
    ids.continue_after(
        [
            ClientOrderId("O-20240101-000000-001-001-7"),
            ClientOrderId("O-20240101-000000-001-002-99"),  # another strategy's
            ClientOrderId("MANUAL-1"),
        ],
        [OrderListId("OL-20240101-000000-001-001-3")],
    )
    assert (ids.order_count, ids.order_list_count) == (7, 3)
    ids.continue_after([ClientOrderId("O-20240101-000000-001-001-2")], [])
    assert ids.order_count == 7  # never goes back
    assert ids.client_order_id().value == "O-20240102-030405-001-001-8"


_FORMAT = re.compile(r"^(O|OL)-\d{8}-\d{6}-001-001-\d+$")


@settings(max_examples=200)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(["market", "limit", "bracket", "bad"]), st.integers(0, 10**12)),
        max_size=30,
    )
)
def test_ids_are_unique_and_replay_identically(steps: list[tuple[str, int]]) -> None:
    def run() -> list[str]:
        clock = TestClock(T0)
        f = factory(clock)
        ids: list[str] = []
        for kind, advance in steps:
            clock.set_time(clock.timestamp_ns() + advance)
            if kind == "market":
                ids.append(f.market(IID, BUY, ONE).client_order_id.value)
            elif kind == "limit":
                ids.append(f.limit(IID, SELL, ONE, Price("2.00")).client_order_id.value)
            elif kind == "bracket":
                bracket = f.bracket(IID, BUY, ONE, Price("1.00"), Price("3.00"))
                ids.append(bracket.order_list_id.value)
                ids.extend(o.client_order_id.value for o in bracket)
            else:
                with pytest.raises(ValueError):
                    f.limit(IID, BUY, ONE, Price("1.001"))
        return ids

    first = run()
    assert first == run()
    assert len(set(first)) == len(first)
    assert all(_FORMAT.match(i) for i in first)
    counts = [int(i.rsplit("-", 1)[1]) for i in first if i.startswith("O-")]
    assert sorted(counts) == list(range(1, len(counts) + 1))
