"""Whole-array versions of every indicator, for research and vectorised parameter sweeps.

Each function takes 1-D arrays (anything ``numpy.asarray`` accepts) and returns float64
arrays of the same length whose element ``i`` is what the incremental class reads after its
``i + 1``-th update: ``nan`` during the warm-up, then the same numbers (the loops are compiled
with numba and do the same arithmetic in the same order). The first call of each function
compiles it; the compiled code is cached on disk.

Example::

    from shrivenquant.strategy.indicators import vectorised as vi

    fast, slow = vi.sma(close, 10), vi.sma(close, 30)
    long = fast > slow          # nan compares False, so the warm-up is flat
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from shrivenquant.strategy.indicators import _kernels
from shrivenquant.strategy.indicators.averages import exact_every
from shrivenquant.strategy.indicators.base import check_period
from shrivenquant.strategy.indicators.dispersion import CANCELLATION
from shrivenquant.strategy.indicators.volume import NS_PER_DAY

Floats = npt.NDArray[np.float64]


class MACDResult(NamedTuple):
    """MACD line, signal and histogram."""

    line: Floats
    signal: Floats
    histogram: Floats


class BollingerResult(NamedTuple):
    """Bollinger middle, upper and lower bands."""

    middle: Floats
    upper: Floats
    lower: Floats


class StochasticResult(NamedTuple):
    """Stochastic %K and %D."""

    k: Floats
    d: Floats


class DonchianResult(NamedTuple):
    """Donchian upper, middle and lower lines."""

    upper: Floats
    middle: Floats
    lower: Floats


def _floats(func: str, name: str, values: npt.ArrayLike) -> Floats:
    array = np.ascontiguousarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{func}: {name} must be 1-D, got shape {array.shape}")
    finite = np.isfinite(array)
    if not finite.all():
        index = int(np.argmin(finite))
        raise ValueError(
            f"{func}: {name}[{index}] is {float(array[index])!r}; inputs must be finite numbers"
        )
    return array


def _same_length(func: str, **arrays: Floats) -> None:
    lengths = {name: len(array) for name, array in arrays.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"{func}: inputs differ in length: {lengths}")


def _ranges(
    func: str, high: npt.ArrayLike, low: npt.ArrayLike, close: npt.ArrayLike
) -> tuple[Floats, Floats, Floats]:
    h = _floats(func, "high", high)
    lo = _floats(func, "low", low)
    c = _floats(func, "close", close)
    _same_length(func, high=h, low=lo, close=c)
    bad = lo > h
    if bad.any():
        index = int(np.argmax(bad))
        raise ValueError(
            f"{func}: low[{index}]={float(lo[index])!r} is above high[{index}]={float(h[index])!r}"
        )
    return h, lo, c


def sma(values: npt.ArrayLike, period: int) -> Floats:
    """Simple moving average (see `SMA`)."""
    check_period("sma", "period", period)
    return _kernels.sma(_floats("sma", "values", values), period, exact_every(period))


def ema(values: npt.ArrayLike, period: int) -> Floats:
    """Exponential moving average seeded with the simple mean (see `EMA`)."""
    check_period("ema", "period", period)
    return _kernels.ema(_floats("ema", "values", values), period, 0)


def wma(values: npt.ArrayLike, period: int) -> Floats:
    """Linearly weighted moving average (see `WMA`)."""
    check_period("wma", "period", period)
    return _kernels.wma(_floats("wma", "values", values), period)


def rsi(values: npt.ArrayLike, period: int = 14) -> Floats:
    """Wilder's RSI, 0..100 (see `RSI`)."""
    check_period("rsi", "period", period)
    return _kernels.rsi(_floats("rsi", "values", values), period)


def macd(values: npt.ArrayLike, fast: int = 12, slow: int = 26, signal: int = 9) -> MACDResult:
    """MACD line, signal and histogram (see `MACD`)."""
    check_period("macd", "fast", fast)
    check_period("macd", "slow", slow)
    check_period("macd", "signal", signal)
    if fast >= slow:
        raise ValueError(f"macd: fast period {fast} must be shorter than slow period {slow}")
    x = _floats("macd", "values", values)
    line = _kernels.ema(x, fast, 0) - _kernels.ema(x, slow, 0)
    start = min(slow - 1, len(x))
    # The signal EMA starts where the line does; the nan prefix of `line` is never read.
    signal_line = _kernels.ema(np.nan_to_num(line, nan=0.0), signal, start)
    return MACDResult(line, signal_line, line - signal_line)


def rolling_std(values: npt.ArrayLike, period: int, ddof: int = 0) -> Floats:
    """Rolling standard deviation (see `RollingStd`)."""
    check_period("rolling_std", "ddof", ddof, minimum=0)
    check_period("rolling_std", "period", period, minimum=ddof + 1)
    return _kernels.rolling_moments(
        _floats("rolling_std", "values", values), period, ddof, CANCELLATION
    )[1]


def zscore(values: npt.ArrayLike, period: int, ddof: int = 0) -> Floats:
    """Rolling z-score of each value; 0 where the window has no spread (see `ZScore`)."""
    check_period("zscore", "ddof", ddof, minimum=0)
    check_period("zscore", "period", period, minimum=ddof + 1)
    x = _floats("zscore", "values", values)
    mean, std = _kernels.rolling_moments(x, period, ddof, CANCELLATION)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (x - mean) / std
    return np.where(std > 0.0, z, np.where(np.isnan(std), np.nan, 0.0))


def bollinger(
    values: npt.ArrayLike, period: int = 20, k: float = 2.0, ddof: int = 0
) -> BollingerResult:
    """Bollinger bands (see `BollingerBands`)."""
    check_period("bollinger", "ddof", ddof, minimum=0)
    check_period("bollinger", "period", period, minimum=ddof + 1)
    if not (np.isfinite(k) and k > 0.0):
        raise ValueError(f"bollinger: k must be a positive finite number, got {k!r}")
    mean, std = _kernels.rolling_moments(
        _floats("bollinger", "values", values), period, ddof, CANCELLATION
    )
    return BollingerResult(mean, mean + k * std, mean - k * std)


def roc(values: npt.ArrayLike, period: int = 10) -> Floats:
    """Rate of change in percent; ``nan`` where the old price is zero (see `ROC`)."""
    check_period("roc", "period", period)
    x = _floats("roc", "values", values)
    out = np.full(len(x), np.nan)
    if len(x) > period:
        old = x[:-period]
        with np.errstate(divide="ignore", invalid="ignore"):
            out[period:] = np.where(old != 0.0, 100.0 * (x[period:] / old - 1.0), np.nan)
    return out


def atr(high: npt.ArrayLike, low: npt.ArrayLike, close: npt.ArrayLike, period: int = 14) -> Floats:
    """Wilder's average true range (see `ATR`)."""
    check_period("atr", "period", period)
    return _kernels.atr(*_ranges("atr", high, low, close), period)


def stochastic(
    high: npt.ArrayLike,
    low: npt.ArrayLike,
    close: npt.ArrayLike,
    k_period: int = 14,
    d_period: int = 3,
) -> StochasticResult:
    """Stochastic %K and %D (see `Stochastic`)."""
    check_period("stochastic", "k_period", k_period)
    check_period("stochastic", "d_period", d_period)
    h, lo, c = _ranges("stochastic", high, low, close)
    highest = _kernels.rolling_extreme(h, k_period, True)
    lowest = _kernels.rolling_extreme(lo, k_period, False)
    span = highest - lowest
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.where(span > 0.0, 100.0 * (c - lowest) / span, 50.0)
    k[: k_period - 1] = np.nan
    d = np.full(len(c), np.nan)
    if len(c) >= k_period:
        d[k_period - 1 :] = _kernels.sma(k[k_period - 1 :], d_period, exact_every(d_period))
    return StochasticResult(k, d)


def donchian(high: npt.ArrayLike, low: npt.ArrayLike, period: int = 20) -> DonchianResult:
    """Donchian channel (see `DonchianChannel`)."""
    check_period("donchian", "period", period)
    h = _floats("donchian", "high", high)
    lo = _floats("donchian", "low", low)
    _same_length("donchian", high=h, low=lo)
    upper = _kernels.rolling_extreme(h, period, True)
    lower = _kernels.rolling_extreme(lo, period, False)
    upper[: period - 1] = np.nan
    lower[: period - 1] = np.nan
    return DonchianResult(upper, (upper + lower) * 0.5, lower)


def vwap(
    price: npt.ArrayLike,
    volume: npt.ArrayLike,
    period: int | None = None,
    ts_event: npt.ArrayLike | None = None,
    session_offset_ns: int = 0,
) -> Floats:
    """Volume-weighted average price, per session or rolling (see `VWAP`).

    Args:
        price: traded (or typical) prices.
        volume: volumes, not negative.
        period: rolling window length in updates; None for session mode.
        ts_event: int64 nanoseconds since the epoch, UTC, not decreasing; required in session
            mode. For bars stamped at their close, pass ``ts_event - 1`` as `VWAP.handle_bar`
            does.
        session_offset_ns: session start after UTC midnight.
    """
    p = _floats("vwap", "price", price)
    v = _floats("vwap", "volume", volume)
    _same_length("vwap", price=p, volume=v)
    if (v < 0.0).any():
        index = int(np.argmax(v < 0.0))
        raise ValueError(f"vwap: volume[{index}]={float(v[index])!r} is negative")
    pv = p * v
    if period is not None:
        check_period("vwap", "period", period)
        return _kernels.vwap_rolling(pv, v, period)
    if ts_event is None:
        raise ValueError("vwap: session mode (period=None) needs ts_event")
    if not 0 <= session_offset_ns < NS_PER_DAY:
        raise ValueError(f"vwap: session_offset_ns must be in [0, {NS_PER_DAY})")
    ts = np.ascontiguousarray(ts_event, dtype=np.int64)
    if ts.shape != p.shape:
        raise ValueError(f"vwap: ts_event has shape {ts.shape}, price has {p.shape}")
    backwards = np.diff(ts) < 0
    if backwards.any():
        index = int(np.argmax(backwards)) + 1
        raise ValueError(
            f"vwap: ts_event[{index}]={int(ts[index])} is before ts_event[{index - 1}]"
        )
    return _kernels.vwap_session(pv, v, (ts - session_offset_ns) // NS_PER_DAY)
