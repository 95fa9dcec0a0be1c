"""Contract specifications of NSE index options (NIFTY, BANKNIFTY, FINNIFTY).

Lot sizes, strike intervals and expiry days are revised by NSE from time to time, so every field
is configurable. The defaults follow the exchange's circulars: expiries on Tuesdays with weekly
contracts only on NIFTY (from September 2025), and the lot sizes of the October 2025 revision that
apply from the January 2026 expiries (NIFTY 65, BANKNIFTY 30, FINNIFTY 60; contracts expiring up
to 30 December 2025 traded in lots of 75, 35 and 65). Override them from the exchange's current
contract master (for example the broker's instrument dump) when NSE revises them again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from shrivenquant.core.errors import InvalidInputError

MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY = range(5)


@dataclass(frozen=True, slots=True)
class IndexOptionSpec:
    """What one index option contract is.

    Attributes:
        underlying: index symbol as NSE writes it, e.g. ``"NIFTY"``.
        lot_size: units of the index per contract (premium and P&L are per unit).
        strike_step: distance between listed strikes, in index points.
        tick_size: premium tick in rupees.
        weekly_expiry_weekday: weekday (Monday 0) of weekly expiries, or None if only monthly.
        monthly_expiry_weekday: the monthly contract expires on the last such weekday of the month.
        expiry_time: local (IST) time of expiry, ``"HH:MM"``.
    """

    underlying: str
    lot_size: int
    strike_step: int
    tick_size: Decimal = Decimal("0.05")
    weekly_expiry_weekday: int | None = None
    monthly_expiry_weekday: int = TUESDAY
    expiry_time: str = "15:30"

    def __post_init__(self) -> None:
        if not self.underlying or not self.underlying.isupper():
            raise InvalidInputError(
                f"underlying must be an upper-case symbol, got {self.underlying!r}"
            )
        if self.lot_size < 1:
            raise InvalidInputError(
                f"{self.underlying}: lot_size must be >= 1, got {self.lot_size}"
            )
        if self.strike_step < 1:
            raise InvalidInputError(
                f"{self.underlying}: strike_step must be >= 1, got {self.strike_step}"
            )
        if self.tick_size <= 0:
            raise InvalidInputError(f"{self.underlying}: tick_size must be > 0")
        for name, day in (("weekly_expiry_weekday", self.weekly_expiry_weekday),
                          ("monthly_expiry_weekday", self.monthly_expiry_weekday)):  # fmt: skip
            if day is not None and not 0 <= day <= 4:
                raise InvalidInputError(f"{self.underlying}: {name} must be 0-4, got {day}")
        hours, _, minutes = self.expiry_time.partition(":")
        if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
            raise InvalidInputError(f"{self.underlying}: expiry_time must be HH:MM")

    def with_lot_size(self, lot_size: int) -> IndexOptionSpec:
        """A copy with another lot size (NSE revises them periodically)."""
        return replace(self, lot_size=lot_size)

    def nearest_strike(self, price: float) -> int:
        """The listed strike closest to ``price`` (ties go up)."""
        if not price > 0.0:
            raise InvalidInputError(f"price must be > 0, got {price}")
        return int((price / self.strike_step + 0.5) // 1) * self.strike_step


DEFAULT_SPECS: Mapping[str, IndexOptionSpec] = {
    "NIFTY": IndexOptionSpec("NIFTY", lot_size=65, strike_step=50, weekly_expiry_weekday=TUESDAY),
    "BANKNIFTY": IndexOptionSpec("BANKNIFTY", lot_size=30, strike_step=100),
    "FINNIFTY": IndexOptionSpec("FINNIFTY", lot_size=60, strike_step=50),
}


def spec_for(
    underlying: str, overrides: Mapping[str, IndexOptionSpec] | None = None
) -> IndexOptionSpec:
    """The spec of ``underlying``, from ``overrides`` first, then the defaults."""
    if overrides is not None and underlying in overrides:
        return overrides[underlying]
    try:
        return DEFAULT_SPECS[underlying]
    except KeyError:
        known = sorted({*DEFAULT_SPECS, *(overrides or {})})
        raise InvalidInputError(f"no contract spec for {underlying!r}; known: {known}") from None


__all__ = ["DEFAULT_SPECS", "IndexOptionSpec", "spec_for"]
