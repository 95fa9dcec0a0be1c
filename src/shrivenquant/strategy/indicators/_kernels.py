"""Compiled loops behind `shrivenquant.strategy.indicators.vectorised`.

Each kernel runs the same arithmetic, in the same order, as its incremental class, so the two
agree to the last few bits (the exact window recomputation uses a compensated sum here and
``math.fsum`` there). Inputs are validated by the public wrappers, not here.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@njit(cache=True)
def exact_sum(x: Floats, start: int, stop: int) -> float:
    """Neumaier-compensated sum of ``x[start:stop]``."""
    total = 0.0
    compensation = 0.0
    for i in range(start, stop):
        value = x[i]
        t = total + value
        if abs(total) >= abs(value):
            compensation += (total - t) + value
        else:
            compensation += (value - t) + total
        total = t
    return total + compensation


@njit(cache=True)
def sma(x: Floats, period: int, exact_every: int) -> Floats:
    n = x.shape[0]
    out = np.full(n, np.nan)
    total = 0.0
    for i in range(n):
        old = x[i - period] if i >= period else 0.0
        total += x[i] - old
        if (i + 1) % exact_every == 0:
            total = exact_sum(x, i + 1 - period, i + 1)
        if i >= period - 1:
            out[i] = total / period
    return out


@njit(cache=True)
def ema(x: Floats, period: int, start: int) -> Floats:
    """EMA of ``x[start:]`` seeded with its first ``period`` values; ``nan`` before."""
    n = x.shape[0]
    out = np.full(n, np.nan)
    alpha = 2.0 / (period + 1.0)
    seed = 0.0
    value = 0.0
    for i in range(start, n):
        count = i - start + 1
        if count > period:
            value += alpha * (x[i] - value)
            out[i] = value
        elif count < period:
            seed += x[i]
        else:
            value = (seed + x[i]) / period
            out[i] = value
    return out


@njit(cache=True)
def wma(x: Floats, period: int) -> Floats:
    n = x.shape[0]
    out = np.full(n, np.nan)
    denominator = period * (period + 1) / 2.0
    total = 0.0
    weighted = 0.0
    weights = np.arange(1, period + 1).astype(np.float64)
    for i in range(n):
        count = i + 1
        value = x[i]
        if count > period:
            weighted += period * value - total
            total += value - x[i - period]
        else:
            weighted += count * value
            total += value
        if count % period == 0:
            total = exact_sum(x, count - period, count)
            weighted = exact_sum(weights * x[count - period : count], 0, period)
        if count >= period:
            out[i] = weighted / denominator
    return out


@njit(cache=True)
def rolling_moments(
    x: Floats, period: int, ddof: int, cancellation: float
) -> tuple[Floats, Floats]:
    """Rolling mean and standard deviation, as `RollingStd` computes them."""
    n = x.shape[0]
    means = np.full(n, np.nan)
    stds = np.full(n, np.nan)
    mean = 0.0
    m2 = 0.0
    peak = 0.0
    run = 0
    last = np.nan
    for i in range(n):
        count = i + 1
        value = x[i]
        if count > period:
            old = x[i - period]
            delta = value - old
            new_mean = mean + delta / period
            m2 += delta * (value - new_mean + old - mean)
        else:
            delta = value - mean
            new_mean = mean + delta / count
            m2 += delta * (value - new_mean)
        if count % period == 0 or m2 < cancellation * peak:
            start = max(count - period, 0)
            size = count - start
            new_mean = exact_sum(x, start, count) / size
            m2 = exact_sum((x[start:count] - new_mean) ** 2, 0, size)
            peak = m2
        elif m2 > peak:
            peak = m2
        run = run + 1 if value == last else 1
        last = value
        if run >= period:
            new_mean = value
            m2 = 0.0
            peak = 0.0
        mean = new_mean
        if count >= period:
            means[i] = mean
            stds[i] = math.sqrt(m2 / (period - ddof)) if m2 > 0.0 else 0.0
    return means, stds


@njit(cache=True)
def rsi(x: Floats, period: int) -> Floats:
    n = x.shape[0]
    out = np.full(n, np.nan)
    avg_gain = 0.0
    avg_loss = 0.0
    for i in range(1, n):
        change = x[i] - x[i - 1]
        gain = change if change > 0.0 else 0.0
        loss = -change if change < 0.0 else 0.0
        if i > period:
            avg_gain += (gain - avg_gain) / period
            avg_loss += (loss - avg_loss) / period
        else:
            avg_gain += gain
            avg_loss += loss
            if i < period:
                continue
            avg_gain /= period
            avg_loss /= period
        total = avg_gain + avg_loss
        out[i] = 100.0 * avg_gain / total if total > 0.0 else 50.0
    return out


@njit(cache=True)
def atr(high: Floats, low: Floats, close: Floats, period: int) -> Floats:
    n = high.shape[0]
    out = np.full(n, np.nan)
    value = 0.0
    for i in range(n):
        true_range = high[i] - low[i]
        if i > 0:
            prev = close[i - 1]
            true_range = max(true_range, abs(high[i] - prev), abs(low[i] - prev))
        if i >= period:
            value += (true_range - value) / period
            out[i] = value
        else:
            value += true_range
            if i == period - 1:
                value /= period
                out[i] = value
    return out


@njit(cache=True)
def rolling_extreme(x: Floats, period: int, largest: bool) -> Floats:
    """Rolling max (or min) over the last ``period`` values, with a monotonic index deque."""
    n = x.shape[0]
    out = np.empty(n)
    queue = np.empty(n, dtype=np.int64)
    head = 0
    tail = 0
    for i in range(n):
        value = x[i]
        if largest:
            while tail > head and x[queue[tail - 1]] <= value:
                tail -= 1
        else:
            while tail > head and x[queue[tail - 1]] >= value:
                tail -= 1
        queue[tail] = i
        tail += 1
        if queue[head] <= i - period:
            head += 1
        out[i] = x[queue[head]]
    return out


@njit(cache=True)
def vwap_rolling(pv: Floats, volume: Floats, period: int) -> Floats:
    n = pv.shape[0]
    out = np.full(n, np.nan)
    sum_pv = 0.0
    sum_v = 0.0
    for i in range(n):
        if i >= period:
            sum_pv += pv[i] - pv[i - period]
            sum_v += volume[i] - volume[i - period]
        else:
            sum_pv += pv[i]
            sum_v += volume[i]
        if (i + 1) % period == 0:
            sum_pv = exact_sum(pv, i + 1 - period, i + 1)
            sum_v = exact_sum(volume, i + 1 - period, i + 1)
        if i >= period - 1 and sum_v > 0.0:
            out[i] = sum_pv / sum_v
    return out


@njit(cache=True)
def vwap_session(pv: Floats, volume: Floats, session: Ints) -> Floats:
    n = pv.shape[0]
    out = np.full(n, np.nan)
    sum_pv = 0.0
    sum_v = 0.0
    for i in range(n):
        if i > 0 and session[i] != session[i - 1]:
            sum_pv = 0.0
            sum_v = 0.0
        sum_pv += pv[i]
        sum_v += volume[i]
        if sum_v > 0.0:
            out[i] = sum_pv / sum_v
    return out
