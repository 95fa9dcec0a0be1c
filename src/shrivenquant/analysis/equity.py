"""Equity curves: validation, period returns, drawdowns and monthly returns.

An equity curve is a pandas Series of account value (floats) indexed by time: a
``DatetimeIndex`` (time-zone aware, converted to UTC; naive timestamps are taken as UTC) or
integer nanoseconds since the UNIX epoch, UTC. Timestamps must be strictly increasing and
values finite, the first one positive.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd  # type: ignore[import-untyped]


def normalise_equity(equity: pd.Series) -> pd.Series:
    """The curve as float64 values on a UTC ``DatetimeIndex``, validated.

    Raises:
        TypeError: ``equity`` is not a Series, or its index is neither timestamps nor ints.
        ValueError: the curve is empty, unsorted, has a repeated timestamp, a non-finite
            value, or does not start positive; the message names the timestamp.
    """
    if not isinstance(equity, pd.Series):
        raise TypeError(f"equity must be a pandas Series, got {type(equity).__name__}")
    if equity.empty:
        raise ValueError("equity curve is empty")
    index = equity.index
    if isinstance(index, pd.DatetimeIndex):
        index = index.tz_localize("UTC") if index.tz is None else index.tz_convert("UTC")
    elif pd.api.types.is_integer_dtype(index.dtype):
        index = pd.to_datetime(np.asarray(index, dtype=np.int64), unit="ns", utc=True)
    else:
        raise TypeError(
            f"equity index must be timestamps or int nanoseconds, got {index.dtype} values"
        )
    values = np.asarray(equity.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)
    curve = pd.Series(values, index=index, name=equity.name or "equity")
    steps = np.diff(index.asi8)
    if (steps <= 0).any():
        at = int(np.argmax(steps <= 0)) + 1
        problem = "repeats" if steps[at - 1] == 0 else "is before"
        raise ValueError(
            f"equity timestamps must be strictly increasing: {index[at]} (row {at}) {problem} "
            f"the previous {index[at - 1]}"
        )
    finite = np.isfinite(values)
    if not finite.all():
        at = int(np.argmin(finite))
        raise ValueError(f"equity value at {index[at]} (row {at}) is {float(values[at])!r}")
    if values[0] <= 0.0:
        raise ValueError(f"equity must start positive, got {float(values[0])!r} at {index[0]}")
    return curve


def period_returns(curve: pd.Series, frequency: str | None) -> pd.Series:
    """Simple returns per period of a normalised curve.

    With a ``frequency`` (a pandas offset such as ``"1D"``), the curve is sampled at the last
    value of each period; periods without an observation (weekends and holidays of a stock
    market) are skipped, not filled. When the first period has observations before its close,
    the very first value counts as the starting point, so the returns compound to the
    total return. With ``frequency=None`` the curve's own samples are used.
    """
    if frequency is None:
        return curve.pct_change().iloc[1:]
    closes = curve.resample(frequency).last().dropna()
    close_times = curve.index.to_series().resample(frequency).last().dropna()
    if len(close_times) and close_times.iloc[0] != curve.index[0]:
        start = pd.Series([curve.iloc[0]], index=[curve.index[0]])
        closes = pd.concat([start, closes])
    return closes.pct_change().iloc[1:]


def drawdown_series(curve: pd.Series) -> pd.Series:
    """``value / running_peak - 1`` at every point: 0 at a new high, negative below it."""
    return curve / curve.cummax() - 1.0


@dataclass(frozen=True, slots=True)
class Underwater:
    """One spell below a previous peak.

    Attributes:
        peak: the timestamp of the peak the spell fell from.
        trough: the timestamp of the lowest point.
        recovery: the first timestamp back at or above the peak, None if never.
        depth: the largest fall from the peak, a positive fraction.
        duration_s: seconds from the peak to the recovery (or to the end of the curve).
    """

    peak: pd.Timestamp
    trough: pd.Timestamp
    recovery: pd.Timestamp | None
    depth: float
    duration_s: float


def underwater_spells(curve: pd.Series) -> list[Underwater]:
    """Every spell the curve spent below its running peak, in time order."""
    values = curve.to_numpy()
    peaks = np.maximum.accumulate(values)
    below = values < peaks
    if not below.any():
        return []
    index = curve.index
    edges = np.diff(np.concatenate(([False], below, [False])).astype(np.int8))
    starts = np.flatnonzero(edges == 1)
    stops = np.flatnonzero(edges == -1)  # one past the last point below the peak
    spells = []
    for start, stop in zip(starts, stops, strict=True):
        segment = values[start:stop] / peaks[start] - 1.0
        trough = start + int(np.argmin(segment))
        recovered = stop < len(values)
        end = index[stop] if recovered else index[-1]
        spells.append(
            Underwater(
                peak=index[start - 1],
                trough=index[trough],
                recovery=index[stop] if recovered else None,
                depth=float(-segment.min()),
                duration_s=(end - index[start - 1]).total_seconds(),
            )
        )
    return spells


def monthly_returns(curve: pd.Series) -> pd.Series:
    """Return of each calendar month (UTC), indexed by the month's first day.

    The first month is measured from the curve's first value, each later one from the
    previous month's last value.
    """
    closes = curve.resample("MS").last().dropna()
    previous = closes.shift(1)
    previous.iloc[0] = curve.iloc[0]
    return closes / previous - 1.0
