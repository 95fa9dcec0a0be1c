"""Sliding-window building blocks: the rolling maximum and minimum.

`RollingExtreme` keeps a monotonic deque of (position, value) pairs: each value enters once
and leaves once, so an update costs O(1) amortised whatever the window length, and the answer
is exact (no arithmetic is done on the values).
"""

from __future__ import annotations

import math
from collections import deque


class RollingExtreme:
    """The largest (or smallest) of the last ``period`` values.

    Args:
        period: the window length, at least 1.
        largest: True for the rolling maximum, False for the minimum.
    """

    __slots__ = ("_index", "_largest", "_period", "_window")

    def __init__(self, period: int, largest: bool) -> None:
        self._period = period
        self._largest = largest
        self._window: deque[tuple[int, float]] = deque()
        self._index = 0

    def update(self, value: float) -> float:
        """Add ``value`` and return the extreme of the last ``period`` values."""
        window = self._window
        index = self._index
        if self._largest:
            while window and window[-1][1] <= value:
                window.pop()
        else:
            while window and window[-1][1] >= value:
                window.pop()
        window.append((index, value))
        if window[0][0] <= index - self._period:
            window.popleft()
        self._index = index + 1
        return window[0][1]

    @property
    def current(self) -> float:
        """The extreme of the values in the window (``nan`` when empty)."""
        return self._window[0][1] if self._window else math.nan

    def reset(self) -> None:
        """Forget every value."""
        self._window.clear()
        self._index = 0
