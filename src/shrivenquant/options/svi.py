"""Raw SVI smiles: evaluation, calibration to one expiry, and butterfly-arbitrage checks.

Raw SVI gives the total implied variance ``w = vol^2 T`` at log-forward moneyness
``k = ln(K/F)``:

    w(k) = a + b (rho (k - m) + sqrt((k - m)^2 + sigma^2))

with ``b >= 0``, ``|rho| < 1``, ``sigma > 0`` and ``a + b sigma sqrt(1 - rho^2) >= 0`` (the
minimum variance is not negative).

Calibration minimises the (optionally weighted) squared error in total variance. For fixed
``(m, sigma)`` the smile is linear in ``(a, b sigma, rho b sigma)`` (the quasi-explicit
reduction of Zeliade), which gives a starting point from a coarse grid over ``(m, sigma)``; a
bounded trust-region least-squares fit of all five parameters then finishes it.

A slice is free of butterfly arbitrage iff the implied density is non-negative, i.e. Gatheral's
``g(k) = (1 - k w'/(2w))^2 - w'^2/4 (1/w + 1/4) + w''/2 >= 0``; Lee's moment formula also
bounds the wing slopes, ``b (1 + |rho|) <= 2``.

References:
    J. Gatheral, "A parsimonious arbitrage-free implied volatility parameterization" (2004).
    J. Gatheral, A. Jacquier, "Arbitrage-free SVI volatility surfaces", Quant. Finance 14 (2014).
    Zeliade Systems, "Quasi-explicit calibration of Gatheral's SVI model" (2009).
    R. Lee, "The moment formula for implied volatility at extreme strikes", Math. Finance (2004).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import least_squares

from shrivenquant.core.errors import InvalidInputError

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class SviParams:
    """Raw SVI parameters of one expiry (total variance in log-forward moneyness)."""

    a: float
    b: float
    rho: float
    m: float
    sigma: float

    def __post_init__(self) -> None:
        values = (self.a, self.b, self.rho, self.m, self.sigma)
        if not all(math.isfinite(v) for v in values):
            raise InvalidInputError(f"SVI parameters must be finite, got {values}")
        if self.b < 0.0:
            raise InvalidInputError(f"SVI b must be >= 0, got {self.b}")
        if not -1.0 < self.rho < 1.0:
            raise InvalidInputError(f"SVI rho must be in (-1, 1), got {self.rho}")
        if self.sigma <= 0.0:
            raise InvalidInputError(f"SVI sigma must be > 0, got {self.sigma}")

    def total_variance(self, k: ArrayLike) -> FloatArray:
        """``w(k)`` at log-forward moneyness ``k``."""
        x = np.asarray(k, dtype=np.float64) - self.m
        return self.a + self.b * (self.rho * x + np.sqrt(x * x + self.sigma**2))

    def derivatives(self, k: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
        """``(w, w', w'')`` at ``k``."""
        x = np.asarray(k, dtype=np.float64) - self.m
        root = np.sqrt(x * x + self.sigma**2)
        w = self.a + self.b * (self.rho * x + root)
        return w, self.b * (self.rho + x / root), self.b * self.sigma**2 / root**3

    def implied_vol(self, k: ArrayLike, t: float) -> FloatArray:
        """Black implied volatility at ``k`` for expiry ``t`` (NaN where ``w < 0``)."""
        w = self.total_variance(k)
        with np.errstate(invalid="ignore"):
            return np.sqrt(np.where(w >= 0.0, w, np.nan) / t)

    @property
    def min_variance(self) -> float:
        """The smallest total variance of the smile, ``a + b sigma sqrt(1 - rho^2)``."""
        return self.a + self.b * self.sigma * math.sqrt(1.0 - self.rho**2)


@dataclass(frozen=True, slots=True)
class ButterflyCheck:
    """Result of a butterfly-arbitrage check of one smile."""

    arbitrage_free: bool
    min_density: float  # minimum of Gatheral's g(k) on the grid
    worst_k: float
    negative_variance: bool
    wing_slope_ok: bool  # Lee: b (1 + |rho|) <= 2


def butterfly_check(params: SviParams, k_grid: ArrayLike | None = None) -> ButterflyCheck:
    """Check a smile for butterfly arbitrage on ``k_grid`` (default: ``[-3, 3]`` around ``m``)."""
    k = (
        np.linspace(params.m - 3.0, params.m + 3.0, 2001)
        if k_grid is None
        else np.asarray(k_grid, dtype=np.float64)
    )
    w, w1, w2 = params.derivatives(k)
    negative = bool(np.any(w <= 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        g = (1.0 - k * w1 / (2.0 * w)) ** 2 - 0.25 * w1 * w1 * (1.0 / w + 0.25) + 0.5 * w2
    g = np.where(w > 0.0, g, np.inf)  # negative variance is reported on its own
    worst = int(np.argmin(g))
    slope_ok = params.b * (1.0 + abs(params.rho)) <= 2.0 + 1e-12
    return ButterflyCheck(
        arbitrage_free=bool(g[worst] >= -1e-12) and not negative and slope_ok,
        min_density=float(g[worst]),
        worst_k=float(k[worst]),
        negative_variance=negative,
        wing_slope_ok=slope_ok,
    )


@dataclass(frozen=True, slots=True)
class SviFit:
    """A calibrated smile and how well it fits."""

    params: SviParams
    rmse_total_variance: float
    max_abs_total_variance_error: float


def _linear_fit(
    k: FloatArray, w: FloatArray, weights: FloatArray, m: float, sigma: float
) -> tuple[FloatArray, float]:
    y = (k - m) / sigma
    design = np.column_stack([np.ones_like(y), np.sqrt(y * y + 1.0), y]) * weights[:, None]
    coef, *_ = np.linalg.lstsq(design, w * weights, rcond=None)
    resid = design @ coef - w * weights
    return np.asarray(coef, dtype=np.float64), float(resid @ resid)


def fit_svi(
    log_moneyness: ArrayLike, total_variance: ArrayLike, *, weights: ArrayLike | None = None
) -> SviFit:
    """Calibrate raw SVI to one expiry's smile.

    Args:
        log_moneyness: ``k = ln(K/F)`` of each quote (at least 5 distinct values).
        total_variance: ``vol^2 T`` of each quote (>= 0).
        weights: optional non-negative weight per quote (e.g. vega); equal by default.
    """
    k = np.asarray(log_moneyness, dtype=np.float64).reshape(-1)
    w = np.asarray(total_variance, dtype=np.float64).reshape(-1)
    if k.shape != w.shape:
        raise InvalidInputError("log_moneyness and total_variance must have the same length")
    if np.unique(k).size < 5:
        raise InvalidInputError("need at least 5 distinct strikes to fit SVI's 5 parameters")
    if not (np.all(np.isfinite(k)) and np.all(np.isfinite(w)) and np.all(w >= 0.0)):
        raise InvalidInputError("log_moneyness must be finite and total_variance finite and >= 0")
    wt = np.ones_like(k) if weights is None else np.asarray(weights, dtype=np.float64).reshape(-1)
    if wt.shape != k.shape or not np.all(np.isfinite(wt)) or np.any(wt < 0.0):
        raise InvalidInputError("weights must be finite, >= 0 and one per quote")
    span = float(k.max() - k.min())

    # quasi-explicit start: for each (m, sigma) on a grid the rest is linear least squares
    best: tuple[float, float, float, FloatArray] | None = None
    for m in np.linspace(k.min(), k.max(), 15):
        for sigma in np.geomspace(max(span, 1e-3) * 1e-3, max(span, 1e-3) * 2.0, 15):
            coef, err = _linear_fit(k, w, wt, float(m), float(sigma))
            if best is None or err < best[0]:
                best = (err, float(m), float(sigma), coef)
    assert best is not None
    _, m0, s0, (a0, c0, d0) = best
    b0 = max(c0 / s0, 1e-6)
    rho0 = float(np.clip(d0 / max(c0, 1e-12), -0.99, 0.99))

    def residuals(p: FloatArray) -> FloatArray:
        a, b, rho, m, sigma = p
        x = k - m
        fitted = a + b * (rho * x + np.sqrt(x * x + sigma * sigma))
        return np.asarray((fitted - w) * wt, dtype=np.float64)

    w_max = float(w.max())
    lower = [-w_max - 1.0, 0.0, -0.999, k.min() - span - 1.0, 1e-6]
    upper = [w_max + 1.0, 10.0, 0.999, k.max() + span + 1.0, 10.0]
    start = np.clip([a0, b0, rho0, m0, s0], lower, upper)
    result = least_squares(
        residuals, start, bounds=(lower, upper), method="trf", xtol=1e-15, ftol=1e-15, gtol=1e-15
    )
    params = SviParams(*(float(v) for v in result.x))
    errors = params.total_variance(k) - w
    return SviFit(params, float(np.sqrt(np.mean(errors**2))), float(np.max(np.abs(errors))))


__all__ = ["ButterflyCheck", "SviFit", "SviParams", "butterfly_check", "fit_svi"]
