"""Trigger arithmetic: when triggers fire, trailing offsets, and the released venue form."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shrivenquant.execution.triggers import (
    Feed,
    feed_for,
    is_triggered,
    market_price,
    offset_amount,
    trailing_trigger,
    venue_form,
)
from shrivenquant.model.enums import (
    ContingencyType,
    OrderSide,
    OrderType,
    TimeInForce,
    TrailingOffsetType,
    TriggerType,
)
from shrivenquant.model.events import OrderUpdated
from shrivenquant.model.identifiers import ClientOrderId
from shrivenquant.model.orders import Order, validate_order_init
from shrivenquant.model.values import Price
from shrivenquant.testkit.stubs import TestDataStubs, TestEventStubs, TestOrderStubs

P = Price


@pytest.mark.parametrize(
    ("order_type", "side", "price", "fires"),
    [
        (OrderType.STOP_MARKET, OrderSide.BUY, "100.00", True),
        (OrderType.STOP_MARKET, OrderSide.BUY, "99.99", False),
        (OrderType.STOP_MARKET, OrderSide.SELL, "100.00", True),
        (OrderType.STOP_MARKET, OrderSide.SELL, "100.01", False),
        (OrderType.MARKET_IF_TOUCHED, OrderSide.BUY, "100.00", True),
        (OrderType.MARKET_IF_TOUCHED, OrderSide.BUY, "100.01", False),
        (OrderType.LIMIT_IF_TOUCHED, OrderSide.SELL, "100.01", True),
        (OrderType.LIMIT_IF_TOUCHED, OrderSide.SELL, "99.99", False),
    ],
)
def test_is_triggered(order_type: OrderType, side: OrderSide, price: str, fires: bool) -> None:
    assert is_triggered(order_type, side, P("100.00"), P(price)) is fires


def test_market_orders_have_no_trigger() -> None:
    with pytest.raises(ValueError, match="no trigger"):
        is_triggered(OrderType.MARKET, OrderSide.BUY, P("1"), P("1"))


def test_emulated_limit_fires_at_its_price() -> None:
    assert is_triggered(OrderType.LIMIT, OrderSide.BUY, P("100.00"), P("99.99"))
    assert not is_triggered(OrderType.LIMIT, OrderSide.SELL, P("100.00"), P("99.99"))


def test_feeds_and_prices() -> None:
    def order(trigger: TriggerType) -> Order:
        return Order.from_init(
            TestOrderStubs.init(OrderType.STOP_MARKET, emulation_trigger=trigger)
        )

    assert feed_for(order(TriggerType.DEFAULT)) is Feed.BID_ASK
    assert feed_for(order(TriggerType.LAST_PRICE)) is Feed.LAST
    assert feed_for(order(TriggerType.INDEX_PRICE)) is None
    quote = TestDataStubs.quote_tick("10.00", "10.20")
    trade = TestDataStubs.trade_tick("10.10")
    assert market_price(Feed.BID_ASK, OrderSide.BUY, quote) == P("10.20")
    assert market_price(Feed.BID_ASK, OrderSide.SELL, quote) == P("10.00")
    assert market_price(Feed.MID, OrderSide.SELL, quote) == P("10.100")
    assert market_price(Feed.LAST, OrderSide.SELL, trade) == P("10.10")
    assert market_price(Feed.LAST, OrderSide.SELL, quote) is None
    assert market_price(Feed.MID, OrderSide.SELL, trade) is None


def test_offsets() -> None:
    ref = P("200.00")
    assert offset_amount(TrailingOffsetType.PRICE, Decimal(3), ref, None) == Decimal(3)
    assert offset_amount(TrailingOffsetType.BASIS_POINTS, Decimal(50), ref, None) == Decimal(1)
    assert offset_amount(TrailingOffsetType.TICKS, Decimal(4), ref, P("0.05")) == Decimal("0.2")
    with pytest.raises(ValueError, match="price increment"):
        offset_amount(TrailingOffsetType.TICKS, Decimal(4), ref, None)
    with pytest.raises(ValueError, match="no price distance"):
        offset_amount(TrailingOffsetType.NO_TRAILING_OFFSET, Decimal(4), ref, None)


@given(
    prices=st.lists(st.integers(min_value=1_000, max_value=1_000_000), min_size=1, max_size=30),
    sell=st.booleans(),
)
def test_trailing_trigger_only_ratchets(prices: list[int], sell: bool) -> None:
    init = TestOrderStubs.init(
        OrderType.TRAILING_STOP_MARKET,
        OrderSide.SELL if sell else OrderSide.BUY,
        trailing_offset=Decimal("5.00"),
        emulation_trigger=TriggerType.BID_ASK,
    )
    order = Order.from_init(init)
    trigger: Price | None = None
    for raw in prices:
        price = Price.from_raw(raw * 10**7, 2)
        new = trailing_trigger(order, price, P("0.01"))
        if new is not None:
            if trigger is not None:
                assert (new > trigger) if sell else (new < trigger)
            distance = (price - new) if sell else (new - price)
            assert distance == P("5.00")
            trigger = new
            order.apply(
                TestEventStubs._for(OrderUpdated, init, quantity=init.quantity, trigger_price=new)
            )


def test_venue_form_is_a_valid_plain_order() -> None:
    trailing = Order.from_init(
        TestOrderStubs.init(
            OrderType.TRAILING_STOP_LIMIT,
            price=P("50010.00"),
            trigger_price=P("50000.00"),
            emulation_trigger=TriggerType.BID_ASK,
            time_in_force=TimeInForce.GTD,
            expire_time_ns=10**12,
            contingency_type=ContingencyType.OUO,
            linked_order_ids=(ClientOrderId("O-OTHER"),),
        )
    )
    form = venue_form(trailing)
    validate_order_init(form)
    assert form.order_type is OrderType.LIMIT
    assert form.price == P("50010.00")
    assert form.time_in_force is TimeInForce.GTD
    assert form.contingency_type is ContingencyType.NO_CONTINGENCY
    stop = Order.from_init(TestOrderStubs.init(OrderType.STOP_MARKET, post_only=False))
    market = venue_form(stop)
    validate_order_init(market)
    assert market.order_type is OrderType.MARKET
    assert market.price is None
