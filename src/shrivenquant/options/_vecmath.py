"""Branch-free ``exp``, ``log`` and normal CDF for the compiled array kernels.

The C library's ``exp``/``log``/``erfc`` are opaque calls that stop LLVM from vectorising a
pricing loop. These versions are plain arithmetic plus bit manipulation, so a loop built from
them compiles to SIMD code. Accuracy is within a few ulp of the C library over the ranges
option maths uses; the limits are stated per function.

Methods:
    ``exp``: Cody-Waite reduction ``x = k ln2 + r`` with a two-part ``ln2`` (exact ``k ln2_hi``),
    degree-13 Taylor polynomial for ``e^r`` on ``|r| <= ln2/2``, ``2^k`` built from its bits.
    ``log``: ``x = 2^e m`` with ``m`` in ``[sqrt(1/2), sqrt(2))`` from the bits,
    ``log m = 2 atanh((m-1)/(m+1))`` by its odd series.
    ``N(x)``: ``erfcx(|x|/sqrt 2) exp(-x^2/2) / 2``; ``x*x`` is split exactly with a fused
    multiply-add. ``erfcx(z) = (1/sqrt(pi) + 2 p(y) / (L + z)) / (L + z)`` with
    ``y = (L - z) / (L + z)``, which maps ``[0, inf)`` onto ``(-1, 1]`` (Weideman's
    rational map), and ``p`` a degree-23 polynomial fitted at import to scipy's ``erfcx`` by
    weighted least squares on Chebyshev nodes (relative error about 1.5e-15). No table: a
    lookup per element would be a gather, several times slower in SIMD code than the
    polynomial, which is evaluated as four interleaved Horner chains in ``y^4`` so that its
    latency does not bound the throughput.

References:
    W. J. Cody, W. Waite, "Software Manual for the Elementary Functions" (1980).
    M. Abramowitz, I. Stegun, "Handbook of Mathematical Functions", 7.1.23 (erfc asymptotics).
    J. A. C. Weideman, "Computation of the complex error function", SIAM J. Numer. Anal. 31
    (1994) (the map ``(L - z) / (L + z)``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, cast

import numpy as np
from numba import njit, types
from numba.extending import intrinsic
from scipy.special import erfcx as scaled_erfc

_LN2_HI = 6.93147180369123816490e-01  # 32 significant bits: k * _LN2_HI is exact
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.4426950408889634
_SQRT_PI = math.sqrt(math.pi)
_INV_SQRT_PI = 1.0 / _SQRT_PI
_INV_SQRT_TWO = 1.0 / math.sqrt(2.0)
_MANTISSA_MASK = 0x000FFFFFFFFFFFFF
_EXPONENT_ONE = 0x3FF0000000000000

_ERFCX_MAP = 3.0  # L of the map y = (L - z) / (L + z)
_ERFCX_DEGREE = 23  # four Horner chains of six coefficients
_ERFCX_NODES = 1200


@intrinsic
def _bits_intrinsic(typingctx: Any, x: Any) -> Any:
    """The IEEE-754 bits of a float64 as an int64."""

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return builder.bitcast(args[0], context.get_value_type(types.int64))

    return types.int64(types.float64), codegen


@intrinsic
def _from_bits_intrinsic(typingctx: Any, x: Any) -> Any:
    """The float64 whose IEEE-754 bits are the given int64."""

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return builder.bitcast(args[0], context.get_value_type(types.float64))

    return types.float64(types.int64), codegen


@intrinsic
def _fma_intrinsic(typingctx: Any, a: Any, b: Any, c: Any) -> Any:
    """``a * b + c`` with one rounding (hardware fused multiply-add)."""

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return builder.fma(args[0], args[1], args[2])

    return types.float64(types.float64, types.float64, types.float64), codegen


# Typed aliases of the intrinsics (numba resolves them by object, mypy by these annotations).
_bits = cast("Callable[[float], int]", _bits_intrinsic)
_from_bits = cast("Callable[[int | np.int64], float]", _from_bits_intrinsic)
fma = cast("Callable[[float, float, float], float]", _fma_intrinsic)


@njit(cache=True, inline="always", error_model="numpy")
def vexp(x: float) -> float:
    """``e^x`` to about 1 ulp for ``-708 <= x <= 709``; 0 below, inf above, NaN for NaN."""
    k = float(np.floor(x * _INV_LN2 + 0.5))
    k = min(max(k, -1022.0), 1023.0) if not math.isnan(x) else 0.0
    r = (x - k * _LN2_HI) - k * _LN2_LO
    # Taylor series of e^r up to r^13 / 13!, Horner form.
    p = 1.0 / 6227020800.0
    p = p * r + 1.0 / 479001600.0
    p = p * r + 1.0 / 39916800.0
    p = p * r + 1.0 / 3628800.0
    p = p * r + 1.0 / 362880.0
    p = p * r + 1.0 / 40320.0
    p = p * r + 1.0 / 5040.0
    p = p * r + 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    p = p * r + 0.5
    p = p * r + 1.0
    p = p * r + 1.0
    y = p * _from_bits((np.int64(k) + 1023) << 52)
    y = 0.0 if x < -708.0 else y
    y = math.inf if x > 709.0 else y
    return x if math.isnan(x) else y


@njit(cache=True, inline="always", error_model="numpy")
def vlog(x: float) -> float:
    """Natural log to about 1 ulp (absolute 1e-16 near ``x = 1``) for normal positive ``x``.

    Returns NaN for zero, negative, subnormal or infinite ``x``.
    """
    b = _bits(x)
    e = (b >> 52) - 1023
    m = _from_bits((b & _MANTISSA_MASK) | _EXPONENT_ONE)
    big = m > 1.4142135623730951
    m = 0.5 * m if big else m
    ef = np.float64(e) + (1.0 if big else 0.0)
    s = (m - 1.0) / (m + 1.0)
    s2 = s * s
    # atanh series: log m = 2 (s + s^3/3 + ... + s^23/23), Horner form in s^2.
    p = 1.0 / 23.0
    p = p * s2 + 1.0 / 21.0
    p = p * s2 + 1.0 / 19.0
    p = p * s2 + 1.0 / 17.0
    p = p * s2 + 1.0 / 15.0
    p = p * s2 + 1.0 / 13.0
    p = p * s2 + 1.0 / 11.0
    p = p * s2 + 1.0 / 9.0
    p = p * s2 + 1.0 / 7.0
    p = p * s2 + 1.0 / 5.0
    p = p * s2 + 1.0 / 3.0
    p = p * s2
    y = ef * _LN2_HI + ((2.0 * s + 2.0 * s * p) + ef * _LN2_LO)
    ok = x >= 2.2250738585072014e-308 and x <= 1.7976931348623157e308
    return y if ok else math.nan


def _erfcx_coefficients() -> np.ndarray:
    """Power-basis coefficients of ``p``, arranged ``[j, r] = a[4 j + r]`` for four chains."""
    big_l = _ERFCX_MAP
    y = np.cos(np.pi * (np.arange(_ERFCX_NODES) + 0.5) / _ERFCX_NODES)
    z = big_l * (1.0 - y) / (1.0 + y)
    exact = scaled_erfc(z)
    target = (exact - 1.0 / (_SQRT_PI * (big_l + z))) * (big_l + z) ** 2 / 2.0
    weight = 2.0 / ((big_l + z) ** 2 * exact)  # least squares on the relative error of erfcx
    basis = np.polynomial.chebyshev.chebvander(y, _ERFCX_DEGREE)
    cheb = np.linalg.lstsq(basis * weight[:, None], target * weight, rcond=None)[0]
    power = np.polynomial.chebyshev.cheb2poly(cheb)  # well conditioned: sum |a| < 2 max |p|
    return np.ascontiguousarray(power.reshape(-1, 4))


_ERFCX_COEFFICIENTS = _erfcx_coefficients()
_ERFCX_ROWS = _ERFCX_COEFFICIENTS.shape[0]


@njit(cache=True, inline="always", error_model="numpy", fastmath={"contract"})
def erfcx_fast(z: float) -> float:
    """``erfcx(z) = exp(z*z) erfc(z)`` for ``z >= 0`` to about 1.5e-15 relative (NaN for NaN)."""
    a = _ERFCX_COEFFICIENTS
    z = 1e300 if z > 1e300 else z  # erfcx(inf) = 0, not inf * 0; NaN stays NaN
    inv = 1.0 / (_ERFCX_MAP + z)
    y = (_ERFCX_MAP - z) * inv
    y2 = y * y
    y4 = y2 * y2
    last = _ERFCX_ROWS - 1
    p0, p1, p2, p3 = a[last, 0], a[last, 1], a[last, 2], a[last, 3]
    for j in range(last - 1, -1, -1):
        p0 = p0 * y4 + a[j, 0]
        p1 = p1 * y4 + a[j, 1]
        p2 = p2 * y4 + a[j, 2]
        p3 = p3 * y4 + a[j, 3]
    p: float = (p0 + y * p1) + y2 * (p2 + y * p3)
    return (2.0 * p * inv + _INV_SQRT_PI) * inv


@njit(cache=True, inline="always", error_model="numpy")
def exp_neg_half_square(x: float) -> float:
    """``exp(-x*x/2)``, with ``x*x`` split exactly so large ``|x|`` keeps full precision."""
    hi = x * x
    lo = fma(x, x, -hi)
    e = vexp(-0.5 * hi) * (1.0 - 0.5 * lo)
    return 0.0 if hi > 1500.0 else e  # also covers |x| = inf, where lo is NaN


@njit(cache=True, inline="always", error_model="numpy")
def norm_cdf_given_density(x: float, e: float) -> float:
    """Standard normal CDF ``N(x)`` given ``e = exp(-x*x/2)``."""
    h = 0.5 * erfcx_fast(abs(x) * _INV_SQRT_TWO) * e
    return h if x < 0.0 else 1.0 - h


@njit(cache=True, inline="always", error_model="numpy")
def vnorm_cdf(x: float) -> float:
    """Standard normal CDF with full relative precision in the lower tail (NaN for NaN)."""
    return norm_cdf_given_density(x, exp_neg_half_square(x))
