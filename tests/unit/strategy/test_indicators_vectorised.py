"""The whole-array functions give the same numbers as the incremental indicators."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
from shrivenquant.strategy.indicators import vectorised as vi

Floats = npt.NDArray[np.float64]
NS_PER_DAY = 86_400_000_000_000


def same(actual: Floats, expected: Floats) -> None:
    """Equal nan positions and equal values up to the last few bits."""
    np.testing.assert_array_equal(np.isnan(actual), np.isnan(expected))
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-12)


def run_price(indicator: object, x: Floats, read: Callable[[], float]) -> Floats:
    out = np.empty(len(x))
    for i, value in enumerate(x):
        indicator.update_raw(float(value))  # type: ignore[attr-defined]
        out[i] = read()
    return out


def run_range(
    indicator: object, h: Floats, lo: Floats, c: Floats, read: Callable[[], float]
) -> Floats:
    out = np.empty(len(c))
    for i in range(len(c)):
        indicator.update_raw(float(h[i]), float(lo[i]), float(c[i]))  # type: ignore[attr-defined]
        out[i] = read()
    return out


def walk(n: int, seed: int) -> Floats:
    rng = np.random.default_rng(seed)
    return 1_000.0 + np.cumsum(rng.normal(0.0, 2.0, n))


def bars(n: int, seed: int) -> tuple[Floats, Floats, Floats]:
    rng = np.random.default_rng(seed)
    close = walk(n, seed)
    return close + rng.exponential(1.0, n), close - rng.exponential(1.0, n), close


@settings(max_examples=100)
@given(st.integers(min_value=0, max_value=300), st.integers(min_value=1, max_value=40))
def test_price_indicators_agree(n: int, period: int) -> None:
    x = walk(n, seed=n * 41 + period)
    # Repeat a price now and then, so flat windows are exercised too.
    x[::7] = np.roll(x, 1)[::7]
    same(vi.sma(x, period), run_price(s := SMA(period), x, lambda: s.value))
    same(vi.ema(x, period), run_price(e := EMA(period), x, lambda: e.value))
    same(vi.wma(x, period), run_price(w := WMA(period), x, lambda: w.value))
    same(vi.rsi(x, period), run_price(r := RSI(period), x, lambda: r.value))
    same(vi.roc(x, period), run_price(c := ROC(period), x, lambda: c.value))
    if period >= 2:
        same(
            vi.rolling_std(x, period, 1), run_price(d := RollingStd(period, 1), x, lambda: d.value)
        )
        same(vi.zscore(x, period), run_price(z := ZScore(period), x, lambda: z.value))
        bands = vi.bollinger(x, period, 1.5)
        b = BollingerBands(period, 1.5)
        same(bands.upper, run_price(b, x, lambda: b.upper))
        b.reset()
        same(bands.lower, run_price(b, x, lambda: b.lower))
        b.reset()
        same(bands.middle, run_price(b, x, lambda: b.middle))


@settings(max_examples=50)
@given(
    st.integers(min_value=0, max_value=200),
    st.integers(min_value=1, max_value=8),
    st.integers(min_value=1, max_value=20),
    st.integers(min_value=1, max_value=9),
)
def test_macd_agrees(n: int, fast: int, extra: int, signal: int) -> None:
    x = walk(n, seed=n)
    result = vi.macd(x, fast, fast + extra, signal)
    m = MACD(fast, fast + extra, signal)
    same(result.line, run_price(m, x, lambda: m.line))
    m.reset()
    same(result.signal, run_price(m, x, lambda: m.signal))
    m.reset()
    same(result.histogram, run_price(m, x, lambda: m.histogram))


@settings(max_examples=100)
@given(
    st.integers(min_value=0, max_value=300),
    st.integers(min_value=1, max_value=30),
    st.integers(min_value=1, max_value=5),
)
def test_range_indicators_agree(n: int, period: int, d_period: int) -> None:
    h, lo, c = bars(n, seed=n + period)
    same(vi.atr(h, lo, c, period), run_range(a := ATR(period), h, lo, c, lambda: a.value))
    result = vi.stochastic(h, lo, c, period, d_period)
    s = Stochastic(period, d_period)
    same(result.k, run_range(s, h, lo, c, lambda: s.k))
    s.reset()
    same(result.d, run_range(s, h, lo, c, lambda: s.d))
    channel = vi.donchian(h, lo, period)
    dc = DonchianChannel(period)
    same(channel.upper, run_range(dc, h, lo, c, lambda: dc.upper))
    dc.reset()
    same(channel.middle, run_range(dc, h, lo, c, lambda: dc.middle))
    dc.reset()
    same(channel.lower, run_range(dc, h, lo, c, lambda: dc.lower))


@settings(max_examples=100)
@given(st.integers(min_value=0, max_value=300), st.integers(min_value=1, max_value=30))
def test_vwap_agrees(n: int, period: int) -> None:
    rng = np.random.default_rng(n)
    price = walk(n, seed=n)
    volume = rng.choice([0.0, 0.5, 2.0, 10.0], n)
    ts = np.cumsum(rng.integers(0, NS_PER_DAY // 5, n))
    offset = int(rng.integers(0, NS_PER_DAY))
    session = VWAP(session_offset_ns=offset)
    got = np.empty(n)
    for i in range(n):
        session.update_raw(float(price[i]), float(volume[i]), int(ts[i]))
        got[i] = session.value
    same(vi.vwap(price, volume, ts_event=ts, session_offset_ns=offset), got)
    rolling = VWAP(period=period)
    for i in range(n):
        rolling.update_raw(float(price[i]), float(volume[i]))
        got[i] = rolling.value
    same(vi.vwap(price, volume, period=period), got)


def test_long_series_agree_exactly_enough_for_crossover_signals() -> None:
    x = walk(200_000, seed=5)
    fast, slow = SMA(10), SMA(30)
    incremental = np.empty(len(x), dtype=bool)
    for i, value in enumerate(x):
        fast.update_raw(float(value))
        slow.update_raw(float(value))
        incremental[i] = fast.value > slow.value
    np.testing.assert_array_equal(vi.sma(x, 10) > vi.sma(x, 30), incremental)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: vi.sma([1.0, float("nan")], 2), r"sma: values\[1\] is nan"),
        (lambda: vi.sma([[1.0, 2.0]], 2), "sma: values must be 1-D"),
        (lambda: vi.ema([1.0], 0), "ema period must be >= 1"),
        (lambda: vi.rolling_std([1.0, 2.0], 1, ddof=1), "rolling_std period must be >= 2"),
        (lambda: vi.macd([1.0], 5, 5), "fast period 5 must be shorter"),
        (lambda: vi.atr([1.0, 2.0], [1.0], [1.0, 2.0]), "atr: inputs differ in length"),
        (lambda: vi.atr([1.0], [2.0], [1.5]), r"atr: low\[0\]=2.0 is above high\[0\]=1.0"),
        (lambda: vi.bollinger([1.0], 1, k=-1.0), "bollinger: k must be a positive"),
        (lambda: vi.vwap([1.0], [-1.0], period=1), r"vwap: volume\[0\]=-1.0 is negative"),
        (lambda: vi.vwap([1.0], [1.0]), "session mode .* needs ts_event"),
        (lambda: vi.vwap([1.0, 1.0], [1.0, 1.0], ts_event=[5, 4]), r"ts_event\[1\]=4 is before"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_bool_period_is_refused() -> None:
    with pytest.raises(TypeError, match="sma period must be an int"):
        vi.sma([1.0, 2.0], True)
