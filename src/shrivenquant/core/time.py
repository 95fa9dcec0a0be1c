"""Nanosecond time helpers. All timestamps in ShrivenQuant are integer nanoseconds since the
UNIX epoch, UTC (``unix_nanos``)."""

from __future__ import annotations

import re
import time as _time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Final

NANOS_PER_MICRO: Final = 1_000
NANOS_PER_MILLI: Final = 1_000_000
NANOS_PER_SECOND: Final = 1_000_000_000
NANOS_PER_MINUTE: Final = 60 * NANOS_PER_SECOND
NANOS_PER_HOUR: Final = 60 * NANOS_PER_MINUTE
NANOS_PER_DAY: Final = 24 * NANOS_PER_HOUR

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_ISO_RE: Final = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$"
)


def unix_nanos_now() -> int:
    """The current wall-clock time in UNIX nanoseconds."""
    return _time.time_ns()


def secs_to_nanos(secs: float | int | Decimal) -> int:
    """Convert seconds to nanoseconds, rounding half-even to the nearest nanosecond."""
    if isinstance(secs, float):
        return round(Decimal(repr(secs)) * NANOS_PER_SECOND)
    return round(Decimal(secs) * NANOS_PER_SECOND)


def millis_to_nanos(millis: int | float) -> int:
    """Convert milliseconds (as venues often send them) to nanoseconds."""
    if isinstance(millis, int):
        return millis * NANOS_PER_MILLI
    return round(Decimal(repr(millis)) * NANOS_PER_MILLI)


def micros_to_nanos(micros: int) -> int:
    """Convert microseconds to nanoseconds."""
    return micros * NANOS_PER_MICRO


def nanos_to_secs(nanos: int) -> float:
    """Convert nanoseconds to (float) seconds, for display and analytics."""
    return nanos / NANOS_PER_SECOND


def nanos_to_millis(nanos: int) -> int:
    """Convert nanoseconds to whole milliseconds (truncating toward negative infinity)."""
    return nanos // NANOS_PER_MILLI


def dt_to_unix_nanos(dt: datetime) -> int:
    """Convert an aware `datetime` to UNIX nanoseconds; a naive one is refused."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"datetime must be timezone-aware, got naive {dt.isoformat()}")
    delta = dt - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * NANOS_PER_SECOND + delta.microseconds * 1_000


def unix_nanos_to_dt(nanos: int) -> datetime:
    """Convert UNIX nanoseconds to an aware UTC `datetime` (microsecond resolution)."""
    return _EPOCH + timedelta(microseconds=nanos // NANOS_PER_MICRO)


def unix_nanos_to_iso8601(nanos: int, nanos_precision: bool = True) -> str:
    """Format as ISO 8601 UTC, e.g. ``2024-01-02T03:04:05.123456789Z``."""
    secs, frac = divmod(nanos, NANOS_PER_SECOND)
    base = (_EPOCH + timedelta(seconds=secs)).strftime("%Y-%m-%dT%H:%M:%S")
    if nanos_precision:
        return f"{base}.{frac:09d}Z"
    return f"{base}.{frac // NANOS_PER_MILLI:03d}Z"


def iso8601_to_unix_nanos(text: str) -> int:
    """Parse an ISO 8601 timestamp with up to nanosecond digits.

    A timestamp without an offset is taken as UTC. Raises `ValueError` naming the input.
    """
    m = _ISO_RE.match(text.strip())
    if m is None:
        raise ValueError(f"not an ISO 8601 timestamp: {text!r}")
    year, month, day, hour, minute, second, frac, offset = m.groups()
    try:
        dt = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=UTC
        )
    except ValueError as exc:
        raise ValueError(f"not an ISO 8601 timestamp: {text!r} ({exc})") from None
    nanos = dt_to_unix_nanos(dt)
    if frac:
        nanos += int(frac.ljust(9, "0"))
    if offset and offset != "Z":
        sign = 1 if offset[0] == "+" else -1
        digits = offset[1:].replace(":", "")
        nanos -= sign * (int(digits[:2]) * NANOS_PER_HOUR + int(digits[2:]) * NANOS_PER_MINUTE)
    return nanos
