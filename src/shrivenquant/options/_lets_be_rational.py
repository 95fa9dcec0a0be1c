"""Implied Black volatility to machine precision: Jäckel's "Let's Be Rational" method.

Everything works on the normalised Black function of ``x = ln(F/K)`` and the total standard
deviation ``s = vol sqrt(T)``:

    b(x, s) = e^{x/2} N(x/s + s/2) - e^{-x/2} N(x/s - s/2)        (an undiscounted call / sqrt(FK))

An in-the-money option is reduced to the out-of-the-money one by parity and a put to a call by
``x -> -x``, leaving ``x <= 0`` and a price in ``(0, e^{x/2})``. Around the inflexion point
``s_c = sqrt(2|x|)`` the tangents at ``s_c`` split the price axis into four branches; on each, a
rational cubic (Delbourgo-Gregory) interpolation of a transformed ``s(b)`` gives an initial guess
good to several digits, and Householder steps of order three on a branch-specific objective
(``1/ln b`` low, ``b`` in the middle, ``ln(b_max - b)`` high) converge to machine precision in
one or two iterations.

``b`` itself is evaluated without loss of precision: a Taylor series in ``t = s/2`` for small
``s`` (``Y = N/phi`` obeys ``Y' = 1 + hY``, so ``Y^(n+1) = h Y^(n) + n Y^(n-1)``), the scaled
complementary error function ``erfcx`` when both terms are in the lower tail, and the plain
formula otherwise.

References:
    P. Jäckel, "Let's Be Rational", Wilmott (January 2015), pp. 40-53.
    R. Delbourgo, J. A. Gregory, "Shape preserving piecewise rational interpolation",
    SIAM J. Sci. Stat. Comput. 6 (1985).
"""

# ruff: noqa: PLR0917 - interpolation helpers take their knots positionally
from __future__ import annotations

import math

from numba import njit

from shrivenquant.options._normal import INV_SQRT_TWO, INV_SQRT_TWO_PI, erfcx, norm_cdf, norm_inv

_EPS = 2.220446049250313e-16
_SQRT_EPS = math.sqrt(_EPS)
_TWO_PI = 2.0 * math.pi
_SQRT_THREE = math.sqrt(3.0)
_SQRT_PI_OVER_TWO = math.sqrt(math.pi / 2.0)
_TWO_PI_OVER_SQRT_27 = 2.0 * math.pi / math.sqrt(27.0)
_SQRT_THREE_OVER_CBRT_TWO_PI = math.sqrt(3.0) / (2.0 * math.pi) ** (1.0 / 3.0)
_SMALL_T = 0.21  # below this t = s/2 the Taylor series of b in t is used
_INV_CONSECUTIVE = tuple(1.0 / ((2 * i + 2) * (2 * i + 3)) for i in range(8))  # 1/(2*3), 1/(4*5)..
_MAX_R = 2.0 / (_EPS * _EPS)
_MIN_R = -(1.0 - _SQRT_EPS)
_MAX_ITERATIONS = 6
# Householder(3) converges quartically: after a relative step below this the remaining error
# is below one ulp (checked in the tests), so no further iteration is needed.
_CONVERGED = 2e-5

# Outcome codes, mirrored by `ImpliedVolStatus`.
STATUS_OK = 0
STATUS_BELOW_INTRINSIC = 1
STATUS_ABOVE_MAXIMUM = 2
STATUS_INVALID_INPUT = 3
STATUS_TIME_VALUE_UNRESOLVED = 4
_RESOLUTION = 64.0 * _EPS  # relative rounding of prices formed from F and K


@njit(cache=True, error_model="numpy")
def _y_odd_taylor_sum(h: float, t: float) -> float:
    """``(Y(h+t) - Y(h-t)) / 2`` by its Taylor series in ``t`` (``Y = N/phi``, h <= 0, t < 0.21)."""
    y0 = _SQRT_PI_OVER_TWO * erfcx(-h * INV_SQRT_TWO)
    prev = y0
    cur = 1.0 + h * y0  # Y'
    t2 = t * t
    term = t  # t^(2k+1) / (2k+1)!
    total = term * cur
    n = 1.0
    for i in range(8):
        nxt = h * cur + n * prev  # Y^(n+1)
        prev, cur = cur, nxt
        n += 1.0
        nxt = h * cur + n * prev  # Y^(n+2), odd order
        prev, cur = cur, nxt
        n += 1.0
        term *= t2 * _INV_CONSECUTIVE[i]
        increment = term * cur
        total += increment
        if abs(increment) < 1e-17 * abs(total):  # the terms fall faster than geometrically
            break
    return total


@njit(cache=True, error_model="numpy")
def black_and_vega(x: float, s: float) -> tuple[float, float]:
    """``(b(x, s), db/ds)`` for ``x <= 0`` and ``s >= 0``, ``b`` with full relative precision.

    ``db/ds = exp(-(h^2 + t^2)/2) / sqrt(2 pi)`` with ``h = x/s``, ``t = s/2``.
    """
    if s <= 0.0:
        return 0.0, 0.0
    if x == 0.0:
        return math.erf(0.5 * s * INV_SQRT_TWO), INV_SQRT_TWO_PI * math.exp(-0.125 * s * s)
    h = x / s
    t = 0.5 * s
    g = math.exp(-0.5 * (h * h + t * t))
    vega = INV_SQRT_TWO_PI * g
    if t < _SMALL_T and h >= -10.0:
        return 2.0 * vega * _y_odd_taylor_sum(h, t), vega
    if h + t < -0.85:
        # both terms in the lower tail: N(z) = erfcx(-z/sqrt 2) exp(-z^2/2) / 2, factored out
        diff = erfcx(-(h + t) * INV_SQRT_TWO) - erfcx(-(h - t) * INV_SQRT_TWO)
        return 0.5 * g * diff, vega
    e = math.exp(0.5 * x)
    return norm_cdf(h + t) * e - norm_cdf(h - t) / e, vega


@njit(cache=True, error_model="numpy")
def normalised_black_otm_call(x: float, s: float) -> float:
    """``b(x, s)`` for ``x <= 0`` and ``s >= 0`` with full relative precision."""
    return black_and_vega(x, s)[0]


@njit(cache=True, error_model="numpy", inline="always")
def normalised_vega(x: float, s: float) -> float:
    """``db/ds = exp(-(x^2/s^2 + s^2/4)/2) / sqrt(2 pi)``."""
    h = x / s
    t = 0.5 * s
    return INV_SQRT_TWO_PI * math.exp(-0.5 * (h * h + t * t))


@njit(cache=True, error_model="numpy", inline="always")
def normalised_intrinsic(x: float, sign: float) -> float:
    """``max(sign (e^{x/2} - e^{-x/2}), 0)``, accurate for small ``|x|``."""
    if sign * x <= 0.0:
        return 0.0
    return abs(2.0 * math.sinh(0.5 * x))


# --- Delbourgo-Gregory rational cubic ---------------------------------------------------------


@njit(cache=True, error_model="numpy")
def _rational_cubic(
    x: float, x_l: float, x_r: float, y_l: float, y_r: float, d_l: float, d_r: float, r: float
) -> float:
    h = x_r - x_l
    if abs(h) <= 0.0:
        return 0.5 * (y_l + y_r)
    t = (x - x_l) / h
    if r >= _MAX_R:
        return y_r * t + y_l * (1.0 - t)
    omt = 1.0 - t
    t2 = t * t
    omt2 = omt * omt
    num = y_r * t2 * t + (r * y_r - h * d_r) * t2 * omt + (r * y_l + h * d_l) * t * omt2
    return (num + y_l * omt2 * omt) / (1.0 + (r - 3.0) * t * omt)


@njit(cache=True, error_model="numpy")
def _minimum_control(d_l: float, d_r: float, slope: float, prefer_shape: bool) -> float:
    """Smallest control parameter that keeps the interpolant monotone/convex (Delbourgo-Gregory)."""
    monotonic = d_l * slope >= 0.0 and d_r * slope >= 0.0
    convex = d_l <= slope <= d_r
    concave = d_l >= slope >= d_r
    if not (monotonic or convex or concave):
        return _MIN_R
    r1 = -math.inf
    r2 = -math.inf
    if monotonic:
        if abs(slope) > 0.0:
            r1 = (d_r + d_l) / slope
        elif prefer_shape:
            r1 = _MAX_R
    if convex or concave:
        a = abs(slope - d_l)
        b = abs(d_r - slope)
        if a > 0.0 and b > 0.0:
            r2 = max(abs((d_r - d_l) / b), abs((d_r - d_l) / a))
        elif prefer_shape:
            r2 = _MAX_R
    elif monotonic and prefer_shape:
        r2 = _MAX_R
    return max(_MIN_R, r1, r2)


@njit(cache=True, error_model="numpy")
def _control_fitting_left(
    x_l: float, x_r: float, y_l: float, y_r: float, d_l: float, d_r: float, dd_l: float,
    prefer_shape: bool,
) -> float:  # fmt: skip
    h = x_r - x_l
    num = 0.5 * h * dd_l + (d_r - d_l)
    den = (y_r - y_l) / h - d_l
    if num == 0.0:
        r = 0.0
    elif den == 0.0:
        r = _MAX_R if num > 0.0 else _MIN_R
    else:
        r = num / den
    return max(r, _minimum_control(d_l, d_r, (y_r - y_l) / h, prefer_shape))


@njit(cache=True, error_model="numpy")
def _control_fitting_right(
    x_l: float, x_r: float, y_l: float, y_r: float, d_l: float, d_r: float, dd_r: float,
    prefer_shape: bool,
) -> float:  # fmt: skip
    h = x_r - x_l
    num = 0.5 * h * dd_r + (d_r - d_l)
    den = d_r - (y_r - y_l) / h
    if num == 0.0:
        r = 0.0
    elif den == 0.0:
        r = _MAX_R if num > 0.0 else _MIN_R
    else:
        r = num / den
    return max(r, _minimum_control(d_l, d_r, (y_r - y_l) / h, prefer_shape))


# --- the transformations of the outer branches ------------------------------------------------


@njit(cache=True, error_model="numpy")
def _lower_map(x: float, s: float) -> tuple[float, float, float]:
    """``f = 2 pi |x| N(-z)^3 / sqrt 27`` (``z = |x| / (sqrt 3 s)``) and its first two
    derivatives with respect to the price ``b``."""
    ax = abs(x)
    z = ax / (_SQRT_THREE * s)
    y = z * z
    s2 = s * s
    big_phi = norm_cdf(-z)
    small_phi = INV_SQRT_TWO_PI * math.exp(-0.5 * y)
    growth = math.exp(2.0 * y + 0.25 * s2)
    bracket = (
        8.0 * _SQRT_THREE * s * ax + (3.0 * s2 * (s2 - 8.0) - 8.0 * x * x) * big_phi / small_phi
    )
    fpp = math.pi / 6.0 * y / (s2 * s) * big_phi * bracket * growth
    phi2 = big_phi * big_phi
    fp = _TWO_PI * y * phi2 * math.exp(y + 0.125 * s2)
    f = _TWO_PI_OVER_SQRT_27 * ax * phi2 * big_phi
    return f, fp, fpp


@njit(cache=True, error_model="numpy")
def _inverse_lower_map(x: float, f: float) -> float:
    ax = abs(x)
    return abs(x / (_SQRT_THREE * norm_inv(_SQRT_THREE_OVER_CBRT_TWO_PI * (f / ax) ** (1.0 / 3.0))))


@njit(cache=True, error_model="numpy")
def _upper_map(x: float, s: float) -> tuple[float, float, float]:
    """``f = N(-s/2)`` and its first two derivatives with respect to the price ``b``."""
    f = norm_cdf(-0.5 * s)
    w = (x / s) * (x / s)
    fp = -0.5 * math.exp(0.5 * w)
    fpp = _SQRT_PI_OVER_TWO * math.exp(w + 0.125 * s * s) * w / s
    return f, fp, fpp


# --- the solver -----------------------------------------------------------------------------------


@njit(cache=True, error_model="numpy", inline="always")
def _householder_step(nu: float, h2: float, h3: float) -> float:
    return nu * (1.0 + 0.5 * h2 * nu) / (1.0 + nu * (h2 + h3 * nu / 6.0))


@njit(cache=True, error_model="numpy")
def _solve_otm_call(beta: float, x: float) -> float:
    """``s`` with ``b(x, s) = beta`` for ``x <= 0`` and ``0 < beta < e^{x/2}``."""
    b_max = math.exp(0.5 * x)
    if x == 0.0:
        # at the money b = erf(s / (2 sqrt 2)): start from the inverse CDF and polish below
        s = -2.0 * norm_inv(0.5 * (1.0 - beta)) if beta > 0.1 else beta * math.sqrt(_TWO_PI)
        objective = 1
    else:
        s_c = math.sqrt(2.0 * abs(x))
        b_c, v_c = black_and_vega(x, s_c)
        s_l = s_c - b_c / v_c
        s_u = s_c + (b_max - b_c) / v_c
        # only the bound on beta's side of b_c is needed
        b_l = normalised_black_otm_call(x, s_l) if beta <= b_c else 0.0
        b_u = normalised_black_otm_call(x, s_u) if beta > b_c else b_max
        if beta < b_l:
            f_l, df_l, ddf_l = _lower_map(x, s_l)
            r = _control_fitting_right(0.0, b_l, 0.0, f_l, 1.0, df_l, ddf_l, True)
            f = _rational_cubic(beta, 0.0, b_l, 0.0, f_l, 1.0, df_l, r)
            if not f > 0.0:
                u = beta / b_l
                f = (f_l * u + b_l * (1.0 - u)) * u
            s = _inverse_lower_map(x, f)
            objective = 0
        elif beta <= b_u:
            # s(b) has an inflexion at b_c: its second derivative there is exactly zero
            if beta <= b_c:
                v_l = normalised_vega(x, s_l)
                r = _control_fitting_right(b_l, b_c, s_l, s_c, 1.0 / v_l, 1.0 / v_c, 0.0, False)
                s = _rational_cubic(beta, b_l, b_c, s_l, s_c, 1.0 / v_l, 1.0 / v_c, r)
            else:
                v_u = normalised_vega(x, s_u)
                r = _control_fitting_left(b_c, b_u, s_c, s_u, 1.0 / v_c, 1.0 / v_u, 0.0, False)
                s = _rational_cubic(beta, b_c, b_u, s_c, s_u, 1.0 / v_c, 1.0 / v_u, r)
            objective = 1
        else:
            f_u, df_u, ddf_u = _upper_map(x, s_u)
            f = -1.0
            if abs(ddf_u) < 1e150:
                r = _control_fitting_left(b_u, b_max, f_u, 0.0, df_u, -0.5, ddf_u, True)
                f = _rational_cubic(beta, b_u, b_max, f_u, 0.0, df_u, -0.5, r)
            if not f > 0.0:
                width = b_max - b_u
                u = (beta - b_u) / width
                f = (f_u * (1.0 - u) + 0.5 * width * u) * (1.0 - u)
            s = -2.0 * norm_inv(f)
            objective = 2 if beta > 0.5 * b_max else 1
    return _polish(beta, x, s, b_max, objective)


@njit(cache=True, error_model="numpy")
def _polish(beta: float, x: float, s: float, b_max: float, objective: int) -> float:
    """Householder(3) iterations on the branch's objective (0 lower, 1 middle, 2 upper)."""
    ln_beta = math.log(beta)
    x2 = x * x
    for _ in range(_MAX_ITERATIONS):
        if not s > 0.0:
            break
        b, v = black_and_vega(x, s)
        if not (b > 0.0 and v > 0.0):
            break
        s2 = s * s
        b_h2 = x2 / (s2 * s) - 0.25 * s
        b_h3 = b_h2 * b_h2 - 3.0 * x2 / (s2 * s2) - 0.25
        if objective == 0 and b < 1.0:
            ln_b = math.log(b)
            p = v / b
            nu = (ln_beta - ln_b) * ln_b / ln_beta / p
            h2 = b_h2 - p * (1.0 + 2.0 / ln_b)
            h3 = (
                b_h3
                + 2.0 * p * p * (1.0 + 3.0 / ln_b * (1.0 + 1.0 / ln_b))
                - 3.0 * b_h2 * p * (1.0 + 2.0 / ln_b)
            )
        elif objective == 2 and b < b_max:
            gap = b_max - b
            q = v / gap
            nu = -math.log((b_max - beta) / gap) / q
            h2 = b_h2 + q
            h3 = b_h3 + q * (2.0 * q + 3.0 * b_h2)
        else:
            nu = (beta - b) / v
            h2 = b_h2
            h3 = b_h3
        ds = _householder_step(nu, h2, h3)
        if not math.isfinite(ds):
            ds = nu
        ds = max(ds, -0.5 * s)
        s += ds
        if abs(ds) <= _CONVERGED * s:
            break
    return s


@njit(cache=True, error_model="numpy")
def implied_total_sd(beta: float, x: float, is_call: bool) -> tuple[float, int]:
    """``(vol sqrt(T), status)`` from a normalised price ``beta = price / (df sqrt(F K))``."""
    if not (math.isfinite(beta) and math.isfinite(x)) or beta < 0.0:
        return math.nan, STATUS_INVALID_INPUT
    sign = 1.0 if is_call else -1.0
    intrinsic = normalised_intrinsic(x, sign)
    # rounding scale of a price near F - K: (F + K) / sqrt(F K) = 2 cosh(x/2) in these units
    noise = _RESOLUTION * 2.0 * math.cosh(0.5 * x)
    if beta < intrinsic - noise:
        return math.nan, STATUS_BELOW_INTRINSIC
    # upper bound: e^{x/2} for a call, e^{-x/2} for a put
    if beta >= math.exp(0.5 * sign * x):
        return math.nan, STATUS_ABOVE_MAXIMUM
    if intrinsic > 0.0:
        # in the money: the out-of-the-money option of the other right, unless the time value
        # is lost in the rounding of the price (then any small volatility reproduces it)
        time_value = beta - intrinsic
        if time_value <= noise:
            return math.nan, STATUS_TIME_VALUE_UNRESOLVED
        beta = time_value
        sign = -sign
    if beta == 0.0:  # out of the money and worth exactly nothing: every small vol fits
        return math.nan, STATUS_TIME_VALUE_UNRESOLVED
    otm_x = x if sign > 0.0 else -x
    return _solve_otm_call(beta, otm_x), STATUS_OK
