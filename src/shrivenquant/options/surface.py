"""Volatility surface from per-expiry SVI smiles.

Each expiry holds its forward and a raw-SVI smile in log-forward moneyness ``k = ln(K/F)``.
Between expiries total variance is interpolated linearly in time at fixed ``k`` (so an
arbitrage-free pair of slices gives an arbitrage-free surface between them), and the forward
log-linearly; before the first expiry the variance scales in proportion to time, after the last
the last smile's implied volatilities are held.

Checks: butterfly arbitrage per slice (`svi.butterfly_check`) and calendar arbitrage across
slices (total variance must not decrease with expiry at any ``k``).

Reference:
    J. Gatheral, A. Jacquier, "Arbitrage-free SVI volatility surfaces", Quant. Finance 14 (2014).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import brentq

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.options._normal import norm_cdf
from shrivenquant.options.svi import ButterflyCheck, FloatArray, SviParams, butterfly_check, fit_svi


@dataclass(frozen=True, slots=True)
class SmileSlice:
    """One expiry of the surface."""

    expiry: float  # years
    forward: float
    params: SviParams


@dataclass(frozen=True, slots=True)
class SmileQuotes:
    """Market implied volatilities of one expiry, to fit a slice to."""

    expiry: float
    forward: float
    strikes: Sequence[float]
    vols: Sequence[float]
    weights: Sequence[float] | None = None


@dataclass(frozen=True, slots=True)
class CalendarCheck:
    """Result of a calendar-arbitrage check across all consecutive expiries."""

    arbitrage_free: bool
    min_variance_increase: float  # smallest w(k, T2) - w(k, T1) seen
    worst_k: float
    worst_expiries: tuple[float, float]


class VolSurface:
    """Implied volatility by strike (or delta) and expiry from SVI slices."""

    def __init__(self, slices: Sequence[SmileSlice], *, spot: float | None = None) -> None:
        """Build from slices (any order, distinct positive expiries, positive forwards).

        Args:
            slices: the smiles.
            spot: today's price of the underlying, used for forwards before the first expiry
                (without it the first forward is used).
        """
        if not slices:
            raise InvalidInputError("a surface needs at least one slice")
        ordered = sorted(slices, key=lambda s: s.expiry)
        for s in ordered:
            if not (math.isfinite(s.expiry) and s.expiry > 0.0):
                raise InvalidInputError(f"slice expiry must be > 0, got {s.expiry}")
            if not (math.isfinite(s.forward) and s.forward > 0.0):
                raise InvalidInputError(f"slice forward must be > 0, got {s.forward}")
        expiries = [s.expiry for s in ordered]
        if len(set(expiries)) != len(expiries):
            raise InvalidInputError(f"slice expiries must be distinct, got {expiries}")
        if spot is not None and not (math.isfinite(spot) and spot > 0.0):
            raise InvalidInputError(f"spot must be > 0, got {spot}")
        self._slices = tuple(ordered)
        self._times = np.array(expiries)
        self._log_forwards = np.log([s.forward for s in ordered])
        self._spot = spot

    @classmethod
    def fit(cls, quotes: Sequence[SmileQuotes], *, spot: float | None = None) -> VolSurface:
        """Fit one SVI smile per expiry to market implied volatilities."""
        slices = []
        for quote in quotes:
            strikes = np.asarray(quote.strikes, dtype=np.float64)
            vols = np.asarray(quote.vols, dtype=np.float64)
            if strikes.shape != vols.shape or np.any(strikes <= 0.0) or np.any(vols < 0.0):
                raise InvalidInputError(
                    f"expiry {quote.expiry}: strikes must be > 0 and vols >= 0, one per strike"
                )
            if not (quote.forward > 0.0 and quote.expiry > 0.0):
                raise InvalidInputError(f"expiry {quote.expiry}: forward and expiry must be > 0")
            k = np.log(strikes / quote.forward)
            fitted = fit_svi(k, vols**2 * quote.expiry, weights=quote.weights)
            slices.append(SmileSlice(quote.expiry, quote.forward, fitted.params))
        return cls(slices, spot=spot)

    @property
    def slices(self) -> tuple[SmileSlice, ...]:
        """The slices, by increasing expiry."""
        return self._slices

    def forward(self, t: float) -> float:
        """Forward for expiry ``t`` (log-linear in time between slices)."""
        times, logs = self._times, self._log_forwards
        if t <= times[0]:
            if self._spot is None:
                return float(math.exp(logs[0]))
            log_spot = math.log(self._spot)
            return float(math.exp(log_spot + (logs[0] - log_spot) * t / times[0]))
        if t >= times[-1]:
            if times.size == 1:
                return float(math.exp(logs[-1]))
            slope = (logs[-1] - logs[-2]) / (times[-1] - times[-2])
            return float(math.exp(logs[-1] + slope * (t - times[-1])))
        return float(math.exp(np.interp(t, times, logs)))

    def total_variance_at_moneyness(self, k: ArrayLike, t: float) -> FloatArray:
        """Total variance ``vol^2 t`` at log-forward moneyness ``k`` and expiry ``t``."""
        if not (math.isfinite(t) and t > 0.0):
            raise InvalidInputError(f"t must be > 0, got {t}")
        times = self._times
        slices = self._slices
        first, last = float(times[0]), float(times[-1])
        if t <= first:
            return slices[0].params.total_variance(k) * (t / first)
        if t >= last:
            return slices[-1].params.total_variance(k) * (t / last)
        i = int(np.searchsorted(times, t)) - 1
        weight = (t - float(times[i])) / float(times[i + 1] - times[i])
        w_lo = slices[i].params.total_variance(k)
        w_hi = slices[i + 1].params.total_variance(k)
        return w_lo + weight * (w_hi - w_lo)

    def vol(self, strike: ArrayLike, t: float) -> FloatArray:
        """Black implied volatility for ``strike`` at expiry ``t`` (NaN where the smile is
        negative)."""
        k = np.log(np.asarray(strike, dtype=np.float64) / self.forward(t))
        w = self.total_variance_at_moneyness(k, t)
        with np.errstate(invalid="ignore"):
            return np.sqrt(np.where(w >= 0.0, w, np.nan) / t)

    def strike_for_delta(self, delta: float, t: float, is_call: bool) -> float:
        """Strike whose forward (undiscounted) Black delta on this smile is ``delta``.

        Args:
            delta: in (0, 1) for a call; in (-1, 0) for a put (or its absolute value).
            t: expiry in years.
            is_call: which right the delta refers to.
        """
        target = abs(delta)
        if not 0.0 < target < 1.0:
            raise InvalidInputError(f"delta must be strictly between 0 and 1 in size, got {delta}")
        call_delta = target if is_call else 1.0 - target

        def gap(k: float) -> float:
            w = float(self.total_variance_at_moneyness(k, t))
            if not w > 0.0:
                return math.nan
            root = math.sqrt(w)
            return norm_cdf(-k / root + 0.5 * root) - call_delta

        lo, hi = -0.5, 0.5
        for _ in range(60):
            g_lo, g_hi = gap(lo), gap(hi)
            if g_lo > 0.0 > g_hi:
                break
            if not g_lo > 0.0:
                lo = 2.0 * lo - 0.1
            if not g_hi < 0.0:
                hi = 2.0 * hi + 0.1
        else:
            raise InvalidInputError(f"no strike has delta {delta} on this smile at t={t}")
        k = brentq(gap, lo, hi, xtol=1e-14, rtol=1e-14, maxiter=200)
        return float(self.forward(t) * math.exp(k))

    def vol_for_delta(self, delta: float, t: float, is_call: bool) -> float:
        """Implied volatility at the strike with the given forward delta."""
        return float(self.vol(self.strike_for_delta(delta, t, is_call), t))

    def butterfly_checks(self) -> list[ButterflyCheck]:
        """Butterfly-arbitrage check of each slice, by increasing expiry."""
        return [butterfly_check(s.params) for s in self._slices]

    def calendar_check(self, k_grid: ArrayLike | None = None) -> CalendarCheck:
        """Check that total variance never decreases with expiry (default grid ``[-2, 2]``)."""
        k = np.linspace(-2.0, 2.0, 801) if k_grid is None else np.asarray(k_grid, float)
        worst = (math.inf, 0.0, (math.nan, math.nan))
        for lo, hi in zip(self._slices, self._slices[1:], strict=False):
            gap = hi.params.total_variance(k) - lo.params.total_variance(k)
            i = int(np.argmin(gap))
            if gap[i] < worst[0]:
                worst = (float(gap[i]), float(k[i]), (lo.expiry, hi.expiry))
        if math.isinf(worst[0]):
            return CalendarCheck(True, math.inf, math.nan, (math.nan, math.nan))
        return CalendarCheck(worst[0] >= -1e-12, worst[0], worst[1], worst[2])


__all__ = ["CalendarCheck", "SmileQuotes", "SmileSlice", "VolSurface"]
