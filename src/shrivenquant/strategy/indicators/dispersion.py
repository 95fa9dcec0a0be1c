"""Rolling dispersion: standard deviation, z-score and Bollinger bands.

All three keep the window mean and the sum of squared deviations ``M2`` with Welford's
update (for a full window, the oldest value is swapped for the newest in one step), which does
not suffer the cancellation of the ``sum(x**2) - n * mean**2`` formula on prices far from
zero. Both sums are recomputed exactly (two-pass ``math.fsum``, O(period)) each time the
ring buffer wraps, so rounding cannot accumulate, and also whenever ``M2`` falls below
`CANCELLATION` times its peak since the last recomputation: when a wide window narrows
sharply, the running update subtracts nearly equal large numbers and its rounding error would
be large relative to the small spread that is left.

``ddof`` is the delta degrees of freedom: the variance divides ``M2`` by ``period - ddof``.
The default 0 is the population deviation, as Bollinger defined his bands; pass ``ddof=1``
for the sample deviation that pandas' ``rolling().std()`` gives by default.
"""

from __future__ import annotations

import math
from typing import Final

from shrivenquant.strategy.indicators.base import NAN, PriceIndicator, bad_input, check_period

CANCELLATION: Final = 1e-4
"""Recompute exactly when ``M2`` drops below this fraction of its peak since the last time."""


class RollingStd(PriceIndicator):
    """Rolling standard deviation of the last ``period`` prices (``mean`` alongside).

    Value from the ``period``-th update on; ``nan`` before.
    """

    __slots__ = (
        "_buffer",
        "_ddof",
        "_index",
        "_last",
        "_m2",
        "_mean",
        "_peak_m2",
        "_period",
        "_run",
        "_value",
    )

    def __init__(self, period: int, ddof: int = 0) -> None:
        super().__init__()
        name = type(self).__name__
        self._ddof = check_period(name, "ddof", ddof, minimum=0)
        self._period = check_period(name, "period", period, minimum=ddof + 1)
        self._buffer = [0.0] * period
        self._index = 0
        self._mean = 0.0
        self._m2 = 0.0
        self._peak_m2 = 0.0
        self._value = NAN
        self._last = NAN
        self._run = 0

    @property
    def period(self) -> int:
        """The window length."""
        return self._period

    @property
    def ddof(self) -> int:
        """Delta degrees of freedom of the variance."""
        return self._ddof

    @property
    def value(self) -> float:
        """The standard deviation of the window."""
        return self._value

    @property
    def mean(self) -> float:
        """The mean of the window (``nan`` during warm-up)."""
        return self._mean if self._initialized else NAN

    def update_raw(self, value: float) -> None:
        """Feed one price."""
        if not math.isfinite(value):
            raise bad_input(self, "value", value)
        self._push(value)

    def _push(self, value: float) -> None:
        buffer = self._buffer
        index = self._index
        period = self._period
        count = self._count + 1
        self._count = count
        mean = self._mean
        if count > period:
            old = buffer[index]
            delta = value - old
            new_mean = mean + delta / period
            m2 = self._m2 + delta * (value - new_mean + old - mean)
        else:
            delta = value - mean
            new_mean = mean + delta / count
            m2 = self._m2 + delta * (value - new_mean)
        buffer[index] = value
        index += 1
        if index == period:
            index = 0
            exact = True
        else:
            # M2 collapsing far below its recent peak means the update cancelled: the
            # rounding error of the large terms would swamp the small result.
            exact = m2 < CANCELLATION * self._peak_m2
        self._index = index
        if exact:
            size = min(count, period)
            new_mean = math.fsum(buffer[:size]) / size
            m2 = math.fsum([(x - new_mean) ** 2 for x in buffer[:size]])
            self._peak_m2 = m2
        elif m2 > self._peak_m2:
            self._peak_m2 = m2
        # A window of one repeated price has exactly zero spread; say so exactly, rather
        # than leave the rounding residue of the prices that have left the window.
        self._run = self._run + 1 if value == self._last else 1
        self._last = value
        if self._run >= period:
            new_mean = value
            m2 = 0.0
            self._peak_m2 = 0.0
        self._mean = new_mean
        self._m2 = m2
        if count >= period:
            self._value = math.sqrt(m2 / (period - self._ddof)) if m2 > 0.0 else 0.0
            self._initialized = True

    def _reset(self) -> None:
        self._buffer = [0.0] * self._period
        self._index = 0
        self._mean = 0.0
        self._m2 = 0.0
        self._peak_m2 = 0.0
        self._value = NAN
        self._last = NAN
        self._run = 0

    def _params(self) -> str:
        return f"{self._period}, ddof={self._ddof}"


class ZScore(RollingStd):
    """How many rolling standard deviations the latest price is from the rolling mean.

    ``z = (price - mean) / std`` over the last ``period`` prices, the latest included. A
    window of equal prices has no spread; its z-score is 0. Value from the ``period``-th
    update on.
    """

    __slots__ = ("_z",)

    def __init__(self, period: int, ddof: int = 0) -> None:
        super().__init__(period, ddof)
        self._z = NAN

    @property
    def value(self) -> float:
        """The z-score of the latest price."""
        return self._z

    @property
    def std(self) -> float:
        """The rolling standard deviation."""
        return self._value

    def update_raw(self, value: float) -> None:
        """Feed one price."""
        if not math.isfinite(value):
            raise bad_input(self, "value", value)
        self._push(value)
        if self._initialized:
            std = self._value
            self._z = (value - self._mean) / std if std > 0.0 else 0.0

    def _reset(self) -> None:
        super()._reset()
        self._z = NAN


class BollingerBands(RollingStd):
    """Bollinger bands: the rolling mean plus and minus ``k`` rolling standard deviations.

    ``value`` is the middle band. ``percent_b`` places the latest price in the band (0 on
    the lower band, 1 on the upper; 0.5 when the bands coincide). Values from the
    ``period``-th update on.
    """

    __slots__ = ("_k",)

    def __init__(self, period: int = 20, k: float = 2.0, ddof: int = 0) -> None:
        super().__init__(period, ddof)
        if not (math.isfinite(k) and k > 0.0):
            raise ValueError(f"BollingerBands k must be a positive finite number, got {k!r}")
        self._k = float(k)

    @property
    def k(self) -> float:
        """Band width in standard deviations."""
        return self._k

    @property
    def value(self) -> float:
        """The middle band (the rolling mean)."""
        return self.middle

    @property
    def middle(self) -> float:
        """The rolling mean."""
        return self._mean if self._initialized else NAN

    @property
    def upper(self) -> float:
        """Middle plus ``k`` deviations."""
        return self._mean + self._k * self._value if self._initialized else NAN

    @property
    def lower(self) -> float:
        """Middle minus ``k`` deviations."""
        return self._mean - self._k * self._value if self._initialized else NAN

    @property
    def std(self) -> float:
        """The rolling standard deviation."""
        return self._value

    @property
    def percent_b(self) -> float:
        """``(price - lower) / (upper - lower)`` for the latest price."""
        if not self._initialized:
            return NAN
        width = 2.0 * self._k * self._value
        if width <= 0.0:
            return 0.5
        return (self._last - (self._mean - self._k * self._value)) / width

    def _params(self) -> str:
        return f"{self._period}, k={self._k}, ddof={self._ddof}"
