"""`RiskConfig` and `RiskLimits`: typed, validated at load, and every error names its field."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.core.time import NANOS_PER_SECOND
from shrivenquant.model.currency import USDT
from shrivenquant.model.identifiers import AccountId, InstrumentId, StrategyId
from shrivenquant.model.values import Money, Quantity
from shrivenquant.risk import (
    DailyLossReset,
    DrawdownAction,
    ReferencePrice,
    RiskConfig,
    RiskLimits,
    SelfTradePrevention,
    SpanParameters,
    ThrottleMode,
)

from .conftest import RiskHarness

BTC = InstrumentId("BTCUSDT.BINANCE")
KNOWN = [BTC, InstrumentId("ETHUSDT.BINANCE")]

FULL: dict[str, Any] = {
    "bypass": False,
    "check_balance": True,
    "reference_price": "last",
    "self_trade_prevention": "strategy",
    "limits": {"max_open_orders": 100, "max_gross_exposure": "1000000 USDT"},
    "account_limits": {"BINANCE-001": {"max_net_exposure": "500000 USDT"}},
    "strategy_limits": {"EMA-01": {"max_position_notional": "50000 USDT", "reduce_only": True}},
    "instrument_limits": {
        "BTCUSDT.BINANCE": {
            "max_order_qty": "2",
            "min_order_qty": "0.001",
            "max_order_notional": 100000,
            "min_order_notional": "10",
            "max_position_qty": "5",
            "price_band_pct": "0.05",
            "price_band_ticks": 500,
        }
    },
    "order_throttle": {"limit": 10, "interval_secs": 1, "mode": "queue", "max_queue": 50},
    "cancel_throttle": {"limit": 20, "interval_secs": "0.5", "mode": "queue"},
    "drawdown": {
        "BINANCE-001": {
            "daily_loss_limit": "1000 USDT",
            "max_drawdown_pct": "0.1",
            "action": "flatten",
            "daily_reset": "manual",
        }
    },
    "market_move_breaker": {"move_pct": "0.05", "window_secs": 60, "cooldown_secs": 300},
    "venue_error_breaker": {
        "max_errors": 5,
        "window_secs": 10,
        "cooldown_secs": 60,
        "inflight_timeout_secs": 5,
    },
    "stale_data_breaker": {"max_age_secs": 30},
    "leverage_tiers": {
        "BTCUSDT.BINANCE": [
            {"max_notional": "250000", "max_leverage": "20", "maint_rate": "0.01"},
            {"max_notional": "50000", "max_leverage": "125", "maint_rate": "0.004"},
        ]
    },
    "venue_timezones": {"NSE": "Asia/Kolkata", "SIM": "Europe/London"},
    "evaluation_interval_secs": "0.5",
    "span_margin": {
        "price_scan": "0.08",
        "vol_scan": "0.05",
        "short_option_minimum": "0.04",
        "calendar_spread_rate": "0.01",
        "rate": "0.065",
        "spot_instruments": {"BTC": "BTCUSDT.BINANCE"},
        "underlyings": {"ETH": {"price_scan": "0.12"}},
    },
}


def test_a_full_table_loads_typed() -> None:
    config = RiskConfig.from_mapping(FULL, instruments=KNOWN)
    assert config.reference_price is ReferencePrice.LAST
    assert config.self_trade_prevention is SelfTradePrevention.STRATEGY
    assert config.limits.max_open_orders == 100
    assert config.limits.max_gross_exposure == Money("1000000", USDT)
    instrument = config.instrument_limits[BTC]
    assert instrument.max_order_qty == Quantity("2")
    assert instrument.max_order_notional == Decimal(100000)
    assert instrument.price_band_pct == Decimal("0.05")
    strategy = config.strategy_limits[StrategyId("EMA-01")]
    assert strategy.reduce_only is True
    assert strategy.max_position_notional == Money("50000", USDT)
    assert config.order_throttle is not None
    assert config.order_throttle.mode is ThrottleMode.QUEUE
    assert config.order_throttle.interval_ns == NANOS_PER_SECOND
    assert config.cancel_throttle is not None
    assert config.cancel_throttle.interval_ns == NANOS_PER_SECOND // 2
    rule = config.drawdown[AccountId("BINANCE-001")]
    assert rule.action is DrawdownAction.FLATTEN
    assert rule.daily_reset is DailyLossReset.MANUAL
    assert rule.max_drawdown_pct == Decimal("0.1")
    tiers = config.leverage_tiers[BTC]
    assert [t.max_notional for t in tiers] == [Decimal(50000), Decimal(250000)]  # sorted
    assert config.evaluation_interval_ns == NANOS_PER_SECOND // 2
    assert str(config.timezone_of("NSE")) == "Asia/Kolkata"
    assert str(config.timezone_of("BINANCE")) == "UTC"
    span = config.span_margin
    assert span is not None
    assert span.parameters("BTC") == SpanParameters(
        price_scan=Decimal("0.08"),
        vol_scan=Decimal("0.05"),
        short_option_minimum=Decimal("0.04"),
        calendar_spread_rate=Decimal("0.01"),
    )
    assert span.parameters("ETH").price_scan == Decimal("0.12")
    assert span.parameters("ETH").vol_scan == Decimal("0.05")  # the rest from the top level
    assert span.spot_instruments == {"BTC": BTC}
    assert span.rate == Decimal("0.065")


def test_the_default_config_has_no_limits() -> None:
    config = RiskConfig()
    assert config.limits.is_empty
    assert config.check_balance is True
    assert config.order_throttle is None
    assert config.span_margin is None


@pytest.mark.parametrize(
    ("table", "names"),
    [
        ({"limits": {"max_open_orders": -1}}, "limits.max_open_orders"),
        ({"limits": {"max_order_qty": "-0.5"}}, "limits.max_order_qty"),
        ({"account_limits": {"BINANCE-001": {"max_gross_exposure": "-5 USDT"}}},
         'account_limits["BINANCE-001"].max_gross_exposure'),
        ({"instrument_limits": {"BTCUSDT.BINANCE": {"max_position_notional": "-1"}}},
         'instrument_limits["BTCUSDT.BINANCE"].max_position_notional'),
        ({"strategy_limits": {"S-1": {"price_band_ticks": 0}}},
         'strategy_limits["S-1"].price_band_ticks'),
        ({"limits": {"price_band_pct": "0"}}, "limits.price_band_pct"),
        ({"order_throttle": {"limit": -3, "interval_secs": 1}}, "order_throttle.limit"),
        ({"order_throttle": {"limit": 3, "interval_secs": -1}}, "order_throttle.interval_secs"),
        ({"drawdown": {"BINANCE-001": {"daily_loss_limit": "-10 USDT"}}},
         'drawdown["BINANCE-001"].daily_loss_limit'),
        ({"market_move_breaker": {"move_pct": "-0.1", "window_secs": 1, "cooldown_secs": 1}},
         "market_move_breaker.move_pct"),
        ({"stale_data_breaker": {"max_age_secs": 0}}, "stale_data_breaker.max_age_secs"),
        ({"evaluation_interval_secs": -2}, "evaluation_interval_secs"),
        ({"span_margin": {"price_scan": "-0.06"}}, "span_margin.price_scan"),
        ({"span_margin": {"vol_scan": "-0.04"}}, "span_margin.vol_scan"),
        ({"span_margin": {"short_option_minimum": "-0.03"}}, "span_margin.short_option_minimum"),
        ({"span_margin": {"calendar_spread_rate": "-1"}}, "span_margin.calendar_spread_rate"),
        ({"span_margin": {"underlyings": {"NIFTY": {"price_scan": "-0.1"}}}},
         "span_margin.underlyings.NIFTY.price_scan"),
    ],
)  # fmt: skip
def test_a_negative_limit_fails_at_load_naming_the_field(table: dict[str, Any], names: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        RiskConfig.from_mapping(table)
    assert str(caught.value).startswith(names), str(caught.value)


@pytest.mark.parametrize(
    ("table", "names"),
    [
        ({"limitz": {}}, "limitz"),
        ({"limits": {"max_order_size": "1"}}, "max_order_size"),
        ({"instrument_limits": {"BTCUSDT.BINANCE": {"price_band": "0.1"}}}, "price_band"),
        ({"order_throttle": {"limit": 1, "interval_secs": 1, "burst": 5}}, "burst"),
        ({"drawdown": {"BINANCE-001": {"daily_loss": "1 USDT"}}}, "daily_loss"),
        ({"venue_error_breaker": {"max_errors": 1, "window_secs": 1, "cooldown_secs": 1,
                                  "timeout": 2}}, "timeout"),
        ({"span_margin": {"price_scn": "0.06"}}, "span_margin: unknown field(s) price_scn"),
        ({"span_margin": {"underlyings": {"NIFTY": {"volscan": "0.1"}}}},
         "span_margin.underlyings.NIFTY: unknown field(s) volscan"),
    ],
)  # fmt: skip
def test_an_unknown_key_fails_at_load_naming_it(table: dict[str, Any], names: str) -> None:
    with pytest.raises(InvalidInputError, match=re.escape(names)):
        RiskConfig.from_mapping(table)


def test_an_unknown_instrument_fails_at_load_naming_it() -> None:
    table = {"instrument_limits": {"XRPUSDT.BINANCE": {"max_order_qty": "1"}}}
    with pytest.raises(InvalidInputError, match=r'instrument_limits\["XRPUSDT.BINANCE"\]'):
        RiskConfig.from_mapping(table, instruments=KNOWN)
    tiers = {"leverage_tiers": {"XRPUSDT.BINANCE": [FULL["leverage_tiers"][str(BTC)][0]]}}
    with pytest.raises(InvalidInputError, match=r'leverage_tiers\["XRPUSDT.BINANCE"\]'):
        RiskConfig.from_mapping(tiers, instruments=KNOWN)
    spot = {"span_margin": {"spot_instruments": {"XRP": "XRPUSDT.BINANCE"}}}
    with pytest.raises(
        InvalidInputError,
        match=re.escape('span_margin.spot_instruments["XRP"]: unknown instrument XRPUSDT.BINANCE'),
    ):
        RiskConfig.from_mapping(spot, instruments=KNOWN)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"instrument_limits": {"BTCUSDT.BINANCE": {"max_gross_exposure": "1 USDT"}}},
         'instrument_limits["BTCUSDT.BINANCE"].max_gross_exposure: exposure limits'),
        ({"limits": {"max_net_exposure": "1000"}}, "limits.max_net_exposure: expected an amount"),
        ({"limits": {"min_order_qty": "2", "max_order_qty": "1"}}, "limits.min_order_qty"),
        ({"limits": {"max_order_qty": 1.5}}, "limits.max_order_qty: expected a number"),
        ({"limits": {"reduce_only": "maybe"}}, "limits.reduce_only"),
        ({"reference_price": "BID"}, "reference_price: unknown"),
        ({"cancel_throttle": {"limit": 5, "interval_secs": 1, "mode": "deny"}},
         "cancel_throttle.mode"),
        ({"drawdown": {"BINANCE-001": {"action": "HALTED"}}}, 'drawdown["BINANCE-001"]: set'),
        ({"drawdown": {"BINANCE-001": {"daily_loss_limit": "1 USDT", "max_drawdown": "1 BTC"}}},
         'drawdown["BINANCE-001"].max_drawdown: currency'),
        ({"venue_timezones": {"NSE": "Mars/Olympus"}}, 'venue_timezones["NSE"]: unknown'),
        ({"leverage_tiers": {"BTCUSDT.BINANCE": [
            {"max_notional": "100", "max_leverage": "10", "maint_rate": "0.01"},
            {"max_notional": "200", "max_leverage": "20", "maint_rate": "0.01"}]}},
         'leverage_tiers["BTCUSDT.BINANCE"]: max_leverage must not rise'),
        ({"leverage_tiers": {"BTCUSDT.BINANCE": [{"max_notional": "1", "max_leverage": "0",
                                                  "maint_rate": "0"}]}},
         'leverage_tiers["BTCUSDT.BINANCE"][0].max_leverage'),
        ({"account_limits": {"nodash": {"max_open_orders": 1}}}, 'account_limits["nodash"]'),
        ({"span_margin": {"price_scan": "0.5"}}, "span_margin.price_scan: must be in (0, 0.5)"),
        ({"span_margin": {"vol_scan": 0.04}}, "span_margin.vol_scan"),
        ({"span_margin": "on"}, "span_margin: expected a table"),
        ({"span_margin": {"min_expiry_secs": 0}}, "span_margin.min_expiry_secs"),
    ],
)  # fmt: skip
def test_invalid_values_fail_with_the_field_named(table: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInputError, match=re.escape(message)):
        RiskConfig.from_mapping(table)


def test_limits_change_without_losing_the_rest_and_check_every_value() -> None:
    limits = RiskLimits.from_mapping({"max_order_qty": "2", "max_open_orders": 3})
    changed = limits.changed(
        {"max_position_qty": "4", "price_band_pct": "0.02"}, ["max_open_orders"]
    )
    assert changed.max_order_qty == Quantity("2")
    assert changed.max_position_qty == Quantity("4")
    assert changed.max_open_orders is None
    assert changed.as_text() == {
        "max_order_qty": "2",
        "max_position_qty": "4",
        "price_band_pct": "0.02",
    }
    with pytest.raises(InvalidInputError, match=r"limits\.max_position_qty: must not be negative"):
        limits.changed({"max_position_qty": "-4"})
    with pytest.raises(InvalidInputError, match="unknown field"):
        limits.changed({}, ["max_fun"])


def test_config_built_in_code_is_validated_too() -> None:
    with pytest.raises(InvalidInputError, match="max_order_qty"):
        RiskLimits(max_order_qty="-1")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="limits"):
        RiskConfig(limits="tight")  # type: ignore[arg-type]


def test_the_engine_refuses_to_start_with_limits_for_an_unknown_instrument() -> None:
    config = RiskConfig.from_mapping(
        {"instrument_limits": {"XRPUSDT.BINANCE": {"max_order_qty": "1"}}}
    )
    with pytest.raises(InvalidInputError, match=re.escape('instrument_limits["XRPUSDT.BINANCE"]')):
        RiskHarness(config)
    later = RiskConfig.from_mapping({"instrument_limits": {"NIFTYFUT.NSE": {"max_order_qty": "1"}}})
    assert RiskHarness(later).risk.is_running  # no NSE instrument loaded yet: judged later
