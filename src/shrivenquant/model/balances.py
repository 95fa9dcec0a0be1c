"""Account balance types: cash balances (total = locked + free) and margin requirements."""

from __future__ import annotations

import msgspec

from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.model.values import Money


class AccountBalance(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One currency's balance: ``total == locked + free``, all in the same currency.

    ``locked`` is held against open orders (or margin); ``free`` can fund new orders. Holds
    only values (no reference cycles possible), so the cyclic garbage collector does not track
    it (``gc=False``): account states keep many.
    """

    total: Money
    locked: Money
    free: Money

    def __post_init__(self) -> None:
        total, locked, free = self.total, self.locked, self.free
        currency = total._currency
        if (locked._currency is not currency and locked._currency != currency) or (
            free._currency is not currency and free._currency != currency
        ):
            raise ValueError(
                f"AccountBalance mixes currencies: total {self.total}, locked {self.locked}, "
                f"free {self.free}"
            )
        if locked._raw < 0:
            raise ValueError(f"AccountBalance.locked must not be negative, got {self.locked}")
        if total._raw != locked._raw + free._raw:
            raise ValueError(
                f"AccountBalance must have total == locked + free, got total {self.total}, "
                f"locked {self.locked}, free {self.free}"
            )

    @classmethod
    def from_total_locked(cls, total: Money, locked: Money) -> AccountBalance:
        """Build from total and locked; free is what remains."""
        return cls(total=total, locked=locked, free=total - locked)


class MarginBalance(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """Margin held for one instrument (or the whole account when ``instrument_id`` is None).

    Holds only values and an id, so it is not tracked by the cyclic garbage collector.
    """

    initial: Money
    maintenance: Money
    instrument_id: InstrumentId | None = None

    def __post_init__(self) -> None:
        if self.initial._currency != self.maintenance._currency:
            raise ValueError(
                f"MarginBalance mixes currencies: initial {self.initial}, "
                f"maintenance {self.maintenance}"
            )
        if self.initial._raw < 0 or self.maintenance._raw < 0:
            raise ValueError(
                f"MarginBalance amounts must not be negative: initial {self.initial}, "
                f"maintenance {self.maintenance}"
            )
