"""Moving averages: simple (`SMA`), exponential (`EMA`) and linearly weighted (`WMA`).

Running sums drift: adding and removing floats for millions of updates accumulates rounding
error. `SMA` and `WMA` therefore recompute their sums exactly (``math.fsum`` over the window)
when the ring buffer wraps: `WMA` on every wrap, `SMA` on the first wrap after at least
`EXACT_SPAN` updates (every wrap for periods of `EXACT_SPAN` or more). The cost stays O(1)
amortised and the error bounded by a few hundred roundings.
"""

from __future__ import annotations

import math
from typing import Final

from shrivenquant.strategy.indicators.base import NAN, PriceIndicator, bad_input, check_period

EXACT_SPAN: Final = 256
"""`SMA` recomputes its sum exactly at least this often (in updates), on a buffer wrap."""


def exact_every(period: int) -> int:
    """How many updates `SMA` runs between exact recomputations: a multiple of ``period``."""
    return period * max(1, EXACT_SPAN // period)


class SMA(PriceIndicator):
    """Simple moving average: the mean of the last ``period`` prices.

    Value from the ``period``-th update on; ``nan`` before.
    """

    __slots__ = ("_buffer", "_exact_every", "_index", "_period", "_sum", "_value")

    def __init__(self, period: int) -> None:
        super().__init__()
        self._period = check_period("SMA", "period", period)
        self._exact_every = exact_every(period)
        self._buffer = [0.0] * period
        self._index = 0
        self._sum = 0.0
        self._value = NAN

    @property
    def period(self) -> int:
        """The window length."""
        return self._period

    @property
    def value(self) -> float:
        """The mean of the last ``period`` prices."""
        return self._value

    def update_raw(self, value: float) -> None:
        """Feed one price."""
        if not math.isfinite(value):
            raise bad_input(self, "value", value)
        buffer = self._buffer
        index = self._index
        self._sum += value - buffer[index]
        buffer[index] = value
        index += 1
        count = self._count + 1
        self._count = count
        period = self._period
        if index == period:
            index = 0
            if count % self._exact_every == 0:
                self._sum = math.fsum(buffer)
        self._index = index
        if count >= period:
            self._value = self._sum / period
            self._initialized = True

    def _reset(self) -> None:
        self._buffer = [0.0] * self._period
        self._index = 0
        self._sum = 0.0
        self._value = NAN

    def _params(self) -> str:
        return str(self._period)


class EMA(PriceIndicator):
    """Exponential moving average with ``alpha = 2 / (period + 1)``.

    Seeded with the simple mean of the first ``period`` prices (the usual charting and
    TA-Lib convention), then ``ema += alpha * (price - ema)``. Value from the ``period``-th
    update on; ``nan`` before.
    """

    __slots__ = ("_alpha", "_period", "_seed_sum", "_value")

    def __init__(self, period: int) -> None:
        super().__init__()
        self._period = check_period("EMA", "period", period)
        self._alpha = 2.0 / (period + 1.0)
        self._seed_sum = 0.0
        self._value = NAN

    @property
    def period(self) -> int:
        """The span: the number of prices the seed averages."""
        return self._period

    @property
    def alpha(self) -> float:
        """The smoothing factor ``2 / (period + 1)``."""
        return self._alpha

    @property
    def value(self) -> float:
        """The current average."""
        return self._value

    def update_raw(self, value: float) -> None:
        """Feed one price."""
        if not math.isfinite(value):
            raise bad_input(self, "value", value)
        count = self._count + 1
        self._count = count
        if self._initialized:
            self._value += self._alpha * (value - self._value)
        elif count < self._period:
            self._seed_sum += value
        else:
            self._value = (self._seed_sum + value) / self._period
            self._initialized = True

    def _reset(self) -> None:
        self._seed_sum = 0.0
        self._value = NAN

    def _params(self) -> str:
        return str(self._period)


class WMA(PriceIndicator):
    """Linearly weighted moving average: weights 1..period, the newest price weighs most.

    ``wma = sum(k * x_k) / (period * (period + 1) / 2)`` over the last ``period`` prices,
    ``x_period`` the newest. Updated in O(1) from the window sum ``S`` and the weighted sum
    ``W``: ``W' = W - S + period * x_new``. Value from the ``period``-th update on.
    """

    __slots__ = ("_buffer", "_denominator", "_index", "_period", "_sum", "_value", "_weighted")

    def __init__(self, period: int) -> None:
        super().__init__()
        self._period = check_period("WMA", "period", period)
        self._denominator = period * (period + 1) / 2.0
        self._buffer = [0.0] * period
        self._index = 0
        self._sum = 0.0
        self._weighted = 0.0
        self._value = NAN

    @property
    def period(self) -> int:
        """The window length."""
        return self._period

    @property
    def value(self) -> float:
        """The weighted mean of the last ``period`` prices."""
        return self._value

    def update_raw(self, value: float) -> None:
        """Feed one price."""
        if not math.isfinite(value):
            raise bad_input(self, "value", value)
        buffer = self._buffer
        index = self._index
        period = self._period
        count = self._count + 1
        self._count = count
        if count > period:
            self._weighted += period * value - self._sum
            self._sum += value - buffer[index]
        else:
            self._weighted += count * value
            self._sum += value
        buffer[index] = value
        index += 1
        if index == period:
            # The buffer now runs oldest to newest: recompute both sums exactly.
            index = 0
            self._sum = math.fsum(buffer)
            self._weighted = math.fsum([(k + 1) * x for k, x in enumerate(buffer)])
        self._index = index
        if count >= period:
            self._value = self._weighted / self._denominator
            self._initialized = True

    def _reset(self) -> None:
        self._buffer = [0.0] * self._period
        self._index = 0
        self._sum = 0.0
        self._weighted = 0.0
        self._value = NAN

    def _params(self) -> str:
        return str(self._period)
