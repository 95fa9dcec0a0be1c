"""Standard normal distribution functions compiled with numba, accurate to machine precision.

`norm_cdf` uses ``erfc`` so the lower tail keeps full relative precision (``0.5 * (1 + erf)``
loses it below about 1e-8). `norm_inv` starts from Acklam's rational approximation and polishes
it with one Halley step on the exact CDF. `erfcx` is the scaled complementary error function
``exp(x*x) * erfc(x)``, with ``exp(x*x)`` evaluated from an exact split of ``x*x``.

These are the reference-quality scalar functions (used by the implied-volatility solver and the
exotic formulas); the vectorisable versions used by the array kernels are in `_vecmath`.

References:
    W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23 (1969).
    P. J. Acklam, "An algorithm for computing the inverse normal cumulative distribution
    function" (2003). T. J. Dekker, "A floating-point technique for extending the available
    precision", Numer. Math. 18 (1971) (exact products by splitting).
"""

from __future__ import annotations

import math

from numba import njit

SQRT_TWO_PI = math.sqrt(2.0 * math.pi)
INV_SQRT_TWO_PI = 1.0 / SQRT_TWO_PI
INV_SQRT_TWO = 1.0 / math.sqrt(2.0)
SQRT_PI = math.sqrt(math.pi)
_SPLITTER = 134217729.0  # 2**27 + 1, Veltkamp splitting constant for float64

# Acklam's coefficients: central region numerator/denominator, tail numerator/denominator.
_A0, _A1, _A2 = -3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02
_A3, _A4, _A5 = 1.383577518672690e02, -3.066479806614716e01, 2.506628277459239e00
_B0, _B1, _B2 = -5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02
_B3, _B4 = 6.680131188771972e01, -1.328068155288572e01
_C0, _C1, _C2 = -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00
_C3, _C4, _C5 = -2.549732539343734e00, 4.374664141464968e00, 2.938163982698783e00
_D0, _D1, _D2, _D3 = (
    7.784695709041462e-03,
    3.224671290700398e-01,
    2.445134137142996e00,
    3.754408661907416e00,
)
_P_LOW = 0.02425


@njit(cache=True, inline="always")
def norm_pdf(x: float) -> float:
    """Standard normal density."""
    return INV_SQRT_TWO_PI * math.exp(-0.5 * x * x)


@njit(cache=True, inline="always")
def norm_cdf(x: float) -> float:
    """Standard normal cumulative distribution, full relative precision in the lower tail."""
    return 0.5 * math.erfc(-x * INV_SQRT_TWO)


@njit(cache=True)
def exp_of_square(x: float) -> float:
    """``exp(x*x)`` without the relative error ``x*x*eps`` that rounding ``x*x`` would cause."""
    hi = x * x
    t = _SPLITTER * x
    xh = t - (t - x)
    xl = x - xh
    lo = ((xh * xh - hi) + 2.0 * xh * xl) + xl * xl
    return math.exp(hi) * (1.0 + lo)


@njit(cache=True)
def erfcx(x: float) -> float:
    """Scaled complementary error function ``exp(x*x) * erfc(x)``.

    Accurate to a few ulp for every ``x >= -26``; uses the asymptotic series above 26, where
    ``erfc`` underflows.
    """
    if x < 26.0:
        if x < -26.0:
            return math.inf
        return exp_of_square(x) * math.erfc(x)
    # erfcx(x) ~ 1/(x sqrt(pi)) * sum_k (-1)^k (2k-1)!! / (2x^2)^k (Abramowitz & Stegun 7.1.23)
    v = 1.0 / (2.0 * x * x)
    series = 1.0 - v * (1.0 - 3.0 * v * (1.0 - 5.0 * v * (1.0 - 7.0 * v * (1.0 - 9.0 * v))))
    return series / (x * SQRT_PI)


@njit(cache=True)
def norm_inv(p: float) -> float:
    """Inverse of the standard normal CDF; NaN outside [0, 1], -inf/inf at 0/1."""
    if not (p > 0.0 and p < 1.0):
        if p == 0.0:
            return -math.inf
        if p == 1.0:
            return math.inf
        return math.nan
    if p < _P_LOW:
        q = math.sqrt(-2.0 * math.log(p))
        x = (((((_C0 * q + _C1) * q + _C2) * q + _C3) * q + _C4) * q + _C5) / (
            (((_D0 * q + _D1) * q + _D2) * q + _D3) * q + 1.0
        )
    elif p <= 1.0 - _P_LOW:
        q = p - 0.5
        r = q * q
        x = (
            (((((_A0 * r + _A1) * r + _A2) * r + _A3) * r + _A4) * r + _A5)
            * q
            / (((((_B0 * r + _B1) * r + _B2) * r + _B3) * r + _B4) * r + 1.0)
        )
    else:
        q = math.sqrt(-2.0 * math.log1p(-p))
        x = -(((((_C0 * q + _C1) * q + _C2) * q + _C3) * q + _C4) * q + _C5) / (
            (((_D0 * q + _D1) * q + _D2) * q + _D3) * q + 1.0
        )
    # One Halley step on the exact CDF; the error in the tail is measured against the smaller
    # of p and 1 - p so both tails keep their relative precision.
    e = norm_cdf(x) - p if x <= 0.0 else (1.0 - p) - norm_cdf(-x)
    u = e * SQRT_TWO_PI * math.exp(0.5 * x * x)
    return x - u / (1.0 + 0.5 * x * u)
