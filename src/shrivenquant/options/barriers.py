"""European single-barrier options, closed form with rebate (Reiner-Rubinstein / Haug).

The barrier is monitored continuously. A knock-out pays its rebate when the barrier is hit; a
knock-in that never knocks in pays its rebate at expiry. If the spot is already at or through
the barrier, a knock-in is a plain European option and a knock-out is worth its rebate now.

With ``phi = +1`` for a call (-1 put), ``eta = +1`` for a down barrier (-1 up),
``mu = (b - vol^2/2) / vol^2``, ``lambda = sqrt(mu^2 + 2 r / vol^2)``, ``b = r - q``, the value is
a sum of the six terms A-F of Haug (2007) section 4.17.1, chosen by barrier kind and by whether
the strike is above the barrier.

References:
    M. Rubinstein, E. Reiner, "Breaking down the barriers", Risk 4 (1991).
    E. G. Haug, "The Complete Guide to Option Pricing Formulas", 2nd ed. (2007), 4.17.1.
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
from shrivenquant.options._normal import norm_cdf
from shrivenquant.options.bsm import bsm_price_reference


@unique
class BarrierKind(Enum):
    """Direction of the barrier and what touching it does."""

    DOWN_AND_IN = 0
    UP_AND_IN = 1
    DOWN_AND_OUT = 2
    UP_AND_OUT = 3

    @property
    def is_down(self) -> bool:
        """True when the barrier is below the spot."""
        return self in (BarrierKind.DOWN_AND_IN, BarrierKind.DOWN_AND_OUT)

    @property
    def is_knock_in(self) -> bool:
        """True when touching the barrier activates the option."""
        return self in (BarrierKind.DOWN_AND_IN, BarrierKind.UP_AND_IN)


@njit(cache=True, error_model="numpy")
def barrier_kernel(
    s: float, k: float, h: float, rebate: float, t: float, r: float, q: float, vol: float,
    is_call: bool, kind: int,
) -> float:  # fmt: skip
    """Compiled barrier option price; ``kind`` is a `BarrierKind` value. NaN if invalid."""
    valid = s > 0.0 and k > 0.0 and h > 0.0 and rebate >= 0.0 and t >= 0.0 and vol >= 0.0
    if not (valid and math.isfinite(r) and math.isfinite(q) and math.isfinite(s * k * h)):
        return math.nan
    down = kind in (0, 2)
    knock_in = kind in (0, 1)
    breached = s <= h if down else s >= h
    if breached:
        return bsm_price_reference(s, k, t, r, q, vol, is_call) if knock_in else rebate
    sd = vol * math.sqrt(t)
    if sd == 0.0:
        # a deterministic path S e^{b u}: it reaches the barrier iff its end is beyond it
        end = s * math.exp((r - q) * t)
        crossed = end <= h if down else end >= h
        payoff = math.exp(-r * t) * max((end - k) if is_call else (k - end), 0.0)
        if knock_in:
            return payoff if crossed else rebate * math.exp(-r * t)
        if crossed:
            hit_time = math.log(h / s) / (r - q)
            return rebate * math.exp(-r * hit_time)
        return payoff
    phi = 1.0 if is_call else -1.0
    eta = 1.0 if down else -1.0
    b = r - q
    v2 = vol * vol
    mu = (b - 0.5 * v2) / v2
    lam = math.sqrt(mu * mu + 2.0 * r / v2)
    dq = math.exp(-q * t)
    dr = math.exp(-r * t)
    hs = h / s
    x1 = math.log(s / k) / sd + (1.0 + mu) * sd
    x2 = math.log(s / h) / sd + (1.0 + mu) * sd
    y1 = math.log(h * h / (s * k)) / sd + (1.0 + mu) * sd
    y2 = math.log(h / s) / sd + (1.0 + mu) * sd
    z = math.log(h / s) / sd + lam * sd
    pw_mu1 = math.pow(hs, 2.0 * (mu + 1.0))
    pw_mu = math.pow(hs, 2.0 * mu)
    a = phi * s * dq * norm_cdf(phi * x1) - phi * k * dr * norm_cdf(phi * x1 - phi * sd)
    bb = phi * s * dq * norm_cdf(phi * x2) - phi * k * dr * norm_cdf(phi * x2 - phi * sd)
    c = phi * s * dq * pw_mu1 * norm_cdf(eta * y1) - phi * k * dr * pw_mu * norm_cdf(
        eta * y1 - eta * sd
    )
    d = phi * s * dq * pw_mu1 * norm_cdf(eta * y2) - phi * k * dr * pw_mu * norm_cdf(
        eta * y2 - eta * sd
    )
    e = rebate * dr * (norm_cdf(eta * x2 - eta * sd) - pw_mu * norm_cdf(eta * y2 - eta * sd))
    f = rebate * (
        math.pow(hs, mu + lam) * norm_cdf(eta * z)
        + math.pow(hs, mu - lam) * norm_cdf(eta * z - 2.0 * eta * lam * sd)
    )
    high_strike = k >= h
    if kind == 0:  # down and in
        if is_call:
            return (c + e) if high_strike else (a - bb + d + e)
        return (bb - c + d + e) if high_strike else (a + e)
    if kind == 1:  # up and in
        if is_call:
            return (a + e) if high_strike else (bb - c + d + e)
        return (a - bb + d + e) if high_strike else (c + e)
    if kind == 2:  # down and out
        if is_call:
            return (a - c + f) if high_strike else (bb - d + f)
        return (a - bb + c - d + f) if high_strike else f
    if is_call:  # up and out
        return f if high_strike else (a - bb + c - d + f)
    return (bb - d + f) if high_strike else (a - c + f)


@njit(cache=True, parallel=True, error_model="numpy")
def _barrier_loop(
    n: int, kind: int, s: FloatArray, k: FloatArray, h: FloatArray, rb: FloatArray,
    t: FloatArray, r: FloatArray, q: FloatArray, v: FloatArray, c: BoolArray, out: FloatArray,
) -> None:  # fmt: skip
    for i in prange(n):
        out[i] = barrier_kernel(s[i], k[i], h[i], rb[i], t[i], r[i], q[i], v[i], c[i], kind)


def barrier_price(
    spot: float, strike: float, barrier: float, t: float, r: float, q: float, vol: float,
    is_call: bool, kind: BarrierKind, *, rebate: float = 0.0,
) -> float:  # fmt: skip
    """Price of a continuously monitored single-barrier European option.

    Args:
        spot, strike, t, r, q, vol, is_call: as `bsm_price`.
        barrier: barrier level (> 0).
        kind: which `BarrierKind`.
        rebate: cash paid when a knock-out is knocked out (at that moment), or at expiry when a
            knock-in never knocked in.
    """
    if not isinstance(kind, BarrierKind):
        raise InvalidInputError(f"kind must be a BarrierKind, got {kind!r}")
    return float(
        barrier_kernel(
            check.positive("spot", spot),
            check.positive("strike", strike),
            check.positive("barrier", barrier),
            check.non_negative("rebate", rebate),
            check.non_negative("t", t),
            check.finite("r", r),
            check.finite("q", q),
            check.non_negative("vol", vol),
            check.flag("is_call", is_call),
            kind.value,
        )
    )


def barrier_price_array(
    spot: ArrayLike, strike: ArrayLike, barrier: ArrayLike, t: ArrayLike, r: ArrayLike,
    q: ArrayLike, vol: ArrayLike, is_call: ArrayLike, kind: BarrierKind, *,
    rebate: ArrayLike = 0.0,
) -> FloatArray:  # fmt: skip
    """Vectorised `barrier_price` (one barrier kind per call); NaN where an input is invalid."""
    if not isinstance(kind, BarrierKind):
        raise InvalidInputError(f"kind must be a BarrierKind, got {kind!r}")
    names = ("spot", "strike", "barrier", "rebate", "t", "r", "q", "vol", "is_call")
    values = (spot, strike, barrier, rebate, t, r, q, vol, as_bool_array("is_call", is_call))
    b = BroadcastInputs(names, values)
    out = b.empty()
    loop: Callable[..., None] = _barrier_loop
    loop(b.size, kind.value, *b.arrays, out)
    return b.shaped(out)


__all__ = ["BarrierKind", "barrier_kernel", "barrier_price", "barrier_price_array"]
