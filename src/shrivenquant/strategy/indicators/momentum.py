"""Momentum indicators of one price series: `RSI`, `MACD` and `ROC`."""

from __future__ import annotations

import math

from shrivenquant.strategy.indicators.averages import EMA
from shrivenquant.strategy.indicators.base import NAN, PriceIndicator, bad_input, check_period


class RSI(PriceIndicator):
    """Relative strength index with Wilder's smoothing, on a 0..100 scale.

    From the price changes: the first average gain and loss are the simple means of the first
    ``period`` changes; after that ``avg += (change - avg) / period`` (Wilder's smoothing, an
    exponential average with ``alpha = 1 / period``).
    ``rsi = 100 * avg_gain / (avg_gain + avg_loss)``, which equals ``100 - 100 / (1 + RS)``;
    a window with no movement at all reads 50. Value from the ``(period + 1)``-th update on
    (``period`` changes need ``period + 1`` prices).
    """

    __slots__ = ("_avg_gain", "_avg_loss", "_period", "_prev", "_value")

    def __init__(self, period: int = 14) -> None:
        super().__init__()
        self._period = check_period("RSI", "period", period)
        self._prev = NAN
        self._avg_gain = 0.0
        self._avg_loss = 0.0
        self._value = NAN

    @property
    def period(self) -> int:
        """The smoothing period."""
        return self._period

    @property
    def value(self) -> float:
        """The current RSI."""
        return self._value

    @property
    def avg_gain(self) -> float:
        """Wilder's average gain (``nan`` during warm-up)."""
        return self._avg_gain if self._initialized else NAN

    @property
    def avg_loss(self) -> float:
        """Wilder's average loss as a positive number (``nan`` during warm-up)."""
        return self._avg_loss if self._initialized else NAN

    def update_raw(self, value: float) -> None:
        """Feed one price."""
        if not math.isfinite(value):
            raise bad_input(self, "value", value)
        count = self._count + 1
        self._count = count
        prev = self._prev
        self._prev = value
        if count == 1:
            return
        change = value - prev
        gain = change if change > 0.0 else 0.0
        loss = -change if change < 0.0 else 0.0
        period = self._period
        if self._initialized:
            self._avg_gain += (gain - self._avg_gain) / period
            self._avg_loss += (loss - self._avg_loss) / period
        else:
            # Warm-up: the averages hold running sums until the first `period` changes are in.
            self._avg_gain += gain
            self._avg_loss += loss
            if count - 1 < period:
                return
            self._avg_gain /= period
            self._avg_loss /= period
            self._initialized = True
        total = self._avg_gain + self._avg_loss
        self._value = 100.0 * self._avg_gain / total if total > 0.0 else 50.0

    def _reset(self) -> None:
        self._prev = NAN
        self._avg_gain = 0.0
        self._avg_loss = 0.0
        self._value = NAN

    def _params(self) -> str:
        return str(self._period)


class MACD(PriceIndicator):
    """Moving average convergence/divergence.

    ``line = EMA(fast) - EMA(slow)``, ``signal = EMA(signal_period)`` of the line,
    ``histogram = line - signal``; every EMA is seeded with its simple mean (see `EMA`). The
    line has a value from the ``slow``-th update on, the signal and histogram from the
    ``(slow + signal_period - 1)``-th; `initialized` waits for all three. ``value`` is the line.
    """

    __slots__ = ("_fast", "_line", "_signal", "_slow")

    def __init__(self, fast: int = 12, slow: int = 26, signal: int = 9) -> None:
        super().__init__()
        check_period("MACD", "fast", fast)
        check_period("MACD", "slow", slow)
        check_period("MACD", "signal", signal)
        if fast >= slow:
            raise ValueError(f"MACD fast period {fast} must be shorter than slow period {slow}")
        self._fast = EMA(fast)
        self._slow = EMA(slow)
        self._signal = EMA(signal)
        self._line = NAN

    @property
    def value(self) -> float:
        """The MACD line."""
        return self._line

    @property
    def line(self) -> float:
        """``EMA(fast) - EMA(slow)``."""
        return self._line

    @property
    def signal(self) -> float:
        """The EMA of the line."""
        return self._signal.value

    @property
    def histogram(self) -> float:
        """``line - signal``."""
        return self._line - self._signal.value if self._initialized else NAN

    def update_raw(self, value: float) -> None:
        """Feed one price."""
        if not math.isfinite(value):
            raise bad_input(self, "value", value)
        self._count += 1
        self._fast.update_raw(value)
        slow = self._slow
        slow.update_raw(value)
        if slow.initialized:
            line = self._fast.value - slow.value
            self._line = line
            signal = self._signal
            signal.update_raw(line)
            self._initialized = signal.initialized

    def _reset(self) -> None:
        self._fast.reset()
        self._slow.reset()
        self._signal.reset()
        self._line = NAN

    def _params(self) -> str:
        return f"{self._fast.period}, {self._slow.period}, {self._signal.period}"


class ROC(PriceIndicator):
    """Rate of change in percent: ``100 * (price / price_period_updates_ago - 1)``.

    Value from the ``(period + 1)``-th update on. A zero price ``period`` updates ago has no
    rate of change: the value is ``nan`` then.
    """

    __slots__ = ("_buffer", "_index", "_period", "_value")

    def __init__(self, period: int = 10) -> None:
        super().__init__()
        self._period = check_period("ROC", "period", period)
        self._buffer = [0.0] * period
        self._index = 0
        self._value = NAN

    @property
    def period(self) -> int:
        """How many updates back the price is compared with."""
        return self._period

    @property
    def value(self) -> float:
        """The rate of change in percent."""
        return self._value

    def update_raw(self, value: float) -> None:
        """Feed one price."""
        if not math.isfinite(value):
            raise bad_input(self, "value", value)
        buffer = self._buffer
        index = self._index
        count = self._count + 1
        self._count = count
        if count > self._period:
            old = buffer[index]
            self._value = 100.0 * (value / old - 1.0) if old != 0.0 else NAN
            self._initialized = True
        buffer[index] = value
        index += 1
        self._index = 0 if index == self._period else index

    def _reset(self) -> None:
        self._buffer = [0.0] * self._period
        self._index = 0
        self._value = NAN

    def _params(self) -> str:
        return str(self._period)
