"""What drives the risk engine's evaluation (events, not a polling timer), and bars as market
data: the engine prices orders, feeds its breakers and measures data age from bars alone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shrivenquant.bus import topics
from shrivenquant.core.clock import TestClock
from shrivenquant.model.data import Bar, BarType
from shrivenquant.model.enums import OrderSide, TradingState
from shrivenquant.model.events import RiskScope, TradingStateCause
from shrivenquant.model.identifiers import AccountId
from shrivenquant.model.values import Price, Quantity
from shrivenquant.risk import RiskConfig, RiskReason
from shrivenquant.risk.schedule import EvaluationSchedule, OneShotAlerts

from .conftest import BTC_SPOT, RiskHarness
from .test_drawdown import PnlPortfolio

BUY, SELL = OrderSide.BUY, OrderSide.SELL
SECOND = 10**9
BINANCE = AccountId("BINANCE-001")
NOON = int(datetime(2025, 3, 3, 12, 0, tzinfo=UTC).timestamp()) * SECOND
BAR_TYPE = BarType.from_str(f"{BTC_SPOT.id}-1-MINUTE-LAST-EXTERNAL")


def drawdown_harness(interval_secs: str = "1") -> tuple[RiskHarness, PnlPortfolio]:
    portfolio = PnlPortfolio(BTC_SPOT.quote_currency)
    portfolio.set(BINANCE, "0", "10000")
    config = RiskConfig.from_mapping(
        {
            "drawdown": {"BINANCE-001": {"daily_loss_limit": "1000 USDT"}},
            "evaluation_interval_secs": interval_secs,
        }
    )
    h = RiskHarness(config, clock_ns=NOON, risk_kwargs={"portfolio": portfolio})
    return h, portfolio


def halted(h: RiskHarness) -> bool:
    return h.risk.trading_state(RiskScope(account_id=BINANCE)) is TradingState.HALTED


def publish_bar(h: RiskHarness, close: str, **prices: str) -> None:
    now = h.clock.timestamp_ns()
    bar = Bar(
        bar_type=BAR_TYPE,
        open=Price(prices.get("open", close)),
        high=Price(prices.get("high", close)),
        low=Price(prices.get("low", close)),
        close=Price(close),
        volume=Quantity(5),
        ts_event=now,
        ts_init=now,
    )
    h.cache.add_bar(bar)
    h.bus.publish(topics.bars(BAR_TYPE), bar)


# -- what drives the evaluation ------------------------------------------------------------------


def test_no_timer_polls_while_nothing_happens() -> None:
    h = RiskHarness(RiskConfig.from_mapping({"stale_data_breaker": {"max_age_secs": 5}}))
    assert h.clock.timer_names == []
    h.advance(3600)
    assert h.clock.timer_names == []
    drawdown, _ = drawdown_harness()
    # Only the start of the next trading day, when the daily loss limit rolls.
    assert drawdown.clock.timer_names == ["RiskEngine-day-roll"]
    assert drawdown.clock.next_time_ns("RiskEngine-day-roll") == (
        int(datetime(2025, 3, 4, tzinfo=UTC).timestamp()) * SECOND
    )


def test_market_data_runs_the_evaluation_at_once_when_the_interval_has_passed() -> None:
    h, pnl = drawdown_harness()
    pnl.set(BINANCE, "-1000")
    h.advance(1)
    assert not halted(h)  # time alone changes no PnL: nothing is evaluated
    h.quote(BTC_SPOT, "49000.00")
    assert halted(h)


def test_the_last_change_within_an_interval_is_evaluated_when_the_interval_ends() -> None:
    h, pnl = drawdown_harness(interval_secs="10")
    h.advance(2)
    pnl.set(BINANCE, "-1000")
    h.quote(BTC_SPOT, "49000.00")  # 2 s after the start's evaluation: within the interval
    assert not halted(h)
    assert "RiskEngine-evaluate" in h.clock.timer_names
    h.advance(7)
    assert not halted(h)
    h.advance(1)  # the interval ends; no more data came, the change is evaluated anyway
    assert halted(h)
    assert "RiskEngine-evaluate" not in h.clock.timer_names


def test_a_burst_of_events_is_evaluated_once_per_interval_plus_one_trailing_run() -> None:
    clock = TestClock(NOON)
    runs: list[int] = []
    schedule = EvaluationSchedule(clock, OneShotAlerts(clock), 10 * SECOND, runs.append)
    for n in range(100):
        clock.advance_time(NOON + n * SECOND // 10)
        schedule.on_event()
    assert runs == [NOON]  # the first; the others came within the interval
    clock.advance_time(NOON + 10 * SECOND)
    assert runs == [NOON, NOON + 10 * SECOND]  # one trailing run covers them all
    clock.advance_time(NOON + 60 * SECOND)
    assert len(runs) == 2  # nothing happened since: nothing runs
    schedule.on_event()
    assert runs[-1] == NOON + 60 * SECOND


def test_data_at_the_trailing_alerts_time_is_evaluated_after_its_own_update() -> None:
    clock = TestClock(NOON)
    runs: list[int] = []
    alerts = OneShotAlerts(clock)
    schedule = EvaluationSchedule(clock, alerts, 60 * SECOND, runs.append)
    schedule.on_event()  # a bar
    clock.advance_time(NOON + SECOND)
    schedule.on_event()  # a fill's account state within the interval: one trailing alert
    clock.advance_time(NOON + 60 * SECOND)  # the next bar's time: the alert fires first
    assert runs == [NOON, NOON + 60 * SECOND]
    schedule.on_event()  # then the bar itself: evaluated at once, after its update
    assert runs == [NOON, NOON + 60 * SECOND, NOON + 60 * SECOND]
    assert alerts.armed(EvaluationSchedule.ALERT) is None
    for n in range(2, 6):  # one bar per interval: never an alert
        clock.advance_time(NOON + n * 60 * SECOND)
        schedule.on_event()
        assert alerts.armed(EvaluationSchedule.ALERT) is None
        assert clock.timer_names == []
    assert runs[-1] == NOON + 5 * 60 * SECOND
    assert len(runs) == 7


def test_the_day_rolls_without_any_data() -> None:
    h, pnl = drawdown_harness()
    pnl.set(BINANCE, "-1000")
    h.advance(1)
    h.quote(BTC_SPOT, "49000.00")
    assert halted(h)
    midnight = int(datetime(2025, 3, 4, tzinfo=UTC).timestamp()) * SECOND
    h.clock.advance_time(midnight - 1)
    assert halted(h)
    h.clock.advance_time(midnight)
    assert not halted(h)
    entry_causes = [e.cause for e in h.risk_events if hasattr(e, "cause")]
    assert TradingStateCause.NEW_TRADING_DAY in entry_causes


def test_a_day_roll_that_cannot_measure_pnl_waits_for_the_next_evaluation() -> None:
    h, pnl = drawdown_harness()
    h.advance(1)
    pnl.set(BINANCE, "-1000")
    h.quote(BTC_SPOT, "49000.00")
    assert halted(h)
    pnl.pnl.clear()  # no marks at the roll: the PnL cannot be measured
    asked: list[object] = []
    total_pnls = pnl.total_pnls

    def counted(venue: Any = None, **kwargs: Any) -> Any:
        asked.append(venue)
        if len(asked) > 10:  # the alert re-arming at the same instant, for ever
            raise AssertionError("the day-roll alert keeps firing")
        return total_pnls(venue, **kwargs)

    pnl.total_pnls = counted  # type: ignore[method-assign]
    midnight = int(datetime(2025, 3, 4, tzinfo=UTC).timestamp()) * SECOND
    h.clock.advance_time(midnight + SECOND)
    assert len(asked) == 1  # the roll was tried once
    assert "RiskEngine-day-roll" not in h.clock.timer_names
    assert halted(h)
    pnl.set(BINANCE, "0")  # measurable again: the next market data rolls the day
    h.quote(BTC_SPOT, "49000.00")
    assert not halted(h)
    assert h.clock.next_time_ns("RiskEngine-day-roll") == midnight + 86_400 * SECOND


def test_stale_data_refuses_orders_after_the_data_stops_with_no_event_at_all() -> None:
    h = RiskHarness(RiskConfig.from_mapping({"stale_data_breaker": {"max_age_secs": 5}}))
    h.quote(BTC_SPOT, "50000.00")
    h.advance(5)
    assert h.passed(h.order(BUY, "0.1", "49990.00"))
    h.clock.advance_time(h.clock.timestamp_ns() + 1)  # nothing arrives, no timer runs
    assert h.code(h.order(BUY, "0.1", "49990.00")) is RiskReason.STALE_DATA


# -- bars as market data -------------------------------------------------------------------------


def bar_harness(config: dict[str, Any]) -> RiskHarness:
    return RiskHarness(RiskConfig.from_mapping(config), quotes=False, clock_ns=NOON)


def test_a_market_order_is_valued_at_the_last_bar_close() -> None:
    h = bar_harness({"instrument_limits": {str(BTC_SPOT.id): {"max_order_notional": "5000"}}})
    assert h.code(h.order(BUY, "0.1", None)) is RiskReason.NO_MARKET_PRICE
    publish_bar(h, "40000.00")
    assert h.passed(h.order(BUY, "0.1", None))  # 4000 at the close
    denial = h.denial(h.order(BUY, "0.2", None))
    assert denial is not None
    assert denial[0] is RiskReason.MAX_ORDER_NOTIONAL
    assert "8000" in denial[1]


def test_the_price_band_is_measured_from_the_bar_close() -> None:
    h = bar_harness({"limits": {"price_band_pct": "0.05"}})
    publish_bar(h, "40000.00", high="50000.00", low="30000.00")
    assert h.passed(h.order(BUY, "0.1", "38000.00"))  # 5 % below the close
    assert h.code(h.order(BUY, "0.1", "37999.99")) is RiskReason.PRICE_BAND


def test_quotes_take_precedence_over_bar_closes() -> None:
    h = bar_harness({"limits": {"price_band_pct": "0.05"}})
    publish_bar(h, "40000.00")
    h.quote(BTC_SPOT, "50000.00")
    assert h.code(h.order(BUY, "0.1", "40000.00")) is RiskReason.PRICE_BAND
    publish_bar(h, "40000.00")  # a later bar does not override the live quote
    assert h.passed(h.order(BUY, "0.1", "49000.00"))


def test_bars_keep_the_data_fresh_and_feed_the_market_move_breaker() -> None:
    h = bar_harness(
        {
            "stale_data_breaker": {"max_age_secs": 90},
            "market_move_breaker": {"move_pct": "0.1", "window_secs": 600, "cooldown_secs": 60},
        }
    )
    publish_bar(h, "40000.00")
    h.advance(60)
    publish_bar(h, "41000.00")
    h.advance(60)
    assert h.passed(h.order(BUY, "0.1", "41000.00"))  # the last bar is a minute old
    h.advance(31)
    assert h.code(h.order(BUY, "0.1", "41000.00")) is RiskReason.STALE_DATA
    publish_bar(h, "44000.01")  # more than 10 % above the window's low of 40000
    scope = RiskScope(instrument_id=BTC_SPOT.id)
    assert h.risk.trading_state(scope) is TradingState.HALTED


def test_a_quote_older_than_the_latest_bar_gives_way_to_its_close() -> None:
    h = bar_harness({"limits": {"price_band_pct": "0.05"}})
    publish_bar(h, "40000.00")
    h.advance(30)
    h.quote(BTC_SPOT, "50000.00")
    h.advance(30)
    publish_bar(h, "41000.00")  # the quote arrived during this bar: it is still the market
    assert h.passed(h.order(BUY, "0.1", "49000.00"))
    h.advance(60)
    publish_bar(h, "42000.00")  # a whole bar without a quote: the quotes stopped
    assert h.passed(h.order(BUY, "0.1", "41000.00"))
    assert h.code(h.order(BUY, "0.1", "49000.00")) is RiskReason.PRICE_BAND
    h.quote(BTC_SPOT, "50000.00")  # quotes are back
    assert h.passed(h.order(BUY, "0.1", "49000.00"))


def test_a_restart_on_bars_alone_prices_orders_at_the_cached_close() -> None:
    h = bar_harness({"instrument_limits": {str(BTC_SPOT.id): {"max_order_notional": "5000"}}})
    publish_bar(h, "40000.00")
    h.risk.stop()
    h.risk.reset()  # forgets every price
    h.risk.start()
    assert h.passed(h.order(BUY, "0.1", None))  # 4000 at the cached close
    assert h.code(h.order(BUY, "0.2", None)) is RiskReason.MAX_ORDER_NOTIONAL


def test_an_alert_re_armed_while_its_firing_waits_dispatch_fires_once_at_its_new_time() -> None:
    clock = TestClock(0)
    alerts = OneShotAlerts(clock)
    fired: list[tuple[str, int]] = []
    alerts.arm("roll", 10 * SECOND, lambda ts: fired.append(("old", ts)))
    due = clock.advance_time(10 * SECOND, fire=False)  # off the clock, not yet dispatched
    alerts.arm("roll", 5 * SECOND, lambda ts: fired.append(("new", ts)))  # brought forward
    for event, callback in due:
        callback(event)  # the superseded firing is ignored
    assert fired == []
    clock.advance_time(11 * SECOND)
    assert fired == [("new", 10 * SECOND)]  # the past time fires at once, at the clock's time
    assert alerts.armed("roll") is None


def test_a_cancelled_alert_whose_firing_waits_dispatch_does_not_fire() -> None:
    clock = TestClock(0)
    alerts = OneShotAlerts(clock)
    fired: list[int] = []
    alerts.arm("roll", 10 * SECOND, fired.append)
    due = clock.advance_time(10 * SECOND, fire=False)
    alerts.cancel("roll")
    for event, callback in due:
        callback(event)
    assert fired == []
