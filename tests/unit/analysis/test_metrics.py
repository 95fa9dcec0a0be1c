"""Performance metrics against values computed by hand on tiny fixtures.

The arithmetic for every expected value is written out beside it.
"""

from __future__ import annotations

import math

import pandas as pd  # type: ignore[import-untyped]
import pytest

from shrivenquant.analysis import MetricsConfig, TradeRecord, compute_performance
from shrivenquant.model.enums import PositionSide

DAY_S = 86_400.0
NS_PER_DAY = 86_400_000_000_000
T0: int = int(pd.Timestamp("2024-01-01", tz="UTC").value)  # a Monday


def daily(*values: float, start: str = "2024-01-01") -> pd.Series:
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="D", tz="UTC"))


def day(d: float) -> int:
    return T0 + round(d * NS_PER_DAY)


# -- returns and risk ---------------------------------------------------------------------
def test_returns_and_ratios_of_a_four_day_fixture() -> None:
    # Daily closes 100, 110, 99, 108.9, 108.9 -> returns +10%, -10%, +10%, 0%.
    report = compute_performance(daily(100.0, 110.0, 99.0, 108.9, 108.9))
    assert report.periods == 4
    assert report.total_return == pytest.approx(0.089)  # 108.9 / 100 - 1
    # CAGR over 4 / 365 years: 1.089 ** (365 / 4) - 1
    assert report.annualised_return == pytest.approx(1.089 ** (365 / 4) - 1)
    # mean = 0.1 / 4 = 0.025; deviations 0.075, -0.125, 0.075, -0.025;
    # squares sum 0.005625 + 0.015625 + 0.005625 + 0.000625 = 0.0275; var = 0.0275 / 3
    std = math.sqrt(0.0275 / 3)
    assert report.volatility == pytest.approx(std * math.sqrt(365))
    assert report.sharpe == pytest.approx(0.025 / std * math.sqrt(365))  # about 4.99
    # downside deviation: sqrt((0 + 0.01 + 0 + 0) / 4) = 0.05
    assert report.sortino == pytest.approx(0.025 / 0.05 * math.sqrt(365))  # about 9.55
    # max drawdown: 99 / 110 - 1 = -10%, from the 110 peak on day 2
    assert report.max_drawdown == pytest.approx(0.1)
    assert report.calmar == pytest.approx((1.089 ** (365 / 4) - 1) / 0.1)
    # never back to 110: peak (Jan 2) to the end (Jan 5) is 3 days, still underwater
    assert report.max_drawdown_recovered is False
    assert report.max_drawdown_duration_s == 3 * DAY_S
    assert report.longest_underwater_s == 3 * DAY_S
    assert report.initial_equity == 100.0
    assert report.final_equity == 108.9
    assert report.start == "2024-01-01T00:00:00+00:00"
    assert report.end == "2024-01-05T00:00:00+00:00"


def test_the_risk_free_rate_is_taken_per_period() -> None:
    config = MetricsConfig(periods_per_year=365, risk_free_rate=0.05)
    report = compute_performance(daily(100.0, 110.0, 99.0, 108.9, 108.9), config=config)
    rf = 1.05 ** (1 / 365) - 1  # about 0.000134 a day
    std = math.sqrt(0.0275 / 3)
    assert report.sharpe == pytest.approx((0.025 - rf) / std * math.sqrt(365))
    # below the target: -0.1 - rf on day 2, and 0 - rf on day 4
    downside = math.sqrt(((-0.1 - rf) ** 2 + (0.0 - rf) ** 2) / 4)
    assert report.sortino == pytest.approx((0.025 - rf) / downside * math.sqrt(365))


def test_nse_convention_skips_days_without_observations() -> None:
    # Thu 100, Fri 102, (weekend: no rows), Mon 96.9: two trading-day returns +2%, -5%.
    curve = pd.Series(
        [100.0, 102.0, 96.9],
        index=pd.to_datetime(["2024-01-04", "2024-01-05", "2024-01-08"], utc=True),
    )
    report = compute_performance(curve, config=MetricsConfig.nse())
    assert report.periods == 2
    assert report.periods_per_year == 252
    # mean -0.015; deviations +-0.035; var (2 * 0.035**2) / 1 = 0.00245
    std = math.sqrt(0.00245)
    assert report.volatility == pytest.approx(std * math.sqrt(252))
    assert report.sharpe == pytest.approx(-0.015 / std * math.sqrt(252))
    assert report.annualised_return == pytest.approx(0.969 ** (252 / 2) - 1)


def test_intraday_points_are_sampled_at_each_days_last_value() -> None:
    index = pd.to_datetime(
        ["2024-01-01 00:00", "2024-01-01 12:00", "2024-01-01 23:00", "2024-01-02 10:00"], utc=True
    )
    curve = pd.Series([100.0, 105.0, 104.0, 110.0], index=index)
    report = compute_performance(curve)
    # day 1: 104 / 100 - 1 (from the first point); day 2: 110 / 104 - 1
    returns = [0.04, 110 / 104 - 1]
    mean = sum(returns) / 2
    std = math.sqrt(sum((r - mean) ** 2 for r in returns))
    assert report.periods == 2
    assert report.sharpe == pytest.approx(mean / std * math.sqrt(365))
    # the intraday dip 105 -> 104 is a drawdown at full resolution
    assert report.max_drawdown == pytest.approx(1 - 104 / 105)


def test_raw_sampling_uses_every_point() -> None:
    config = MetricsConfig(periods_per_year=365 * 24, return_frequency=None)
    index = pd.date_range("2024-01-01", periods=3, freq="h", tz="UTC")
    report = compute_performance(pd.Series([100.0, 101.0, 100.0], index=index), config=config)
    returns = [0.01, 100 / 101 - 1]
    mean = sum(returns) / 2
    std = math.sqrt(sum((r - mean) ** 2 for r in returns))
    assert report.periods == 2
    assert report.volatility == pytest.approx(std * math.sqrt(365 * 24))


# -- drawdowns ----------------------------------------------------------------------------
def test_drawdown_duration_and_longest_underwater_are_different_spells() -> None:
    # Spell A: peak 100 (day 0), trough 80 (day 1, -20%), back at 100 on day 2: 2 days.
    # Spell B: peak 100 (day 2), slides to 96 (day 6, -4%), recovers at 101 on day 7: 5 days.
    report = compute_performance(daily(100, 80, 100, 99, 98, 97, 96, 101))
    assert report.max_drawdown == pytest.approx(0.2)
    assert report.max_drawdown_duration_s == 2 * DAY_S
    assert report.max_drawdown_recovered is True
    assert report.longest_underwater_s == 5 * DAY_S


def test_an_equity_that_only_rises_has_no_drawdown() -> None:
    report = compute_performance(daily(100, 101, 103))
    assert report.max_drawdown == 0.0
    assert report.max_drawdown_duration_s == 0.0
    assert report.longest_underwater_s == 0.0
    assert report.max_drawdown_recovered is True
    assert report.calmar is None
    assert report.notes["calmar"] == "no drawdown"


# -- trades -------------------------------------------------------------------------------
def four_trades() -> list[TradeRecord]:
    return [
        # long 2 @ 100 -> 110, fee 1: pnl 2 * 10 - 1 = 19, open day 0 to day 1
        TradeRecord.from_prices(
            entry_time=day(0),
            exit_time=day(1),
            side=PositionSide.LONG,
            quantity=2,
            entry_price=100,
            exit_price=110,
            fees=1,
        ),
        # short 1 @ 50 -> 55, fee 0.5: pnl -5 - 0.5 = -5.5, open day 0.5 to day 1.5
        TradeRecord.from_prices(
            entry_time=day(0.5),
            exit_time=day(1.5),
            side=PositionSide.SHORT,
            quantity=1,
            entry_price=50,
            exit_price=55,
            fees=0.5,
        ),
        # long 1 @ 10 -> 12: pnl 2, open day 2 to day 2.5
        TradeRecord.from_prices(
            entry_time=day(2),
            exit_time=day(2.5),
            side=PositionSide.LONG,
            quantity=1,
            entry_price=10,
            exit_price=12,
        ),
        # long 1 @ 10 -> 10: pnl 0 (neither a win nor a loss), open and closed on day 3
        TradeRecord.from_prices(
            entry_time=day(3),
            exit_time=day(3),
            side=PositionSide.LONG,
            quantity=1,
            entry_price=10,
            exit_price=10,
        ),
    ]


def test_trade_statistics_of_four_trades() -> None:
    curve = daily(1000, 1010, 1000, 1020, 1015.5)  # days 0..4
    report = compute_performance(curve, four_trades())
    assert report.trade_count == 4
    assert report.win_rate == 0.5  # 2 winners (19, 2) of 4
    assert report.profit_factor == pytest.approx(21 / 5.5)  # (19 + 2) / 5.5
    assert report.expectancy == pytest.approx(3.875)  # (19 - 5.5 + 2 + 0) / 4
    assert report.avg_win == 10.5  # (19 + 2) / 2
    assert report.avg_loss == -5.5
    assert report.largest_win == 19
    assert report.largest_loss == -5.5
    assert report.fees == 1.5  # 1 + 0.5
    # entry + exit notional: 2 * (100 + 110) + (50 + 55) + (10 + 12) + (10 + 10) = 567
    assert report.traded_notional == 567
    mean_equity = (1000 + 1010 + 1000 + 1020 + 1015.5) / 5
    assert report.turnover == pytest.approx(567 / mean_equity)
    # in the market [0, 1.5] and [2, 2.5] (day 3 has zero length): 2 of 4 days
    assert report.exposure == pytest.approx(0.5)
    # held 1 + 1 + 0.5 + 0 = 2.5 days over 4 trades
    assert report.avg_holding_s == pytest.approx(2.5 / 4 * DAY_S)


def test_no_trades() -> None:
    report = compute_performance(daily(100, 101, 102))
    assert report.trade_count == 0
    assert report.exposure == 0.0
    assert report.turnover == 0.0
    assert report.fees == 0.0
    for key in ("win_rate", "profit_factor", "expectancy", "avg_win", "avg_loss"):
        assert getattr(report, key) is None
        assert key in report.notes
    assert report.notes["win_rate"] == "no closed trades"


def test_all_winning_trades_have_no_profit_factor() -> None:
    trades = [t for t in four_trades() if t.pnl > 0]
    report = compute_performance(daily(1000, 1010, 1020, 1030), trades)
    assert report.win_rate == 1.0
    assert report.profit_factor is None
    assert report.notes["profit_factor"] == "no losing trades"
    assert report.avg_loss is None
    assert report.expectancy == pytest.approx(10.5)


def test_exposure_counts_only_the_curves_span() -> None:
    trade = TradeRecord.from_prices(
        entry_time=day(-5),
        exit_time=day(1),
        side=PositionSide.LONG,
        quantity=1,
        entry_price=1,
        exit_price=1,
    )
    report = compute_performance(daily(100, 100, 100, 100, 100), [trade])
    assert report.exposure == pytest.approx(0.25)  # day 0 to 1 of a 4-day curve


# -- edge cases ---------------------------------------------------------------------------
def test_a_flat_curve_has_no_sharpe_and_says_why() -> None:
    report = compute_performance(daily(100, 100, 100, 100))
    assert report.volatility == 0.0
    assert report.sharpe is None
    assert report.notes["sharpe"] == "returns do not vary (volatility is zero)"
    assert report.sortino is None
    assert "risk-free" in report.notes["sortino"]
    assert report.total_return == 0.0
    assert report.annualised_return == 0.0
    assert report.max_drawdown == 0.0


def test_a_single_point_curve() -> None:
    report = compute_performance(daily(100))
    assert report.periods == 0
    assert report.total_return == 0.0
    assert report.annualised_return is None
    assert report.sharpe is None
    assert report.notes["sharpe"] == "0 return period(s); at least 2 are needed"
    assert report.exposure is None
    assert report.notes["exposure"] == "the curve spans no time"


def test_a_wiped_out_account_annualises_to_minus_one() -> None:
    report = compute_performance(daily(100, 50, 0))
    assert report.total_return == -1.0
    assert report.annualised_return == -1.0
    assert report.max_drawdown == 1.0


def test_ns_int_index_and_other_time_zones_are_accepted() -> None:
    by_int = pd.Series([100.0, 110.0, 99.0], index=[day(0), day(1), day(2)])
    by_ist = daily(100.0, 110.0, 99.0).tz_convert("Asia/Kolkata")
    naive = daily(100.0, 110.0, 99.0).tz_localize(None)
    reports = [compute_performance(curve) for curve in (by_int, by_ist, naive)]
    assert reports[0] == reports[1] == reports[2]
    assert reports[0].start == "2024-01-01T00:00:00+00:00"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"periods_per_year": 0}, "periods_per_year must be positive"),
        ({"risk_free_rate": float("nan")}, "risk_free_rate must be a finite fraction"),
        ({"return_frequency": "fortnightly"}, "'fortnightly' is not a pandas offset alias"),
    ],
)
def test_bad_config_is_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MetricsConfig(**kwargs)  # type: ignore[arg-type]
