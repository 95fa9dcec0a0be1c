"""Branch-free "Let's Be Rational" for the array kernels: implied volatility in SIMD.

The scalar solver (`_lets_be_rational`) picks one of four branches per option and evaluates the
normalised Black function with whichever of three formulas is exact there, calling the C
library's ``exp``, ``erfc`` and ``log``; a compiled loop over it runs one option at a time.
Here every step computes each case an element could need and selects the right one, with the
vectorisable ``exp``, ``log`` and ``erfcx`` of `_vecmath`, so that LLVM compiles the loop to
SIMD code. The method is the scalar solver's, step for step:

1. `normalise`: the price as a normalised out-of-the-money call ``(beta, x <= 0)`` and the
   status, decided as `implied_total_sd` decides it;
2. `initial_guess`: the rational-cubic guess on the same four branches (and the
   at-the-money one), with the same objective per branch;
3. two Householder steps of order three (`refine`), which is what the scalar solver needs for
   every option of a realistic book (its guess is good to several digits).

The loops (`normalise_loop`, `guess_loop`, `refine_loop`) flag the rare element that is not
settled after that, or that leaves the range the vectorised functions cover (subnormal prices,
overflowing moneyness); the caller solves it again with the scalar solver, so every result is
the reference method's to a few ulp.
"""

# ruff: noqa: PLR0917 - the interpolation helpers take their knots positionally
from __future__ import annotations

import math

import numpy as np
from numba import njit
from numpy.typing import NDArray

from shrivenquant.options._arrays import BoolArray, FloatArray
from shrivenquant.options._lets_be_rational import (
    STATUS_ABOVE_MAXIMUM,
    STATUS_BELOW_INTRINSIC,
    STATUS_INVALID_INPUT,
    STATUS_OK,
    STATUS_TIME_VALUE_UNRESOLVED,
)
from shrivenquant.options._normal import (  # Acklam's coefficients, as `_normal.norm_inv`
    _A0,
    _A1,
    _A2,
    _A3,
    _A4,
    _A5,
    _B0,
    _B1,
    _B2,
    _B3,
    _B4,
    _C0,
    _C1,
    _C2,
    _C3,
    _C4,
    _C5,
    _D0,
    _D1,
    _D2,
    _D3,
    _P_LOW,
    INV_SQRT_TWO,
    INV_SQRT_TWO_PI,
    SQRT_TWO_PI,
)
from shrivenquant.options._vecmath import erfcx_fast, vexp, vlog, vnorm_cdf

_EPS = 2.220446049250313e-16
_SQRT_EPS = math.sqrt(_EPS)
_MAX_R = 2.0 / (_EPS * _EPS)
_MIN_R = -(1.0 - _SQRT_EPS)
_SQRT_THREE = math.sqrt(3.0)
_SQRT_PI_OVER_TWO = math.sqrt(math.pi / 2.0)
_TWO_PI = 2.0 * math.pi
_TWO_PI_OVER_SQRT_27 = 2.0 * math.pi / math.sqrt(27.0)
_SQRT_THREE_OVER_CBRT_TWO_PI = math.sqrt(3.0) / (2.0 * math.pi) ** (1.0 / 3.0)
_SMALL_T = 0.21  # below this t = s/2 the Taylor series of b in t is used (as the scalar solver)
_CONVERGED = 2e-5  # the scalar solver's: after a relative step below this, s is exact
_RESOLUTION = 64.0 * _EPS
_INF = math.inf
# Beyond these the vectorised exp/log leave their range: such elements go to the scalar solver.
_MIN_BETA = 1e-290
_MAX_ABS_X = 600.0


_FAST = {"contract"}


# --- elementary pieces --------------------------------------------------------------------------


@njit(cache=True, forceinline=True, error_model="numpy", fastmath=_FAST)
def _sinh(y: float, exp_y: float, exp_minus_y: float) -> float:
    """``sinh(y)`` to a few ulp, also for small ``|y|`` (odd Taylor series below 1/2), given
    ``e^y`` and ``e^-y``."""
    y2 = y * y
    p = 1.0 / 1307674368000.0
    p = p * y2 + 1.0 / 6227020800.0
    p = p * y2 + 1.0 / 39916800.0
    p = p * y2 + 1.0 / 362880.0
    p = p * y2 + 1.0 / 5040.0
    p = p * y2 + 1.0 / 120.0
    p = p * y2 + 1.0 / 6.0
    small = y + y * y2 * p
    return small if abs(y) < 0.5 else 0.5 * (exp_y - exp_minus_y)


@njit(cache=True, forceinline=True, error_model="numpy", fastmath=_FAST)
def _norm_inv(p: float) -> float:
    """Inverse normal CDF for ``0 < p < 1`` to about 1e-9 relative (Acklam's approximation):
    enough for an initial guess, which the Householder steps polish anyway."""
    q = p - 0.5
    r = q * q
    central_num = (((((_A0 * r + _A1) * r + _A2) * r + _A3) * r + _A4) * r + _A5) * q
    central_den = ((((_B0 * r + _B1) * r + _B2) * r + _B3) * r + _B4) * r + 1.0
    lower = p < 0.5
    w = math.sqrt(-2.0 * vlog(p if lower else 1.0 - p))
    tail_num = ((((_C0 * w + _C1) * w + _C2) * w + _C3) * w + _C4) * w + _C5
    tail_den = (((_D0 * w + _D1) * w + _D2) * w + _D3) * w + 1.0
    tail_num = tail_num if lower else -tail_num
    in_tail = (p < _P_LOW) | (p > 1.0 - _P_LOW)
    return (tail_num if in_tail else central_num) / (tail_den if in_tail else central_den)


@njit(cache=True, forceinline=True, error_model="numpy", fastmath=_FAST)
def _y_odd_taylor_sum(h: float, t: float) -> float:
    """``(Y(h+t) - Y(h-t)) / 2`` by its Taylor series in ``t`` (``Y = N/phi``), all 8 terms."""
    y0 = _SQRT_PI_OVER_TWO * erfcx_fast(-h * INV_SQRT_TWO)
    prev = y0
    cur = 1.0 + h * y0
    t2 = t * t
    term = t
    total = term * cur
    n = 1.0
    for i in range(8):
        nxt = h * cur + n * prev
        prev, cur = cur, nxt
        n += 1.0
        nxt = h * cur + n * prev
        prev, cur = cur, nxt
        n += 1.0
        term *= t2 * (1.0 / ((2.0 * i + 2.0) * (2.0 * i + 3.0)))  # a constant once unrolled
        total += term * cur
    return total


@njit(cache=True, forceinline=True, error_model="numpy", fastmath=_FAST)
def black_and_vega(x: float, s: float, e: float) -> tuple[float, float]:
    """``(b(x, s), db/ds)`` for ``x <= 0 < s`` given ``e = e^{x/2}``, ``b`` to full relative
    precision, branch-free.

    With ``h = x/s``, ``t = s/2`` and ``g = exp(-(h^2 + t^2)/2)``: the Taylor series in ``t``
    where ``t`` is small; else ``N(z) = erfcx(-z/sqrt 2) exp(-z^2/2) / 2`` turns
    ``e^{x/2} N(h+t) - e^{-x/2} N(h-t)`` into ``g (A - B) / 2`` when ``h + t < 0`` and
    ``e^{x/2} - g (A + B) / 2`` otherwise (``A = erfcx(|h+t|/sqrt 2)``,
    ``B = erfcx((t-h)/sqrt 2)``).
    """
    h = x / s
    t = 0.5 * s
    g = vexp(-0.5 * (h * h + t * t))
    vega = INV_SQRT_TWO_PI * g
    taylor = 2.0 * vega * _y_odd_taylor_sum(h, t)
    a = erfcx_fast(abs(h + t) * INV_SQRT_TWO)
    b = erfcx_fast((t - h) * INV_SQRT_TWO)
    split = 0.5 * g * (a - b) if h + t < 0.0 else e - 0.5 * g * (a + b)
    value = taylor if (t < _SMALL_T) & (h >= -10.0) else split
    return value, vega


@njit(cache=True, forceinline=True, error_model="numpy", fastmath=_FAST)
def _black_for_guess(x: float, s: float, e: float) -> float:
    """``b(x, s)`` without the Taylor series: relative error about ``1e-16 / (s/2)`` where
    ``s`` is small, plenty for the knots of an initial guess."""
    h = x / s
    t = 0.5 * s
    g = vexp(-0.5 * (h * h + t * t))
    a = erfcx_fast(abs(h + t) * INV_SQRT_TWO)
    b = erfcx_fast((t - h) * INV_SQRT_TWO)
    return 0.5 * g * (a - b) if h + t < 0.0 else e - 0.5 * g * (a + b)


@njit(cache=True, forceinline=True, error_model="numpy", fastmath=_FAST)
def _black_at_inflexion(s_c: float) -> tuple[float, float]:
    """`_black_for_guess` and the vega at ``s_c = sqrt(2|x|)``, where ``h = -t``."""
    t = 0.5 * s_c
    g = vexp(-t * t)
    return 0.5 * g * (1.0 - erfcx_fast(s_c * INV_SQRT_TWO)), INV_SQRT_TWO_PI * g


@njit(cache=True, forceinline=True, error_model="numpy", fastmath=_FAST)
def _vega(x: float, s: float) -> float:
    h = x / s
    t = 0.5 * s
    return INV_SQRT_TWO_PI * vexp(-0.5 * (h * h + t * t))


# --- the Delbourgo-Gregory rational cubic, branch-free ---------------------------------------


@njit(cache=True, forceinline=True, error_model="numpy", fastmath=_FAST)
def _rational_cubic(
    x: float, x_l: float, x_r: float, y_l: float, y_r: float, d_l: float, d_r: float, r: float
) -> float:
    h = x_r - x_l
    t = (x - x_l) / h
    omt = 1.0 - t
    t2 = t * t
    omt2 = omt * omt
    num = y_r * t2 * t + (r * y_r - h * d_r) * t2 * omt + (r * y_l + h * d_l) * t * omt2
    cubic = (num + y_l * omt2 * omt) / (1.0 + (r - 3.0) * t * omt)
    linear = y_r * t + y_l * (1.0 - t)
    value = linear if r >= _MAX_R else cubic
    return 0.5 * (y_l + y_r) if abs(h) <= 0.0 else value


@njit(cache=True, forceinline=True, error_model="numpy", fastmath=_FAST)
def _minimum_control(d_l: float, d_r: float, slope: float, prefer_shape: bool) -> float:
    monotonic = (d_l * slope >= 0.0) & (d_r * slope >= 0.0)
    convex = (d_l <= slope) & (slope <= d_r)
    concave = (d_l >= slope) & (slope >= d_r)
    shape = _MAX_R if prefer_shape else -_INF
    r1 = (d_r + d_l) / slope if abs(slope) > 0.0 else shape
    r1 = r1 if monotonic else -_INF
    a = abs(slope - d_l)
    b = abs(d_r - slope)
    spread = d_r - d_l
    bent = abs(spread) / min(a, b) if (a > 0.0) & (b > 0.0) else shape
    r2 = bent if convex | concave else (_MAX_R if monotonic & prefer_shape else -_INF)
    r = max(_MIN_R, r1, r2)
    return r if monotonic | convex | concave else _MIN_R


@njit(cache=True, forceinline=True, error_model="numpy", fastmath=_FAST)
def _control(num: float, den: float) -> float:
    ratio = num / den
    ratio = (_MAX_R if num > 0.0 else _MIN_R) if den == 0.0 else ratio
    return 0.0 if num == 0.0 else ratio


@njit(cache=True, forceinline=True, error_model="numpy", fastmath=_FAST)
def _control_fitting_left(
    x_l: float, x_r: float, y_l: float, y_r: float, d_l: float, d_r: float, dd_l: float,
    prefer_shape: bool,
) -> float:  # fmt: skip
    h = x_r - x_l
    slope = (y_r - y_l) / h
    r = _control(0.5 * h * dd_l + (d_r - d_l), slope - d_l)
    return max(r, _minimum_control(d_l, d_r, slope, prefer_shape))


@njit(cache=True, forceinline=True, error_model="numpy", fastmath=_FAST)
def _control_fitting_right(
    x_l: float, x_r: float, y_l: float, y_r: float, d_l: float, d_r: float, dd_r: float,
    prefer_shape: bool,
) -> float:  # fmt: skip
    h = x_r - x_l
    slope = (y_r - y_l) / h
    r = _control(0.5 * h * dd_r + (d_r - d_l), d_r - slope)
    return max(r, _minimum_control(d_l, d_r, slope, prefer_shape))


# --- the outer branches' transformations -------------------------------------------------------


@njit(cache=True, forceinline=True, error_model="numpy", fastmath=_FAST)
def _lower_map(x: float, s: float) -> tuple[float, float, float]:
    """``f = 2 pi |x| N(-z)^3 / sqrt 27`` (``z = |x| / (sqrt 3 s)``), ``df/db``, ``d2f/db2``."""
    ax = abs(x)
    z = ax / (_SQRT_THREE * s)
    y = z * z
    s2 = s * s
    small_phi = INV_SQRT_TWO_PI * vexp(-0.5 * y)
    ratio = 0.5 * SQRT_TWO_PI * erfcx_fast(z * INV_SQRT_TWO)  # N(-z) / phi(z)
    big_phi = ratio * small_phi
    growth = vexp(2.0 * y + 0.25 * s2)
    bracket = 8.0 * _SQRT_THREE * s * ax + (3.0 * s2 * (s2 - 8.0) - 8.0 * x * x) * ratio
    fpp = math.pi / 6.0 * y / (s2 * s) * big_phi * bracket * growth
    phi2 = big_phi * big_phi
    fp = _TWO_PI * y * phi2 * vexp(y + 0.125 * s2)
    f = _TWO_PI_OVER_SQRT_27 * ax * phi2 * big_phi
    return f, fp, fpp


@njit(cache=True, forceinline=True, error_model="numpy", fastmath=_FAST)
def _upper_map(x: float, s: float) -> tuple[float, float, float]:
    """``f = N(-s/2)``, ``df/db``, ``d2f/db2``."""
    f = vnorm_cdf(-0.5 * s)
    w = (x / s) * (x / s)
    fp = -0.5 * vexp(0.5 * w)
    fpp = _SQRT_PI_OVER_TWO * vexp(w + 0.125 * s * s) * w / s
    return f, fp, fpp


# --- the three steps --------------------------------------------------------------------------


@njit(cache=True, forceinline=True, error_model="numpy", fastmath=_FAST)
def normalise(
    price: float, underlying: float, k: float, t: float, r: float, q: float, is_call: bool,
    spot_based: bool,
) -> tuple[float, float, int, bool]:  # fmt: skip
    """``(beta, x, status, unsure)``: the price as a normalised out-of-the-money call
    (``x <= 0``) and its status as `implied_total_sd` decides it; ``unsure`` where the inputs
    are valid but the vectorised functions could not tell (leave it to the scalar solver)."""
    valid = (
        (underlying > 0.0) & (k > 0.0) & (t > 0.0) & (underlying < _INF) & (k < _INF)
        & (t < _INF) & (abs(r) < _INF) & (abs(q) < _INF)
    )  # fmt: skip
    carry = (r - q) * t if spot_based else 0.0
    x = vlog(underlying / k) + carry
    sqrt_fk = math.sqrt(underlying) * math.sqrt(k) * vexp(0.5 * carry)
    beta = price * vexp(r * t) / sqrt_fk
    finite = (abs(x) <= _MAX_ABS_X) & (abs(beta) < _INF)
    sign = 1.0 if is_call else -1.0
    half = 0.5 * x
    up = vexp(half)
    down = vexp(-half)
    intrinsic = abs(2.0 * _sinh(half, up, down)) if sign * x > 0.0 else 0.0
    noise = _RESOLUTION * (up + down)
    itm = intrinsic > 0.0
    time_value = beta - intrinsic
    otm_beta = time_value if itm else beta
    otm_x = -abs(x)
    status = STATUS_OK
    status = STATUS_TIME_VALUE_UNRESOLVED if otm_beta == 0.0 else status
    status = STATUS_TIME_VALUE_UNRESOLVED if itm & (time_value <= noise) else status
    status = STATUS_ABOVE_MAXIMUM if beta >= (up if is_call else down) else status
    status = STATUS_BELOW_INTRINSIC if beta < intrinsic - noise else status
    bad = (not (valid & (abs(price) < _INF))) | (price < 0.0)  # NaN fails abs(price) < inf
    status = STATUS_INVALID_INPUT if bad else status
    unsure = (not bad) & (not finite)
    return otm_beta, otm_x, status, unsure


@njit(cache=True, forceinline=True, error_model="numpy", fastmath=_FAST)
def initial_guess(beta: float, x: float) -> tuple[float, int, float]:
    """``(s, objective, b_max)``: the scalar solver's initial guess of the total standard
    deviation for ``b(x, s) = beta`` (``x <= 0``, ``0 < beta < e^{x/2}``) and the objective
    of its branch (0 lower, 1 middle, 2 upper)."""
    atm = x == 0.0
    xs = -1.0 if atm else x  # keeps the other branches finite; the at-the-money guess wins
    ax = -xs
    b_top = vexp(0.5 * xs)  # the maximum price b_max at xs
    b_max = 1.0 if atm else b_top
    s_c = math.sqrt(2.0 * ax)
    b_c, v_c = _black_at_inflexion(s_c)
    low = beta <= b_c
    s_side = s_c + ((0.0 if low else b_top) - b_c) / v_c
    b_side = _black_for_guess(xs, s_side, b_top)
    inv_c = 1.0 / v_c
    inv_side = 1.0 / _vega(xs, s_side)
    # the middle branches: rational cubics of s(b) through (b_l, s_l), (b_c, s_c) or
    # (b_c, s_c), (b_u, s_u), with zero curvature at the inflexion b_c
    x_l = b_side if low else b_c
    x_r = b_c if low else b_side
    y_l = s_side if low else s_c
    y_r = s_c if low else s_side
    d_l = inv_side if low else inv_c
    d_r = inv_c if low else inv_side
    slope = (y_r - y_l) / (x_r - x_l)
    # fitting the curvature (zero) at the right end (low side) or the left end (high side)
    r_mid = _control(d_r - d_l, d_r - slope if low else slope - d_l)
    r_mid = max(r_mid, _minimum_control(d_l, d_r, slope, False))
    s_mid = _rational_cubic(beta, x_l, x_r, y_l, y_r, d_l, d_r, r_mid)
    # the lower branch (beta < b_l): a rational cubic of the lower map
    f_l, df_l, ddf_l = _lower_map(xs, s_side)
    r_lo = _control_fitting_right(0.0, b_side, 0.0, f_l, 1.0, df_l, ddf_l, True)
    f_lo = _rational_cubic(beta, 0.0, b_side, 0.0, f_l, 1.0, df_l, r_lo)
    u = beta / b_side
    f_lo = f_lo if f_lo > 0.0 else (f_l * u + b_side * (1.0 - u)) * u
    # the upper branch (beta > b_u): a rational cubic of the upper map
    f_u, df_u, ddf_u = _upper_map(xs, s_side)
    r_up = _control_fitting_left(b_side, b_top, f_u, 0.0, df_u, -0.5, ddf_u, True)
    f_up = _rational_cubic(beta, b_side, b_top, f_u, 0.0, df_u, -0.5, r_up)
    f_up = f_up if abs(ddf_u) < 1e150 else -1.0
    width = b_top - b_side
    w = (beta - b_side) / width
    f_up = f_up if f_up > 0.0 else (f_u * (1.0 - w) + 0.5 * width * w) * (1.0 - w)
    # one inverse normal, for whichever branch needs it
    lower = (not atm) & low & (beta < b_side)
    upper = (not atm) & (not low) & (beta > b_side)
    cube = _SQRT_THREE_OVER_CBRT_TWO_PI * vexp(vlog(f_lo / ax) * (1.0 / 3.0))
    p = cube if lower else (0.5 * (1.0 - beta) if atm else f_up)
    z = _norm_inv(p)
    s = abs(xs / (_SQRT_THREE * z)) if lower else (-2.0 * z if upper else s_mid)
    s_atm = -2.0 * z if beta > 0.1 else beta * SQRT_TWO_PI
    s = s_atm if atm else s
    objective = 0 if lower else (2 if upper & (beta > 0.5 * b_max) else 1)
    return s, objective, b_max


@njit(cache=True, forceinline=True, error_model="numpy", fastmath=_FAST)
def _householder(
    beta: float, ln_beta: float, x: float, s: float, b_max: float, objective: int
) -> tuple[float, float, bool]:
    """One Householder(3) step on the branch's objective: ``(new s, step, ok)``.

    Objectives: 0 is ``1 / ln b`` (lower branch, while ``b < 1``), 2 is ``ln(b_max - b)``
    (upper branch, while ``b < b_max``), 1 is ``b`` itself.
    """
    b, v = black_and_vega(x, s, b_max)
    x2 = x * x
    inv_s = 1.0 / s
    inv_s2 = inv_s * inv_s
    b_h2 = x2 * inv_s2 * inv_s - 0.25 * s
    b_h3 = b_h2 * b_h2 - 3.0 * x2 * inv_s2 * inv_s2 - 0.25
    use0 = (objective == 0) & (b < 1.0)
    use2 = (objective == 2) & (b < b_max)
    gap = b_max - b
    ratio = v / (b if use0 else gap)  # p = v / b, or q = v / (b_max - b)
    ln_b = vlog(b)
    inv_ln = 1.0 / ln_b
    num = (ln_beta - ln_b) * ln_b if use0 else (beta - b)
    num = -vlog((b_max - beta) / gap) if use2 else num
    den = ln_beta * ratio if use0 else (ratio if use2 else v)
    nu = num / den
    h2_0 = b_h2 - ratio * (1.0 + 2.0 * inv_ln)
    h3_0 = (
        b_h3 + 2.0 * ratio * ratio * (1.0 + 3.0 * inv_ln * (1.0 + inv_ln))
        - 3.0 * b_h2 * ratio * (1.0 + 2.0 * inv_ln)
    )  # fmt: skip
    h2 = h2_0 if use0 else (b_h2 + ratio if use2 else b_h2)
    h3 = h3_0 if use0 else (b_h3 + ratio * (2.0 * ratio + 3.0 * b_h2) if use2 else b_h3)
    ds = nu * (1.0 + 0.5 * h2 * nu) / (1.0 + nu * (h2 + h3 * nu * (1.0 / 6.0)))
    ds = ds if abs(ds) < _INF else nu
    ds = max(ds, -0.5 * s)
    ok = (s > 0.0) & (b > 0.0) & (v > 0.0)
    return s + ds, ds, ok


@njit(cache=True, forceinline=True, error_model="numpy", fastmath=_FAST)
def refine(beta: float, x: float, s: float, b_max: float, objective: int) -> tuple[float, bool]:
    """Two Householder(3) steps: ``(s, settled)``; not settled means ask the scalar solver."""
    ln_beta = vlog(beta)
    s1, _, ok1 = _householder(beta, ln_beta, x, s, b_max, objective)
    s2, ds2, ok2 = _householder(beta, ln_beta, x, s1, b_max, objective)
    settled = ok1 & ok2 & (abs(ds2) <= _CONVERGED * s2) & (s2 > 0.0) & (s2 < _INF)
    return s2, settled & (beta >= _MIN_BETA)


# --- the loops -------------------------------------------------------------------------------
# Each runs over whole arrays (slices of a chunk) from index 0 and stores to at most three
# arrays: LLVM then vectorises it. With range(start, end) indices, or more output arrays, it
# falls back to scalar code four times slower (negative-index wrap-around and the number of
# runtime aliasing checks defeat the vectoriser).

STATUS_UNSURE = -1
"""`normalise_loop`'s status of an element only the scalar solver can settle."""


@njit(cache=True, error_model="numpy", fastmath=_FAST)
def normalise_loop(
    p: FloatArray, u: FloatArray, k: FloatArray, t: FloatArray, r: FloatArray, q: FloatArray,
    c: BoolArray, spot_based: bool, beta: FloatArray, x: FloatArray, status: NDArray[np.int8],
) -> None:  # fmt: skip
    """`normalise` every element; those that need no solve get harmless stand-ins."""
    for i in range(p.size):
        b, xx, code, doubt = normalise(p[i], u[i], k[i], t[i], r[i], q[i], c[i], spot_based)
        solve = code == STATUS_OK
        beta[i] = b if solve else 0.25
        x[i] = xx if solve else -1.0
        status[i] = STATUS_UNSURE if doubt else code


@njit(cache=True, error_model="numpy", fastmath=_FAST)
def guess_loop(beta: FloatArray, x: FloatArray, guess: FloatArray) -> None:
    """`initial_guess` of every element: ``guess[0]`` the total standard deviation,
    ``guess[1]`` the objective (one array of two rows: a second output array would cost the
    vectorisation)."""
    for i in range(beta.size):
        s, objective, _ = initial_guess(beta[i], x[i])
        guess[0, i] = s
        guess[1, i] = objective


@njit(cache=True, error_model="numpy", fastmath=_FAST)
def refine_loop(
    beta: FloatArray, x: FloatArray, t: FloatArray, guess: FloatArray, vol: FloatArray
) -> None:
    """`refine` every guess: ``vol = s / sqrt(t)``, NaN where not settled."""
    for i in range(beta.size):
        b_max = vexp(0.5 * x[i])
        s, settled = refine(beta[i], x[i], guess[0, i], b_max, int(guess[1, i]))
        vol[i] = s / math.sqrt(t[i]) if settled else math.nan
