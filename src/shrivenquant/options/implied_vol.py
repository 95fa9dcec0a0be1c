"""Implied volatility for Black-76 and BSM prices, to machine precision.

The solver is Jäckel's "Let's Be Rational" (see `_lets_be_rational`): it works for any strike
and expiry, deep in or out of the money and down to minutes before expiry. A price that no
volatility can produce gives NaN and a reason instead of a number:

* below the option's intrinsic value (discounted forward intrinsic),
* at or above its upper bound (the discounted forward for a call, the discounted strike for a
  put), which only an infinite volatility reaches,
* not a finite non-negative number, or market inputs that are not valid,
* a time value of zero or lost in the rounding of the price (deep in the money, or out of the
  money and worth nothing): any small volatility would reproduce it, so none is returned.

The array functions run the same method vectorised (`_lets_be_rational_simd`), chunk by chunk
and on numba's threads for large arrays; the rare element it leaves unsettled is solved by the
scalar solver. Array and scalar results agree to a few ulp and share every status.
"""

# ruff: noqa: PLR0917 - option formulas take their market inputs positionally
from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum, unique

import numpy as np
from numba import njit, prange
from numpy.typing import ArrayLike, NDArray

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
from shrivenquant.options._lets_be_rational import (
    STATUS_ABOVE_MAXIMUM,
    STATUS_BELOW_INTRINSIC,
    STATUS_INVALID_INPUT,
    STATUS_OK,
    STATUS_TIME_VALUE_UNRESOLVED,
    implied_total_sd,
)
from shrivenquant.options._lets_be_rational_simd import (
    STATUS_UNSURE,
    guess_loop,
    normalise_loop,
    refine_loop,
)


@unique
class ImpliedVolStatus(IntEnum):
    """Why an implied volatility is (or is not) a number."""

    OK = STATUS_OK
    BELOW_INTRINSIC = STATUS_BELOW_INTRINSIC
    ABOVE_MAXIMUM = STATUS_ABOVE_MAXIMUM
    INVALID_INPUT = STATUS_INVALID_INPUT
    TIME_VALUE_UNRESOLVED = STATUS_TIME_VALUE_UNRESOLVED

    @property
    def reason(self) -> str:
        """A sentence saying why."""
        return _REASONS[self]


_REASONS = {
    ImpliedVolStatus.OK: "implied volatility found",
    ImpliedVolStatus.BELOW_INTRINSIC: "price is below the option's intrinsic value",
    ImpliedVolStatus.ABOVE_MAXIMUM: (
        "price is at or above the no-arbitrage maximum (discounted forward for a call, "
        "discounted strike for a put)"
    ),
    ImpliedVolStatus.INVALID_INPUT: "price or market inputs are not valid numbers",
    ImpliedVolStatus.TIME_VALUE_UNRESOLVED: (
        "the option's time value is zero or lost in the price's rounding (deep in the money, "
        "or worthless out of the money); no volatility can be read from it"
    ),
}


@dataclass(frozen=True, slots=True)
class ImpliedVol:
    """An implied volatility, NaN unless ``status`` is OK."""

    vol: float
    status: ImpliedVolStatus

    @property
    def ok(self) -> bool:
        """True when ``vol`` is a number."""
        return self.status is ImpliedVolStatus.OK

    @property
    def reason(self) -> str:
        """Why ``vol`` is (or is not) a number."""
        return self.status.reason


@dataclass(frozen=True, slots=True)
class ImpliedVolArrays:
    """Implied volatilities of many options; ``status`` holds `ImpliedVolStatus` codes."""

    vol: FloatArray
    status: NDArray[np.int8]

    def reasons(self) -> list[str]:
        """The reason for each element, flattened in C order."""
        return [ImpliedVolStatus(int(code)).reason for code in self.status.reshape(-1)]


@njit(cache=True, error_model="numpy")
def implied_vol_kernel(
    price: float, underlying: float, k: float, t: float, r: float, q: float, is_call: bool,
    spot_based: bool,
) -> tuple[float, int]:  # fmt: skip
    """Compiled implied vol of one option; ``underlying`` is the spot if ``spot_based`` (BSM
    with yield ``q``) else the forward (Black-76, ``q`` ignored)."""
    valid = (
        underlying > 0.0 and k > 0.0 and t > 0.0 and math.isfinite(underlying)
        and math.isfinite(k) and math.isfinite(t) and math.isfinite(r) and math.isfinite(q)
    )  # fmt: skip
    if not valid:
        return math.nan, STATUS_INVALID_INPUT
    if spot_based:
        carry = (r - q) * t
        x = math.log(underlying / k) + carry
        sqrt_fk = math.sqrt(underlying) * math.sqrt(k) * math.exp(0.5 * carry)
    else:
        x = math.log(underlying / k)
        sqrt_fk = math.sqrt(underlying) * math.sqrt(k)
    beta = price * math.exp(r * t) / sqrt_fk
    sd, status = implied_total_sd(beta, x, is_call)
    return sd / math.sqrt(t), status


@njit(cache=True, error_model="numpy")
def _iv_chunk(
    p: FloatArray, u: FloatArray, k: FloatArray, t: FloatArray, r: FloatArray, q: FloatArray,
    c: BoolArray, spot_based: bool, vol: FloatArray, status: NDArray[np.int8],
) -> None:  # fmt: skip
    """Implied vols of one chunk (arrays of equal length): vectorised, then the rare element
    the vectorised solver leaves unsettled by the scalar one."""
    n = p.size
    beta = np.empty(n)
    x = np.empty(n)
    guess = np.empty((2, n))
    normalise_loop(p, u, k, t, r, q, c, spot_based, beta, x, status)
    guess_loop(beta, x, guess)
    refine_loop(beta, x, t, guess, vol)
    for i in range(n):
        code = status[i]
        if code == STATUS_UNSURE or (code == STATUS_OK and math.isnan(vol[i])):
            v, scalar_code = implied_vol_kernel(
                p[i], u[i], k[i], t[i], r[i], q[i], c[i], spot_based
            )
            vol[i] = v
            status[i] = scalar_code
        elif code != STATUS_OK:
            vol[i] = math.nan


@njit(cache=True)
def _buffers(
    n: int,
    p: FloatArray,
    u: FloatArray,
    k: FloatArray,
    t: FloatArray,
    r: FloatArray,
    q: FloatArray,
    c: BoolArray,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, BoolArray]:
    return (
        scalar_buffer(p, n), scalar_buffer(u, n), scalar_buffer(k, n), scalar_buffer(t, n),
        scalar_buffer(r, n), scalar_buffer(q, n), scalar_buffer(c, n),
    )  # fmt: skip


@njit(cache=True)
def _iv(
    n: int, p: FloatArray, u: FloatArray, k: FloatArray, t: FloatArray, r: FloatArray,
    q: FloatArray, c: BoolArray, spot_based: bool, vol: FloatArray, status: NDArray[np.int8],
) -> None:  # fmt: skip
    bp, bu, bk, bt, br, bq, bc = _buffers(n, p, u, k, t, r, q, c)
    for a in range(0, n, CHUNK):
        b = min(a + CHUNK, n)
        _iv_chunk(chunk(p, bp, a, b), chunk(u, bu, a, b), chunk(k, bk, a, b),
                  chunk(t, bt, a, b), chunk(r, br, a, b), chunk(q, bq, a, b),
                  chunk(c, bc, a, b), spot_based, vol[a:b], status[a:b])  # fmt: skip


@njit(cache=True, parallel=True)
def _iv_par(
    n: int, p: FloatArray, u: FloatArray, k: FloatArray, t: FloatArray, r: FloatArray,
    q: FloatArray, c: BoolArray, spot_based: bool, vol: FloatArray, status: NDArray[np.int8],
) -> None:  # fmt: skip
    bp, bu, bk, bt, br, bq, bc = _buffers(n, p, u, k, t, r, q, c)
    for j in prange((n + CHUNK - 1) // CHUNK):
        a = j * CHUNK
        b = min(a + CHUNK, n)
        _iv_chunk(chunk(p, bp, a, b), chunk(u, bu, a, b), chunk(k, bk, a, b),
                  chunk(t, bt, a, b), chunk(r, br, a, b), chunk(q, bq, a, b),
                  chunk(c, bc, a, b), spot_based, vol[a:b], status[a:b])  # fmt: skip


def _scalar(
    price: float, underlying: float, strike: float, t: float, r: float, q: float, is_call: bool,
    spot_based: bool, name: str,
) -> ImpliedVol:  # fmt: skip
    check.positive(name, underlying)
    check.positive("strike", strike)
    check.positive("t", t)
    check.finite("r", r)
    check.finite("q", q)
    flag = check.flag("is_call", is_call)
    vol, code = implied_vol_kernel(
        float(price), float(underlying), float(strike), float(t), float(r), float(q), flag,
        spot_based,
    )  # fmt: skip
    return ImpliedVol(float(vol), ImpliedVolStatus(int(code)))


def black_implied_vol(
    price: float, forward: float, strike: float, t: float, r: float, is_call: bool
) -> ImpliedVol:
    """Black-76 implied volatility of a European option on a forward.

    Args:
        price: option premium (discounted).
        forward: futures/forward price for the expiry (> 0).
        strike: strike price (> 0).
        t: time to expiry in years (> 0).
        r: continuously compounded discount rate.
        is_call: True for a call, False for a put.

    Raises:
        InvalidInputError: if a market input (not the price) is invalid.
    """
    return _scalar(price, forward, strike, t, r, 0.0, is_call, False, "forward")


def bsm_implied_vol(
    price: float, spot: float, strike: float, t: float, r: float, q: float, is_call: bool
) -> ImpliedVol:
    """BSM implied volatility (spot with continuous yield ``q``); arguments as `bsm_price`."""
    return _scalar(price, spot, strike, t, r, q, is_call, True, "spot")


def _array(
    names: tuple[str, ...], values: tuple[ArrayLike, ...], spot_based: bool
) -> ImpliedVolArrays:
    b = BroadcastInputs(names, values, keep_scalars=True)
    vol = b.empty()
    status = np.empty(b.size, dtype=np.int8)
    run_chunked(_iv, _iv_par, b.size, *b.arrays, spot_based, vol, status)
    return ImpliedVolArrays(b.shaped(vol), status.reshape(b.shape))


def black_implied_vol_array(
    price: ArrayLike, forward: ArrayLike, strike: ArrayLike, t: ArrayLike, r: ArrayLike,
    is_call: ArrayLike,
) -> ImpliedVolArrays:  # fmt: skip
    """Vectorised `black_implied_vol`; invalid elements get NaN and a status, never an error."""
    names = ("price", "forward", "strike", "t", "r", "q", "is_call")
    values = (price, forward, strike, t, r, 0.0, as_bool_array("is_call", is_call))
    return _array(names, values, False)


def bsm_implied_vol_array(
    price: ArrayLike, spot: ArrayLike, strike: ArrayLike, t: ArrayLike, r: ArrayLike,
    q: ArrayLike, is_call: ArrayLike,
) -> ImpliedVolArrays:  # fmt: skip
    """Vectorised `bsm_implied_vol`; invalid elements get NaN and a status, never an error."""
    names = ("price", "spot", "strike", "t", "r", "q", "is_call")
    values = (price, spot, strike, t, r, q, as_bool_array("is_call", is_call))
    return _array(names, values, True)


__all__ = [
    "ImpliedVol",
    "ImpliedVolArrays",
    "ImpliedVolStatus",
    "black_implied_vol",
    "black_implied_vol_array",
    "bsm_implied_vol",
    "bsm_implied_vol_array",
    "implied_vol_kernel",
]
