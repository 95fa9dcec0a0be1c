"""Order emulation: stops, if-touched and trailing stops held locally and released on trigger."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from shrivenquant.bus import topics
from shrivenquant.model.commands import SubmitOrder
from shrivenquant.model.enums import (
    OrderSide,
    OrderStatus,
    OrderType,
    TimeInForce,
    TrailingOffsetType,
    TriggerType,
)
from shrivenquant.model.values import Price
from shrivenquant.testkit.stubs import TestDataStubs


def quote(h: Any, bid: str, ask: str) -> None:
    tick = TestDataStubs.quote_tick(bid, ask, ts=h.clock.timestamp_ns())
    h.cache.add_quote(tick)  # the data engine writes the cache before it publishes
    h.bus.publish(topics.quotes(tick.instrument_id), tick)


def trade(h: Any, price: str) -> None:
    tick = TestDataStubs.trade_tick(price, ts=h.clock.timestamp_ns())
    h.cache.add_trade(tick)
    h.bus.publish(topics.trades(tick.instrument_id), tick)


def released(h: Any) -> list[Any]:
    return [c.order for c in h.client.commands if isinstance(c, SubmitOrder)]


@pytest.fixture
def h(make_harness: Any) -> Any:
    return make_harness(auto_accept=True)


class TestStops:
    def test_buy_stop_market_releases_as_market_when_ask_reaches_trigger(self, h: Any) -> None:
        order = h.submit(OrderType.STOP_MARKET, emulation_trigger=TriggerType.BID_ASK)
        assert order.status is OrderStatus.EMULATED
        assert h.cache.orders_emulated() == [order]
        quote(h, "50990.00", "50999.99")
        assert released(h) == []
        quote(h, "50999.00", "51000.00")
        [venue] = released(h)
        assert venue.order_type is OrderType.MARKET
        assert venue.client_order_id == order.client_order_id
        assert venue.trigger_price is None
        assert venue.emulation_trigger is None
        assert order.released_price == Price("51000.00")
        assert order.status is OrderStatus.ACCEPTED
        assert h.events_of(order.client_order_id)[:4] == [
            "OrderInitialized",
            "OrderEmulated",
            "OrderReleased",
            "OrderSubmitted",
        ]
        assert h.engine.emulator.emulated_orders() == []

    def test_sell_stop_limit_releases_as_limit_on_bid(self, h: Any) -> None:
        h.submit(
            OrderType.STOP_LIMIT,
            OrderSide.SELL,
            price=Price("48990.00"),
            trigger_price=Price("49000.00"),
            emulation_trigger=TriggerType.DEFAULT,
        )
        quote(h, "49000.01", "49000.10")
        assert released(h) == []
        quote(h, "49000.00", "49000.10")
        [venue] = released(h)
        assert venue.order_type is OrderType.LIMIT
        assert venue.price == Price("48990.00")

    def test_last_price_trigger_watches_trades(self, h: Any) -> None:
        order = h.submit(OrderType.STOP_MARKET, emulation_trigger=TriggerType.LAST_PRICE)
        quote(h, "52000.00", "52000.10")  # quotes do not matter
        assert order.status is OrderStatus.EMULATED
        trade(h, "51000.00")
        assert order.status is OrderStatus.ACCEPTED

    def test_mid_point_trigger(self, h: Any) -> None:
        order = h.submit(OrderType.STOP_MARKET, emulation_trigger=TriggerType.MID_POINT)
        quote(h, "50999.00", "51000.99")  # mid 50999.995
        assert order.status is OrderStatus.EMULATED
        quote(h, "51000.00", "51000.00")
        assert order.status is OrderStatus.ACCEPTED

    def test_already_triggered_market_releases_at_once(self, h: Any) -> None:
        quote(h, "52000.00", "52000.10")
        order = h.submit(OrderType.STOP_MARKET, emulation_trigger=TriggerType.BID_ASK)
        assert order.status is OrderStatus.ACCEPTED

    def test_gtd_market_release_becomes_ioc(self, h: Any) -> None:
        h.submit(
            OrderType.STOP_MARKET,
            emulation_trigger=TriggerType.BID_ASK,
            time_in_force=TimeInForce.GTD,
            expire_time_ns=10**12,
        )
        quote(h, "51000.00", "51000.10")
        [venue] = released(h)
        assert venue.time_in_force is TimeInForce.IOC
        assert venue.expire_time_ns is None


class TestIfTouched:
    def test_buy_market_if_touched_fires_when_price_falls(self, h: Any) -> None:
        order = h.submit(OrderType.MARKET_IF_TOUCHED, emulation_trigger=TriggerType.BID_ASK)
        quote(h, "49000.00", "49000.01")
        assert order.status is OrderStatus.EMULATED
        quote(h, "48999.00", "49000.00")
        assert released(h)[0].order_type is OrderType.MARKET

    def test_sell_limit_if_touched_fires_when_price_rises(self, h: Any) -> None:
        order = h.submit(
            OrderType.LIMIT_IF_TOUCHED,
            OrderSide.SELL,
            price=Price("51010.00"),
            trigger_price=Price("51000.00"),
            emulation_trigger=TriggerType.BID_ASK,
        )
        quote(h, "50999.99", "51000.50")
        assert order.status is OrderStatus.EMULATED
        quote(h, "51000.00", "51000.50")
        [venue] = released(h)
        assert venue.order_type is OrderType.LIMIT
        assert venue.price == Price("51010.00")


class TestTrailing:
    def test_sell_trailing_stop_follows_the_market_up_then_fires(self, h: Any) -> None:
        order = h.submit(
            OrderType.TRAILING_STOP_MARKET, OrderSide.SELL, emulation_trigger=TriggerType.BID_ASK
        )
        assert order.trigger_price is None
        quote(h, "50000.00", "50000.10")
        assert order.trigger_price == Price("49900.00")
        quote(h, "50500.00", "50500.10")
        assert order.trigger_price == Price("50400.00")
        quote(h, "50450.00", "50450.10")  # falls back a little: the trigger stays
        assert order.trigger_price == Price("50400.00")
        assert order.status is OrderStatus.EMULATED
        quote(h, "50400.00", "50400.10")
        [venue] = released(h)
        assert venue.order_type is OrderType.MARKET
        assert h.events_of(order.client_order_id).count("OrderUpdated") == 2

    def test_buy_trailing_stop_limit_in_basis_points(self, h: Any) -> None:
        order = h.submit(
            OrderType.TRAILING_STOP_LIMIT,
            trailing_offset=Decimal(100),
            limit_offset=Decimal(10),
            trailing_offset_type=TrailingOffsetType.BASIS_POINTS,
            emulation_trigger=TriggerType.BID_ASK,
        )
        quote(h, "49999.90", "50000.00")  # 1 % above 50000 is 50500
        assert order.trigger_price == Price("50500.00")
        assert order.price == Price("50550.50")  # 0.1 % above the trigger, rounded up
        quote(h, "49000.00", "49000.10")  # trails down
        assert order.trigger_price == Price("49490.11")
        quote(h, "49490.00", "49490.11")
        [venue] = released(h)
        assert venue.order_type is OrderType.LIMIT
        assert venue.price == order.price

    def test_trailing_in_ticks(self, h: Any) -> None:
        order = h.submit(
            OrderType.TRAILING_STOP_MARKET,
            OrderSide.SELL,
            trailing_offset=Decimal(5),
            trailing_offset_type=TrailingOffsetType.TICKS,
            emulation_trigger=TriggerType.BID_ASK,
        )
        quote(h, "100.00", "100.01")
        assert order.trigger_price == Price("99.95")


class TestLifecycle:
    def test_client_without_the_order_type_gets_it_emulated(self, make_harness: Any) -> None:
        h = make_harness(
            auto_accept=True, supported_order_types=(OrderType.MARKET, OrderType.LIMIT)
        )
        order = h.submit(OrderType.STOP_MARKET)
        assert order.status is OrderStatus.EMULATED
        assert order.emulation_trigger is TriggerType.DEFAULT
        quote(h, "51000.00", "51000.10")
        assert released(h)[0].order_type is OrderType.MARKET

    def test_unwatchable_trigger_is_denied(self, h: Any) -> None:
        order = h.submit(OrderType.STOP_MARKET, emulation_trigger=TriggerType.MARK_PRICE)
        assert order.status is OrderStatus.DENIED

    def test_modify_moves_the_trigger(self, h: Any) -> None:
        order = h.submit(OrderType.STOP_MARKET, emulation_trigger=TriggerType.BID_ASK)
        quote(h, "50499.00", "50500.00")
        h.modify(order.client_order_id, trigger_price=Price("50500.00"))
        assert order.trigger_price == Price("50500.00")
        assert order.status is OrderStatus.ACCEPTED  # the cached quote fires the new trigger

    def test_cancel_stops_watching(self, h: Any) -> None:
        order = h.submit(OrderType.STOP_MARKET, emulation_trigger=TriggerType.BID_ASK)
        h.cancel(order.client_order_id)
        quote(h, "52000.00", "52000.10")
        assert order.status is OrderStatus.CANCELED
        assert released(h) == []

    def test_gtd_expiry_on_the_clock(self, h: Any) -> None:
        order = h.submit(
            OrderType.STOP_MARKET,
            emulation_trigger=TriggerType.BID_ASK,
            time_in_force=TimeInForce.GTD,
            expire_time_ns=5_000,
        )
        h.clock.advance_time(4_999)
        assert order.status is OrderStatus.EMULATED
        h.clock.advance_time(5_000)
        assert order.status is OrderStatus.EXPIRED

    def test_release_without_client_is_denied(self, h: Any) -> None:
        order = h.submit(OrderType.STOP_MARKET, emulation_trigger=TriggerType.BID_ASK)
        h.engine.deregister_client(h.client.client_id)
        quote(h, "51000.00", "51000.10")
        assert order.status is OrderStatus.DENIED
        assert order.released_price == Price("51000.10")  # a buy stop watches the ask

    def test_stop_unsubscribes(self, h: Any) -> None:
        h.submit(OrderType.STOP_MARKET, emulation_trigger=TriggerType.BID_ASK)
        h.submit(OrderType.STOP_MARKET, emulation_trigger=TriggerType.LAST_PRICE)
        tick = TestDataStubs.quote_tick()
        assert h.bus.has_subscribers(topics.quotes(tick.instrument_id))
        h.engine.stop()
        assert not h.bus.has_subscribers(topics.quotes(tick.instrument_id))
        assert not h.bus.has_subscribers(topics.trades(tick.instrument_id))
        assert h.engine.emulator.emulated_orders() == []
