"""Trading sessions: when a market trades, so that nights, weekends and holidays are not gaps.

`TradingSessions` maps timestamps to a *session clock*: the trading time elapsed since an
origin, which stands still while the market is closed. A gap in data is then measured on that
clock, so the jump from 15:30 one day to 09:15 the next is no gap on NSE.

Presets: `TradingSessions.always_open` (crypto, 24/7) and `TradingSessions.nse` (09:15-15:30
Asia/Kolkata, Monday to Friday, minus a holiday calendar you pass in; NSE publishes it yearly).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd  # type: ignore[import-untyped]

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.core.time import NANOS_PER_DAY, NANOS_PER_SECOND

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
_WEEKDAYS: Final = "1111100"
_ORIGIN_DAY: Final = np.datetime64("1970-01-01", "D")


def _time_ns(value: time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * NANOS_PER_SECOND + (
        value.microsecond * 1_000
    )


@dataclass(frozen=True, slots=True)
class TradingSessions:
    """One trading session a day, in a time zone, on business days minus holidays.

    Args:
        timezone: IANA name of the exchange's time zone (``Asia/Kolkata``); None means the
            market never closes (and the other fields are ignored).
        open: session start, local time.
        close: session end, local time (after ``open``).
        weekmask: seven ``0``/``1`` characters, Monday first (``1111100``: weekdays).
        holidays: local dates without a session.
    """

    timezone: str | None = None
    open: time = time(0, 0)
    close: time = time(23, 59, 59)
    weekmask: str = _WEEKDAYS
    holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.timezone is None:
            return
        if len(self.weekmask) != 7 or set(self.weekmask) - {"0", "1"} or "1" not in self.weekmask:
            raise InvalidInputError(
                f"weekmask must be seven 0/1 characters with at least one 1, got {self.weekmask!r}"
            )
        if self.close <= self.open:
            raise InvalidInputError(f"session close {self.close} must be after open {self.open}")
        try:
            pd.Timestamp(0, tz=self.timezone)
        except Exception as exc:
            raise InvalidInputError(f"unknown time zone {self.timezone!r}: {exc}") from exc

    @classmethod
    def always_open(cls) -> TradingSessions:
        """A market that never closes (crypto)."""
        return cls()

    @classmethod
    def nse(cls, holidays: Iterable[date] = ()) -> TradingSessions:
        """NSE equity and derivatives: 09:15-15:30 IST, Monday to Friday, minus ``holidays``."""
        return cls("Asia/Kolkata", time(9, 15), time(15, 30), _WEEKDAYS, frozenset(holidays))

    @property
    def is_always_open(self) -> bool:
        """Whether the market never closes."""
        return self.timezone is None

    @property
    def session_ns(self) -> int:
        """Length of one session in nanoseconds."""
        if self.timezone is None:
            return NANOS_PER_DAY
        return _time_ns(self.close) - _time_ns(self.open)

    def _local(self, ts: IntArray) -> tuple[IntArray, IntArray]:
        """Local day numbers (days since 1970-01-01) and nanoseconds into the local day."""
        index = pd.DatetimeIndex(pd.to_datetime(ts, unit="ns", utc=True)).tz_convert(self.timezone)
        wall = index.tz_localize(None).as_unit("ns").asi8
        return wall // NANOS_PER_DAY, wall % NANOS_PER_DAY

    def _holidays(self) -> list[Any]:
        return sorted(np.datetime64(day, "D") for day in self.holidays)

    def trading_days(self, days: IntArray) -> BoolArray:
        """Whether each local day number is a trading day."""
        dates = _ORIGIN_DAY + days.astype("timedelta64[D]")
        return np.is_busday(dates, weekmask=self.weekmask, holidays=self._holidays())

    def in_session(self, ts: IntArray) -> BoolArray:
        """Whether each timestamp falls inside a session (both ends included)."""
        ts = np.asarray(ts, dtype=np.int64)
        if self.timezone is None:
            return np.ones(len(ts), dtype=bool)
        days, tod = self._local(ts)
        within = (tod >= _time_ns(self.open)) & (tod <= _time_ns(self.close))
        return within & self.trading_days(days)

    def clock(self, ts: IntArray) -> IntArray:
        """The session clock: trading nanoseconds from an origin to each timestamp.

        Outside sessions the clock stands still at the last session's end (or the next
        session's start, which is the same reading).
        """
        ts = np.asarray(ts, dtype=np.int64)
        if self.timezone is None:
            return ts
        days, tod = self._local(ts)
        dates = _ORIGIN_DAY + days.astype("timedelta64[D]")
        holidays = self._holidays()
        before = np.busday_count(_ORIGIN_DAY, dates, weekmask=self.weekmask, holidays=holidays)
        length = self.session_ns
        into = np.clip(tod - _time_ns(self.open), 0, length)
        into = np.where(np.is_busday(dates, weekmask=self.weekmask, holidays=holidays), into, 0)
        return before.astype(np.int64) * length + into
