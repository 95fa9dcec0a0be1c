"""Activity bars: tick, volume and value (dollar) bars.

A bar closes on the trade that takes its measure to at least the threshold; it holds whole
trades (a trade is never split between bars), so a volume or value bar can exceed its step.
The next bar starts from zero with the next trade. ``ts_event`` and ``ts_init`` of a bar are
those of its last trade.

| aggregation | measure of a trade | threshold (``step`` of the bar type)                  |
|-------------|--------------------|-------------------------------------------------------|
| TICK        | 1                  | ``step`` trades                                       |
| VOLUME      | its size           | ``step`` units of the instrument's quantity           |
| VALUE       | abs(price) * size  | ``step`` units of the quote currency (notional)       |
"""

from __future__ import annotations

from bisect import bisect_left
from itertools import accumulate
from operator import mul
from typing import Final

import numpy as np

from shrivenquant.data.aggregation.base import NO_BARS, BarBuilder, BarColumns, IntArray
from shrivenquant.model.data import Bar, BarType
from shrivenquant.model.enums import BarAggregation

_MEASURED: Final = (BarAggregation.TICK, BarAggregation.VOLUME, BarAggregation.VALUE)


class ThresholdBarBuilder(BarBuilder):
    """Builds TICK, VOLUME or VALUE bars (see the module doc).

    Raises:
        ValueError: the bar type's aggregation is not TICK, VOLUME or VALUE.
    """

    def __init__(self, bar_type: BarType, price_precision: int, size_precision: int) -> None:
        super().__init__(bar_type, price_precision, size_precision)
        aggregation = bar_type.spec.aggregation
        if aggregation not in _MEASURED:
            raise ValueError(f"{bar_type}: expected TICK, VOLUME or VALUE bars, got {aggregation}")
        self.aggregation = aggregation
        step = bar_type.spec.step
        if aggregation is BarAggregation.TICK:
            self.threshold = step
        elif aggregation is BarAggregation.VOLUME:
            self.threshold = step * 10**size_precision
        else:
            self.threshold = step * 10 ** (price_precision + size_precision)

    def _measure(self, count: int, volume: int, value: int) -> int:
        if self.aggregation is BarAggregation.TICK:
            return count
        if self.aggregation is BarAggregation.VOLUME:
            return volume
        return value

    def _update(self, price: int, size: int, ts_event: int, ts_init: int) -> tuple[Bar, ...]:
        partial = self._partial
        if partial is None:
            self._start(0, price, size, ts_event, ts_init)
            partial = self._partial
            assert partial is not None
        else:
            partial.add(price, size, ts_event, ts_init)
        if self._measure(partial.count, partial.volume, partial.value) < self.threshold:
            return NO_BARS
        self._partial = None
        return (self._bar(partial, ts_event, ts_init),)

    def _process(
        self,
        ts_event: IntArray,
        ts_init: IntArray,
        price: IntArray,
        size: IntArray,
        out: BarColumns,
    ) -> None:
        ends = self._bar_ends(price, size)
        if not ends:
            self._rest_partial(0, 0, price, size, ts_event=ts_event, ts_init=ts_init)
            return
        end_rows = np.array(ends, dtype=np.int64)
        starts = np.concatenate(([0], end_rows[:-1] + 1))
        out.append(
            **self._group_bars(
                starts,
                end_rows,
                price,
                size,
                ts_event=ts_event[end_rows],
                ts_init=ts_init[end_rows],
            )
        )
        self._partial = None
        self._rest_partial(0, ends[-1] + 1, price, size, ts_event=ts_event, ts_init=ts_init)

    def _bar_ends(self, price: IntArray, size: IntArray) -> list[int]:
        """Rows of the trades that close a bar, exactly (Python ints, no overflow)."""
        partial = self._partial
        count = len(price)
        threshold = self.threshold
        if self.aggregation is BarAggregation.TICK:
            done = partial.count if partial is not None else 0
            return list(range(threshold - done - 1, count, threshold))
        if self.aggregation is BarAggregation.VOLUME:
            measures = size.tolist()
            carried = partial.volume if partial is not None else 0
        else:
            measures = list(map(mul, map(abs, price.tolist()), size.tolist()))
            carried = partial.value if partial is not None else 0
        cumulative = list(accumulate(measures))
        ends = []
        row = bisect_left(cumulative, threshold - carried)
        while row < count:
            ends.append(row)
            row = bisect_left(cumulative, cumulative[row] + threshold, lo=row + 1)
        return ends
