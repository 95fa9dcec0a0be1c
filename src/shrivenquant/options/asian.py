"""Average-price (Asian) options under BSM: geometric closed forms and arithmetic Monte Carlo.

* Continuous geometric average (Kemna-Vorst): a BSM option with volatility ``vol / sqrt 3`` and
  carry ``(b - vol^2/6) / 2``.
* Discrete geometric average over fixing times ``t_1..t_n``: ``ln G`` is normal with mean
  ``ln S + (b - vol^2/2) mean(t_i)`` and variance ``vol^2 sum_ij min(t_i, t_j) / n^2``; already
  observed fixings enter as constants.
* Discrete arithmetic average: Monte Carlo on exact log-normal paths with antithetic variates and
  the discrete geometric option as control variate (its closed form removes most of the
  variance); the result carries its standard error.

The payoff is ``max(+-(average - K), 0)`` paid at ``T``.

References:
    A. Kemna, A. Vorst, "A pricing method for options based on average asset values",
    J. Banking & Finance 14 (1990).
    P. Boyle, M. Broadie, P. Glasserman, "Monte Carlo methods for security pricing",
    J. Econ. Dynamics & Control 21 (1997) (control variates).
"""

# ruff: noqa: PLR0917 - option formulas take their market inputs positionally
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numba import njit

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.options import _validate as check
from shrivenquant.options._arrays import FloatArray
from shrivenquant.options._normal import norm_cdf
from shrivenquant.options.bsm import bsm_price_reference


@dataclass(frozen=True, slots=True)
class MonteCarloPrice:
    """A Monte Carlo estimate and its standard error."""

    price: float
    std_error: float
    paths: int


def _checked_market(
    spot: float, strike: float, t: float, r: float, q: float, vol: float, is_call: bool
) -> tuple[float, float, float, float, float, float, bool]:
    return (
        check.positive("spot", spot),
        check.positive("strike", strike),
        check.positive("t", t),
        check.finite("r", r),
        check.finite("q", q),
        check.positive("vol", vol),
        check.flag("is_call", is_call),
    )


def geometric_asian_continuous_price(
    spot: float, strike: float, t: float, r: float, q: float, vol: float, is_call: bool
) -> float:
    """Continuously averaged geometric average-price option (Kemna-Vorst)."""
    s, k, tt, rr, qq, v, c = _checked_market(spot, strike, t, r, q, vol, is_call)
    carry = 0.5 * ((rr - qq) - v * v / 6.0)
    return float(bsm_price_reference(s, k, tt, rr, rr - carry, v / math.sqrt(3.0), c))


def _fixing_times(t: float, fixing_times: Sequence[float]) -> FloatArray:
    times = np.asarray(fixing_times, dtype=np.float64)
    if times.ndim != 1 or times.size == 0:
        raise InvalidInputError("fixing_times must be a non-empty sequence of times")
    if not (np.all(np.isfinite(times)) and np.all(times > 0.0) and np.all(times <= t)):
        raise InvalidInputError(f"fixing_times must lie in (0, t={t}], got {fixing_times!r}")
    if np.any(np.diff(times) <= 0.0):
        raise InvalidInputError("fixing_times must be strictly increasing")
    return times


def _past(observed_fixings: Sequence[float]) -> FloatArray:
    past = np.asarray(observed_fixings, dtype=np.float64).reshape(-1)
    if not (np.all(np.isfinite(past)) and np.all(past > 0.0)):
        raise InvalidInputError("observed_fixings must be positive prices")
    return past


@njit(cache=True, error_model="numpy")
def _geometric_discrete(
    s: float, k: float, t: float, r: float, q: float, vol: float, is_call: bool,
    times: FloatArray, past_log_sum: float, past_count: int,
) -> float:  # fmt: skip
    n_future = times.size
    n = n_future + past_count
    cov = 0.0
    for i in range(n_future):
        for j in range(n_future):
            cov += min(times[i], times[j])
    variance = vol * vol * cov / (n * n)
    mean = (past_log_sum + n_future * math.log(s) + (r - q - 0.5 * vol * vol) * times.sum()) / n
    forward = math.exp(mean + 0.5 * variance)
    df = math.exp(-r * t)
    sign = 1.0 if is_call else -1.0
    if variance <= 0.0:
        return df * max(sign * (forward - k), 0.0)
    sd = math.sqrt(variance)
    d1 = (math.log(forward / k) + 0.5 * variance) / sd
    d2 = d1 - sd
    return df * sign * (forward * norm_cdf(sign * d1) - k * norm_cdf(sign * d2))


def geometric_asian_discrete_price(
    spot: float, strike: float, t: float, r: float, q: float, vol: float, is_call: bool,
    fixing_times: Sequence[float], *, observed_fixings: Sequence[float] = (),
) -> float:  # fmt: skip
    """Discretely sampled geometric average-price option.

    Args:
        fixing_times: future fixing times in years, increasing, in ``(0, t]``.
        observed_fixings: prices already fixed (they count in the average).
    """
    s, k, tt, rr, qq, v, c = _checked_market(spot, strike, t, r, q, vol, is_call)
    times = _fixing_times(tt, fixing_times)
    past = _past(observed_fixings)
    return float(
        _geometric_discrete(s, k, tt, rr, qq, v, c, times, float(np.log(past).sum()), past.size)
    )


@njit(cache=True, error_model="numpy")
def _arithmetic_mc(
    s: float, k: float, t: float, r: float, q: float, vol: float, is_call: bool,
    times: FloatArray, past_sum: float, past_log_sum: float, past_count: int,
    half_paths: int, seed: int, geometric_exact: float,
) -> tuple[float, float]:  # fmt: skip
    np.random.seed(seed)
    m = times.size
    n = m + past_count
    drift = np.empty(m)
    step_sd = np.empty(m)
    prev = 0.0
    for i in range(m):
        dt = times[i] - prev
        drift[i] = (r - q - 0.5 * vol * vol) * dt
        step_sd[i] = vol * math.sqrt(dt)
        prev = times[i]
    sign = 1.0 if is_call else -1.0
    df = math.exp(-r * t)
    arith = np.empty(half_paths)
    geo = np.empty(half_paths)
    log_s0 = math.log(s)
    for p in range(half_paths):
        a_pair = 0.0
        g_pair = 0.0
        z = np.random.standard_normal(m)
        for anti in (1.0, -1.0):
            log_s = log_s0
            total = past_sum
            log_total = past_log_sum
            for i in range(m):
                log_s += drift[i] + anti * step_sd[i] * z[i]
                total += math.exp(log_s)
                log_total += log_s
            a_pair += max(sign * (total / n - k), 0.0)
            g_pair += max(sign * (math.exp(log_total / n) - k), 0.0)
        arith[p] = 0.5 * df * a_pair
        geo[p] = 0.5 * df * g_pair
    beta = 0.0
    g_mean = geo.mean()
    g_var = ((geo - g_mean) ** 2).mean()
    if g_var > 0.0:
        beta = ((arith - arith.mean()) * (geo - g_mean)).mean() / g_var
    adjusted = arith - beta * (geo - geometric_exact)
    price = adjusted.mean()
    std_error = math.sqrt(((adjusted - price) ** 2).sum() / (half_paths - 1) / half_paths)
    return price, std_error


def arithmetic_asian_mc_price(
    spot: float, strike: float, t: float, r: float, q: float, vol: float, is_call: bool,
    fixing_times: Sequence[float], *, observed_fixings: Sequence[float] = (),
    paths: int = 200_000, seed: int = 42,
) -> MonteCarloPrice:  # fmt: skip
    """Discretely sampled arithmetic average-price option by Monte Carlo.

    Args:
        fixing_times, observed_fixings: as `geometric_asian_discrete_price`.
        paths: number of simulated paths (rounded up to an even number: antithetic pairs).
        seed: random seed; the same seed gives the same estimate.
    """
    s, k, tt, rr, qq, v, c = _checked_market(spot, strike, t, r, q, vol, is_call)
    times = _fixing_times(tt, fixing_times)
    past = _past(observed_fixings)
    half = (check.positive_int("paths", paths) + 1) // 2
    if half < 2:
        raise InvalidInputError(f"paths must be at least 4, got {paths}")
    log_past = float(np.log(past).sum())
    exact = _geometric_discrete(s, k, tt, rr, qq, v, c, times, log_past, past.size)
    price, err = _arithmetic_mc(
        s, k, tt, rr, qq, v, c, times, float(past.sum()), log_past, past.size, half, seed, exact
    )
    return MonteCarloPrice(float(price), float(err), 2 * half)


__all__ = [
    "MonteCarloPrice",
    "arithmetic_asian_mc_price",
    "geometric_asian_continuous_price",
    "geometric_asian_discrete_price",
]
