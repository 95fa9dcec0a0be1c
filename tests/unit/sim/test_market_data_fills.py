"""Fill models: bars (OHLC path), trade ticks (through and touch), L2 books, slippage."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shrivenquant.model.data import (
    BookLevel,
    OrderBookDelta,
    OrderBookDeltas,
    OrderBookSnapshot,
    TradeTick,
)
from shrivenquant.model.data.book import BookOrder
from shrivenquant.model.enums import (
    AggressorSide,
    BookAction,
    LiquiditySide,
    OrderSide,
    OrderStatus,
    OrderType,
    TriggerType,
)
from shrivenquant.model.identifiers import InstrumentId, TradeId
from shrivenquant.model.values import Price, Quantity
from shrivenquant.sim import FillModel, bar_path
from shrivenquant.sim.market import MarketLiquidity
from shrivenquant.testkit.instruments import TestInstrumentProvider

from .conftest import VenueHarness, default_config

BUY, SELL = OrderSide.BUY, OrderSide.SELL


class TestBarPath:
    def test_high_first_when_it_is_nearer_the_open(self) -> None:
        assert bar_path(100, 102, 95, 99) == [100, 102, 95, 99]

    def test_low_first_when_it_is_nearer_the_open(self) -> None:
        assert bar_path(100, 106, 98, 101) == [100, 98, 106, 101]

    def test_tie_goes_to_the_high(self) -> None:
        assert bar_path(100, 102, 98, 100) == [100, 102, 98, 100]

    def test_repeated_points_are_dropped(self) -> None:
        assert bar_path(100, 100, 100, 100) == [100]
        assert bar_path(100, 100, 90, 90) == [100, 90]

    def test_inconsistent_bar_is_refused(self) -> None:
        with pytest.raises(ValueError, match="inconsistent bar"):
            bar_path(100, 99, 95, 97)


class TestBars:
    def test_limit_fills_only_when_the_bar_trades_through(self, venue: VenueHarness) -> None:
        cid = venue.submit(price=Price("49900.00"))
        venue.bar("50000.00", "50100.00", "49900.00", "50050.00")  # touches 49900 only
        assert venue.rec.kinds(cid) == ["accepted"]
        venue.bar("50000.00", "50100.00", "49899.99", "50050.00")
        assert venue.rec.kinds(cid) == ["accepted", "filled"]
        fill = venue.rec.fills_of(cid)[0]
        assert fill.last_px == Price("49900.00")
        assert fill.liquidity_side is LiquiditySide.MAKER

    def test_fill_at_touch_when_configured(self) -> None:
        harness = VenueHarness(default_config(fill_model=FillModel(fill_at_touch=True)))
        cid = harness.submit(price=Price("49900.00"))
        harness.bar("50000.00", "50100.00", "49900.00", "50050.00")
        assert harness.rec.kinds(cid) == ["accepted", "filled"]

    def test_volume_limits_each_path_point(self, venue: VenueHarness) -> None:
        cid = venue.submit(quantity="2.00000", price=Price("49950.00"))
        venue.bar("50000.00", "50100.00", "49900.00", "49920.00", volume="4.00000")
        # low and close are both through the bid: a quarter of the volume each
        assert [f.last_qty for f in venue.rec.fills_of(cid)] == [
            Quantity("1.00000"),
            Quantity("1.00000"),
        ]

    def test_path_order_decides_which_stop_fires_first(self, venue: VenueHarness) -> None:
        venue.quote("49990.00", "50010.00", "10.00000", "10.00000")
        venue.submit(OrderType.MARKET, BUY, "1.00000")  # a long to protect
        tp = venue.submit(side=SELL, quantity="1.00000", price=Price("50200.00"), reduce_only=True)
        sl = venue.submit(
            OrderType.STOP_MARKET,
            SELL,
            "1.00000",
            trigger_price=Price("49800.00"),
            trigger_type=TriggerType.LAST_PRICE,
            reduce_only=True,
        )
        # open 50000: the low 49700 is nearer than the high 50400, so the stop fires first
        venue.bar("50000.00", "50400.00", "49700.00", "50000.00")
        assert venue.rec.kinds(sl)[-1] == "filled"
        assert venue.rec.kinds(tp)[-1] == "canceled"  # reduce-only, the position is gone

    def test_high_first_when_it_is_nearer(self, venue: VenueHarness) -> None:
        venue.quote("49990.00", "50010.00", "10.00000", "10.00000")
        venue.submit(OrderType.MARKET, BUY, "1.00000")
        tp = venue.submit(side=SELL, price=Price("50200.00"), reduce_only=True)
        sl = venue.submit(
            OrderType.STOP_MARKET,
            SELL,
            trigger_price=Price("49800.00"),
            trigger_type=TriggerType.LAST_PRICE,
            reduce_only=True,
        )
        venue.bar("50000.00", "50300.00", "49600.00", "50000.00")
        assert venue.rec.kinds(tp)[-1] == "filled"
        assert venue.rec.kinds(sl)[-1] == "canceled"

    def test_stop_fires_inside_the_bar(self, venue: VenueHarness) -> None:
        cid = venue.submit(
            OrderType.STOP_MARKET,
            BUY,
            "0.50000",
            trigger_price=Price("50050.00"),
            trigger_type=TriggerType.LAST_PRICE,
        )
        venue.bar("50000.00", "50100.00", "49950.00", "50020.00")
        fill = venue.rec.fills_of(cid)[0]
        assert fill.last_px == Price("50100.00")  # the path point that fired it

    def test_market_order_after_a_bar_trades_at_its_close(self, venue: VenueHarness) -> None:
        venue.bar("50000.00", "50100.00", "49950.00", "50020.00")
        cid = venue.submit(OrderType.MARKET, BUY, "0.50000")
        assert venue.rec.fills_of(cid)[0].last_px == Price("50020.00")


class TestIdleBars:
    """With nothing resting or waiting, a bar only moves the prices: to where the path ends."""

    def test_an_idle_bar_leaves_its_close_as_the_market(self, venue: VenueHarness) -> None:
        assert venue.engine.idle
        venue.bar("50000.00", "50100.00", "49950.00", "50020.00", volume="4.00000")
        market = venue.engine.market
        close = Price("50020.00").raw
        assert (market.last_raw, market.bid_raw, market.ask_raw) == (close, close, close)

    def test_an_idle_bar_is_checked_like_a_walked_one(self, venue: VenueHarness) -> None:
        with pytest.raises(ValueError, match="inconsistent bar"):
            venue.bar("50000.00", "49990.00", "49950.00", "49960.00")

    def test_a_resting_order_makes_the_engine_walk_again(self, venue: VenueHarness) -> None:
        cid = venue.submit(price=Price("49900.00"))
        assert not venue.engine.idle
        venue.bar("50000.00", "50100.00", "49899.99", "50050.00")
        assert venue.rec.kinds(cid) == ["accepted", "filled"]
        assert venue.engine.idle

    @given(
        st.lists(st.integers(min_value=1, max_value=10_000), min_size=4, max_size=4),
        st.integers(min_value=0, max_value=10),
    )
    @settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
    def test_idle_state_equals_the_walked_state(
        self, venue: VenueHarness, points: list[int], volume: int
    ) -> None:
        low, a, b, high = sorted(points)
        engine = venue.engine
        walked = MarketLiquidity(venue.instrument, engine.market.book_type)
        step = 10 ** (9 - venue.instrument.size_precision)
        raw_volume = volume * step
        size = None if not raw_volume else max(raw_volume // 4 // step * step, step)
        tick = venue.instrument.price_increment
        for point in bar_path(a * tick.raw, high * tick.raw, low * tick.raw, b * tick.raw):
            walked.set_trade_point(point, size)
        venue.bar(
            str(tick * a),
            str(tick * high),
            str(tick * low),
            str(tick * b),
            volume=str(Quantity.from_raw(raw_volume, venue.instrument.size_precision)),
        )
        market = engine.market
        for name in MarketLiquidity.__slots__:
            if name != "l2":
                assert getattr(market, name) == getattr(walked, name), name


class TestTrades:
    def test_trade_through_fills_up_to_its_size(self, venue: VenueHarness) -> None:
        cid = venue.submit(quantity="2.00000", price=Price("50000.00"))
        venue.trade("49999.00", "0.70000")
        assert venue.rec.fills_of(cid)[0].last_qty == Quantity("0.70000")
        assert venue.sim_order(cid).status is OrderStatus.PARTIALLY_FILLED

    def test_touch_does_not_fill_by_default(self, venue: VenueHarness) -> None:
        cid = venue.submit(price=Price("50000.00"))
        venue.trade("50000.00", aggressor=AggressorSide.SELLER)
        assert venue.rec.kinds(cid) == ["accepted"]

    def test_touch_fills_only_on_the_side_the_aggressor_hit(self) -> None:
        harness = VenueHarness(default_config(fill_model=FillModel(fill_at_touch=True)))
        bid = harness.submit(price=Price("50000.00"))
        ask = harness.submit(side=SELL, price=Price("50010.00"))
        harness.trade("50000.00", aggressor=AggressorSide.BUYER)
        assert harness.rec.kinds(bid) == ["accepted"]
        harness.trade("50000.00", aggressor=AggressorSide.SELLER)
        assert harness.rec.kinds(bid) == ["accepted", "filled"]
        harness.trade("50010.00", aggressor=AggressorSide.BUYER)
        assert harness.rec.kinds(ask) == ["accepted", "filled"]

    def test_queue_position_probability_is_seeded(self) -> None:
        def run(seed: int) -> list[bool]:
            model = FillModel(prob_fill_at_touch=0.5, seed=seed)
            harness = VenueHarness(default_config(fill_model=model))
            filled = []
            for _ in range(20):
                cid = harness.submit(quantity="0.10000", price=Price("50000.00"))
                harness.trade("50000.00", "0.10000")
                filled.append(harness.sim_order(cid).status is OrderStatus.FILLED)
                harness.cancel(cid)
            return filled

        first, again, other = run(1), run(1), run(2)
        assert first == again
        assert first != other
        assert 0 < sum(first) < 20


class TestL2Books:
    def _l2(self) -> VenueHarness:
        harness = VenueHarness(default_config(book_type="L2_MBP"))
        now = harness.clock.timestamp_ns()
        harness.venue.process(
            OrderBookSnapshot(
                instrument_id=harness.instrument.id,
                bids=[
                    BookLevel(price=Price("49990.00"), size=Quantity("1.00000")),
                    BookLevel(price=Price("49980.00"), size=Quantity("2.00000")),
                ],
                asks=[
                    BookLevel(price=Price("50010.00"), size=Quantity("1.00000")),
                    BookLevel(price=Price("50020.00"), size=Quantity("2.00000")),
                    BookLevel(price=Price("50030.00"), size=Quantity("5.00000")),
                ],
                ts_event=now,
                ts_init=now,
            )
        )
        return harness

    def test_market_order_walks_the_book(self) -> None:
        harness = self._l2()
        cid = harness.submit(OrderType.MARKET, BUY, "2.50000")
        assert [(f.last_px, f.last_qty) for f in harness.rec.fills_of(cid)] == [
            (Price("50010.00"), Quantity("1.00000")),
            (Price("50020.00"), Quantity("1.50000")),
        ]
        assert harness.engine.market.l2.best_ask_raw() == (
            Price("50020.00").raw,
            Quantity("0.50000").raw,
        )

    def test_limit_stops_at_its_price(self) -> None:
        harness = self._l2()
        cid = harness.submit(quantity="4.00000", price=Price("50020.00"))
        assert sum(f.last_qty.raw for f in harness.rec.fills_of(cid)) == Quantity("3").raw
        assert harness.engine.book.best_bid().price == Price("50020.00")

    def test_delta_that_crosses_a_resting_order_fills_it(self) -> None:
        harness = self._l2()
        cid = harness.submit(price=Price("50000.00"))
        now = harness.clock.timestamp_ns()
        harness.venue.process(
            OrderBookDeltas(
                instrument_id=harness.instrument.id,
                deltas=[
                    OrderBookDelta(
                        instrument_id=harness.instrument.id,
                        action=BookAction.ADD,
                        order=BookOrder(
                            side=SELL, price=Price("49995.00"), size=Quantity("0.30000")
                        ),
                        ts_event=now,
                        ts_init=now,
                    )
                ],
                ts_event=now,
                ts_init=now,
            )
        )
        fill = harness.rec.fills_of(cid)[0]
        assert (fill.last_px, fill.last_qty) == (Price("50000.00"), Quantity("0.30000"))
        assert harness.engine.market.l2.best_ask_raw()[0] == Price("50010.00").raw

    def test_quotes_do_not_fill_in_l2_mode(self) -> None:
        harness = self._l2()
        cid = harness.submit(price=Price("50000.00"))
        harness.quote("49990.00", "49995.00")
        assert harness.rec.kinds(cid) == ["accepted"]


class TestFeeding:
    def test_unlisted_instrument_is_refused(self, venue: VenueHarness) -> None:
        eth = TestInstrumentProvider.ethusdt_binance()
        with pytest.raises(KeyError, match=r"does not list ETHUSDT\.BINANCE"):
            venue.venue.process_trade_tick(
                TradeTick(
                    instrument_id=eth.id,
                    price=Price("3000.00"),
                    size=Quantity("1.0000"),
                    aggressor_side=AggressorSide.BUYER,
                    trade_id=TradeId("X"),
                    ts_event=0,
                    ts_init=0,
                )
            )

    def test_unknown_record_type_is_refused(self, venue: VenueHarness) -> None:
        with pytest.raises(TypeError, match="cannot use"):
            venue.venue.process(venue.instrument)  # type: ignore[arg-type]

    def test_instrument_of_another_venue_is_refused(self, venue: VenueHarness) -> None:
        other = msgspec.structs.replace(
            TestInstrumentProvider.ethusdt_binance(), id=InstrumentId("ETHUSDT.OKX")
        )
        with pytest.raises(ValueError, match="cannot list"):
            venue.venue.add_instrument(other)


class TestSlippageAndL3:
    def test_slippage_moves_market_fills_one_tick(self) -> None:
        harness = VenueHarness(default_config(fill_model=FillModel(prob_slippage=1.0)))
        harness.quote("49990.00", "50010.00")
        cid = harness.submit(OrderType.MARKET, BUY, "0.10000")
        assert harness.rec.fills_of(cid)[0].last_px == Price("50010.01")
        limit = harness.submit(price=Price("50010.00"), quantity="0.10000")
        assert harness.rec.fills_of(limit)[0].last_px == Price("50010.00")

    def test_l3_venue_ignores_outside_liquidity(self) -> None:
        harness = VenueHarness(default_config(book_type="L3_MBO"))
        harness.quote("49990.00", "50010.00")
        cid = harness.submit(OrderType.MARKET, BUY, "0.10000")
        assert harness.rec.kinds(cid) == ["accepted", "expired"]
        harness.submit(side=SELL, price=Price("50005.00"))
        taker = harness.submit(OrderType.MARKET, BUY, "0.10000")
        assert harness.rec.fills_of(taker)[0].last_px == Price("50005.00")

    def test_l3_stops_fire_on_the_venues_own_trades(self) -> None:
        harness = VenueHarness(default_config(book_type="L3_MBO"))
        stop = harness.submit(
            OrderType.STOP_MARKET,
            BUY,
            "0.10000",
            trigger_price=Price("50100.00"),
            trigger_type=TriggerType.LAST_PRICE,
        )
        harness.submit(side=SELL, quantity="0.10000", price=Price("50100.00"))
        harness.submit(side=SELL, quantity="1.00000", price=Price("50200.00"))
        harness.submit(OrderType.MARKET, BUY, "0.10000")  # trades at 50100: fires the stop
        assert harness.rec.kinds(stop) == ["accepted", "filled"]
        assert harness.rec.fills_of(stop)[0].last_px == Price("50200.00")
