"""`PriceSeries`: the bar arrays a vectorised backtest reads (floats, for analytics)."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shrivenquant.persistence.catalog import BarArrays

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

NS_PER_MINUTE = 60_000_000_000


def _floats(name: str, values: npt.ArrayLike | None, length: int | None) -> Floats:
    array = np.ascontiguousarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"PriceSeries {name} must be 1-D, got shape {array.shape}")
    if length is not None and len(array) != length:
        raise ValueError(f"PriceSeries {name} has {len(array)} values, close has {length}")
    finite = np.isfinite(array)
    if not finite.all():
        at = int(np.argmin(finite))
        raise ValueError(f"PriceSeries {name}[{at}] is {float(array[at])!r}; need finite numbers")
    return array


def _times(name: str, values: npt.ArrayLike, length: int) -> Ints:
    array = np.ascontiguousarray(values, dtype=np.int64)
    if array.shape != (length,):
        raise ValueError(f"PriceSeries {name} has shape {array.shape}, close has ({length},)")
    return array


@dataclass(frozen=True, slots=True, eq=False)
class PriceSeries:
    """One instrument's bars as float arrays, for vectorised backtests and signals.

    Attributes:
        open: each bar's open price.
        close: each bar's close price.
        ts_event: each bar's close time, ns since the epoch UTC, strictly increasing.
        ts_open: each bar's open time (when a fill at the open happens), ns.
        high: high prices, or None.
        low: low prices, or None.
        volume: volumes, or None.
    """

    open: Floats
    close: Floats
    ts_event: Ints
    ts_open: Ints
    high: Floats | None = None
    low: Floats | None = None
    volume: Floats | None = None

    @classmethod
    def from_arrays(
        cls,
        open: npt.ArrayLike,
        close: npt.ArrayLike,
        ts_event: npt.ArrayLike | None = None,
        *,
        ts_open: npt.ArrayLike | None = None,
        high: npt.ArrayLike | None = None,
        low: npt.ArrayLike | None = None,
        volume: npt.ArrayLike | None = None,
    ) -> PriceSeries:
        """Validate and build a series.

        Args:
            open: open prices.
            close: close prices.
            ts_event: bar close times (ns); None numbers the bars as one-minute bars closing
                at 00:01, 00:02, ... on 1970-01-01 UTC (for research on bare arrays).
            ts_open: bar open times (ns); None takes each previous bar's close time (the
                first bar opens one bar length before its close), right for contiguous bars.
            high: high prices, optional.
            low: low prices, optional.
            volume: volumes, optional.

        Raises:
            ValueError: lengths differ, a price is not finite, or times are not increasing;
                the message names the array and the index.
        """
        c = _floats("close", close, None)
        n = len(c)
        if n < 2:
            raise ValueError(f"PriceSeries needs at least 2 bars, got {n}")
        o = _floats("open", open, n)
        if ts_event is None:
            event = np.arange(1, n + 1, dtype=np.int64) * NS_PER_MINUTE
        else:
            event = _times("ts_event", ts_event, n)
        steps = np.diff(event)
        if (steps <= 0).any():
            at = int(np.argmax(steps <= 0)) + 1
            raise ValueError(
                f"PriceSeries ts_event must be strictly increasing: ts_event[{at}]="
                f"{int(event[at])} is not after ts_event[{at - 1}]={int(event[at - 1])}"
            )
        if ts_open is None:
            opened = np.empty(n, dtype=np.int64)
            opened[1:] = event[:-1]
            opened[0] = event[0] - int(steps[0])
        else:
            opened = _times("ts_open", ts_open, n)
            late = opened > event
            early = opened[1:] < event[:-1]
            if late.any():
                at = int(np.argmax(late))
                raise ValueError(f"PriceSeries ts_open[{at}] is after ts_event[{at}]")
            if early.any():
                at = int(np.argmax(early)) + 1
                raise ValueError(f"PriceSeries ts_open[{at}] is before ts_event[{at - 1}]")
        extras = {
            name: None if values is None else _floats(name, values, n)
            for name, values in (("high", high), ("low", low), ("volume", volume))
        }
        return cls(o, c, event, opened, **extras)

    @classmethod
    def from_bars(cls, bars: BarArrays) -> PriceSeries:
        """The catalog's columnar bars as floats (exact ticks divided by their scale)."""
        scale = 10.0**bars.price_precision
        ts_open = None
        # Bars of no fixed length (ticks, volume, months) open at the previous close.
        with suppress(ValueError):
            ts_open = bars.ts_event - bars.bar_type.spec.timedelta_ns()
        return cls.from_arrays(
            bars.open / scale,
            bars.close / scale,
            bars.ts_event,
            ts_open=ts_open,
            high=bars.high / scale,
            low=bars.low / scale,
            volume=bars.volume / 10.0**bars.size_precision,
        )

    def __len__(self) -> int:
        return len(self.close)
