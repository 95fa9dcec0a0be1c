"""Vectorised checks: each returns a `Finding`, a boolean mask of problem rows plus a way to
describe one row. Prices and sizes arrive as scaled integers with their precision."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd  # type: ignore[import-untyped]
import pyarrow as pa  # type: ignore[import-untyped]

from shrivenquant.core.time import unix_nanos_to_iso8601
from shrivenquant.data.validation.config import Problem, ValidationConfig
from shrivenquant.data.validation.sessions import TradingSessions

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Finding:
    """Rows with one problem (``mask``) and a function describing a given row."""

    problem: Problem
    mask: BoolArray
    describe: Callable[[int], str]


def show(value: int, precision: int) -> str:
    """A scaled integer as a decimal string (``10125`` at 2 is ``101.25``)."""
    return str(Decimal(int(value)).scaleb(-precision))


def show_ts(ts: int) -> str:
    """A nanosecond timestamp as ISO 8601 UTC."""
    return unix_nanos_to_iso8601(int(ts))


def _previous_max(values: IntArray) -> IntArray:
    """For each row, the largest value in the rows before it (the first row gets its own)."""
    if not len(values):
        return values
    running = np.maximum.accumulate(values)
    return np.concatenate((values[:1], running[:-1]))


def timestamps_not_increasing(ts_event: IntArray, ts_init: IntArray) -> Finding:
    """Rows whose ``ts_event`` or ``ts_init`` is earlier than a previous row's."""
    event_max, init_max = _previous_max(ts_event), _previous_max(ts_init)
    mask = (ts_event < event_max) | (ts_init < init_max)

    def describe(row: int) -> str:
        if ts_event[row] < event_max[row]:
            return f"ts_event {show_ts(ts_event[row])} after {show_ts(event_max[row])}"
        return f"ts_init {show_ts(ts_init[row])} after {show_ts(init_max[row])}"

    return Finding(Problem.TIMESTAMP_NOT_INCREASING, mask, describe)


def _first_seen(codes: npt.NDArray[Any]) -> BoolArray:
    """Whether each row repeats a value seen in an earlier row."""
    _, first = np.unique(codes, return_index=True)
    repeated = np.ones(len(codes), dtype=bool)
    repeated[first] = False
    return repeated


def duplicates(columns: dict[str, Any], what: str) -> Finding:
    """Rows equal to an earlier row on ``columns`` (``what`` names the key in details).

    A column may be a numpy array or an Arrow array (strings are hashed by Arrow).
    """
    values = {
        name: column.dictionary_encode().indices.to_numpy(zero_copy_only=False)
        if isinstance(column, pa.Array)
        else np.asarray(column)
        for name, column in columns.items()
    }
    if len(values) == 1:
        [codes] = values.values()
        mask = _first_seen(codes) if codes.dtype != object else _pandas_duplicated(values)
    else:
        mask = _pandas_duplicated(values)

    def describe(row: int) -> str:
        same = np.logical_and.reduce([codes == codes[row] for codes in values.values()])
        first = int(np.flatnonzero(same)[0])
        key = [
            column[row].as_py() if isinstance(column, pa.Array) else column[row]
            for column in columns.values()
        ]
        shown = key[0] if len(key) == 1 else tuple(key)
        return f"same {what} {shown} as row {first}"

    return Finding(Problem.DUPLICATE, mask, describe)


def _pandas_duplicated(values: dict[str, npt.NDArray[Any]]) -> BoolArray:
    frame = pd.DataFrame(values)
    mask: BoolArray = frame.duplicated(keep="first").to_numpy()
    return mask


def gaps(
    ts: IntArray, sessions: TradingSessions, limit_ns: int, *, unit: str | None = None
) -> Finding:
    """Rows after more than ``limit_ns`` of trading time since the previous row.

    With ``unit`` (bars), the detail counts the missing intervals.
    """
    clock = sessions.clock(ts)
    elapsed = np.concatenate(([0], np.diff(clock))) if len(clock) else clock
    mask = elapsed > limit_ns

    def describe(row: int) -> str:
        span = f"after {show_ts(ts[row - 1])} to {show_ts(ts[row])}"
        if unit is not None:
            return f"{int(elapsed[row] // limit_ns) - 1} {unit} missing {span}"
        return f"{elapsed[row] / 1e9:.3f} s of trading time {span}"

    return Finding(Problem.GAP, mask, describe)


def out_of_session(ts: IntArray, sessions: TradingSessions) -> Finding:
    """Rows stamped outside every trading session."""
    mask = ~sessions.in_session(ts)
    return Finding(
        Problem.OUT_OF_SESSION, mask, lambda row: f"ts_event {show_ts(ts[row])} outside sessions"
    )


def ohlc_inconsistent(
    o: IntArray, h: IntArray, low: IntArray, c: IntArray, precision: int
) -> Finding:
    """Bars whose high is below open, close or low, or whose low is above open or close."""
    mask = (h < o) | (h < c) | (h < low) | (low > o) | (low > c)

    def describe(row: int) -> str:
        values = ", ".join(
            f"{name}={show(column[row], precision)}"
            for name, column in (("open", o), ("high", h), ("low", low), ("close", c))
        )
        return f"inconsistent {values}"

    return Finding(Problem.OHLC_INCONSISTENT, mask, describe)


def non_positive(columns: Sequence[tuple[str, IntArray, int, BoolArray | None]]) -> Finding:
    """Rows where a named column is zero or negative; each entry is ``(name, values,
    precision, applies)`` with ``applies`` restricting the rows checked (None: all)."""
    count = len(columns[0][1])
    mask = np.zeros(count, dtype=bool)
    for _, values, _, applies in columns:
        bad = values <= 0
        mask |= bad if applies is None else bad & applies

    def describe(row: int) -> str:
        for name, values, precision, applies in columns:
            if values[row] <= 0 and (applies is None or applies[row]):
                return f"{name} {show(values[row], precision)} is not positive"
        return "not positive"  # pragma: no cover - only rows in the mask are described

    return Finding(Problem.NON_POSITIVE, mask, describe)


def crossed_and_locked(bid: IntArray, ask: IntArray, precision: int) -> tuple[Finding, Finding]:
    """Quotes with bid above ask (crossed) and bid equal to ask (locked)."""

    def describe(row: int) -> str:
        return f"bid {show(bid[row], precision)}, ask {show(ask[row], precision)}"

    return (
        Finding(Problem.CROSSED_BOOK, bid > ask, describe),
        Finding(Problem.LOCKED_BOOK, bid == ask, describe),
    )


def sequence_checks(sequence: IntArray, *, gaps_too: bool) -> list[Finding]:
    """Sequence numbers going back, and (optionally) jumping by more than one.

    Rows with sequence 0 (venue without sequence numbers) are not checked.
    """
    numbered = sequence > 0
    seq = np.where(numbered, sequence, 0)
    previous = _previous_max(seq)
    back = numbered & (seq < previous)
    findings = [
        Finding(
            Problem.SEQUENCE_NOT_INCREASING,
            back,
            lambda row: f"sequence {seq[row]} after {previous[row]}",
        )
    ]
    if gaps_too:
        jump = numbered & (previous > 0) & (seq > previous + 1)
        findings.append(
            Finding(
                Problem.SEQUENCE_GAP,
                jump,
                lambda row: (
                    f"sequence {seq[row]} after {previous[row]} "
                    f"({seq[row] - previous[row] - 1} missing)"
                ),
            )
        )
    return findings


def _side_medians(values: npt.NDArray[np.float64], half: int) -> tuple[Any, Any]:
    """Medians of the ``half`` rows before and after each row (NaN where there are none).

    One trailing rolling median serves both sides: the rows before row ``i`` are the window
    ending at ``i - 1``, the rows after it the window ending at ``i + half``.
    """
    count = len(values)
    trailing = pd.Series(values).rolling(half, min_periods=1).median().to_numpy()
    before = np.concatenate(([np.nan], trailing[:-1]))
    after = np.full(count, np.nan)
    if count > half:
        after[: count - half] = trailing[half:]
    tail = values[max(count - half - 1, 0) :][::-1]  # the last rows have shorter windows after
    tail_after = pd.Series(tail).expanding().median().shift(1).to_numpy()[::-1]
    after[count - len(tail) :] = tail_after
    return before, after


def outliers(
    prices: IntArray, precision: int, candidates: BoolArray, config: ValidationConfig
) -> Finding:
    """Prices far from their neighbours on both sides (rows outside ``candidates`` skipped).

    A row is compared with the median of the rows before it and the median of the rows after
    it (half an ``outlier_window`` each) and scored by its distance to the nearer one, so a
    lone spike is flagged while both rows at the edge of a lasting level shift agree with one
    side and are not. The distance is scored as a robust z-score (against the median absolute
    deviation of the centred window) and as a fraction of that median.
    """
    count = len(prices)
    mask = np.zeros(count, dtype=bool)
    rows = np.flatnonzero(candidates)
    if (config.outlier_zscore is None and config.outlier_pct is None) or len(rows) < 3:
        return Finding(Problem.OUTLIER, mask, lambda row: "")
    values = prices[rows].astype(np.float64) / 10.0**precision
    window = min(config.outlier_window, len(rows) | 1)
    before, after = _side_medians(values, max(window // 2, 1))
    gap_before, gap_after = np.abs(values - before), np.abs(values - after)
    deviation = np.fmin(gap_before, gap_after)  # NaN only where a row has no neighbours
    reference = np.where(np.isnan(gap_after) | (gap_before <= gap_after), before, after)
    centre = pd.Series(values).rolling(window, center=True, min_periods=1).median().to_numpy()
    spread = pd.Series(np.abs(values - centre)).rolling(window, center=True, min_periods=1)
    scale = np.maximum(
        1.4826 * spread.median().to_numpy(), np.abs(centre) * config.outlier_min_scale
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        zscore = np.where(scale > 0, deviation / scale, np.inf)
        relative = np.where(reference != 0, deviation / np.abs(reference), np.inf)
    flagged = np.zeros(len(rows), dtype=bool)
    if config.outlier_zscore is not None:
        flagged |= zscore > config.outlier_zscore
    if config.outlier_pct is not None:
        flagged |= relative > config.outlier_pct
    mask[rows[flagged]] = True
    position = {int(row): index for index, row in enumerate(rows)}

    def describe(row: int) -> str:
        index = position[row]
        return (
            f"price {show(prices[row], precision)} vs neighbours' median "
            f"{reference[index]:.{precision}f} (z {zscore[index]:.1f}, {relative[index]:.1%})"
        )

    return Finding(Problem.OUTLIER, mask, describe)
