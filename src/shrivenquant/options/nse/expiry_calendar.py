"""Expiry calendar of NSE index options: weekly and monthly rules with holiday shifts.

The monthly contract expires on the last ``monthly_expiry_weekday`` of the month; weekly
contracts (where the spec has a weekly weekday) on every such weekday. An expiry that falls on
an exchange holiday or a weekend moves to the previous trading day. Holidays are configuration
(NSE publishes the list each year).

Times to expiry are ACT/365 in calendar time from a UTC instant to the expiry time in IST.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum, unique
from zoneinfo import ZoneInfo

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.options.nse.contracts import IndexOptionSpec

IST = ZoneInfo("Asia/Kolkata")
_NS_PER_YEAR = 365 * 86_400 * 1_000_000_000


@unique
class ExpiryKind(Enum):
    """Weekly or monthly contract."""

    WEEKLY = "weekly"
    MONTHLY = "monthly"


class ExpiryCalendar:
    """Expiry dates of index options given the exchange's holidays."""

    def __init__(self, holidays: Iterable[date] = ()) -> None:
        """Args: holidays: exchange trading holidays (weekends are always closed)."""
        self._holidays = frozenset(holidays)

    def is_trading_day(self, day: date) -> bool:
        """True on a weekday that is not a holiday."""
        return day.weekday() < 5 and day not in self._holidays

    def previous_trading_day(self, day: date) -> date:
        """``day`` itself if it trades, else the last trading day before it."""
        for _ in range(30):
            if self.is_trading_day(day):
                return day
            day -= timedelta(days=1)
        raise InvalidInputError(f"no trading day in the 30 days before {day}")

    def monthly_expiry(self, spec: IndexOptionSpec, year: int, month: int) -> date:
        """The monthly contract's expiry in ``year``/``month``, after any holiday shift."""
        last = date(year, month, calendar.monthrange(year, month)[1])
        back = (last.weekday() - spec.monthly_expiry_weekday) % 7
        return self.previous_trading_day(last - timedelta(days=back))

    def expiries(
        self, spec: IndexOptionSpec, start: date, end: date
    ) -> list[tuple[date, ExpiryKind]]:
        """Every expiry of ``spec`` in ``[start, end]``, in order, with its kind.

        The weekly expiry that falls on the monthly expiry's day is the monthly contract.
        """
        if end < start:
            raise InvalidInputError(f"end {end} is before start {start}")
        result: dict[date, ExpiryKind] = {}
        year, month = start.year, start.month
        while date(year, month, 1) <= end:
            monthly = self.monthly_expiry(spec, year, month)
            if start <= monthly <= end:
                result[monthly] = ExpiryKind.MONTHLY
            month += 1
            if month == 13:
                year, month = year + 1, 1
        if spec.weekly_expiry_weekday is not None:
            day = start + timedelta(days=(spec.weekly_expiry_weekday - start.weekday()) % 7)
            while day <= end + timedelta(days=6):
                shifted = self.previous_trading_day(day)
                if start <= shifted <= end:
                    result.setdefault(shifted, ExpiryKind.WEEKLY)  # the monthly keeps its kind
                day += timedelta(days=7)
        return sorted(result.items())

    def next_expiry(self, spec: IndexOptionSpec, on: date, kind: ExpiryKind | None = None) -> date:
        """The first expiry on or after ``on`` (of ``kind`` if given)."""
        found = [
            d for d, k in self.expiries(spec, on, on + timedelta(days=70))
            if kind is None or k is kind
        ]  # fmt: skip
        if not found:
            raise InvalidInputError(f"no {kind or ''} expiry of {spec.underlying} after {on}")
        return found[0]


def expiry_instant_ns(spec: IndexOptionSpec, expiry: date) -> int:
    """The expiry moment (``spec.expiry_time`` IST on ``expiry``) as UTC nanoseconds."""
    hours, minutes = (int(p) for p in spec.expiry_time.split(":"))
    moment = datetime.combine(expiry, time(hours, minutes), tzinfo=IST).astimezone(UTC)
    return int(moment.timestamp()) * 1_000_000_000


def year_fraction_to_expiry(now_ns: int, spec: IndexOptionSpec, expiry: date) -> float:
    """Years (ACT/365, calendar time) from ``now_ns`` (UTC ns) to the expiry; 0 once passed."""
    return max(expiry_instant_ns(spec, expiry) - now_ns, 0) / _NS_PER_YEAR


__all__ = [
    "IST",
    "ExpiryCalendar",
    "ExpiryKind",
    "expiry_instant_ns",
    "year_fraction_to_expiry",
]
