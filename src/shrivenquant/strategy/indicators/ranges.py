"""Indicators of the high-low range: `ATR`, `Stochastic` and `DonchianChannel`."""

from __future__ import annotations

from shrivenquant.strategy.indicators.averages import SMA
from shrivenquant.strategy.indicators.base import NAN, RangeIndicator, check_period, check_range
from shrivenquant.strategy.indicators.window import RollingExtreme


class ATR(RangeIndicator):
    """Average true range with Wilder's smoothing.

    The true range is ``max(high - low, |high - prev_close|, |low - prev_close|)``; the first
    bar, having no previous close, uses ``high - low``. The first ATR is the simple mean of
    the first ``period`` true ranges; after that ``atr += (tr - atr) / period``. Value from
    the ``period``-th update on.
    """

    __slots__ = ("_atr", "_period", "_prev_close")

    def __init__(self, period: int = 14) -> None:
        super().__init__()
        self._period = check_period("ATR", "period", period)
        self._prev_close = NAN
        self._atr = 0.0

    @property
    def period(self) -> int:
        """The smoothing period."""
        return self._period

    @property
    def value(self) -> float:
        """The average true range."""
        return self._atr if self._initialized else NAN

    def update_raw(self, high: float, low: float, close: float) -> None:
        """Feed one high, low and close."""
        check_range(self, high, low, close)
        count = self._count + 1
        self._count = count
        prev = self._prev_close
        self._prev_close = close
        true_range = high - low
        if count > 1:
            true_range = max(true_range, abs(high - prev), abs(low - prev))
        if self._initialized:
            self._atr += (true_range - self._atr) / self._period
        else:
            self._atr += true_range  # a running sum until the first `period` ranges are in
            if count == self._period:
                self._atr /= self._period
                self._initialized = True

    def _reset(self) -> None:
        self._prev_close = NAN
        self._atr = 0.0

    def _params(self) -> str:
        return str(self._period)


class Stochastic(RangeIndicator):
    """The stochastic oscillator: where the close sits in the recent high-low range, 0..100.

    ``%K = 100 * (close - lowest_low) / (highest_high - lowest_low)`` over the last
    ``k_period`` updates (50 when the range is empty); ``%D`` is the simple mean of the last
    ``d_period`` values of %K. %K has a value from the ``k_period``-th update on, %D from
    the ``(k_period + d_period - 1)``-th. ``value`` is %K.
    """

    __slots__ = ("_d", "_highs", "_k", "_k_period", "_lows")

    def __init__(self, k_period: int = 14, d_period: int = 3) -> None:
        super().__init__()
        self._k_period = check_period("Stochastic", "k_period", k_period)
        self._d = SMA(check_period("Stochastic", "d_period", d_period))
        self._highs = RollingExtreme(k_period, largest=True)
        self._lows = RollingExtreme(k_period, largest=False)
        self._k = NAN

    @property
    def value(self) -> float:
        """%K."""
        return self._k

    @property
    def k(self) -> float:
        """%K: the close's position in the ``k_period`` range, 0..100."""
        return self._k

    @property
    def d(self) -> float:
        """%D: the simple mean of the last ``d_period`` values of %K."""
        return self._d.value

    def update_raw(self, high: float, low: float, close: float) -> None:
        """Feed one high, low and close."""
        check_range(self, high, low, close)
        count = self._count + 1
        self._count = count
        highest = self._highs.update(high)
        lowest = self._lows.update(low)
        if count >= self._k_period:
            span = highest - lowest
            k = 100.0 * (close - lowest) / span if span > 0.0 else 50.0
            self._k = k
            self._d.update_raw(k)
            self._initialized = self._d.initialized

    def _reset(self) -> None:
        self._highs.reset()
        self._lows.reset()
        self._d.reset()
        self._k = NAN

    def _params(self) -> str:
        return f"{self._k_period}, {self._d.period}"


class DonchianChannel(RangeIndicator):
    """The highest high and lowest low of the last ``period`` updates, the latest included.

    A breakout rule compares a new price with the channel *before* feeding it. ``value`` is
    the middle, ``(upper + lower) / 2``. Values from the ``period``-th update on.
    """

    __slots__ = ("_highs", "_lows", "_period")

    def __init__(self, period: int = 20) -> None:
        super().__init__()
        self._period = check_period("DonchianChannel", "period", period)
        self._highs = RollingExtreme(period, largest=True)
        self._lows = RollingExtreme(period, largest=False)

    @property
    def period(self) -> int:
        """The window length."""
        return self._period

    @property
    def value(self) -> float:
        """The middle of the channel."""
        return self.middle

    @property
    def upper(self) -> float:
        """The highest high."""
        return self._highs.current if self._initialized else NAN

    @property
    def lower(self) -> float:
        """The lowest low."""
        return self._lows.current if self._initialized else NAN

    @property
    def middle(self) -> float:
        """``(upper + lower) / 2``."""
        if not self._initialized:
            return NAN
        return (self._highs.current + self._lows.current) * 0.5

    def update_raw(self, high: float, low: float, close: float) -> None:
        """Feed one high and low (the close is not used)."""
        check_range(self, high, low, close)
        count = self._count + 1
        self._count = count
        self._highs.update(high)
        self._lows.update(low)
        if count >= self._period:
            self._initialized = True

    def _reset(self) -> None:
        self._highs.reset()
        self._lows.reset()

    def _params(self) -> str:
        return str(self._period)
