"""Time arguments of catalog queries: nanoseconds, datetimes, pandas timestamps or ISO strings."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import TypeAlias

import pandas as pd  # type: ignore[import-untyped]

from shrivenquant.core.time import dt_to_unix_nanos, iso8601_to_unix_nanos
from shrivenquant.persistence.catalog.errors import CatalogError

TimeLike: TypeAlias = int | datetime | pd.Timestamp | str
"""A point in time: int nanoseconds since the Unix epoch (UTC), an aware datetime or pandas
Timestamp, or an ISO-8601 string (UTC when it has no offset; a bare date is midnight UTC)."""


def to_ns(value: TimeLike | None, what: str = "time") -> int | None:
    """Convert a `TimeLike` to int nanoseconds (None stays None).

    Raises:
        CatalogError: the value is a naive datetime, an unparseable string or another type.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise CatalogError(f"{what} must be a time, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, pd.Timestamp):
        if value.tzinfo is None:
            raise CatalogError(f"{what} must be timezone-aware, got naive {value}")
        return int(value.value)
    if isinstance(value, datetime):
        try:
            return dt_to_unix_nanos(value)
        except ValueError as exc:
            raise CatalogError(f"{what}: {exc}") from exc
    if isinstance(value, str):
        try:
            if len(value) == 10:  # a bare date: midnight UTC
                return dt_to_unix_nanos(datetime.combine(date.fromisoformat(value), time(), UTC))
            return iso8601_to_unix_nanos(value)
        except ValueError as exc:
            raise CatalogError(f"{what}: {exc}") from exc
    raise CatalogError(f"{what} must be int ns, datetime or ISO string, got {type(value).__name__}")
