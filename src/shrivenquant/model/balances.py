"""Account balance types: cash balances (total = locked + free) and margin requirements."""

from __future__ import annotations

import msgspec

from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.model.values import Money


class AccountBalance(msgspec.Struct, frozen=True, kw_only=True):
    """One currency's balance: ``total == locked + free``, all in the same currency.

    ``locked`` is held against open orders (or margin); ``free`` can fund new orders.
    """

    total: Money
    locked: Money
    free: Money

    def __post_init__(self) -> None:
        currency = self.total.currency
        if self.locked.currency != currency or self.free.currency != currency:
            raise ValueError(
                f"AccountBalance mixes currencies: total {self.total}, locked {self.locked}, "
                f"free {self.free}"
            )
        if self.locked.raw < 0:
            raise ValueError(f"AccountBalance.locked must not be negative, got {self.locked}")
        if self.total.raw != self.locked.raw + self.free.raw:
            raise ValueError(
                f"AccountBalance must have total == locked + free, got total {self.total}, "
                f"locked {self.locked}, free {self.free}"
            )

    @classmethod
    def from_total_locked(cls, total: Money, locked: Money) -> AccountBalance:
        """Build from total and locked; free is what remains."""
        return cls(total=total, locked=locked, free=total - locked)


class MarginBalance(msgspec.Struct, frozen=True, kw_only=True):
    """Margin held for one instrument (or the whole account when ``instrument_id`` is None)."""

    initial: Money
    maintenance: Money
    instrument_id: InstrumentId | None = None

    def __post_init__(self) -> None:
        if self.initial.currency != self.maintenance.currency:
            raise ValueError(
                f"MarginBalance mixes currencies: initial {self.initial}, "
                f"maintenance {self.maintenance}"
            )
        if self.initial.raw < 0 or self.maintenance.raw < 0:
            raise ValueError(
                f"MarginBalance amounts must not be negative: initial {self.initial}, "
                f"maintenance {self.maintenance}"
            )
