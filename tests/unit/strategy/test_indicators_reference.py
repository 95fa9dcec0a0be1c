"""Every incremental indicator against an independent pandas/numpy reference.

The references are written from the textbook definitions with whole-array pandas/numpy
operations (rolling windows, ``ewm``), not with the indicators' own update rules. Each is
checked on a long seeded random walk (to catch float drift) and on hypothesis-generated
series and periods (to catch warm-up and edge handling), including the exact warm-up: the
outputs must be ``nan`` exactly where the reference is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.lib.stride_tricks import sliding_window_view

from shrivenquant.strategy.indicators import (
    ATR,
    EMA,
    MACD,
    ROC,
    RSI,
    SMA,
    VWAP,
    WMA,
    BollingerBands,
    DonchianChannel,
    RollingStd,
    Stochastic,
    ZScore,
)

Floats = npt.NDArray[np.float64]
RTOL = 1e-9
NS_PER_DAY = 86_400_000_000_000


# -- helpers --------------------------------------------------------------------------------
def assert_matches(
    actual: Sequence[float] | Floats,
    expected: Sequence[float] | Floats,
    conditioning: Floats | None = None,
) -> None:
    """Equal nan positions; elsewhere within RTOL of the expected value (or of 1 near zero).

    ``conditioning`` adds ``1e-12 * conditioning`` per element to the tolerance, for outputs
    whose inputs already carry a larger rounding error than RTOL (a z-score of a window whose
    spread is tiny next to the price level: its condition number is ``|price| / std``).
    """
    a = np.asarray(actual, dtype=float)
    e = np.asarray(expected, dtype=float)
    assert a.shape == e.shape
    np.testing.assert_array_equal(np.isnan(a), np.isnan(e), err_msg="warm-up (nan) mismatch")
    ok = ~np.isnan(e)
    tolerance = RTOL * np.maximum(np.abs(e[ok]), 1.0)
    if conditioning is not None:
        tolerance += 1e-12 * conditioning[ok]
    worst = np.max(np.abs(a[ok] - e[ok]) / tolerance, initial=0.0)
    assert worst <= 1.0, f"error {worst:.3g} times the tolerance"


def feed(indicator: PriceOrRange, *columns: Floats, read: Callable[[], float]) -> Floats:
    """Feed the columns row by row through ``update_raw`` and read one output after each."""
    out = np.empty(len(columns[0]))
    for i, row in enumerate(zip(*columns, strict=True)):
        indicator.update_raw(*(float(v) for v in row))
        out[i] = read()
    return out


PriceOrRange = (
    SMA
    | EMA
    | WMA
    | RSI
    | MACD
    | ROC
    | RollingStd
    | ZScore
    | BollingerBands
    | ATR
    | Stochastic
    | DonchianChannel
)


def random_walk(n: int, seed: int, level: float = 100.0, step: float = 1.0) -> Floats:
    rng = np.random.default_rng(seed)
    return level + np.cumsum(rng.normal(0.0, step, n))


def random_bars(n: int, seed: int) -> tuple[Floats, Floats, Floats]:
    rng = np.random.default_rng(seed)
    close = random_walk(n, seed)
    high = close + rng.exponential(0.5, n)
    low = close - rng.exponential(0.5, n)
    return high, low, close


def seeded_ewm(values: pd.Series, period: int, alpha: float, seed_at: int) -> pd.Series:
    """``ewm(adjust=False)`` of ``values[seed_at:]`` started from the mean of the ``period``
    values ending at ``seed_at``; nan before ``seed_at``."""
    out = pd.Series(np.nan, index=values.index)
    if len(values) <= seed_at:
        return out
    seed = values.iloc[seed_at - period + 1 : seed_at + 1].mean()
    tail = pd.concat([pd.Series([seed]), values.iloc[seed_at + 1 :]], ignore_index=True)
    out.iloc[seed_at:] = tail.ewm(alpha=alpha, adjust=False).mean().to_numpy()
    return out


def window_stat(x: Floats, period: int, stat: Callable[[Floats], Floats]) -> Floats:
    out = np.full(len(x), np.nan)
    if len(x) >= period:
        out[period - 1 :] = stat(sliding_window_view(x, period))
    return out


# -- references -----------------------------------------------------------------------------
def ref_sma(x: Floats, p: int) -> Floats:
    return np.asarray(pd.Series(x).rolling(p).mean(), dtype=np.float64)


def ref_ema(x: Floats, p: int) -> Floats:
    return np.asarray(seeded_ewm(pd.Series(x), p, 2.0 / (p + 1), p - 1), dtype=np.float64)


def ref_wma(x: Floats, p: int) -> Floats:
    weights = np.arange(1, p + 1, dtype=float)
    return window_stat(x, p, lambda w: w @ weights / weights.sum())


def ref_rsi(x: Floats, p: int) -> Floats:
    change = pd.Series(x).diff()
    gains = change.clip(lower=0.0)
    losses = (-change).clip(lower=0.0)
    avg_gain = seeded_ewm(gains.fillna(0.0), p, 1.0 / p, p)
    avg_loss = seeded_ewm(losses.fillna(0.0), p, 1.0 / p, p)
    total = avg_gain + avg_loss
    rsi = 100.0 * avg_gain / total
    return np.asarray(rsi.mask(total == 0.0, 50.0).mask(avg_gain.isna()), dtype=np.float64)


def ref_macd(x: Floats, fast: int, slow: int, signal: int) -> tuple[Floats, Floats, Floats]:
    line = ref_ema(x, fast) - ref_ema(x, slow)
    signal_line = np.full(len(x), np.nan)
    signal_line[slow - 1 :] = ref_ema(line[slow - 1 :], signal)
    return line, signal_line, line - signal_line


def ref_std(x: Floats, p: int, ddof: int) -> Floats:
    return window_stat(x, p, lambda w: w.std(axis=1, ddof=ddof))


def ref_mean(x: Floats, p: int) -> Floats:
    return window_stat(x, p, lambda w: w.mean(axis=1))


def ref_roc(x: Floats, p: int) -> Floats:
    return np.asarray((pd.Series(x).pct_change(p, fill_method=None) * 100.0), dtype=np.float64)


def ref_true_range(high: Floats, low: Floats, close: Floats) -> pd.Series:
    prev = pd.Series(close).shift(1)
    ranges = pd.concat(
        [pd.Series(high - low), (pd.Series(high) - prev).abs(), (pd.Series(low) - prev).abs()],
        axis=1,
    )
    return ranges.max(axis=1)  # skips the nan of the first bar: high - low


def ref_atr(high: Floats, low: Floats, close: Floats, p: int) -> Floats:
    return np.asarray(
        seeded_ewm(ref_true_range(high, low, close), p, 1.0 / p, p - 1), dtype=np.float64
    )


def ref_stochastic(
    high: Floats, low: Floats, close: Floats, k: int, d: int
) -> tuple[Floats, Floats]:
    highest = pd.Series(high).rolling(k).max()
    lowest = pd.Series(low).rolling(k).min()
    span = highest - lowest
    pct_k = (100.0 * (pd.Series(close) - lowest) / span).mask(span == 0.0, 50.0)
    pct_k = pct_k.mask(highest.isna())
    return (
        np.asarray(pct_k, dtype=np.float64),
        np.asarray(pct_k.rolling(d).mean(), dtype=np.float64),
    )


# -- long seeded series: drift and exactness ------------------------------------------------
@pytest.mark.parametrize("period", [1, 2, 14, 50])
def test_moving_averages_match_references_on_a_long_walk(period: int) -> None:
    x = random_walk(20_000, seed=period, level=50_000.0, step=25.0)
    sma, ema, wma = SMA(period), EMA(period), WMA(period)
    assert_matches(feed(sma, x, read=lambda: sma.value), ref_sma(x, period))
    assert_matches(feed(ema, x, read=lambda: ema.value), ref_ema(x, period))
    assert_matches(feed(wma, x, read=lambda: wma.value), ref_wma(x, period))


@pytest.mark.parametrize(("period", "ddof"), [(2, 0), (20, 0), (20, 1), (60, 1)])
def test_dispersion_matches_references_on_a_long_walk(period: int, ddof: int) -> None:
    x = random_walk(20_000, seed=period + ddof, level=50_000.0, step=25.0)
    std = RollingStd(period, ddof)
    assert_matches(feed(std, x, read=lambda: std.value), ref_std(x, period, ddof))
    z = ZScore(period, ddof)
    spread = ref_std(x, period, ddof)
    expected_z = (x - ref_mean(x, period)) / spread
    assert_matches(feed(z, x, read=lambda: z.value), expected_z, conditioning=np.abs(x) / spread)
    bands = BollingerBands(period, 2.5, ddof)
    upper = feed(bands, x, read=lambda: bands.upper)
    expected_mid = ref_mean(x, period)
    assert_matches(upper, expected_mid + 2.5 * ref_std(x, period, ddof))
    assert bands.middle == pytest.approx(expected_mid[-1], rel=RTOL)
    assert bands.lower == pytest.approx(expected_mid[-1] - (upper[-1] - expected_mid[-1]))


def test_momentum_matches_references_on_a_long_walk() -> None:
    x = random_walk(20_000, seed=7)
    rsi = RSI(14)
    assert_matches(feed(rsi, x, read=lambda: rsi.value), ref_rsi(x, 14))
    roc = ROC(10)
    assert_matches(feed(roc, x, read=lambda: roc.value), ref_roc(x, 10))
    macd = MACD(12, 26, 9)
    rows = feed(macd, x, read=lambda: macd.histogram)
    line, signal, histogram = ref_macd(x, 12, 26, 9)
    assert_matches(rows, histogram)
    assert macd.line == pytest.approx(line[-1], rel=RTOL)
    assert macd.signal == pytest.approx(signal[-1], rel=RTOL)


def test_range_indicators_match_references_on_a_long_walk() -> None:
    high, low, close = random_bars(20_000, seed=3)
    atr = ATR(14)
    assert_matches(
        feed(atr, high, low, close, read=lambda: atr.value), ref_atr(high, low, close, 14)
    )
    stoch = Stochastic(14, 3)
    k, d = ref_stochastic(high, low, close, 14, 3)
    assert_matches(feed(stoch, high, low, close, read=lambda: stoch.k), k)
    stoch.reset()
    assert_matches(feed(stoch, high, low, close, read=lambda: stoch.d), d)
    channel = DonchianChannel(20)
    upper = feed(channel, high, low, close, read=lambda: channel.upper)
    assert_matches(upper, pd.Series(high).rolling(20).max().to_numpy())
    assert channel.lower == pd.Series(low).rolling(20).min().iloc[-1]
    assert channel.middle == (channel.upper + channel.lower) / 2


def test_sma_has_no_drift_after_many_updates_far_from_zero() -> None:
    # Values near 1e9 with small moves: a naive running sum loses digits here.
    rng = np.random.default_rng(11)
    x = 1e9 + rng.normal(0.0, 0.01, 200_000)
    sma = SMA(30)
    for value in x:
        sma.update_raw(float(value))
    assert sma.value == pytest.approx(np.mean(x[-30:]), rel=1e-15, abs=0)


# -- hypothesis: any series, any period ------------------------------------------------------
prices = st.lists(
    st.floats(min_value=1.0, max_value=10_000.0, allow_nan=False), min_size=0, max_size=120
)
periods = st.integers(min_value=1, max_value=30)


@settings(max_examples=200)
@given(prices, periods)
def test_averages_and_momentum_match_references(values: list[float], period: int) -> None:
    x = np.asarray(values, dtype=float)
    for indicator, expected in (
        (SMA(period), ref_sma(x, period)),
        (EMA(period), ref_ema(x, period)),
        (WMA(period), ref_wma(x, period)),
        (RSI(period), ref_rsi(x, period)),
        (ROC(period), ref_roc(x, period)),
    ):
        got = feed(indicator, x, read=lambda ind=indicator: ind.value)  # type: ignore[misc]
        assert_matches(got, expected)
        assert indicator.initialized == (not np.isnan(expected[-1]) if len(x) else False)
        assert indicator.count == len(x)


@settings(max_examples=200)
@given(prices, st.integers(min_value=2, max_value=30), st.integers(min_value=0, max_value=1))
def test_dispersion_matches_references(values: list[float], period: int, ddof: int) -> None:
    x = np.asarray(values, dtype=float)
    std = RollingStd(period, ddof)
    assert_matches(feed(std, x, read=lambda: std.value), ref_std(x, period, ddof))
    z = ZScore(period, ddof)
    spread = ref_std(x, period, ddof)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = np.where(spread > 1e-9, (x - ref_mean(x, period)) / spread, 0.0)
    expected[np.isnan(spread)] = np.nan
    got = feed(z, x, read=lambda: z.value)
    # Near-flat windows have z-scores that are ratios of rounding residues; compare the rest.
    near_flat = (spread > 0.0) & (spread <= 1e-9 * np.abs(x))
    with np.errstate(divide="ignore"):
        conditioning = np.abs(x) / spread
    assert_matches(got[~near_flat], expected[~near_flat], conditioning[~near_flat])


@settings(max_examples=200)
@given(
    st.integers(min_value=1, max_value=6),
    st.integers(min_value=2, max_value=12),
    st.integers(min_value=1, max_value=6),
    st.lists(st.floats(min_value=1.0, max_value=1_000.0), max_size=80),
)
def test_macd_matches_reference(fast: int, extra: int, signal: int, values: list[float]) -> None:
    slow = fast + extra
    x = np.asarray(values, dtype=float)
    line, signal_line, histogram = ref_macd(x, fast, slow, signal)
    macd = MACD(fast, slow, signal)
    got = feed(macd, x, read=lambda: macd.line)
    assert_matches(got, line)
    macd.reset()
    assert_matches(feed(macd, x, read=lambda: macd.signal), signal_line)
    macd.reset()
    assert_matches(feed(macd, x, read=lambda: macd.histogram), histogram)
    assert macd.initialized == bool(len(x) and not np.isnan(histogram[-1]))


bars = st.lists(
    st.tuples(
        st.floats(min_value=10.0, max_value=1_000.0),
        st.floats(min_value=0.0, max_value=20.0),
        st.floats(min_value=0.0, max_value=1.0),
    ),
    max_size=100,
)


def unpack_bars(rows: list[tuple[float, float, float]]) -> tuple[Floats, Floats, Floats]:
    """(low, range, where the close sits) -> high, low, close."""
    low = np.asarray([r[0] for r in rows], dtype=float)
    high = low + np.asarray([r[1] for r in rows], dtype=float)
    close = low + (high - low) * np.asarray([r[2] for r in rows], dtype=float)
    return high, low, close


@settings(max_examples=200)
@given(bars, periods, st.integers(min_value=1, max_value=5))
def test_range_indicators_match_references(
    rows: list[tuple[float, float, float]], period: int, d_period: int
) -> None:
    high, low, close = unpack_bars(rows)
    atr = ATR(period)
    assert_matches(
        feed(atr, high, low, close, read=lambda: atr.value), ref_atr(high, low, close, period)
    )
    k, d = ref_stochastic(high, low, close, period, d_period)
    stoch = Stochastic(period, d_period)
    assert_matches(feed(stoch, high, low, close, read=lambda: stoch.k), k)
    stoch.reset()
    assert_matches(feed(stoch, high, low, close, read=lambda: stoch.d), d)
    channel = DonchianChannel(period)
    lower = feed(channel, high, low, close, read=lambda: channel.lower)
    assert_matches(lower, pd.Series(low).rolling(period).min().to_numpy())


# -- VWAP ---------------------------------------------------------------------------------------
def ref_session_vwap(
    price: Floats, volume: Floats, ts: npt.NDArray[np.int64], offset: int
) -> Floats:
    frame = pd.DataFrame({"pv": price * volume, "v": volume, "s": (ts - offset) // NS_PER_DAY})
    sums = frame.groupby("s")[["pv", "v"]].cumsum()
    return np.asarray((sums["pv"] / sums["v"]).where(sums["v"] > 0.0), dtype=np.float64)


def ref_rolling_vwap(price: Floats, volume: Floats, period: int) -> Floats:
    pv = pd.Series(price * volume).rolling(period).sum()
    v = pd.Series(volume).rolling(period).sum()
    return np.asarray((pv / v).where(v > 0.0), dtype=np.float64)


@settings(max_examples=200)
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=1.0, max_value=1_000.0),
            st.sampled_from([0.0, 0.5, 1.0, 3.25, 100.0]),
            st.integers(min_value=0, max_value=NS_PER_DAY // 3),
        ),
        max_size=100,
    ),
    st.integers(min_value=0, max_value=NS_PER_DAY - 1),
    periods,
)
def test_vwap_matches_references(
    rows: list[tuple[float, float, int]], offset: int, period: int
) -> None:
    price = np.asarray([r[0] for r in rows], dtype=float)
    volume = np.asarray([r[1] for r in rows], dtype=float)
    ts = np.cumsum(np.asarray([r[2] for r in rows], dtype=np.int64))
    session = VWAP(session_offset_ns=offset)
    got = np.empty(len(rows))
    for i in range(len(rows)):
        session.update_raw(float(price[i]), float(volume[i]), int(ts[i]))
        got[i] = session.value
        assert session.initialized == (not np.isnan(got[i]))
    assert_matches(got, ref_session_vwap(price, volume, ts, offset))
    rolling = VWAP(period=period)
    got = np.empty(len(rows))
    for i in range(len(rows)):
        rolling.update_raw(float(price[i]), float(volume[i]))
        got[i] = rolling.value
    assert_matches(got, ref_rolling_vwap(price, volume, period))


def test_session_vwap_restarts_at_the_session_boundary() -> None:
    offset = 3 * 3_600_000_000_000  # sessions start at 03:00 UTC
    vwap = VWAP(session_offset_ns=offset)
    vwap.update_raw(100.0, 1.0, offset - 1)  # the previous session's last nanosecond
    vwap.update_raw(200.0, 3.0, offset - 1)
    assert vwap.value == (100.0 + 600.0) / 4.0
    vwap.update_raw(50.0, 2.0, offset)  # a new session
    assert vwap.value == 50.0
    assert vwap.volume == 2.0
    assert vwap.count == 3
