"""Equity curve validation and the series derived from it."""

from __future__ import annotations

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.analysis.equity import (
    drawdown_series,
    monthly_returns,
    normalise_equity,
    period_returns,
    underwater_spells,
)


def daily(*values: float) -> pd.Series:
    return pd.Series(values, index=pd.date_range("2024-01-01", periods=len(values), tz="UTC"))


@pytest.mark.parametrize(
    ("curve", "error", "message"),
    [
        ([1.0], TypeError, "equity must be a pandas Series, got list"),
        (pd.Series([], dtype=float), ValueError, "equity curve is empty"),
        (pd.Series([1.0, 2.0], index=["a", "b"]), TypeError, "timestamps or int nanoseconds"),
        (
            pd.Series([1.0, 2.0, 3.0], index=[0, 5, 5]),
            ValueError,
            r"1970-01-01 00:00:00.000000005\+00:00 \(row 2\) repeats the previous",
        ),
        (pd.Series([1.0, 2.0], index=[5, 1]), ValueError, r"\(row 1\) is before the previous"),
        (pd.Series([1.0, np.nan], index=[0, 1]), ValueError, r"\(row 1\) is nan"),
        (pd.Series([0.0, 1.0], index=[0, 1]), ValueError, "equity must start positive, got 0.0"),
    ],
)
def test_malformed_curves_are_refused(curve: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        normalise_equity(curve)


def test_normalised_curve_is_float_on_utc_timestamps() -> None:
    curve = normalise_equity(pd.Series([100, 101], index=[0, 60_000_000_000]))
    assert curve.dtype == np.float64
    assert str(curve.index.tz) == "UTC"
    assert curve.index[1] == pd.Timestamp("1970-01-01 00:01", tz="UTC")


def test_daily_returns_compound_to_the_total_return() -> None:
    index = pd.to_datetime(
        ["2024-01-01 09:00", "2024-01-01 15:00", "2024-01-03 10:00", "2024-01-03 11:00"], utc=True
    )
    curve = pd.Series([100.0, 90.0, 99.0, 120.0], index=index)
    returns = period_returns(curve, "1D")
    # Jan 1 close 90 vs the first point 100; Jan 2 has no rows; Jan 3 close 120 vs 90
    assert returns.to_list() == pytest.approx([-0.1, 120 / 90 - 1])
    assert float(np.prod(1 + returns)) == pytest.approx(1.2)


@settings(max_examples=200)
@given(
    st.lists(st.floats(min_value=1.0, max_value=1e6), min_size=1, max_size=60),
    st.lists(st.integers(min_value=1, max_value=40 * 3_600), min_size=60, max_size=60),
)
def test_sampled_returns_always_compound_to_the_total(values: list[float], gaps: list[int]) -> None:
    stamps = np.cumsum([0, *gaps[: len(values) - 1]]) * 1_000_000_000
    curve = normalise_equity(pd.Series(values, index=stamps))
    returns = period_returns(curve, "1D")
    assert float(np.prod(1.0 + returns.to_numpy())) == pytest.approx(values[-1] / values[0])
    spells = underwater_spells(curve)
    depth = max((s.depth for s in spells), default=0.0)
    assert depth == pytest.approx(-float(drawdown_series(curve).min()), abs=1e-12)
    assert all(s.peak <= s.trough and (s.recovery is None or s.trough < s.recovery) for s in spells)
    monthly = monthly_returns(curve)
    assert float(np.prod(1.0 + monthly.to_numpy())) == pytest.approx(values[-1] / values[0])


def test_underwater_spells_name_peak_trough_and_recovery() -> None:
    spells = underwater_spells(daily(100, 80, 100, 99, 98, 97, 96, 101, 100))
    assert [(s.peak.day, s.trough.day, s.recovery.day if s.recovery else None) for s in spells] == [
        (1, 2, 3),
        (3, 7, 8),
        (8, 9, None),
    ]
    assert [s.depth for s in spells] == pytest.approx([0.2, 0.04, 1 - 100 / 101])
    assert spells[2].duration_s == 86_400.0  # Jan 8 to the end, Jan 9


def test_monthly_returns_start_from_the_first_value() -> None:
    index = pd.to_datetime(["2024-01-15", "2024-01-31", "2024-02-10", "2024-04-01"], utc=True)
    monthly = monthly_returns(pd.Series([100.0, 110.0, 99.0, 108.9], index=index))
    assert [stamp.strftime("%Y-%m") for stamp in monthly.index] == ["2024-01", "2024-02", "2024-04"]
    # Jan 110 / 100; Feb 99 / 110; Mar has no rows; Apr 108.9 / 99
    assert monthly.to_list() == pytest.approx([0.1, -0.1, 0.1])
