"""Generalised Black-Scholes-Merton with continuous dividend yield (cost of carry ``b = r - q``).

One formula covers Black-Scholes (``q = 0``), Merton's continuous dividend yield, Garman-Kohlhagen
FX options (``q`` = foreign rate) and Black-76 (``q = r``; see `shrivenquant.options.black`).

    d1 = (ln(S/K) + (r - q + vol^2/2) T) / (vol sqrt(T)),  d2 = d1 - vol sqrt(T)
    call = S e^{-qT} N(d1) - K e^{-rT} N(d2),  put = K e^{-rT} N(-d2) - S e^{-qT} N(-d1)

Greeks are analytic. With ``vol * sqrt(T) == 0`` the option is worth its discounted forward
intrinsic value and the Greeks are those of that deterministic payoff.

Scalar functions validate their inputs and raise `InvalidInputError`; `bsm_price` is the
reference: intrinsic value plus a time value computed to machine precision even where
``F N(d1) - K N(d2)`` cancels (short-dated, far out of the money). The ``*_array`` functions
broadcast numpy arrays, run compiled, vectorised and multi-threaded code with the plain formula
(a few ulp, up to about 1e-13 relative where that cancellation is severe) and return NaN for
elements with invalid inputs.

References:
    F. Black, M. Scholes, "The pricing of options and corporate liabilities", JPE 81 (1973).
    R. C. Merton, "Theory of rational option pricing", Bell J. Econ. 4 (1973).
    E. G. Haug, "The Complete Guide to Option Pricing Formulas", 2nd ed. (2007), ch. 1-2
    (generalised BSM and its Greeks).
"""

# ruff: noqa: PLR0917 - option formulas take their market inputs positionally
from __future__ import annotations

import math

from numba import njit, prange
from numpy.typing import ArrayLike

from shrivenquant.options import _validate as check
from shrivenquant.options._arrays import (
    CHUNK,
    BoolArray,
    BroadcastInputs,
    FloatArray,
    as_bool_array,
    chunk,
    run_chunked,
    scalar_buffer,
)
from shrivenquant.options._lets_be_rational import normalised_black_otm_call, normalised_intrinsic
from shrivenquant.options._normal import INV_SQRT_TWO_PI, norm_cdf
from shrivenquant.options._vecmath import (
    exp_neg_half_square,
    norm_cdf_given_density,
    vexp,
    vlog,
    vnorm_cdf,
)
from shrivenquant.options.types import Greeks, GreeksArrays, SecondOrderGreeksArrays

F = FloatArray
B = BoolArray
_NAMES = ("spot", "strike", "t", "r", "q", "vol", "is_call")


# The kernels below are branch-free (every path computed, the result selected) and use numpy's
# error model (no ZeroDivisionError checks) so that the array loops vectorise.
_INF = math.inf


@njit(cache=True, inline="always", error_model="numpy", fastmath={"contract"})
def _valid(s: float, k: float, t: float, r: float, q: float, vol: float) -> bool:
    return (
        (s > 0.0)
        & (k > 0.0)
        & (t >= 0.0)
        & (vol >= 0.0)
        & (s < _INF)
        & (k < _INF)
        & (t < _INF)
        & (vol < _INF)
        & (abs(r) < _INF)
        & (abs(q) < _INF)
    )


@njit(cache=True, inline="always", error_model="numpy")
def bsm_price_kernel(
    s: float, k: float, t: float, r: float, q: float, vol: float, is_call: bool
) -> float:
    """Compiled BSM price of one option; NaN for invalid inputs."""
    sign = 1.0 if is_call else -1.0
    dq = vexp(-q * t)
    dr = vexp(-r * t)
    sd = vol * math.sqrt(t)
    d1 = (vlog(s / k) + (r - q) * t) / sd + 0.5 * sd
    d2 = d1 - sd
    price = sign * (s * dq * vnorm_cdf(sign * d1) - k * dr * vnorm_cdf(sign * d2))
    intrinsic = max(sign * (s * dq - k * dr), 0.0)
    price = intrinsic if sd == 0.0 else price
    return price if _valid(s, k, t, r, q, vol) else math.nan


@njit(cache=True, inline="always", error_model="numpy")
def bsm_first_order_kernel(
    s: float, k: float, t: float, r: float, q: float, vol: float, is_call: bool
) -> tuple[float, float, float, float, float, float]:
    """Compiled (price, delta, gamma, vega, theta, rho) of one option; NaN for invalid inputs."""
    sign = 1.0 if is_call else -1.0
    dq = vexp(-q * t)
    dr = vexp(-r * t)
    sqrt_t = math.sqrt(t)
    sd = vol * sqrt_t
    s_dq = s * dq
    k_dr = k * dr
    d1 = (vlog(s / k) + (r - q) * t) / sd + 0.5 * sd
    d2 = d1 - sd
    e1 = exp_neg_half_square(d1)
    n1 = norm_cdf_given_density(sign * d1, e1)
    n2 = vnorm_cdf(sign * d2)
    pdf1 = INV_SQRT_TWO_PI * e1
    price = sign * (s_dq * n1 - k_dr * n2)
    delta = sign * dq * n1
    gamma = dq * pdf1 / (s * sd)
    vega = s_dq * pdf1 * sqrt_t
    theta = -s_dq * pdf1 * vol / (2.0 * sqrt_t) + sign * (q * s_dq * n1 - r * k_dr * n2)
    rho = sign * t * k_dr * n2
    # Zero variance: the deterministic payoff sign * (S e^{-qT} - K e^{-rT}) if positive.
    degenerate = sd == 0.0
    itm = sign * (s_dq - k_dr) > 0.0
    live = 1.0 if itm else 0.0
    price = live * sign * (s_dq - k_dr) if degenerate else price
    delta = live * sign * dq if degenerate else delta
    gamma = 0.0 if degenerate else gamma
    vega = 0.0 if degenerate else vega
    theta = live * sign * (q * s_dq - r * k_dr) if degenerate else theta
    rho = live * sign * t * k_dr if degenerate else rho
    if not _valid(s, k, t, r, q, vol):
        nan = math.nan
        return nan, nan, nan, nan, nan, nan
    return price, delta, gamma, vega, theta, rho


@njit(cache=True, inline="always", error_model="numpy")
def bsm_second_order_kernel(
    s: float, k: float, t: float, r: float, q: float, vol: float, is_call: bool
) -> tuple[float, float, float, float]:
    """Compiled (vanna, volga, charm, speed) of one option; NaN for invalid inputs."""
    sign = 1.0 if is_call else -1.0
    dq = vexp(-q * t)
    sqrt_t = math.sqrt(t)
    sd = vol * sqrt_t
    b = r - q
    d1 = (vlog(s / k) + b * t) / sd + 0.5 * sd
    d2 = d1 - sd
    e1 = exp_neg_half_square(d1)
    pdf1 = INV_SQRT_TWO_PI * e1
    n1 = norm_cdf_given_density(sign * d1, e1)
    vega = s * dq * pdf1 * sqrt_t
    gamma = dq * pdf1 / (s * sd)
    vanna = -dq * pdf1 * d2 / vol
    volga = vega * d1 * d2 / vol
    charm = sign * q * dq * n1 - dq * pdf1 * (b / sd - d2 / (2.0 * t))
    speed = -gamma / s * (1.0 + d1 / sd)
    degenerate = sd == 0.0
    itm = sign * (s * dq - k * vexp(-r * t)) > 0.0
    charm_det = sign * q * dq if itm else 0.0
    if not _valid(s, k, t, r, q, vol):
        nan = math.nan
        return nan, nan, nan, nan
    if degenerate:
        return 0.0, 0.0, charm_det, 0.0
    return vanna, volga, charm, speed


@njit(cache=True, error_model="numpy")
def bsm_price_reference(
    s: float, k: float, t: float, r: float, q: float, vol: float, is_call: bool
) -> float:
    """Compiled BSM price to machine precision, as intrinsic value plus time value.

    The time value is the normalised Black function of the out-of-the-money option, evaluated
    without the cancellation of ``F N(d1) - K N(d2)`` (see `_lets_be_rational`), so even short
    dated, far out-of-the-money prices keep full relative precision. NaN for invalid inputs.
    """
    if not _valid(s, k, t, r, q, vol):
        return math.nan
    sign = 1.0 if is_call else -1.0
    sd = vol * math.sqrt(t)
    carry = (r - q) * t
    if sd == 0.0:
        return max(sign * (s * math.exp(-q * t) - k * math.exp(-r * t)), 0.0)
    x = math.log(s / k) + carry
    scale = math.exp(-r * t + 0.5 * carry) * math.sqrt(s) * math.sqrt(k)  # e^{-rT} sqrt(F K)
    time_value = normalised_black_otm_call(-abs(x), sd)
    return scale * (normalised_intrinsic(x, sign) + time_value)


# --- array loops -------------------------------------------------------------------------------
# `_*_loop` runs a kernel over equal-length chunks (vectorised by LLVM); the drivers cut the
# inputs into chunks, a kept scalar input coming from its chunk-sized buffer, serially or on
# numba's threads (`_*_par`).


@njit(cache=True, error_model="numpy", fastmath={"contract"})
def _price_loop(s: F, k: F, t: F, r: F, q: F, v: F, c: B, out: F) -> None:
    for i in range(out.size):
        out[i] = bsm_price_kernel(s[i], k[i], t[i], r[i], q[i], v[i], c[i])


@njit(cache=True, error_model="numpy", fastmath={"contract"})
def _greeks_loop(
    s: F, k: F, t: F, r: F, q: F, v: F, c: B, o0: F, o1: F, o2: F, o3: F, o4: F, o5: F
) -> None:
    for i in range(o0.size):
        o0[i], o1[i], o2[i], o3[i], o4[i], o5[i] = bsm_first_order_kernel(
            s[i], k[i], t[i], r[i], q[i], v[i], c[i]
        )


@njit(cache=True, error_model="numpy", fastmath={"contract"})
def _second_order_loop(
    s: F, k: F, t: F, r: F, q: F, v: F, c: B, o0: F, o1: F, o2: F, o3: F
) -> None:
    for i in range(o0.size):
        o0[i], o1[i], o2[i], o3[i] = bsm_second_order_kernel(
            s[i], k[i], t[i], r[i], q[i], v[i], c[i]
        )


@njit(cache=True)
def _buffers(n: int, s: F, k: F, t: F, r: F, q: F, v: F, c: B) -> tuple[F, F, F, F, F, F, B]:
    return (
        scalar_buffer(s, n), scalar_buffer(k, n), scalar_buffer(t, n), scalar_buffer(r, n),
        scalar_buffer(q, n), scalar_buffer(v, n), scalar_buffer(c, n),
    )  # fmt: skip


@njit(cache=True)
def _price(n: int, s: F, k: F, t: F, r: F, q: F, v: F, c: B, out: F) -> None:
    bs, bk, bt, br, bq, bv, bc = _buffers(n, s, k, t, r, q, v, c)
    for a in range(0, n, CHUNK):
        b = min(a + CHUNK, n)
        _price_loop(chunk(s, bs, a, b), chunk(k, bk, a, b), chunk(t, bt, a, b),
                    chunk(r, br, a, b), chunk(q, bq, a, b), chunk(v, bv, a, b),
                    chunk(c, bc, a, b), out[a:b])  # fmt: skip


@njit(cache=True, parallel=True)
def _price_par(n: int, s: F, k: F, t: F, r: F, q: F, v: F, c: B, out: F) -> None:
    bs, bk, bt, br, bq, bv, bc = _buffers(n, s, k, t, r, q, v, c)
    for j in prange((n + CHUNK - 1) // CHUNK):
        a = j * CHUNK
        b = min(a + CHUNK, n)
        _price_loop(chunk(s, bs, a, b), chunk(k, bk, a, b), chunk(t, bt, a, b),
                    chunk(r, br, a, b), chunk(q, bq, a, b), chunk(v, bv, a, b),
                    chunk(c, bc, a, b), out[a:b])  # fmt: skip


@njit(cache=True)
def _greeks(
    n: int, s: F, k: F, t: F, r: F, q: F, v: F, c: B, o0: F, o1: F, o2: F, o3: F, o4: F, o5: F
) -> None:
    bs, bk, bt, br, bq, bv, bc = _buffers(n, s, k, t, r, q, v, c)
    for a in range(0, n, CHUNK):
        b = min(a + CHUNK, n)
        _greeks_loop(chunk(s, bs, a, b), chunk(k, bk, a, b), chunk(t, bt, a, b),
                     chunk(r, br, a, b), chunk(q, bq, a, b), chunk(v, bv, a, b),
                     chunk(c, bc, a, b), o0[a:b], o1[a:b], o2[a:b], o3[a:b], o4[a:b],
                     o5[a:b])  # fmt: skip


@njit(cache=True, parallel=True)
def _greeks_par(
    n: int, s: F, k: F, t: F, r: F, q: F, v: F, c: B, o0: F, o1: F, o2: F, o3: F, o4: F, o5: F
) -> None:
    bs, bk, bt, br, bq, bv, bc = _buffers(n, s, k, t, r, q, v, c)
    for j in prange((n + CHUNK - 1) // CHUNK):
        a = j * CHUNK
        b = min(a + CHUNK, n)
        _greeks_loop(chunk(s, bs, a, b), chunk(k, bk, a, b), chunk(t, bt, a, b),
                     chunk(r, br, a, b), chunk(q, bq, a, b), chunk(v, bv, a, b),
                     chunk(c, bc, a, b), o0[a:b], o1[a:b], o2[a:b], o3[a:b], o4[a:b],
                     o5[a:b])  # fmt: skip


@njit(cache=True)
def _second_order(
    n: int, s: F, k: F, t: F, r: F, q: F, v: F, c: B, o0: F, o1: F, o2: F, o3: F
) -> None:
    bs, bk, bt, br, bq, bv, bc = _buffers(n, s, k, t, r, q, v, c)
    for a in range(0, n, CHUNK):
        b = min(a + CHUNK, n)
        _second_order_loop(chunk(s, bs, a, b), chunk(k, bk, a, b), chunk(t, bt, a, b),
                           chunk(r, br, a, b), chunk(q, bq, a, b), chunk(v, bv, a, b),
                           chunk(c, bc, a, b), o0[a:b], o1[a:b], o2[a:b], o3[a:b])  # fmt: skip


@njit(cache=True, parallel=True)
def _second_order_par(
    n: int, s: F, k: F, t: F, r: F, q: F, v: F, c: B, o0: F, o1: F, o2: F, o3: F
) -> None:
    bs, bk, bt, br, bq, bv, bc = _buffers(n, s, k, t, r, q, v, c)
    for j in prange((n + CHUNK - 1) // CHUNK):
        a = j * CHUNK
        b = min(a + CHUNK, n)
        _second_order_loop(chunk(s, bs, a, b), chunk(k, bk, a, b), chunk(t, bt, a, b),
                           chunk(r, br, a, b), chunk(q, bq, a, b), chunk(v, bv, a, b),
                           chunk(c, bc, a, b), o0[a:b], o1[a:b], o2[a:b], o3[a:b])  # fmt: skip


# --- public scalar API ---------------------------------------------------------------------------


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


def bsm_price(
    spot: float, strike: float, t: float, r: float, q: float, vol: float, is_call: bool
) -> float:
    """Price of a European option under BSM with continuous yield ``q``.

    Args:
        spot: underlying price (> 0).
        strike: strike price (> 0).
        t: time to expiry in years (>= 0).
        r: continuously compounded risk-free rate.
        q: continuous dividend yield / foreign rate (carry ``b = r - q``).
        vol: annualised volatility (>= 0).
        is_call: True for a call, False for a put.
    """
    return float(bsm_price_reference(*_checked(spot, strike, t, r, q, vol, is_call)))


def bsm_greeks(
    spot: float, strike: float, t: float, r: float, q: float, vol: float, is_call: bool
) -> Greeks:
    """Price and analytic Greeks of a European option under BSM (arguments as `bsm_price`)."""
    args = _checked(spot, strike, t, r, q, vol, is_call)
    _, delta, gamma, vega, theta, rho = bsm_first_order_kernel(*args)
    second = bsm_second_order_kernel(*args)
    return Greeks(bsm_price_reference(*args), delta, gamma, vega, theta, rho, *second)


def bsm_dividend_rho(
    spot: float, strike: float, t: float, r: float, q: float, vol: float, is_call: bool
) -> float:
    """Sensitivity of the BSM price to the dividend yield ``q`` (per 1.00), ``r`` held fixed."""
    s, k, tt, rr, qq, v, c = _checked(spot, strike, t, r, q, vol, is_call)
    sign = 1.0 if c else -1.0
    dq = math.exp(-qq * tt)
    sd = v * math.sqrt(tt)
    if sd == 0.0:
        itm = sign * (s * dq - k * math.exp(-rr * tt)) > 0.0
        return -sign * tt * s * dq if itm else 0.0
    d1 = (math.log(s / k) + (rr - qq) * tt) / sd + 0.5 * sd
    return float(-sign * tt * s * dq * norm_cdf(sign * d1))


# --- public array API ----------------------------------------------------------------------------


def _inputs(
    spot: ArrayLike,
    strike: ArrayLike,
    t: ArrayLike,
    r: ArrayLike,
    q: ArrayLike,
    vol: ArrayLike,
    is_call: ArrayLike,
) -> BroadcastInputs:
    values = (spot, strike, t, r, q, vol, as_bool_array("is_call", is_call))
    return BroadcastInputs(_NAMES, values, keep_scalars=True)


def bsm_price_array(
    spot: ArrayLike,
    strike: ArrayLike,
    t: ArrayLike,
    r: ArrayLike,
    q: ArrayLike,
    vol: ArrayLike,
    is_call: ArrayLike,
) -> FloatArray:
    """Vectorised `bsm_price`: inputs broadcast together; NaN where an input is invalid."""
    b = _inputs(spot, strike, t, r, q, vol, is_call)
    out = b.empty()
    run_chunked(_price, _price_par, b.size, *b.arrays, out)
    return b.shaped(out)


def bsm_greeks_array(
    spot: ArrayLike,
    strike: ArrayLike,
    t: ArrayLike,
    r: ArrayLike,
    q: ArrayLike,
    vol: ArrayLike,
    is_call: ArrayLike,
) -> GreeksArrays:
    """Vectorised price, delta, gamma, vega, theta and rho (arguments as `bsm_price_array`)."""
    b = _inputs(spot, strike, t, r, q, vol, is_call)
    outs = [b.empty() for _ in range(6)]
    run_chunked(_greeks, _greeks_par, b.size, *b.arrays, *outs)
    return GreeksArrays(*(b.shaped(o) for o in outs))


def bsm_second_order_greeks_array(
    spot: ArrayLike,
    strike: ArrayLike,
    t: ArrayLike,
    r: ArrayLike,
    q: ArrayLike,
    vol: ArrayLike,
    is_call: ArrayLike,
) -> SecondOrderGreeksArrays:
    """Vectorised vanna, volga, charm and speed (arguments as `bsm_price_array`)."""
    b = _inputs(spot, strike, t, r, q, vol, is_call)
    outs = [b.empty() for _ in range(4)]
    run_chunked(_second_order, _second_order_par, b.size, *b.arrays, *outs)
    return SecondOrderGreeksArrays(*(b.shaped(o) for o in outs))


__all__ = [
    "bsm_dividend_rho",
    "bsm_first_order_kernel",
    "bsm_greeks",
    "bsm_greeks_array",
    "bsm_price",
    "bsm_price_array",
    "bsm_price_kernel",
    "bsm_price_reference",
    "bsm_second_order_greeks_array",
    "bsm_second_order_kernel",
]
