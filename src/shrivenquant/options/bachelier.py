"""Bachelier (normal) model for European options on a forward.

The forward follows an arithmetic Brownian motion with normal volatility ``vol`` (price units
per square-root year), so forwards and strikes may be zero or negative (spreads, rates):

    d = (F - K) / (vol sqrt(T)),
    call = e^{-rT} ((F - K) N(d) + vol sqrt(T) phi(d)),
    put  = e^{-rT} ((K - F) N(-d) + vol sqrt(T) phi(d)).

Greeks are analytic and taken with the forward held fixed (``rho = -T * price``).

References:
    L. Bachelier, "Theorie de la speculation", Ann. Sci. ENS 17 (1900).
    F. Le Floc'h, "Fast and accurate analytic basis point volatility" (2016) (Greeks in the
    normal model).
"""

# ruff: noqa: PLR0917 - option formulas take their market inputs positionally
from __future__ import annotations

import math
from collections.abc import Callable

from numba import njit, prange
from numpy.typing import ArrayLike

from shrivenquant.options import _validate as check
from shrivenquant.options._arrays import BoolArray, BroadcastInputs, FloatArray, as_bool_array
from shrivenquant.options._normal import INV_SQRT_TWO_PI
from shrivenquant.options._vecmath import exp_neg_half_square, norm_cdf_given_density, vexp
from shrivenquant.options.types import Greeks, GreeksArrays

_NAMES = ("forward", "strike", "t", "r", "vol", "is_call")


@njit(cache=True, inline="always", error_model="numpy")
def _valid(f: float, k: float, t: float, r: float, vol: float) -> bool:
    inf = math.inf
    return (
        (abs(f) < inf) & (abs(k) < inf) & (t >= 0.0) & (t < inf) & (vol >= 0.0) & (vol < inf)
    ) & (abs(r) < inf)


@njit(cache=True, inline="always", error_model="numpy")
def bachelier_kernel(
    f: float, k: float, t: float, r: float, vol: float, is_call: bool
) -> tuple[float, float, float, float, float, float, float, float, float, float]:
    """Compiled price and Greeks of one option (the `Greeks` field order); NaN if invalid."""
    sign = 1.0 if is_call else -1.0
    df = vexp(-r * t)
    sqrt_t = math.sqrt(t)
    sd = vol * sqrt_t
    moneyness = f - k
    d = moneyness / sd
    e = exp_neg_half_square(d)
    pdf = INV_SQRT_TWO_PI * e
    n = norm_cdf_given_density(sign * d, e)
    price = df * (sign * moneyness * n + sd * pdf)
    delta = df * sign * n
    gamma = df * pdf / sd
    vega = df * sqrt_t * pdf
    theta = r * price - df * vol * pdf / (2.0 * sqrt_t)
    vanna = -df * pdf * d / vol
    volga = vega * d * d / vol
    charm = r * delta + df * pdf * d / (2.0 * t)
    speed = -df * d * pdf / (sd * sd)
    if sd == 0.0:
        live = 1.0 if sign * moneyness > 0.0 else 0.0
        price = df * live * sign * moneyness
        delta = df * live * sign
        theta = r * price
        gamma = vega = vanna = volga = speed = 0.0
        charm = r * delta
    if not _valid(f, k, t, r, vol):
        nan = math.nan
        return nan, nan, nan, nan, nan, nan, nan, nan, nan, nan
    return price, delta, gamma, vega, theta, -t * price, vanna, volga, charm, speed


@njit(cache=True, parallel=True, error_model="numpy", fastmath={"contract"})
def _price_loop(
    n: int, f: FloatArray, k: FloatArray, t: FloatArray, r: FloatArray, v: FloatArray,
    c: BoolArray, out: FloatArray,
) -> None:  # fmt: skip
    for i in prange(n):
        out[i] = bachelier_kernel(f[i], k[i], t[i], r[i], v[i], c[i])[0]


@njit(cache=True, parallel=True, error_model="numpy", fastmath={"contract"})
def _greeks_loop(
    n: int, f: FloatArray, k: FloatArray, t: FloatArray, r: FloatArray, v: FloatArray,
    c: BoolArray, o0: FloatArray, o1: FloatArray, o2: FloatArray, o3: FloatArray,
    o4: FloatArray, o5: FloatArray,
) -> None:  # fmt: skip
    for i in prange(n):
        g = bachelier_kernel(f[i], k[i], t[i], r[i], v[i], c[i])
        o0[i], o1[i], o2[i], o3[i], o4[i], o5[i] = g[0], g[1], g[2], g[3], g[4], g[5]


def _checked(
    forward: float, strike: float, t: float, r: float, vol: float, is_call: bool
) -> tuple[float, float, float, float, float, bool]:
    return (
        check.finite("forward", forward),
        check.finite("strike", strike),
        check.non_negative("t", t),
        check.finite("r", r),
        check.non_negative("vol", vol),
        check.flag("is_call", is_call),
    )


def bachelier_price(
    forward: float, strike: float, t: float, r: float, vol: float, is_call: bool
) -> float:
    """Price of a European option in the Bachelier (normal) model.

    Args:
        forward: forward price (any finite value).
        strike: strike (any finite value).
        t: time to expiry in years (>= 0).
        r: continuously compounded discount rate.
        vol: normal volatility in price units per square-root year (>= 0).
        is_call: True for a call, False for a put.
    """
    return float(bachelier_kernel(*_checked(forward, strike, t, r, vol, is_call))[0])


def bachelier_greeks(
    forward: float, strike: float, t: float, r: float, vol: float, is_call: bool
) -> Greeks:
    """Price and analytic Greeks in the Bachelier model (arguments as `bachelier_price`)."""
    return Greeks(*bachelier_kernel(*_checked(forward, strike, t, r, vol, is_call)))


def _inputs(
    forward: ArrayLike, strike: ArrayLike, t: ArrayLike, r: ArrayLike, vol: ArrayLike,
    is_call: ArrayLike,
) -> BroadcastInputs:  # fmt: skip
    values = (forward, strike, t, r, vol, as_bool_array("is_call", is_call))
    return BroadcastInputs(_NAMES, values)


def bachelier_price_array(
    forward: ArrayLike, strike: ArrayLike, t: ArrayLike, r: ArrayLike, vol: ArrayLike,
    is_call: ArrayLike,
) -> FloatArray:  # fmt: skip
    """Vectorised `bachelier_price`: inputs broadcast together; NaN where an input is invalid."""
    b = _inputs(forward, strike, t, r, vol, is_call)
    out = b.empty()
    loop: Callable[..., None] = _price_loop
    loop(b.size, *b.arrays, out)
    return b.shaped(out)


def bachelier_greeks_array(
    forward: ArrayLike, strike: ArrayLike, t: ArrayLike, r: ArrayLike, vol: ArrayLike,
    is_call: ArrayLike,
) -> GreeksArrays:  # fmt: skip
    """Vectorised price, delta, gamma, vega, theta and rho in the Bachelier model."""
    b = _inputs(forward, strike, t, r, vol, is_call)
    outs = [b.empty() for _ in range(6)]
    loop: Callable[..., None] = _greeks_loop
    loop(b.size, *b.arrays, *outs)
    return GreeksArrays(*(b.shaped(o) for o in outs))


__all__ = [
    "bachelier_greeks",
    "bachelier_greeks_array",
    "bachelier_kernel",
    "bachelier_price",
    "bachelier_price_array",
]
