"""`AverageCache`: simple moving averages of one price series, computed once and reused."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from shrivenquant.strategy.indicators import vectorised as vi

Floats = npt.NDArray[np.float64]

DEFAULT_LIMIT_BYTES = 512 * 1024 * 1024
"""Memory the cache may hold; beyond it the oldest averages are dropped."""


class AverageCache:
    """``get(period)`` returns ``vi.sma(close, period)``, kept for later calls.

    The cache holds at most ``limit_bytes`` (always at least one average), dropping the
    oldest first. It is not pickled: a copy sent to a worker process starts empty.
    """

    def __init__(self, close: Floats, limit_bytes: int = DEFAULT_LIMIT_BYTES) -> None:
        self._close = close
        self._limit = limit_bytes
        self._averages: dict[int, Floats] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {"_close": self._close, "_limit": self._limit, "_averages": {}}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __len__(self) -> int:
        return len(self._averages)

    def get(self, period: int) -> Floats:
        """The simple moving average of ``period`` closes (``nan`` while warming up)."""
        average = self._averages.get(period)
        if average is None:
            average = vi.sma(self._close, period)
            self._averages[period] = average
            while len(self._averages) > 1 and self._bytes() > self._limit:
                del self._averages[next(iter(self._averages))]
        return average

    def _bytes(self) -> int:
        return sum(a.nbytes for a in self._averages.values())
