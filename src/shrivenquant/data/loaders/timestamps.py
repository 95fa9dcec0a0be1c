"""Timestamp columns to UTC nanoseconds: epoch numbers in any unit, or date-time strings.

- Epoch numbers (integers, or decimal strings such as ``1704067200.5``) in seconds,
  milliseconds, microseconds or nanoseconds are converted exactly; ``unit="auto"`` picks the
  unit from their magnitude (a 2024 time is about 1.7e9 s, 1.7e12 ms, 1.7e15 us, 1.7e18 ns)
  and refuses numbers below 1e9, which could be dates (``20240101``) or times before 2001.
- Date-time strings (ISO 8601 by default, or a ``strptime`` format) with a UTC offset are exact
  instants; strings without one are wall-clock times in ``timezone`` (``Asia/Kolkata``) and are
  converted to UTC. A wall-clock time that does not exist or is ambiguous there (daylight
  saving changes) is refused with its row.
- Arrow timestamp and date columns (Parquet) follow the same rule: naive ones are local times.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from shrivenquant.data.loaders.decimals import parse_decimal_strings
from shrivenquant.data.loaders.errors import DataLoadError, SourceRows
from shrivenquant.persistence.catalog.columns import IntArray

NANOS_PER_UNIT: Final = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}
UNITS: Final = ("auto", "s", "ms", "us", "ns", "datetime")
_NUMERIC: Final = r"^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$"
_OFFSET: Final = re.compile(r"(Z|[+-]\d\d:?\d\d)$")
_INT64_MAX: Final = 2**63 - 1


@dataclass(frozen=True, slots=True)
class TimeFormat:
    """How a timestamp column is written.

    Args:
        unit: ``s``, ``ms``, ``us`` or ``ns`` for epoch numbers; ``datetime`` for date-time
            strings; ``auto`` decides per column (numbers by magnitude, else date-times).
        timezone: IANA zone of date-times written without a UTC offset (``Asia/Kolkata``).
        format: a ``strptime`` format for date-time strings (ISO 8601 when None).

    Raises:
        DataLoadError: an unknown unit or time zone.
    """

    unit: str = "auto"
    timezone: str = "UTC"
    format: str | None = None

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise DataLoadError(f"unknown timestamp unit {self.unit!r} (use one of {UNITS})")
        try:
            pd.Timestamp(0, tz=self.timezone)
        except (KeyError, ValueError, TypeError) as exc:
            raise DataLoadError(f"unknown time zone {self.timezone!r}: {exc}") from exc


def epoch_unit(magnitude: int) -> str:
    """The epoch unit of numbers as large as ``magnitude`` (2024 is ~1.7e9 s, 1.7e12 ms...)."""
    if magnitude < 10**11:
        return "s"
    if magnitude < 10**14:
        return "ms"
    if magnitude < 10**17:
        return "us"
    return "ns"


def _auto_unit(magnitude: int, count: int, what: str, rows: SourceRows) -> str:
    """The unit told by magnitude; numbers below 1e9 (2001 in seconds) are refused as
    ambiguous (``20240101`` is a date, not a time in 1970)."""
    if count and magnitude < 10**9:
        raise DataLoadError(
            f"{rows.name}: cannot tell the unit of {what} values as small as {magnitude}; "
            f"pass the unit (s, ms, us, ns) or a date-time format"
        )
    return epoch_unit(magnitude)


def timestamps_ns(
    column: pa.Array | pa.ChunkedArray, time: TimeFormat, what: str, rows: SourceRows
) -> IntArray:
    """Convert a timestamp column to int64 nanoseconds since the epoch, UTC.

    Raises:
        DataLoadError: an empty, malformed or out-of-range value (naming its row), or a
            wall-clock time that does not exist or is ambiguous in ``time.timezone``.
    """
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if array.null_count:
        row = int(np.flatnonzero(array.is_null().to_numpy(zero_copy_only=False))[0])
        raise DataLoadError(f"{rows.at(row)}: {what} is empty")
    kind = array.type
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        series = pd.Series(array.to_pandas())
        return _to_utc(pd.to_datetime(series), time, what, rows)
    if pa.types.is_integer(kind):
        return _epoch_integers(np.asarray(array.to_numpy(zero_copy_only=False)), time, what, rows)
    if pa.types.is_floating(kind):
        return _epoch_strings(pc.cast(array, pa.string()), time, what, rows)
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        raise DataLoadError(f"{rows.name}: column {what} holds {kind}, expected timestamps")
    unit = time.unit
    if unit == "auto":
        numeric = pc.all(pc.match_substring_regex(array, _NUMERIC)).as_py()
        unit = "numeric" if numeric else "datetime"
    if unit == "datetime":
        return _datetime_strings(array, time, what, rows)
    return _epoch_strings(array, time, what, rows)


def _epoch_integers(values: IntArray, time: TimeFormat, what: str, rows: SourceRows) -> IntArray:
    if time.unit == "datetime":
        raise DataLoadError(f"{rows.name}: {what} holds numbers, not date-time strings")
    if values.dtype == np.uint64 and values.size and int(values.max()) > _INT64_MAX:
        raise DataLoadError(f"{rows.name}: {what} has values beyond int64")
    ints = values.astype(np.int64)
    magnitude = int(np.abs(ints).max()) if ints.size else 0
    unit = _auto_unit(magnitude, len(ints), what, rows) if time.unit == "auto" else time.unit
    factor = NANOS_PER_UNIT[unit]
    if magnitude > _INT64_MAX // factor:
        row = int(np.argmax(np.abs(ints)))
        raise DataLoadError(f"{rows.at(row)}: {what} {ints[row]} {unit} is out of range")
    scaled: IntArray = ints * factor
    return scaled


def _epoch_strings(array: pa.Array, time: TimeFormat, what: str, rows: SourceRows) -> IntArray:
    if time.unit == "datetime":
        raise DataLoadError(f"{rows.name}: {what} holds numbers, not date-time strings")
    scaled, places = parse_decimal_strings(array, None, what, rows, bounded=False)
    if scaled.dtype == object:
        raise DataLoadError(f"{rows.name}: {what} has values beyond int64")
    step = 10**places
    magnitude = int(np.abs(scaled).max()) // step if scaled.size else 0
    unit = _auto_unit(magnitude, len(scaled), what, rows) if time.unit == "auto" else time.unit
    factor = NANOS_PER_UNIT[unit]
    if factor >= step:
        multiplier = factor // step
        if scaled.size and int(np.abs(scaled).max()) > _INT64_MAX // multiplier:
            row = int(np.argmax(np.abs(scaled)))
            raise DataLoadError(f"{rows.at(row)}: {what} is out of range for {unit}")
        widened: IntArray = scaled * multiplier
        return widened
    divisor = step // factor
    finer = np.flatnonzero(scaled % divisor)
    if len(finer):
        row = int(finer[0])
        raise DataLoadError(
            f"{rows.at(row)}: {what} {array[row].as_py()!r} {unit} is finer than a nanosecond"
        )
    narrowed: IntArray = scaled // divisor
    return narrowed


def _datetime_strings(array: pa.Array, time: TimeFormat, what: str, rows: SourceRows) -> IntArray:
    texts = pd.Series(pc.utf8_trim_whitespace(array).to_pylist(), dtype=object)
    fmt = time.format or "ISO8601"
    try:
        parsed = pd.to_datetime(texts, format=fmt)
    except ValueError as exc:
        if "Mixed timezones" not in str(exc):
            raise DataLoadError(_bad_datetime(texts, fmt, what, rows, exc)) from exc
        naive = [row for row, text in enumerate(texts) if not _OFFSET.search(text)]
        if naive:
            raise DataLoadError(
                f"{rows.at(naive[0])}: {what} {texts[naive[0]]!r} has no UTC offset while "
                f"other rows have one"
            ) from exc
        parsed = pd.to_datetime(texts, format=fmt, utc=True)
    return _to_utc(parsed, time, what, rows)


def _bad_datetime(texts: pd.Series, fmt: str, what: str, rows: SourceRows, exc: Exception) -> str:
    coerced = pd.to_datetime(texts, format=fmt, errors="coerce", utc=True)
    bad = np.flatnonzero(coerced.isna().to_numpy())
    shown = "ISO 8601" if fmt == "ISO8601" else f"the format {fmt!r}"
    if len(bad):
        row = int(bad[0])
        return f"{rows.at(row)}: {what} {texts[row]!r} is not a date-time in {shown}"
    return f"{rows.name}: {what} is not a date-time column in {shown}: {exc}"


def _to_utc(parsed: pd.Series, time: TimeFormat, what: str, rows: SourceRows) -> IntArray:
    if parsed.dt.tz is None:
        try:
            parsed = parsed.dt.tz_localize(time.timezone, ambiguous="raise", nonexistent="raise")
        except ValueError as exc:
            located = parsed.dt.tz_localize(time.timezone, ambiguous="NaT", nonexistent="NaT")
            row = int(np.flatnonzero(located.isna().to_numpy())[0])
            raise DataLoadError(
                f"{rows.at(row)}: {what} {parsed.iloc[row]} is not a unique wall-clock time in "
                f"{time.timezone} (a daylight saving change); give times with a UTC offset"
            ) from exc
    try:
        nanos = parsed.dt.tz_convert("UTC").dt.as_unit("ns").astype("int64")
    except (OverflowError, ValueError) as exc:
        raise DataLoadError(f"{rows.name}: {what} is out of the nanosecond range: {exc}") from exc
    result: IntArray = np.asarray(nanos.to_numpy(), dtype=np.int64)
    return result
