"""Bivariate standard normal CDF ``M(a, b; rho) = P(X < a, Y < b)``, corr(X, Y) = rho.

Drezner and Wesolowsky's integral of the density along the correlation, evaluated with
Gauss-Legendre quadrature as refined by Genz (6, 12 or 20 points by ``|rho|``, and a
substitution that removes the singularity as ``|rho| -> 1``). Accurate to about 1e-15.

References:
    Z. Drezner, G. O. Wesolowsky, "On the computation of the bivariate normal integral",
    J. Statist. Comput. Simul. 35 (1990).
    A. Genz, "Numerical computation of rectangular bivariate and trivariate normal and t
    probabilities", Statistics and Computing 14 (2004).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from shrivenquant.options._normal import norm_cdf

_NODES_6, _WEIGHTS_6 = np.polynomial.legendre.leggauss(6)
_NODES_12, _WEIGHTS_12 = np.polynomial.legendre.leggauss(12)
_NODES_20, _WEIGHTS_20 = np.polynomial.legendre.leggauss(20)
_TWO_PI = 2.0 * math.pi
_SQRT_TWO_PI = math.sqrt(_TWO_PI)


@njit(cache=True, error_model="numpy")
def _upper_orthant(h: float, k: float, r: float) -> float:
    """``P(X > h, Y > k)`` with correlation ``r`` (Genz's BVND)."""
    if abs(r) < 0.3:
        nodes, weights = _NODES_6, _WEIGHTS_6
    elif abs(r) < 0.75:
        nodes, weights = _NODES_12, _WEIGHTS_12
    else:
        nodes, weights = _NODES_20, _WEIGHTS_20
    hk = h * k
    bvn = 0.0
    if abs(r) < 0.925:
        hs = 0.5 * (h * h + k * k)
        asr = math.asin(r)
        for i in range(nodes.size):
            sn = math.sin(0.5 * asr * (nodes[i] + 1.0))
            bvn += weights[i] * math.exp((sn * hk - hs) / (1.0 - sn * sn))
        return bvn * asr / (2.0 * _TWO_PI) + norm_cdf(-h) * norm_cdf(-k)
    if r < 0.0:
        k = -k
        hk = -hk
    if abs(r) < 1.0:
        a_s = (1.0 - r) * (1.0 + r)
        a = math.sqrt(a_s)
        bs = (h - k) * (h - k)
        c = (4.0 - hk) / 8.0
        d = (12.0 - hk) / 16.0
        asr = -0.5 * (bs / a_s + hk)
        if asr > -100.0:
            bvn = (
                a
                * math.exp(asr)
                * (1.0 - c * (bs - a_s) * (1.0 - d * bs / 5.0) / 3.0 + c * d * a_s * a_s / 5.0)
            )
        if -hk < 100.0:
            b = math.sqrt(bs)
            bvn -= (
                math.exp(-0.5 * hk) * _SQRT_TWO_PI * norm_cdf(-b / a) * b
                * (1.0 - c * bs * (1.0 - d * bs / 5.0) / 3.0)
            )  # fmt: skip
        a *= 0.5
        total = 0.0
        for i in range(nodes.size):
            xs = (a * (nodes[i] + 1.0)) ** 2
            rs = math.sqrt(1.0 - xs)
            asr = -0.5 * (bs / xs + hk)
            if asr > -100.0:
                total += (
                    weights[i]
                    * math.exp(asr)
                    * (
                        math.exp(-hk * (1.0 - rs) / (2.0 * (1.0 + rs))) / rs
                        - (1.0 + c * xs * (1.0 + d * xs))
                    )
                )
        bvn = -(bvn + a * total) / _TWO_PI
    if r > 0.0:
        return bvn + norm_cdf(-max(h, k))
    bvn = -bvn
    if k > h:
        # the same difference, taken where both terms are small
        bvn += norm_cdf(k) - norm_cdf(h) if h < 0.0 else norm_cdf(-h) - norm_cdf(-k)
    return bvn


@njit(cache=True, error_model="numpy")
def bivariate_norm_cdf(a: float, b: float, rho: float) -> float:
    """``P(X < a, Y < b)`` for standard normals with correlation ``rho`` in [-1, 1]."""
    if rho >= 1.0:
        return norm_cdf(min(a, b))
    if rho <= -1.0:
        return max(norm_cdf(a) - norm_cdf(-b), 0.0)
    return max(_upper_orthant(-a, -b, rho), 0.0)
