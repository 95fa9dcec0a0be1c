"""European digital (binary) options under BSM: cash-or-nothing and asset-or-nothing.

    cash-or-nothing: cash e^{-rT} N(+-d2),   asset-or-nothing: S e^{-qT} N(+-d1)

(``+`` for a call, paying when ``S_T > K``; ``-`` for a put). Greeks are analytic and use the
units of `Greeks`; second-order Greeks are not provided for digitals (``NaN``).

References:
    M. Rubinstein, E. Reiner, "Unscrambling the binary code", Risk 4 (1991).
    E. G. Haug, "The Complete Guide to Option Pricing Formulas", 2nd ed. (2007), 4.19.
"""

# ruff: noqa: PLR0917 - option formulas take their market inputs positionally
from __future__ import annotations

import math
from collections.abc import Callable
from enum import Enum, unique

from numba import njit, prange
from numpy.typing import ArrayLike

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.options import _validate as check
from shrivenquant.options._arrays import BoolArray, BroadcastInputs, FloatArray, as_bool_array
from shrivenquant.options._normal import norm_cdf, norm_pdf
from shrivenquant.options.types import Greeks


@unique
class DigitalKind(Enum):
    """What a digital option pays when it finishes in the money."""

    CASH_OR_NOTHING = 0
    ASSET_OR_NOTHING = 1


@njit(cache=True, error_model="numpy")
def digital_kernel(
    s: float, k: float, cash: float, t: float, r: float, q: float, vol: float, is_call: bool,
    asset: bool,
) -> tuple[float, float, float, float, float, float]:  # fmt: skip
    """Compiled (price, delta, gamma, vega, theta, rho) of a digital; NaN if invalid."""
    nan = math.nan
    valid = s > 0.0 and k > 0.0 and cash >= 0.0 and t >= 0.0 and vol >= 0.0
    if not (valid and math.isfinite(r) and math.isfinite(q) and math.isfinite(s * k * cash)):
        return nan, nan, nan, nan, nan, nan
    sign = 1.0 if is_call else -1.0
    dq = math.exp(-q * t)
    dr = math.exp(-r * t)
    sd = vol * math.sqrt(t)
    if sd == 0.0:
        forward = s * math.exp((r - q) * t)
        paid = 1.0 if sign * (forward - k) > 0.0 else 0.0
        if asset:
            return paid * s * dq, paid * dq, 0.0, 0.0, paid * q * s * dq, 0.0
        value = paid * cash * dr
        return value, 0.0, 0.0, 0.0, r * value, -t * value
    b = r - q
    sqrt_t = math.sqrt(t)
    d1 = (math.log(s / k) + b * t) / sd + 0.5 * sd
    d2 = d1 - sd
    if asset:
        pdf = norm_pdf(d1)
        value = s * dq * norm_cdf(sign * d1)
        delta = dq * norm_cdf(sign * d1) + sign * dq * pdf / sd
        gamma = -sign * dq * pdf * d2 / (s * sd * sd)
        vega = -sign * s * dq * pdf * d2 / vol
        d1_dt = -d1 / (2.0 * t) + (b + 0.5 * vol * vol) / sd
        theta = q * value - sign * s * dq * pdf * d1_dt
        rho = sign * s * dq * pdf * sqrt_t / vol
        return value, delta, gamma, vega, theta, rho
    pdf = norm_pdf(d2)
    value = cash * dr * norm_cdf(sign * d2)
    delta = sign * cash * dr * pdf / (s * sd)
    gamma = -sign * cash * dr * pdf * d1 / (s * s * sd * sd)
    vega = -sign * cash * dr * pdf * d1 / vol
    d2_dt = -d2 / (2.0 * t) + (b - 0.5 * vol * vol) / sd
    theta = r * value - sign * cash * dr * pdf * d2_dt
    rho = -t * value + sign * cash * dr * pdf * sqrt_t / vol
    return value, delta, gamma, vega, theta, rho


@njit(cache=True, parallel=True, error_model="numpy")
def _digital_loop(
    n: int, asset: bool, s: FloatArray, k: FloatArray, cash: FloatArray, t: FloatArray,
    r: FloatArray, q: FloatArray, v: FloatArray, c: BoolArray, out: FloatArray,
) -> None:  # fmt: skip
    for i in prange(n):
        out[i] = digital_kernel(s[i], k[i], cash[i], t[i], r[i], q[i], v[i], c[i], asset)[0]


def _checked(
    spot: float, strike: float, cash: float, t: float, r: float, q: float, vol: float,
    is_call: bool, kind: DigitalKind,
) -> tuple[float, float, float, float, float, float, float, bool, bool]:  # fmt: skip
    if not isinstance(kind, DigitalKind):
        raise InvalidInputError(f"kind must be a DigitalKind, got {kind!r}")
    return (
        check.positive("spot", spot), check.positive("strike", strike),
        check.non_negative("cash", cash), check.non_negative("t", t), check.finite("r", r),
        check.finite("q", q), check.non_negative("vol", vol), check.flag("is_call", is_call),
        kind is DigitalKind.ASSET_OR_NOTHING,
    )  # fmt: skip


def digital_price(
    spot: float, strike: float, t: float, r: float, q: float, vol: float, is_call: bool,
    kind: DigitalKind, *, cash: float = 1.0,
) -> float:  # fmt: skip
    """Price of a European digital option (arguments as `bsm_price`).

    Args:
        kind: `DigitalKind.CASH_OR_NOTHING` (pays ``cash``) or `ASSET_OR_NOTHING` (pays ``S_T``).
        cash: the amount a cash-or-nothing digital pays (ignored for asset-or-nothing).
    """
    return float(digital_kernel(*_checked(spot, strike, cash, t, r, q, vol, is_call, kind))[0])


def digital_greeks(
    spot: float, strike: float, t: float, r: float, q: float, vol: float, is_call: bool,
    kind: DigitalKind, *, cash: float = 1.0,
) -> Greeks:  # fmt: skip
    """Price and analytic first-order Greeks of a digital; second-order fields are NaN."""
    first = digital_kernel(*_checked(spot, strike, cash, t, r, q, vol, is_call, kind))
    nan = math.nan
    return Greeks(*first, nan, nan, nan, nan)


def digital_price_array(
    spot: ArrayLike, strike: ArrayLike, t: ArrayLike, r: ArrayLike, q: ArrayLike,
    vol: ArrayLike, is_call: ArrayLike, kind: DigitalKind, *, cash: ArrayLike = 1.0,
) -> FloatArray:  # fmt: skip
    """Vectorised `digital_price`; NaN where an input is invalid."""
    if not isinstance(kind, DigitalKind):
        raise InvalidInputError(f"kind must be a DigitalKind, got {kind!r}")
    names = ("spot", "strike", "cash", "t", "r", "q", "vol", "is_call")
    values = (spot, strike, cash, t, r, q, vol, as_bool_array("is_call", is_call))
    b = BroadcastInputs(names, values)
    out = b.empty()
    loop: Callable[..., None] = _digital_loop
    loop(b.size, kind is DigitalKind.ASSET_OR_NOTHING, *b.arrays, out)
    return b.shaped(out)


__all__ = [
    "DigitalKind",
    "digital_greeks",
    "digital_kernel",
    "digital_price",
    "digital_price_array",
]
