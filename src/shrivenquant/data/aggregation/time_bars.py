"""Time bars: one bar per fixed interval of ``ts_event``.

Buckets are ``[origin + k * interval, origin + (k + 1) * interval)``; ``origin`` defaults to the
Unix epoch, so one-minute bars start on the minute (UTC) and a 09:15 IST session start can be
met with ``origin_ns`` = 09:15 IST of any day.

- A bar closes when a trade arrives at or after its end (that trade starts a new bar) or when
  `TimeBarBuilder.on_timer` is called at or after its end. Its ``ts_event`` is the end of its
  interval (the close time); its ``ts_init`` is the ``ts_init`` of the closing trade, or the
  timer's time.
- A trade older than the current bar (a late print) is added to the current bar: bars already
  closed never change.
- Intervals without trades produce no bar, unless ``emit_empty`` is set: then each produces a
  flat bar at the previous close with zero volume (from the first trade on).
"""

from __future__ import annotations

import numpy as np

from shrivenquant.data.aggregation.base import (
    NO_BARS,
    BarBuilder,
    BarColumns,
    IntArray,
    PartialBar,
)
from shrivenquant.model.data import Bar, BarType


class TimeBarBuilder(BarBuilder):
    """Builds time bars (MILLISECOND to WEEK aggregations) from trades.

    Args:
        bar_type: a time-aggregated bar type of LAST prices.
        price_precision: decimal places of bar prices.
        size_precision: decimal places of bar volume.
        origin_ns: where bucket boundaries are anchored (any boundary works).
        emit_empty: emit flat zero-volume bars for intervals without trades.

    Raises:
        ValueError: the aggregation has no fixed length (MONTH) or is not time based.
    """

    def __init__(
        self,
        bar_type: BarType,
        price_precision: int,
        size_precision: int,
        *,
        origin_ns: int = 0,
        emit_empty: bool = False,
    ) -> None:
        super().__init__(bar_type, price_precision, size_precision)
        if not bar_type.spec.is_time_aggregated():
            raise ValueError(f"{bar_type} is not time aggregated")
        self.interval_ns = bar_type.spec.timedelta_ns()
        self.origin_ns = origin_ns % self.interval_ns
        self.emit_empty = emit_empty
        self._closed_bucket: int | None = None  # the last bucket a bar was emitted for
        self._last_close = 0

    def reset(self) -> None:
        """Forget the bar being built and the last bar emitted."""
        super().reset()
        self._closed_bucket = None
        self._last_close = 0

    @property
    def next_close_ns(self) -> int | None:
        """When the bar being built ends (schedule `on_timer` then), or None without one."""
        partial = self._partial
        if partial is None:
            return None
        return self._end(partial.bucket)

    def _end(self, bucket: int) -> int:
        return self.origin_ns + (bucket + 1) * self.interval_ns

    def on_timer(self, now_ns: int) -> tuple[Bar, ...]:
        """Close the bar being built if ``now_ns`` is at or after its end.

        With ``emit_empty``, also emit flat bars for the intervals that ended by ``now_ns``.
        """
        bucket_now = (now_ns - self.origin_ns) // self.interval_ns
        bars: list[Bar] = []
        partial = self._partial
        if partial is not None:
            if partial.bucket >= bucket_now:
                return NO_BARS
            bars.append(self._emit(partial, now_ns))
        if self.emit_empty and self._closed_bucket is not None:
            bars.extend(self._empty_bars(self._closed_bucket + 1, bucket_now, now_ns))
        return tuple(bars)

    def _emit(self, partial: PartialBar, ts_init: int) -> Bar:
        self._partial = None
        self._closed_bucket = partial.bucket
        self._last_close = partial.close
        return self._bar(partial, self._end(partial.bucket), ts_init)

    def _empty_bars(self, first: int, stop: int, ts_init: int) -> list[Bar]:
        close = self._last_close
        bars = []
        for bucket in range(first, stop):
            flat = PartialBar(bucket, close, close, close, close, 0, 0, 0, 0, ts_init)
            bars.append(self._bar(flat, self._end(bucket), ts_init))
        if stop > first:
            self._closed_bucket = stop - 1
        return bars

    def _update(self, price: int, size: int, ts_event: int, ts_init: int) -> tuple[Bar, ...]:
        bucket = (ts_event - self.origin_ns) // self.interval_ns
        partial = self._partial
        if partial is not None:
            if bucket <= partial.bucket:  # same interval, or a late trade
                partial.add(price, size, ts_event, ts_init)
                return NO_BARS
            bars = [self._emit(partial, ts_init)]
        else:
            closed = self._closed_bucket
            if closed is not None and bucket <= closed:  # late after a timer close
                bucket = closed + 1
            bars = []
        if self.emit_empty and self._closed_bucket is not None:
            bars.extend(self._empty_bars(self._closed_bucket + 1, bucket, ts_init))
        self._start(bucket, price, size, ts_event, ts_init)
        return tuple(bars)

    def _process(
        self,
        ts_event: IntArray,
        ts_init: IntArray,
        price: IntArray,
        size: IntArray,
        out: BarColumns,
    ) -> None:
        buckets = (ts_event - self.origin_ns) // self.interval_ns
        partial = self._partial
        if partial is not None:
            floor = partial.bucket
        elif self._closed_bucket is not None:
            floor = self._closed_bucket + 1
        else:
            floor = int(buckets[0])
        buckets = np.maximum.accumulate(np.maximum(buckets, floor))  # late trades fold forward
        first_bucket = int(buckets[0])
        if partial is not None and first_bucket != partial.bucket:
            # The first trade closes the partial bar (and any empty intervals after it).
            bars = [self._emit(partial, int(ts_init[0]))]
            if self.emit_empty:
                bars.extend(self._empty_bars(partial.bucket + 1, first_bucket, int(ts_init[0])))
            out.append_bars(bars, self._price_step, self._size_step)
        elif partial is None and self.emit_empty and self._closed_bucket is not None:
            bars = self._empty_bars(self._closed_bucket + 1, first_bucket, int(ts_init[0]))
            out.append_bars(bars, self._price_step, self._size_step)
        starts = np.flatnonzero(buckets[1:] != buckets[:-1]) + 1
        if not len(starts):
            self._rest_partial(first_bucket, 0, price, size, ts_event=ts_event, ts_init=ts_init)
            return
        group_starts = np.concatenate(([0], starts[:-1]))
        ends = starts - 1
        closes_at = ts_init[starts]  # the first trade of the next bucket closes each bar
        group_buckets = buckets[group_starts]
        columns = self._group_bars(
            group_starts,
            ends,
            price,
            size,
            ts_event=self.origin_ns + (group_buckets + 1) * self.interval_ns,
            ts_init=closes_at,
        )
        if self.emit_empty:
            columns = self._with_empty_bars(columns, group_buckets, buckets[starts], closes_at)
        out.append(**columns)
        self._closed_bucket = int(group_buckets[-1])
        self._last_close = int(price[ends[-1]])
        self._partial = None
        self._rest_partial(
            int(buckets[-1]), int(starts[-1]), price, size, ts_event=ts_event, ts_init=ts_init
        )

    def _with_empty_bars(
        self,
        columns: dict[str, IntArray],
        buckets: IntArray,
        next_buckets: IntArray,
        closes_at: IntArray,
    ) -> dict[str, IntArray]:
        """Insert flat bars for the empty buckets between each completed bar and the next."""
        gaps = next_buckets - buckets - 1
        if not int(gaps.sum()):
            return columns
        owner = np.repeat(np.arange(len(gaps)), gaps)  # the bar each empty bucket follows
        offsets = np.arange(len(owner)) - np.repeat(np.cumsum(gaps) - gaps, gaps)
        flat = columns["close"][owner]
        empty = {
            "ts_event": self.origin_ns + (buckets[owner] + 2 + offsets) * self.interval_ns,
            "ts_init": closes_at[owner],
            "open": flat,
            "high": flat,
            "low": flat,
            "close": flat,
            "volume": np.zeros(len(owner), dtype=columns["volume"].dtype),
        }
        order = np.argsort(np.concatenate((columns["ts_event"], empty["ts_event"])), kind="stable")
        return {name: np.concatenate((columns[name], empty[name]))[order] for name in columns}
