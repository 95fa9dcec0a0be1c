"""Signals of the vectorised backtest: target positions decided on each bar's close.

A signal is any picklable callable ``signal(prices, params) -> array`` returning, per bar, the
position wanted after that bar's close: ``1`` long, ``-1`` short, ``0`` flat, ``nan`` keep
the previous target (the first target is flat). In long-only runs ``-1`` means flat.

```python
def rsi_reversion(prices: PriceSeries, params: Mapping[str, Any]) -> np.ndarray:
    value = vi.rsi(prices.close, params["period"])
    return np.where(value < params["low"], 1.0, np.where(value > params["high"], 0.0, np.nan))
```
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from shrivenquant.runtime.optimisation import _kernels
from shrivenquant.runtime.optimisation.prices import PriceSeries
from shrivenquant.strategy.indicators import vectorised as vi

Targets = npt.NDArray[np.int8]


class Signal(Protocol):
    """Target positions per bar from prices and parameters (see the module docstring)."""

    def __call__(self, prices: PriceSeries, params: Mapping[str, Any]) -> npt.ArrayLike:
        """The raw targets: 1, 0, -1 or ``nan`` per bar."""
        ...


def to_targets(raw: npt.ArrayLike, length: int, long_only: bool) -> Targets:
    """Validate raw targets and resolve ``nan`` (hold) and, long-only, ``-1`` (flat).

    Raises:
        ValueError: the array has the wrong shape or a value other than 1, 0, -1 or nan.
    """
    values = np.ascontiguousarray(raw, dtype=np.float64)
    if values.shape != (length,):
        raise ValueError(f"signal returned shape {values.shape}; expected ({length},)")
    out = np.empty(length, dtype=np.int8)
    bad = _kernels.hold_targets(values, long_only, out)
    if bad >= 0:
        raise ValueError(
            f"signal value at bar {bad} is {float(values[bad])!r}; expected 1, 0, -1 or nan"
        )
    return out


def _period(params: Mapping[str, Any], key: str) -> int:
    try:
        value = params[key]
    except KeyError:
        raise ValueError(f"SmaCross needs parameter {key!r}; got {sorted(params)}") from None
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"SmaCross parameter {key!r} must be a positive int, got {value!r}")
    return int(value)


@dataclass(frozen=True, slots=True)
class SmaCross:
    """Long while the fast SMA of closes is above the slow one; below it flat (long-only)
    or short; equal, the position is kept. The rule of the SMA crossover example strategy,
    on the same floating-point averages as its incremental `SMA` (so an exact tie of the two
    means is decided by their last bits, as it is in the strategy).

    Vectorised runs recognise this signal and sweep many pairs in one compiled loop, each
    moving average computed once.

    Attributes:
        fast_key: the parameter holding the fast period.
        slow_key: the parameter holding the slow period.
    """

    fast_key: str = "fast"
    slow_key: str = "slow"

    def periods(self, params: Mapping[str, Any]) -> tuple[int, int]:
        """The ``(fast, slow)`` periods in ``params``.

        Raises:
            ValueError: a period is missing, not a positive int, or fast is not below slow.
        """
        fast, slow = _period(params, self.fast_key), _period(params, self.slow_key)
        if fast >= slow:
            raise ValueError(f"SmaCross needs fast < slow, got fast={fast}, slow={slow}")
        return fast, slow

    def __call__(self, prices: PriceSeries, params: Mapping[str, Any]) -> npt.ArrayLike:
        """Raw targets: 1 above, -1 below, ``nan`` (hold) when equal or warming up."""
        fast, slow = self.periods(params)
        fast_sma, slow_sma = vi.sma(prices.close, fast), vi.sma(prices.close, slow)
        return np.where(fast_sma > slow_sma, 1.0, np.where(fast_sma < slow_sma, -1.0, np.nan))


sma_cross = SmaCross()
"""The SMA crossover signal on parameters ``fast`` and ``slow``."""
