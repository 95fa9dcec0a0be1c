"""Scenario tests: every order type and time in force of the model at the simulated venue."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shrivenquant.model.enums import (
    LiquiditySide,
    OrderSide,
    OrderStatus,
    OrderType,
    TimeInForce,
    TrailingOffsetType,
    TriggerType,
)
from shrivenquant.model.values import Price, Quantity
from shrivenquant.sim import RejectCode

from .conftest import VenueHarness, default_config

BUY, SELL = OrderSide.BUY, OrderSide.SELL
NS_PER_DAY = 86_400_000_000_000


@pytest.fixture
def quoted() -> VenueHarness:
    harness = VenueHarness()
    harness.quote("49990.00", "50010.00", "1.00000", "1.00000")
    return harness


class TestMarket:
    @pytest.mark.parametrize("tif", [TimeInForce.GTC, TimeInForce.IOC, TimeInForce.DAY])
    def test_fills_against_the_ask(self, quoted: VenueHarness, tif: TimeInForce) -> None:
        cid = quoted.submit(OrderType.MARKET, BUY, "0.40000", time_in_force=tif)
        assert quoted.rec.kinds(cid) == ["accepted", "filled"]
        fill = quoted.rec.fills_of(cid)[0]
        assert fill.last_px == Price("50010.00")
        assert fill.last_qty == Quantity("0.40000")
        assert fill.liquidity_side is LiquiditySide.TAKER
        assert quoted.sim_order(cid).status is OrderStatus.FILLED

    def test_what_the_top_cannot_fill_expires(self, quoted: VenueHarness) -> None:
        cid = quoted.submit(OrderType.MARKET, SELL, "1.50000")
        assert quoted.rec.kinds(cid) == ["accepted", "filled", "expired"]
        assert quoted.sim_order(cid).filled_raw == Quantity("1.00000").raw

    def test_quote_size_is_consumed_until_the_next_quote(self, quoted: VenueHarness) -> None:
        first = quoted.submit(OrderType.MARKET, BUY, "0.70000")
        second = quoted.submit(OrderType.MARKET, BUY, "0.70000")
        assert quoted.sim_order(first).filled_raw == Quantity("0.70000").raw
        assert quoted.sim_order(second).filled_raw == Quantity("0.30000").raw
        quoted.quote("49990.00", "50020.00")
        third = quoted.submit(OrderType.MARKET, BUY, "0.50000")
        assert quoted.rec.fills_of(third)[0].last_px == Price("50020.00")

    def test_fill_or_kill_without_enough_liquidity_expires_unfilled(
        self, quoted: VenueHarness
    ) -> None:
        cid = quoted.submit(OrderType.MARKET, BUY, "2.00000", time_in_force=TimeInForce.FOK)
        assert quoted.rec.kinds(cid) == ["accepted", "expired"]

    def test_fill_or_kill_with_enough_liquidity_fills(self, quoted: VenueHarness) -> None:
        cid = quoted.submit(OrderType.MARKET, BUY, "1.00000", time_in_force=TimeInForce.FOK)
        assert quoted.rec.kinds(cid) == ["accepted", "filled"]

    def test_no_liquidity_expires(self, venue: VenueHarness) -> None:
        cid = venue.submit(OrderType.MARKET, BUY, "0.10000")
        assert venue.rec.kinds(cid) == ["accepted", "expired"]

    def test_takes_the_book_and_the_market_best_price_first(self, quoted: VenueHarness) -> None:
        maker = quoted.submit(OrderType.LIMIT, SELL, "0.50000", price=Price("50005.00"))
        cid = quoted.submit(OrderType.MARKET, BUY, "1.00000")
        fills = quoted.rec.fills_of(cid)
        assert [(f.last_px, f.last_qty) for f in fills] == [
            (Price("50005.00"), Quantity("0.50000")),
            (Price("50010.00"), Quantity("0.50000")),
        ]
        maker_fill = quoted.rec.fills_of(maker)[0]
        assert maker_fill.liquidity_side is LiquiditySide.MAKER


class TestLimit:
    def test_passive_order_rests_and_fills_when_the_market_crosses(
        self, quoted: VenueHarness
    ) -> None:
        cid = quoted.submit(OrderType.LIMIT, BUY, "1.00000", price=Price("50000.00"))
        assert quoted.rec.kinds(cid) == ["accepted"]
        assert cid in {o.init.client_order_id for o in quoted.engine.resting_orders()}
        quoted.quote("49980.00", "49995.00", "1.00000", "0.40000")
        fill = quoted.rec.fills_of(cid)[0]
        assert (fill.last_px, fill.last_qty) == (Price("50000.00"), Quantity("0.40000"))
        assert fill.liquidity_side is LiquiditySide.MAKER
        assert quoted.sim_order(cid).status is OrderStatus.PARTIALLY_FILLED
        quoted.quote("49980.00", "49999.00", "1.00000", "5.00000")
        assert quoted.sim_order(cid).status is OrderStatus.FILLED
        assert sum(f.last_qty.raw for f in quoted.rec.fills_of(cid)) == Quantity("1").raw

    def test_marketable_order_takes_then_rests(self, quoted: VenueHarness) -> None:
        cid = quoted.submit(OrderType.LIMIT, BUY, "1.50000", price=Price("50010.00"))
        assert quoted.rec.kinds(cid) == ["accepted", "filled"]
        order = quoted.sim_order(cid)
        assert order.status is OrderStatus.PARTIALLY_FILLED
        assert quoted.engine.book.order(order.key).size == Quantity("0.50000")

    def test_ioc_fills_what_it_can_and_expires_the_rest(self, quoted: VenueHarness) -> None:
        cid = quoted.submit(
            OrderType.LIMIT, BUY, "1.50000", price=Price("50010.00"), time_in_force=TimeInForce.IOC
        )
        assert quoted.rec.kinds(cid) == ["accepted", "filled", "expired"]
        assert not quoted.engine.resting_orders()

    def test_ioc_that_cannot_trade_expires(self, quoted: VenueHarness) -> None:
        cid = quoted.submit(
            OrderType.LIMIT, BUY, "1.00000", price=Price("50000.00"), time_in_force=TimeInForce.IOC
        )
        assert quoted.rec.kinds(cid) == ["accepted", "expired"]

    @pytest.mark.parametrize(
        ("qty", "kinds"),
        [("1.00000", ["accepted", "filled"]), ("1.00001", ["accepted", "expired"])],
    )
    def test_fok_all_or_nothing(self, quoted: VenueHarness, qty: str, kinds: list[str]) -> None:
        cid = quoted.submit(
            OrderType.LIMIT, BUY, qty, price=Price("50010.00"), time_in_force=TimeInForce.FOK
        )
        assert quoted.rec.kinds(cid) == kinds

    def test_fok_counts_the_book_and_the_market(self, quoted: VenueHarness) -> None:
        quoted.submit(OrderType.LIMIT, SELL, "0.50000", price=Price("50005.00"))
        cid = quoted.submit(
            OrderType.LIMIT, BUY, "1.50000", price=Price("50010.00"), time_in_force=TimeInForce.FOK
        )
        assert quoted.rec.kinds(cid) == ["accepted", "filled", "filled"]

    def test_gtd_expires_on_the_clock(self, quoted: VenueHarness) -> None:
        now = quoted.clock.timestamp_ns()
        cid = quoted.submit(
            OrderType.LIMIT,
            BUY,
            price=Price("49000.00"),
            time_in_force=TimeInForce.GTD,
            expire_time_ns=now + 5_000,
        )
        quoted.advance(4_999)
        assert quoted.rec.kinds(cid) == ["accepted"]
        quoted.advance(1)
        assert quoted.rec.kinds(cid) == ["accepted", "expired"]
        assert not quoted.engine.resting_orders()
        assert quoted.free() == quoted.total()  # the lock is released

    def test_gtd_in_the_past_is_rejected(self, quoted: VenueHarness) -> None:
        now = quoted.clock.timestamp_ns()
        cid = quoted.submit(
            OrderType.LIMIT,
            BUY,
            price=Price("49000.00"),
            time_in_force=TimeInForce.GTD,
            expire_time_ns=now,
        )
        assert quoted.rec.reason(cid).startswith(RejectCode.EXPIRE_TIME)

    def test_filled_gtd_does_not_expire(self, quoted: VenueHarness) -> None:
        now = quoted.clock.timestamp_ns()
        cid = quoted.submit(
            OrderType.LIMIT,
            BUY,
            "0.50000",
            price=Price("50010.00"),
            time_in_force=TimeInForce.GTD,
            expire_time_ns=now + 10,
        )
        quoted.advance(100)
        assert quoted.rec.kinds(cid) == ["accepted", "filled"]

    def test_day_order_expires_at_the_day_close(self) -> None:
        config = default_config(day_close_utc="10:00")
        harness = VenueHarness(config)
        harness.quote("49990.00", "50010.00")
        cid = harness.submit(
            OrderType.LIMIT, BUY, price=Price("49000.00"), time_in_force=TimeInForce.DAY
        )
        expiry = harness.sim_order(cid).expiry_ns
        assert expiry == 10 * 3_600_000_000_000  # 10:00 UTC on the first day
        harness.advance(expiry - harness.clock.timestamp_ns() - 1)
        assert harness.rec.kinds(cid) == ["accepted"]
        harness.advance(1)
        assert harness.rec.kinds(cid) == ["accepted", "expired"]

    def test_day_order_after_the_close_expires_next_day(self) -> None:
        harness = VenueHarness(default_config(day_close_utc="00:00"))
        cid = harness.submit(
            OrderType.LIMIT, BUY, price=Price("49000.00"), time_in_force=TimeInForce.DAY
        )
        assert harness.sim_order(cid).expiry_ns == NS_PER_DAY

    def test_post_only_that_would_take_is_rejected(self, quoted: VenueHarness) -> None:
        cid = quoted.submit(OrderType.LIMIT, BUY, price=Price("50010.00"), post_only=True)
        record = quoted.rec.of(cid, "rejected")[0]
        assert record.detail["due_post_only"] is True
        assert record.detail["reason"].startswith(RejectCode.POST_ONLY_WOULD_TAKE)

    def test_post_only_against_the_book_is_rejected(self, quoted: VenueHarness) -> None:
        quoted.submit(OrderType.LIMIT, SELL, price=Price("50001.00"))
        cid = quoted.submit(OrderType.LIMIT, BUY, price=Price("50001.00"), post_only=True)
        assert quoted.rec.kinds(cid) == ["rejected"]

    def test_post_only_that_rests_is_accepted(self, quoted: VenueHarness) -> None:
        cid = quoted.submit(OrderType.LIMIT, BUY, price=Price("50000.00"), post_only=True)
        assert quoted.rec.kinds(cid) == ["accepted"]

    def test_display_quantity_is_accepted_and_fully_matchable(self, quoted: VenueHarness) -> None:
        cid = quoted.submit(
            OrderType.LIMIT, SELL, price=Price("50005.00"), display_qty=Quantity("0.10000")
        )
        taker = quoted.submit(OrderType.LIMIT, BUY, price=Price("50005.00"))
        assert quoted.rec.fills_of(taker)[0].last_qty == Quantity("1.00000")
        assert quoted.sim_order(cid).status is OrderStatus.FILLED


class TestStops:
    def test_stop_market_waits_then_fills_at_the_market(self, quoted: VenueHarness) -> None:
        cid = quoted.submit(OrderType.STOP_MARKET, BUY, "0.50000", trigger_price=Price("50100.00"))
        assert quoted.rec.kinds(cid) == ["accepted"]
        quoted.quote("50080.00", "50095.00")
        assert quoted.rec.kinds(cid) == ["accepted"]
        quoted.quote("50110.00", "50120.00")
        assert quoted.rec.kinds(cid) == ["accepted", "filled"]
        assert quoted.rec.fills_of(cid)[0].last_px == Price("50120.00")  # gapped through

    def test_stop_already_reached_is_rejected(self, quoted: VenueHarness) -> None:
        cid = quoted.submit(OrderType.STOP_MARKET, BUY, "0.50000", trigger_price=Price("50010.00"))
        assert quoted.rec.reason(cid).startswith(RejectCode.STOP_WOULD_TRIGGER)

    def test_stop_already_reached_triggers_when_allowed(self) -> None:
        harness = VenueHarness(default_config(reject_stop_orders=False))
        harness.quote("49990.00", "50010.00")
        cid = harness.submit(OrderType.STOP_MARKET, BUY, "0.50000", trigger_price=Price("50000.00"))
        assert harness.rec.kinds(cid) == ["accepted", "filled"]

    def test_sell_stop_limit_triggers_then_works_as_a_limit(self, quoted: VenueHarness) -> None:
        cid = quoted.submit(
            OrderType.STOP_LIMIT,
            SELL,
            "1.00000",
            trigger_price=Price("49900.00"),
            price=Price("49890.00"),
        )
        quoted.quote("49880.00", "49885.00")  # bid 49880 fires the stop; limit 49890 rests
        assert quoted.rec.kinds(cid) == ["accepted", "triggered"]
        assert quoted.sim_order(cid).status is OrderStatus.TRIGGERED
        assert quoted.engine.book.best_ask().price == Price("49890.00")
        quoted.quote("49895.00", "49899.00")  # a bid through the limit fills it
        assert quoted.rec.kinds(cid) == ["accepted", "triggered", "filled"]
        assert quoted.rec.fills_of(cid)[0].last_px == Price("49890.00")

    def test_stop_limit_marketable_on_trigger_takes(self, quoted: VenueHarness) -> None:
        cid = quoted.submit(
            OrderType.STOP_LIMIT,
            BUY,
            "0.50000",
            trigger_price=Price("50050.00"),
            price=Price("50100.00"),
        )
        quoted.quote("50040.00", "50060.00")
        assert quoted.rec.kinds(cid) == ["accepted", "triggered", "filled"]
        assert quoted.rec.fills_of(cid)[0].last_px == Price("50060.00")

    def test_post_only_stop_limit_that_would_take_on_trigger_is_rejected(
        self, quoted: VenueHarness
    ) -> None:
        cid = quoted.submit(
            OrderType.STOP_LIMIT,
            BUY,
            trigger_price=Price("50050.00"),
            price=Price("50100.00"),
            post_only=True,
        )
        quoted.quote("50040.00", "50060.00")
        assert quoted.rec.kinds(cid) == ["accepted", "triggered", "rejected"]

    def test_market_if_touched_buys_on_a_dip(self, quoted: VenueHarness) -> None:
        cid = quoted.submit(
            OrderType.MARKET_IF_TOUCHED, BUY, "0.50000", trigger_price=Price("49900.00")
        )
        quoted.quote("49880.00", "49905.00")
        assert quoted.rec.kinds(cid) == ["accepted"]
        quoted.quote("49880.00", "49895.00")
        assert quoted.rec.kinds(cid) == ["accepted", "filled"]
        assert quoted.rec.fills_of(cid)[0].last_px == Price("49895.00")

    def test_market_if_touched_already_touched_triggers_at_once(self, quoted: VenueHarness) -> None:
        cid = quoted.submit(
            OrderType.MARKET_IF_TOUCHED, SELL, "0.50000", trigger_price=Price("49900.00")
        )
        assert quoted.rec.kinds(cid) == ["accepted", "filled"]

    def test_limit_if_touched_triggers_and_rests(self, quoted: VenueHarness) -> None:
        cid = quoted.submit(
            OrderType.LIMIT_IF_TOUCHED,
            SELL,
            trigger_price=Price("50100.00"),
            price=Price("50120.00"),
        )
        quoted.quote("50100.00", "50130.00")
        assert quoted.rec.kinds(cid) == ["accepted", "triggered"]
        assert quoted.engine.book.best_ask().price == Price("50120.00")

    def test_last_price_trigger_watches_trades(self, quoted: VenueHarness) -> None:
        cid = quoted.submit(
            OrderType.STOP_MARKET,
            SELL,
            "0.50000",
            trigger_price=Price("49950.00"),
            trigger_type=TriggerType.LAST_PRICE,
        )
        quoted.quote("49940.00", "49960.00")  # quotes do not fire a LAST_PRICE trigger
        assert quoted.rec.kinds(cid) == ["accepted"]
        quoted.trade("49950.00")
        assert quoted.rec.kinds(cid) == ["accepted", "filled"]

    def test_mid_point_trigger(self, quoted: VenueHarness) -> None:
        cid = quoted.submit(
            OrderType.STOP_MARKET,
            BUY,
            "0.50000",
            trigger_price=Price("50100.00"),
            trigger_type=TriggerType.MID_POINT,
        )
        quoted.quote("50080.00", "50110.00")  # mid 50095
        assert quoted.rec.kinds(cid) == ["accepted"]
        quoted.quote("50090.00", "50110.00")  # mid 50100
        assert quoted.rec.kinds(cid) == ["accepted", "filled"]

    def test_mark_price_trigger_is_unsupported(self, quoted: VenueHarness) -> None:
        cid = quoted.submit(
            OrderType.STOP_MARKET,
            BUY,
            trigger_price=Price("50100.00"),
            trigger_type=TriggerType.MARK_PRICE,
        )
        assert quoted.rec.reason(cid).startswith(RejectCode.UNSUPPORTED)

    def test_untriggered_stop_expires_gtd(self, quoted: VenueHarness) -> None:
        now = quoted.clock.timestamp_ns()
        cid = quoted.submit(
            OrderType.STOP_MARKET,
            BUY,
            trigger_price=Price("51000.00"),
            time_in_force=TimeInForce.GTD,
            expire_time_ns=now + 100,
        )
        quoted.advance(100)
        assert quoted.rec.kinds(cid) == ["accepted", "expired"]
        assert not quoted.engine.trigger_orders()


class TestTrailingStops:
    def test_trailing_stop_market_follows_the_market_and_fires(self, quoted: VenueHarness) -> None:
        quoted.trade("50000.00")
        cid = quoted.submit(
            OrderType.TRAILING_STOP_MARKET,
            SELL,
            "0.50000",
            trailing_offset=Decimal("100"),
            trailing_offset_type=TrailingOffsetType.PRICE,
            trigger_type=TriggerType.LAST_PRICE,
        )
        order = quoted.sim_order(cid)
        assert order.trigger_raw == Price("49900.00").raw
        quoted.trade("50200.00")
        assert order.trigger_raw == Price("50100.00").raw
        quoted.trade("50150.00")  # a fall does not move a sell stop down
        assert order.trigger_raw == Price("50100.00").raw
        quoted.trade("50100.00")
        assert quoted.rec.kinds(cid) == ["accepted", "updated", "updated", "filled"]
        assert quoted.rec.fills_of(cid)[0].last_px == Price("49990.00")  # the bid

    def test_trailing_stop_limit_moves_its_limit_too(self, quoted: VenueHarness) -> None:
        cid = quoted.submit(
            OrderType.TRAILING_STOP_LIMIT,
            BUY,
            "0.50000",
            trailing_offset=Decimal("50"),
            limit_offset=Decimal("10"),
            trailing_offset_type=TrailingOffsetType.PRICE,
            trigger_type=TriggerType.BID_ASK,
        )
        order = quoted.sim_order(cid)
        assert (order.trigger_raw, order.price_raw) == (
            Price("50060.00").raw,
            Price("50070.00").raw,
        )
        quoted.quote("49900.00", "49950.00")
        assert (order.trigger_raw, order.price_raw) == (
            Price("50000.00").raw,
            Price("50010.00").raw,
        )
        quoted.quote("49990.00", "50005.00", ask_size="2.00000")
        assert quoted.rec.kinds(cid)[-2:] == ["triggered", "filled"]
        assert quoted.rec.fills_of(cid)[0].last_px == Price("50005.00")

    @pytest.mark.parametrize(
        ("offset_type", "offset", "trigger"),
        [
            (TrailingOffsetType.BASIS_POINTS, Decimal("20"), "49900.00"),
            (TrailingOffsetType.TICKS, Decimal("1000"), "49990.00"),
        ],
    )
    def test_offset_types(
        self, quoted: VenueHarness, offset_type: TrailingOffsetType, offset: Decimal, trigger: str
    ) -> None:
        quoted.trade("50000.00")
        cid = quoted.submit(
            OrderType.TRAILING_STOP_MARKET,
            SELL,
            trailing_offset=offset,
            trailing_offset_type=offset_type,
            trigger_type=TriggerType.LAST_PRICE,
        )
        assert quoted.sim_order(cid).trigger_raw == Price(trigger).raw

    def test_trailing_stop_waits_for_a_price(self, venue: VenueHarness) -> None:
        cid = venue.submit(
            OrderType.TRAILING_STOP_MARKET,
            SELL,
            trailing_offset=Decimal("100"),
            trailing_offset_type=TrailingOffsetType.PRICE,
            trigger_type=TriggerType.LAST_PRICE,
        )
        assert venue.sim_order(cid).trigger_raw is None
        venue.trade("50000.00")
        assert venue.sim_order(cid).trigger_raw == Price("49900.00").raw


_WAITING_FIELDS: dict[OrderType, dict[str, object]] = {
    OrderType.LIMIT: {"price": Price("49000.00")},
    OrderType.STOP_MARKET: {"trigger_price": Price("51000.00")},
    OrderType.STOP_LIMIT: {"trigger_price": Price("51000.00"), "price": Price("53000.00")},
    OrderType.MARKET_IF_TOUCHED: {"trigger_price": Price("49000.00")},
    OrderType.LIMIT_IF_TOUCHED: {"trigger_price": Price("49000.00"), "price": Price("49500.00")},
    OrderType.TRAILING_STOP_MARKET: {
        "trailing_offset": Decimal("500"),
        "trailing_offset_type": TrailingOffsetType.PRICE,
        "trigger_type": TriggerType.BID_ASK,
    },
    OrderType.TRAILING_STOP_LIMIT: {
        "trailing_offset": Decimal("500"),
        "limit_offset": Decimal("2000"),
        "trailing_offset_type": TrailingOffsetType.PRICE,
        "trigger_type": TriggerType.BID_ASK,
    },
}
_FILLS_ON_A_DIP = (OrderType.LIMIT, OrderType.MARKET_IF_TOUCHED, OrderType.LIMIT_IF_TOUCHED)


@pytest.mark.parametrize("tif", list(TimeInForce))
@pytest.mark.parametrize("order_type", list(OrderType))
def test_every_order_type_and_time_in_force(order_type: OrderType, tif: TimeInForce) -> None:
    """Each type rests or waits (or, immediate, expires), then fills when the market comes."""
    harness = VenueHarness()
    harness.quote("49990.00", "50010.00", "10.00000", "10.00000")
    fields: dict[str, object] = dict(_WAITING_FIELDS.get(order_type, {}))
    if tif is TimeInForce.GTD:
        fields["expire_time_ns"] = harness.clock.timestamp_ns() + 1_000_000_000
    cid = harness.submit(order_type, BUY, "1.00000", time_in_force=tif, **fields)
    order = harness.sim_order(cid)
    if order_type is OrderType.MARKET and tif is TimeInForce.GTD:  # a market order never rests
        assert harness.rec.reason(cid).startswith(RejectCode.INVALID_ORDER)
        return
    if order_type is OrderType.MARKET:
        assert order.status is OrderStatus.FILLED
        return
    if order_type is OrderType.LIMIT and tif in (TimeInForce.IOC, TimeInForce.FOK):
        assert harness.rec.kinds(cid) == ["accepted", "expired"]
        return
    assert order.status is OrderStatus.ACCEPTED  # resting, or waiting for its trigger
    if order_type in _FILLS_ON_A_DIP:
        harness.quote("47990.00", "48000.00", "10.00000", "10.00000")
    else:
        harness.quote("51990.00", "52000.00", "10.00000", "10.00000")
    assert order.status is OrderStatus.FILLED
    assert sum(f.last_qty.raw for f in harness.rec.fills_of(cid)) == Quantity("1").raw
    assert harness.free() == harness.total()  # nothing stays locked
