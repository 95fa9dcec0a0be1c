"""American options by analytic approximation: Barone-Adesi-Whaley and Bjerksund-Stensland.

All three take the generalised BSM inputs (spot, strike, ``T``, ``r``, yield ``q``, vol). A call
on an underlying with ``q <= 0`` is never exercised early and is priced as European; a put is
handled directly (BAW) or through the put-call transformation
``P(S, K, T, r, q) = C(K, S, T, q, r)`` (Bjerksund-Stensland).

* `baw_price`: quadratic approximation; the critical price solves the value-matching condition
  by Newton's method, stopped (as in QuantLib) when the residual is below ``tolerance`` times
  the strike. The approximation itself is only good to about 1e-3, so the default 1e-6 costs
  nothing; pass a smaller tolerance to converge the critical price fully.
* `bjerksund_stensland_price` with ``version=1993``: flat exercise boundary (the variant in
  QuantLib); ``version=2002`` (default): two-step boundary, more accurate, needs the bivariate
  normal CDF. Both are values of a particular exercise policy, so lower bounds of the true
  American value; the result is never below the European value or immediate exercise.
  Negative rates with ``r < q < 0`` for a call (``q < r < 0`` for a put) have two exercise
  boundaries, which these formulas do not cover: NaN.

References:
    G. Barone-Adesi, R. E. Whaley, "Efficient analytic approximation of American option values",
    J. Finance 42 (1987).
    P. Bjerksund, G. Stensland, "Closed-form approximation of American options", Scand. J. Mgmt
    9 (1993); "Closed form valuation of American options", NHH discussion paper (2002).
    E. G. Haug, "The Complete Guide to Option Pricing Formulas", 2nd ed. (2007), ch. 3.
"""

# ruff: noqa: PLR0917 - option formulas take their market inputs positionally
from __future__ import annotations

import math
from collections.abc import Callable

from numba import njit, prange
from numpy.typing import ArrayLike

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.options import _validate as check
from shrivenquant.options._arrays import BoolArray, BroadcastInputs, FloatArray, as_bool_array
from shrivenquant.options._bivariate import bivariate_norm_cdf
from shrivenquant.options._normal import INV_SQRT_TWO_PI, norm_cdf
from shrivenquant.options.bsm import bsm_price_reference

_EPS = 2.220446049250313e-16
BAW_TOLERANCE = 1e-6  # on |value-matching residual| / strike, as in the paper and QuantLib
_MAX_NEWTON = 200


# --- Barone-Adesi-Whaley -------------------------------------------------------------------------


@njit(cache=True, error_model="numpy")
def _black(is_call: bool, k: float, f: float, sd: float, df: float) -> float:
    return bsm_price_reference(f, k, 1.0, 0.0, 0.0, sd, is_call) * df


@njit(cache=True, error_model="numpy")
def _baw_critical_price(
    is_call: bool, k: float, rd: float, dd: float, variance: float, tolerance: float
) -> float:
    n = 2.0 * math.log(dd / rd) / variance
    m = -2.0 * math.log(rd) / variance
    bt = math.log(dd / rd)
    sd = math.sqrt(variance)
    root_m = math.sqrt((n - 1.0) * (n - 1.0) + 4.0 * m)
    if is_call:
        qu = (-(n - 1.0) + root_m) / 2.0
        su = k / (1.0 - 1.0 / qu)
        h = -(bt + 2.0 * sd) * k / (su - k)
        si = k + (su - k) * (1.0 - math.exp(h))
    else:
        qu = (-(n - 1.0) - root_m) / 2.0
        su = k / (1.0 - 1.0 / qu)
        h = (bt - 2.0 * sd) * k / (k - su)
        si = su + (k - su) * math.exp(h)
    big_k = (
        2.0 / variance
        if abs(rd - 1.0) <= 1000.0 * _EPS
        else -2.0 * math.log(rd) / (variance * (1.0 - rd))
    )
    root_k = math.sqrt((n - 1.0) * (n - 1.0) + 4.0 * big_k)
    q_exp = (-(n - 1.0) + root_k) / 2.0 if is_call else (-(n - 1.0) - root_k) / 2.0
    for _ in range(_MAX_NEWTON):
        forward = si * dd / rd
        d1 = (math.log(forward / k) + 0.5 * variance) / sd
        black = _black(is_call, k, forward, sd, rd)
        if is_call:
            n1 = norm_cdf(d1)
            lhs = si - k
            rhs = black + (1.0 - dd * n1) * si / q_exp
            bi = (
                dd * n1 * (1.0 - 1.0 / q_exp)
                + (1.0 - dd * INV_SQRT_TWO_PI * math.exp(-0.5 * d1 * d1) / sd) / q_exp
            )
        else:
            n1 = norm_cdf(-d1)
            lhs = k - si
            rhs = black - (1.0 - dd * n1) * si / q_exp
            bi = (
                -dd * n1 * (1.0 - 1.0 / q_exp)
                - (1.0 + dd * INV_SQRT_TWO_PI * math.exp(-0.5 * d1 * d1) / sd) / q_exp
            )
        if abs(lhs - rhs) / k <= tolerance:
            break
        si = (k + rhs - bi * si) / (1.0 - bi) if is_call else (k - rhs + bi * si) / (1.0 + bi)
    return si


@njit(cache=True, error_model="numpy")
def baw_kernel(
    s: float, k: float, t: float, r: float, q: float, vol: float, is_call: bool, tolerance: float
) -> float:
    """Compiled Barone-Adesi-Whaley price (``r >= 0``); NaN for invalid inputs."""
    if not (s > 0.0 and k > 0.0 and t >= 0.0 and vol >= 0.0 and r >= 0.0 and math.isfinite(q)):
        return math.nan
    european = bsm_price_reference(s, k, t, r, q, vol, is_call)
    variance = vol * vol * t
    rd = math.exp(-r * t)
    dd = math.exp(-q * t)
    if variance == 0.0 or (is_call and dd >= 1.0):
        return max(european, max(s - k, 0.0) if is_call else max(k - s, 0.0))
    if not is_call and r == 0.0:
        return european  # no interest to earn by exercising a put early
    sk = _baw_critical_price(is_call, k, rd, dd, variance, tolerance)
    if not (math.isfinite(sk) and (sk > k if is_call else 0.0 < sk < k)):
        # the quadratic approximation degenerates (e.g. a yield of a few ulp): no early premium
        return european
    sd = math.sqrt(variance)
    d1 = (math.log(sk * dd / rd / k) + 0.5 * variance) / sd
    n = 2.0 * math.log(dd / rd) / variance
    big_k = (
        2.0 / variance
        if abs(rd - 1.0) <= 1000.0 * _EPS
        else -2.0 * math.log(rd) / (variance * (1.0 - rd))
    )
    root = math.sqrt((n - 1.0) * (n - 1.0) + 4.0 * big_k)
    if is_call:
        q_exp = (-(n - 1.0) + root) / 2.0
        a = (sk / q_exp) * (1.0 - dd * norm_cdf(d1))
        return european + a * math.pow(s / sk, q_exp) if s < sk else s - k
    q_exp = (-(n - 1.0) - root) / 2.0
    a = -(sk / q_exp) * (1.0 - dd * norm_cdf(-d1))
    return european + a * math.pow(s / sk, q_exp) if s > sk else k - s


# --- Bjerksund-Stensland ---------------------------------------------------------------------


@njit(cache=True, error_model="numpy")
def _bs_phi(
    s: float, t: float, gamma: float, h: float, i: float, r: float, b: float, v: float
) -> float:
    var = v * v * t
    lam = (-r + gamma * b + 0.5 * gamma * (gamma - 1.0) * v * v) * t
    d = -(math.log(s / h) + (b + (gamma - 0.5) * v * v) * t) / math.sqrt(var)
    kappa = 2.0 * b / (v * v) + 2.0 * gamma - 1.0
    tail = math.pow(i / s, kappa) * norm_cdf(d - 2.0 * math.log(i / s) / math.sqrt(var))
    return math.exp(lam) * math.pow(s, gamma) * (norm_cdf(d) - tail)


@njit(cache=True, error_model="numpy")
def _bs_psi(
    s: float, t: float, gamma: float, h: float, i2: float, i1: float, t1: float, r: float,
    b: float, v: float,
) -> float:  # fmt: skip
    drift = b + (gamma - 0.5) * v * v
    sd1 = v * math.sqrt(t1)
    sd = v * math.sqrt(t)
    e1 = (math.log(s / i1) + drift * t1) / sd1
    e2 = (math.log(i2 * i2 / (s * i1)) + drift * t1) / sd1
    e3 = (math.log(s / i1) - drift * t1) / sd1
    e4 = (math.log(i2 * i2 / (s * i1)) - drift * t1) / sd1
    f1 = (math.log(s / h) + drift * t) / sd
    f2 = (math.log(i2 * i2 / (s * h)) + drift * t) / sd
    f3 = (math.log(i1 * i1 / (s * h)) + drift * t) / sd
    f4 = (math.log(s * i1 * i1 / (h * i2 * i2)) + drift * t) / sd
    rho = math.sqrt(t1 / t)
    lam = -r + gamma * b + 0.5 * gamma * (gamma - 1.0) * v * v
    kappa = 2.0 * b / (v * v) + 2.0 * gamma - 1.0
    m = (
        bivariate_norm_cdf(-e1, -f1, rho)
        - math.pow(i2 / s, kappa) * bivariate_norm_cdf(-e2, -f2, rho)
        - math.pow(i1 / s, kappa) * bivariate_norm_cdf(-e3, -f3, -rho)
        + math.pow(i1 / i2, kappa) * bivariate_norm_cdf(-e4, -f4, -rho)
    )
    return math.exp(lam * t) * math.pow(s, gamma) * m


@njit(cache=True, error_model="numpy")
def _bs_call_1993(s: float, x: float, t: float, r: float, b: float, v: float) -> float:
    var = v * v * t
    bt = b * t
    rt = r * t
    beta = (0.5 - bt / var) + math.sqrt((bt / var - 0.5) ** 2 + 2.0 * rt / var)
    b_inf = beta / (beta - 1.0) * x
    b0 = x if bt == rt else max(x, rt / (rt - bt) * x)
    if b_inf <= b0:
        return 0.0  # no finite exercise boundary: the European value (taken by the caller)
    ht = -(bt + 2.0 * math.sqrt(var)) * b0 / (b_inf - b0)
    trigger = b0 + (b_inf - b0) * (1.0 - math.exp(ht))
    if s >= trigger:
        return s - x
    if math.log(trigger / (s * math.exp(bt))) / math.sqrt(var) > 12.5:
        return 0.0  # the boundary runs away: the European value (taken by the caller) is exact
    alpha = (trigger - x) * math.pow(trigger, -beta)
    return (
        alpha * math.pow(s, beta)
        - alpha * _bs_phi(s, t, beta, trigger, trigger, r, b, v)
        + _bs_phi(s, t, 1.0, trigger, trigger, r, b, v)
        - _bs_phi(s, t, 1.0, x, trigger, r, b, v)
        - x * _bs_phi(s, t, 0.0, trigger, trigger, r, b, v)
        + x * _bs_phi(s, t, 0.0, x, trigger, r, b, v)
    )


@njit(cache=True, error_model="numpy")
def _bs_call_2002(s: float, x: float, t: float, r: float, b: float, v: float) -> float:
    v2 = v * v
    beta = (0.5 - b / v2) + math.sqrt((b / v2 - 0.5) ** 2 + 2.0 * r / v2)
    b_inf = beta / (beta - 1.0) * x
    b0 = max(x, r / (r - b) * x)
    if b_inf <= b0:
        return 0.0  # no finite exercise boundary: the European value (taken by the caller)
    t1 = 0.5 * (math.sqrt(5.0) - 1.0) * t
    spread = (b_inf - b0) * b0
    h1 = -(b * t1 + 2.0 * v * math.sqrt(t1)) * x * x / spread
    h2 = -(b * t + 2.0 * v * math.sqrt(t)) * x * x / spread
    i1 = b0 + (b_inf - b0) * (1.0 - math.exp(h1))
    i2 = b0 + (b_inf - b0) * (1.0 - math.exp(h2))
    if s >= i2:
        return s - x
    alpha1 = (i1 - x) * math.pow(i1, -beta)
    alpha2 = (i2 - x) * math.pow(i2, -beta)
    return (
        alpha2 * math.pow(s, beta)
        - alpha2 * _bs_phi(s, t1, beta, i2, i2, r, b, v)
        + _bs_phi(s, t1, 1.0, i2, i2, r, b, v)
        - _bs_phi(s, t1, 1.0, i1, i2, r, b, v)
        - x * _bs_phi(s, t1, 0.0, i2, i2, r, b, v)
        + x * _bs_phi(s, t1, 0.0, i1, i2, r, b, v)
        + alpha1 * _bs_phi(s, t1, beta, i1, i2, r, b, v)
        - alpha1 * _bs_psi(s, t, beta, i1, i2, i1, t1, r, b, v)
        + _bs_psi(s, t, 1.0, i1, i2, i1, t1, r, b, v)
        - _bs_psi(s, t, 1.0, x, i2, i1, t1, r, b, v)
        - x * _bs_psi(s, t, 0.0, i1, i2, i1, t1, r, b, v)
        + x * _bs_psi(s, t, 0.0, x, i2, i1, t1, r, b, v)
    )


@njit(cache=True, error_model="numpy")
def bjerksund_stensland_kernel(
    s: float, k: float, t: float, r: float, q: float, vol: float, is_call: bool, version: int
) -> float:
    """Compiled Bjerksund-Stensland price (``version`` 1993 or 2002); NaN for invalid inputs."""
    valid = s > 0.0 and k > 0.0 and t >= 0.0 and vol >= 0.0
    if not (valid and math.isfinite(r) and math.isfinite(q)):
        return math.nan
    european = bsm_price_reference(s, k, t, r, q, vol, is_call)
    if vol * vol * t == 0.0:
        return max(european, max(s - k, 0.0) if is_call else max(k - s, 0.0))
    # a put is the call on the strike with the rates exchanged
    spot, strike, rate, yld = (s, k, r, q) if is_call else (k, s, q, r)
    if math.exp(-yld * t) >= 1.0:
        if rate < yld:
            return math.nan  # r < q < 0 for the call: two exercise boundaries, not covered
        return european  # the (transformed) call is never exercised early
    b = rate - yld
    if version == 1993:
        value = _bs_call_1993(spot, strike, t, rate, b, vol)
    else:
        value = _bs_call_2002(spot, strike, t, rate, b, vol)
    # both are values of particular exercise policies, so the larger of them, the European
    # value and immediate exercise is still a lower bound of the American value
    return max(value, european, spot - strike)


# --- loops and public API ------------------------------------------------------------------------


@njit(cache=True, parallel=True, error_model="numpy")
def _american_loop(
    n: int, model: int, s: FloatArray, k: FloatArray, t: FloatArray, r: FloatArray,
    q: FloatArray, v: FloatArray, c: BoolArray, out: FloatArray,
) -> None:  # fmt: skip
    for i in prange(n):
        if model == 0:
            out[i] = baw_kernel(s[i], k[i], t[i], r[i], q[i], v[i], c[i], BAW_TOLERANCE)
        else:
            out[i] = bjerksund_stensland_kernel(s[i], k[i], t[i], r[i], q[i], v[i], c[i], model)


def _checked(
    spot: float, strike: float, t: float, r: float, q: float, vol: float, is_call: bool
) -> tuple[float, float, float, float, float, float, bool]:
    return (
        check.positive("spot", spot),
        check.positive("strike", strike),
        check.non_negative("t", t),
        check.finite("r", r),
        check.finite("q", q),
        check.non_negative("vol", vol),
        check.flag("is_call", is_call),
    )


def baw_price(
    spot: float, strike: float, t: float, r: float, q: float, vol: float, is_call: bool,
    *, tolerance: float = BAW_TOLERANCE,
) -> float:  # fmt: skip
    """American option price by the Barone-Adesi-Whaley approximation.

    Args are those of `bsm_price`; ``r`` must be >= 0 (the approximation assumes it).
    ``tolerance`` bounds the value-matching residual over the strike.
    """
    args = _checked(spot, strike, t, r, q, vol, is_call)
    if r < 0.0:
        raise InvalidInputError(f"r must be >= 0 for Barone-Adesi-Whaley, got {r!r}")
    check.positive("tolerance", tolerance)
    return float(baw_kernel(*args, tolerance))


def bjerksund_stensland_price(
    spot: float, strike: float, t: float, r: float, q: float, vol: float, is_call: bool,
    *, version: int = 2002,
) -> float:  # fmt: skip
    """American option price by Bjerksund-Stensland (``version`` 2002, default, or 1993)."""
    args = _checked(spot, strike, t, r, q, vol, is_call)
    if version not in (1993, 2002):
        raise InvalidInputError(f"version must be 1993 or 2002, got {version!r}")
    return float(bjerksund_stensland_kernel(*args, version))


def american_price_array(
    spot: ArrayLike, strike: ArrayLike, t: ArrayLike, r: ArrayLike, q: ArrayLike,
    vol: ArrayLike, is_call: ArrayLike, *, method: str = "bjerksund_stensland_2002",
) -> FloatArray:  # fmt: skip
    """Vectorised American prices; ``method`` is ``"baw"``, ``"bjerksund_stensland_1993"`` or
    ``"bjerksund_stensland_2002"``. NaN where an input is invalid (BAW: also where ``r < 0``)."""
    models = {"baw": 0, "bjerksund_stensland_1993": 1993, "bjerksund_stensland_2002": 2002}
    if method not in models:
        raise InvalidInputError(f"method must be one of {sorted(models)}, got {method!r}")
    names = ("spot", "strike", "t", "r", "q", "vol", "is_call")
    values = (spot, strike, t, r, q, vol, as_bool_array("is_call", is_call))
    b = BroadcastInputs(names, values)
    out = b.empty()
    loop: Callable[..., None] = _american_loop
    loop(b.size, models[method], *b.arrays, out)
    return b.shaped(out)


__all__ = [
    "BAW_TOLERANCE",
    "american_price_array",
    "baw_kernel",
    "baw_price",
    "bjerksund_stensland_kernel",
    "bjerksund_stensland_price",
]
