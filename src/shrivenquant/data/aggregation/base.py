"""The bar builder contract shared by time, tick, volume and value bars.

A builder turns trades into bars two ways that give identical bars:

- incrementally, trade by trade (`BarBuilder.update`), for the live DataEngine;
- in bulk over columnar arrays (`BarBuilder.process`), vectorised with numpy, for history.

Both paths keep the same partial (not yet closed) bar, so a builder can be primed with history
in bulk and then fed live trades. Prices and sizes are handled as integers scaled to the
builder's precisions (``Price("101.25")`` at precision 2 is ``10125``), so every bar is exact.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from operator import mul
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from shrivenquant.model.data import Bar, BarType, TradeTick
from shrivenquant.model.enums import PriceType
from shrivenquant.model.fixed_point import FIXED_PRECISION, STEP
from shrivenquant.model.values import Price, Quantity
from shrivenquant.persistence.catalog import BarArrays, CatalogError, TradeTickArrays
from shrivenquant.persistence.catalog.columns import rescale
from shrivenquant.persistence.catalog.decode import build_list, iter_bars

IntArray = npt.NDArray[np.int64]
NO_BARS: Final[tuple[Bar, ...]] = ()
_INT64_MAX: Final = 2**63 - 1


@dataclass(slots=True)
class PartialBar:
    """The bar being built: scaled OHLC and volume plus what the closing rule needs.

    ``bucket`` is the time bucket index (time bars); ``count`` the trades in the bar;
    ``value`` the notional, the sum of ``|price| * size`` at scale
    ``price_precision + size_precision``.
    ``ts_event``/``ts_init`` are those of the last trade added.
    """

    bucket: int
    open: int
    high: int
    low: int
    close: int
    volume: int
    count: int
    value: int
    ts_event: int
    ts_init: int

    def add(self, price: int, size: int, ts_event: int, ts_init: int) -> None:
        """Add one trade."""
        self.high = max(self.high, price)
        self.low = min(self.low, price)
        self.close = price
        self.volume += size
        self.count += 1
        self.value += abs(price) * size
        self.ts_event = ts_event
        self.ts_init = ts_init


@dataclass(slots=True)
class BarColumns:
    """Completed bars as scaled columns, accumulated by the vectorised paths."""

    ts_event: list[IntArray]
    ts_init: list[IntArray]
    open: list[IntArray]
    high: list[IntArray]
    low: list[IntArray]
    close: list[IntArray]
    volume: list[IntArray]

    @classmethod
    def empty(cls) -> BarColumns:
        """No bars yet."""
        return cls([], [], [], [], [], [], [])

    def append(self, **columns: Any) -> None:
        """Append bars given as equal-length arrays or sequences per column."""
        for name, values in columns.items():
            getattr(self, name).append(np.asarray(values))

    def append_bars(self, bars: list[Bar], price_step: int, size_step: int) -> None:
        """Append model bars (scaled by the builder's steps)."""
        if not bars:
            return
        self.append(
            ts_event=[b.ts_event for b in bars],
            ts_init=[b.ts_init for b in bars],
            open=np.array([b.open.raw // price_step for b in bars], dtype=object),
            high=np.array([b.high.raw // price_step for b in bars], dtype=object),
            low=np.array([b.low.raw // price_step for b in bars], dtype=object),
            close=np.array([b.close.raw // price_step for b in bars], dtype=object),
            volume=np.array([b.volume.raw // size_step for b in bars], dtype=object),
        )

    def to_arrays(self, bar_type: BarType, price_precision: int, size_precision: int) -> BarArrays:
        """The bars as one `BarArrays`."""

        def join(parts: list[IntArray]) -> IntArray:
            if not parts:
                return np.zeros(0, dtype=np.int64)
            if any(part.dtype == object for part in parts):
                joined = np.concatenate([part.astype(object) for part in parts])
                try:  # back to int64 when every value fits (the usual case)
                    return np.array(joined.tolist(), dtype=np.int64)
                except OverflowError:
                    return joined
            return np.concatenate([part.astype(np.int64, copy=False) for part in parts])

        return BarArrays(
            bar_type=bar_type,
            ts_event=join(self.ts_event),
            ts_init=join(self.ts_init),
            open=join(self.open),
            high=join(self.high),
            low=join(self.low),
            close=join(self.close),
            volume=join(self.volume),
            price_precision=price_precision,
            size_precision=size_precision,
        )


class BarBuilder(ABC):
    """Builds bars of one bar type from trades of its instrument.

    Args:
        bar_type: the series to build; its price type must be LAST (bars from trades).
        price_precision: decimal places of the bar prices (the instrument's price precision).
        size_precision: decimal places of the bar volume (the instrument's size precision).

    Raises:
        ValueError: a precision outside 0..9 or a price type other than LAST.
    """

    def __init__(self, bar_type: BarType, price_precision: int, size_precision: int) -> None:
        for name, value in (
            ("price_precision", price_precision),
            ("size_precision", size_precision),
        ):
            if type(value) is not int or not 0 <= value <= FIXED_PRECISION:
                raise ValueError(f"{name} must be an int 0..{FIXED_PRECISION}, got {value!r}")
        if bar_type.spec.price_type is not PriceType.LAST:
            raise ValueError(
                f"{bar_type}: bars from trades need price type LAST, not {bar_type.spec.price_type}"
            )
        self.bar_type = bar_type
        self._instrument_id = bar_type.instrument_id
        self.price_precision = price_precision
        self.size_precision = size_precision
        self._price_step = STEP[price_precision]
        self._size_step = STEP[size_precision]
        self._partial: PartialBar | None = None

    @property
    def partial(self) -> PartialBar | None:
        """A copy of the bar being built, or None between bars."""
        partial = self._partial
        if partial is None:
            return None
        return PartialBar(**{name: getattr(partial, name) for name in PartialBar.__slots__})

    def reset(self) -> None:
        """Drop the bar being built (and any state carried between bars)."""
        self._partial = None

    # --- incremental ---------------------------------------------------------------------------

    def update(self, trade: TradeTick) -> tuple[Bar, ...]:
        """Add one trade; return the bars it completes (usually none)."""
        instrument_id = trade.instrument_id
        if instrument_id is not self._instrument_id and instrument_id != self._instrument_id:
            raise ValueError(f"{self.bar_type}: trade of {instrument_id} given")
        price, price_rest = divmod(trade.price.raw, self._price_step)
        size, size_rest = divmod(trade.size.raw, self._size_step)
        if price_rest or size_rest:
            raise ValueError(
                f"{self.bar_type}: trade {trade.trade_id} price {trade.price} or size "
                f"{trade.size} has more decimal places than the bar precisions "
                f"({self.price_precision}, {self.size_precision})"
            )
        return self._update(price, size, trade.ts_event, trade.ts_init)

    @abstractmethod
    def _update(self, price: int, size: int, ts_event: int, ts_init: int) -> tuple[Bar, ...]:
        """Add one trade of scaled price and size; return the bars it completes."""

    # --- vectorised ----------------------------------------------------------------------------

    def process(self, trades: TradeTickArrays) -> BarArrays:
        """Add many trades at once (in row order); return the bars they complete, as columns.

        Gives exactly the bars that `update` would give for the same trades one by one, and
        leaves the same partial bar.

        Raises:
            ValueError: trades of another instrument, or values not exact at the precisions.
        """
        if trades.instrument_id != self.bar_type.instrument_id:
            raise ValueError(f"{self.bar_type}: trades of {trades.instrument_id} given")
        try:
            price = rescale(trades.price, trades.price_precision, self.price_precision, "price")
            size = rescale(trades.size, trades.size_precision, self.size_precision, "size")
        except CatalogError as exc:
            raise ValueError(f"{self.bar_type}: {exc}") from exc
        out = BarColumns.empty()
        if len(trades):
            if object in {price.dtype, size.dtype}:
                self._process_rows(trades, price, size, out)
            else:
                self._process(trades.ts_event, trades.ts_init, price, size, out)
        return out.to_arrays(self.bar_type, self.price_precision, self.size_precision)

    def to_arrays(self, bars: Sequence[Bar]) -> BarArrays:
        """Bars of this builder (from `update` or `TimeBarBuilder.on_timer`) as columns."""
        out = BarColumns.empty()
        out.append_bars(list(bars), self._price_step, self._size_step)
        return out.to_arrays(self.bar_type, self.price_precision, self.size_precision)

    def process_bars(self, trades: TradeTickArrays) -> list[Bar]:
        """As `process`, returning model `Bar` objects."""
        return build_list(iter_bars(self.process(trades), str(self.bar_type)))

    def _process_rows(
        self, trades: TradeTickArrays, price: IntArray, size: IntArray, out: BarColumns
    ) -> None:
        """The exact fallback for values beyond int64: the incremental path, row by row."""
        bars: list[Bar] = []
        for row in zip(
            price.tolist(),
            size.tolist(),
            trades.ts_event.tolist(),
            trades.ts_init.tolist(),
            strict=True,
        ):
            bars.extend(self._update(*row))
        out.append_bars(bars, self._price_step, self._size_step)

    @abstractmethod
    def _process(
        self,
        ts_event: IntArray,
        ts_init: IntArray,
        price: IntArray,
        size: IntArray,
        out: BarColumns,
    ) -> None:
        """Vectorised `_update` over int64 arrays; append completed bars to ``out``."""

    # --- helpers for subclasses ----------------------------------------------------------------

    def _bar(self, partial: PartialBar, ts_event: int, ts_init: int) -> Bar:
        p, s = self.price_precision, self.size_precision
        ps, ss = self._price_step, self._size_step
        return Bar(
            bar_type=self.bar_type,
            open=Price.from_raw(partial.open * ps, p),
            high=Price.from_raw(partial.high * ps, p),
            low=Price.from_raw(partial.low * ps, p),
            close=Price.from_raw(partial.close * ps, p),
            volume=Quantity.from_raw(partial.volume * ss, s),
            ts_event=ts_event,
            ts_init=ts_init,
        )

    def _start(self, bucket: int, price: int, size: int, ts_event: int, ts_init: int) -> None:
        self._partial = PartialBar(
            bucket, price, price, price, price, size, 1, abs(price) * size, ts_event, ts_init
        )

    def _group_bars(
        self,
        starts: IntArray,
        ends: IntArray,
        price: IntArray,
        size: IntArray,
        *,
        ts_event: IntArray,
        ts_init: IntArray,
    ) -> dict[str, IntArray]:
        """Bar columns over row groups ``[starts[k], ends[k]]`` (inclusive), merging the
        current partial bar into the first group when ``starts[0]`` is 0 and one exists."""
        last = int(ends[-1])
        high = np.maximum.reduceat(price[: last + 1], starts)
        low = np.minimum.reduceat(price[: last + 1], starts)
        volume = group_sums(size, starts, ends)
        opens = price[starts]
        partial = self._partial
        if partial is not None and int(starts[0]) == 0:
            opens = opens.copy()
            opens[0] = partial.open
            high[0] = max(int(high[0]), partial.high)
            low[0] = min(int(low[0]), partial.low)
            total = int(volume[0]) + partial.volume
            if volume.dtype != object and total > _INT64_MAX:
                volume = volume.astype(object)
            else:
                volume = volume.copy()
            volume[0] = total
        return {
            "ts_event": ts_event,
            "ts_init": ts_init,
            "open": opens,
            "high": high,
            "low": low,
            "close": price[ends],
            "volume": volume,
        }

    def _rest_partial(
        self,
        bucket: int,
        first: int,
        price: IntArray,
        size: IntArray,
        *,
        ts_event: IntArray,
        ts_init: IntArray,
    ) -> None:
        """Make rows ``first:`` (the trades after the last completed bar) the partial bar,
        merged into the current partial bar when ``first`` is 0 and one exists."""
        rest_price = price[first:]
        if not len(rest_price):
            return
        rest_size = size[first:]
        total = int(rest_size.sum()) if _sum_fits(rest_size) else sum(rest_size.tolist())
        value = notional(rest_price, rest_size)
        partial = self._partial if first == 0 else None
        high, low = int(rest_price.max()), int(rest_price.min())
        if partial is None:
            self._partial = PartialBar(
                bucket, int(rest_price[0]), high, low, int(rest_price[-1]), total,
                len(rest_price), value, int(ts_event[-1]), int(ts_init[-1]),
            )  # fmt: skip
            return
        partial.bucket = bucket
        partial.high = max(partial.high, high)
        partial.low = min(partial.low, low)
        partial.close = int(rest_price[-1])
        partial.volume += total
        partial.count += len(rest_price)
        partial.value += value
        partial.ts_event = int(ts_event[-1])
        partial.ts_init = int(ts_init[-1])


def _sum_fits(values: IntArray) -> bool:
    """Whether summing ``values`` (>= 0) in int64 cannot overflow."""
    return not len(values) or int(values.max()) <= _INT64_MAX // len(values)


def notional(price: IntArray, size: IntArray) -> int:
    """The exact sum of ``|price| * size`` (in int64 when it cannot overflow)."""
    if not len(price):
        return 0
    largest = int(np.abs(price).max()) * int(size.max())
    if largest <= _INT64_MAX // len(price):
        return int((np.abs(price) * size).sum())
    return sum(map(mul, map(abs, price.tolist()), size.tolist()))


def group_sums(values: IntArray, starts: IntArray, ends: IntArray) -> IntArray:
    """Exact sums of ``values[starts[k] : ends[k] + 1]`` (int64, or Python ints if needed)."""
    last = int(ends[-1])
    head = values[: last + 1]
    if _sum_fits(head):
        return np.add.reduceat(head, starts)
    prefix = [0, *accumulate(head.tolist())]
    return np.array(
        [prefix[e + 1] - prefix[s] for s, e in zip(starts.tolist(), ends.tolist(), strict=True)],
        dtype=object,
    )
