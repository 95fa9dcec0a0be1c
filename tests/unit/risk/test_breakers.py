"""Circuit breakers on a simulated clock: a market move halts an instrument for a cool-down,
venue errors (rejects, disconnects, timeouts) halt a venue, stale data stops new orders."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shrivenquant.core.uuid import UUID4
from shrivenquant.model.enums import OrderSide, TradingState
from shrivenquant.model.events import (
    ComponentStateChanged,
    RiskScope,
    TradingStateCause,
    TradingStateChanged,
)
from shrivenquant.model.identifiers import ComponentId, Venue
from shrivenquant.risk import MarketMoveBreakerConfig, RiskConfig, RiskReason
from shrivenquant.risk.breakers import MarketMoveBreaker

from .conftest import BTC_SPOT, ETH_SPOT, TRADER, RiskHarness

BUY = OrderSide.BUY
SECOND = 10**9
BTC = RiskScope(instrument_id=BTC_SPOT.id)
BINANCE = RiskScope(venue=Venue("BINANCE"))


def harness(config: dict[str, Any], **kwargs: Any) -> RiskHarness:
    return RiskHarness(RiskConfig.from_mapping(config), **kwargs)


MOVE = {"market_move_breaker": {"move_pct": "0.05", "window_secs": 60, "cooldown_secs": 300}}


def test_a_move_within_the_window_halts_the_instrument_for_the_cool_down() -> None:
    h = harness(MOVE)
    h.quote(BTC_SPOT, "50000.00", "50000.00")
    h.advance(30)
    h.quote(BTC_SPOT, "52500.00", "52500.00")  # +5.00 %: not beyond
    assert h.risk.trading_state(BTC) is TradingState.ACTIVE
    h.advance(29)
    h.quote(BTC_SPOT, "52500.02", "52500.02")  # +5.00004 % from the window's low
    assert h.risk.trading_state(BTC) is TradingState.HALTED
    [halt] = h.events_of(TradingStateChanged)
    assert halt.cause is TradingStateCause.MARKET_MOVE
    assert halt.expires_ns == h.clock.timestamp_ns() + 300 * SECOND
    assert h.code(h.order(BUY, "0.1", "52500.00")) is RiskReason.TRADING_HALTED
    assert h.passed(h.order(BUY, "0.1", "3000.00", instrument=ETH_SPOT))  # only BTC halts
    h.advance(299)
    assert h.risk.trading_state(BTC) is TradingState.HALTED
    h.advance(1)
    assert h.risk.trading_state(BTC) is TradingState.ACTIVE
    lifted = h.events_of(TradingStateChanged)[-1]
    assert lifted.cause is TradingStateCause.COOL_DOWN_OVER
    assert h.passed(h.order(BUY, "0.1", "52500.00"))


def test_prices_that_left_the_window_do_not_count() -> None:
    h = harness(MOVE)
    h.quote(BTC_SPOT, "50000.00", "50000.00")
    h.advance(61)
    h.quote(BTC_SPOT, "51000.00", "51000.00")
    h.quote(BTC_SPOT, "53000.00", "53000.00")  # +3.9 % from 51000; 50000 is out of the window
    assert h.risk.trading_state(BTC) is TradingState.ACTIVE


def test_a_fall_from_the_windows_high_trips_too() -> None:
    h = harness(MOVE)
    h.trade(BTC_SPOT, "50000.00")
    h.quote(BTC_SPOT, "47499.00", "47499.00")
    assert h.risk.trading_state(BTC) is TradingState.HALTED


def test_a_breaker_never_shortens_an_operators_halt() -> None:
    h = harness(MOVE)
    h.risk.set_trading_state(TradingState.HALTED, BTC, "operator")
    h.quote(BTC_SPOT, "50000.00", "50000.00")
    h.quote(BTC_SPOT, "60000.00", "60000.00")
    h.advance(600)
    assert h.risk.trading_state(BTC) is TradingState.HALTED
    entry = h.risk.states.entry(BTC)
    assert entry is not None
    assert entry.cause is TradingStateCause.COMMAND


def test_the_breaker_itself_ignores_prices_during_its_cool_down() -> None:
    trips: list[tuple[str, str, int]] = []
    breaker = MarketMoveBreaker(
        MarketMoveBreakerConfig(move_pct=Decimal("0.1"),
                                window_ns=10 * SECOND, cooldown_ns=20 * SECOND),
        lambda key, reason, until: trips.append((key, reason, until)),
    )  # fmt: skip
    breaker.on_price("X", 100, 0)
    breaker.on_price("X", 111, SECOND)
    breaker.on_price("X", 150, 2 * SECOND)  # cooling down
    breaker.on_price("X", 100, 25 * SECOND)  # a fresh window
    assert [(k, u) for k, _, u in trips] == [("X", 21 * SECOND)]
    assert "+11.00%" in trips[0][1]


VENUE = {"venue_error_breaker": {"max_errors": 3, "window_secs": 10, "cooldown_secs": 60,
                                 "inflight_timeout_secs": 5}}  # fmt: skip


def test_rejects_within_the_window_halt_the_venue() -> None:
    no_timeouts = {"venue_error_breaker": {**VENUE["venue_error_breaker"]}}
    del no_timeouts["venue_error_breaker"]["inflight_timeout_secs"]
    h = harness(no_timeouts, auto_accept=False)
    orders = [h.order(BUY, "0.1", "49000.00") for _ in range(3)]
    h.client.reject(orders[0].client_order_id)
    h.advance(11)
    h.client.reject(orders[1].client_order_id)  # the first left the window
    h.advance(1)
    h.client.reject(orders[2].client_order_id)
    assert h.risk.trading_state(BINANCE) is TradingState.ACTIVE
    more = [h.order(BUY, "0.1", "49000.00") for _ in range(1)]
    h.client.reject(more[0].client_order_id)
    assert h.risk.trading_state(BINANCE) is TradingState.HALTED
    assert h.code(h.order(BUY, "0.1", "49000.00")) is RiskReason.TRADING_HALTED
    h.advance(60)
    assert h.risk.trading_state(BINANCE) is TradingState.ACTIVE


def test_disconnects_and_timeouts_count_as_venue_errors() -> None:
    h = harness(VENUE, auto_accept=False)
    for _ in range(2):
        h.bus.publish(
            "events.component",
            ComponentStateChanged(
                trader_id=TRADER,
                component_id=ComponentId("DataClient-BINANCE"),
                state="DEGRADED",
                previous_state="RUNNING",
                reason="socket closed",
                event_id=UUID4(),
                ts_event=h.clock.timestamp_ns(),
                ts_init=h.clock.timestamp_ns(),
            ),
        )
    assert h.risk.monitor._venue_errors is not None
    assert h.risk.monitor._venue_errors.count("BINANCE") == 2
    h.order(BUY, "0.1", "49000.00")  # submitted, never answered by the venue
    h.advance(5)
    assert h.risk.trading_state(BINANCE) is TradingState.ACTIVE
    h.advance(1)  # waited more than 5 s: a timeout, the third error
    assert h.risk.trading_state(BINANCE) is TradingState.HALTED
    reason = h.events_of(TradingStateChanged)[-1].reason
    assert "2 disconnect" in reason
    assert "1 timeout" in reason


def test_an_adapter_can_report_errors_itself() -> None:
    h = harness(VENUE)
    for _ in range(3):
        h.risk.record_venue_error(Venue("BINANCE"), "timeout")
    assert h.risk.trading_state(BINANCE) is TradingState.HALTED


def test_stale_data_stops_new_orders_until_data_returns() -> None:
    h = harness({"stale_data_breaker": {"max_age_secs": 10}})
    h.quote(BTC_SPOT, "50000.00")
    h.quote(ETH_SPOT, "3000.00")
    h.advance(10)
    assert h.passed(h.order(BUY, "0.1", "49000.00"))
    h.advance(1)
    stale = h.order(BUY, "0.1", "49000.00")
    code, sentence = h.denial(stale)  # type: ignore[misc]
    assert code is RiskReason.STALE_DATA
    assert "11s old" in sentence
    h.quote(BTC_SPOT, "50000.00")
    assert h.passed(h.order(BUY, "0.1", "49000.00"))
    cancel_target = h.order(BUY, "0.1", "49000.00")
    h.advance(30)
    h.cancel(cancel_target)  # cancels pass whatever the data's age
    assert h.cache.order(cancel_target.client_order_id).is_closed  # type: ignore[union-attr]
