"""Account events."""

from __future__ import annotations

import msgspec

from shrivenquant.model.balances import AccountBalance, MarginBalance
from shrivenquant.model.currency import Currency
from shrivenquant.model.enums import AccountType
from shrivenquant.model.identifiers import AccountId
from shrivenquant.model.messages import Event


class AccountState(Event, frozen=True, kw_only=True, gc=False):
    """The balances and margins of an account at a moment.

    ``reported`` is True when the venue reported the state, False when ShrivenQuant
    calculated it from fills and orders. ``base_currency`` is None for multi-currency accounts.

    Holds only values, ids and lists of balances (no reference cycles possible), so it is not
    tracked by the cyclic garbage collector (``gc=False``): accounts keep every state.
    """

    account_id: AccountId
    account_type: AccountType
    base_currency: Currency | None
    balances: list[AccountBalance]
    margins: list[MarginBalance] = msgspec.field(default_factory=list)
    reported: bool = True
    info: dict[str, str] = msgspec.field(default_factory=dict)

    def __post_init__(self) -> None:
        seen = set()
        for balance in self.balances:
            code = balance.total._currency.code
            if code in seen:
                raise ValueError(f"AccountState has two balances in {code}")
            seen.add(code)

    def balance(self, currency: Currency) -> AccountBalance | None:
        """The balance in ``currency``, if the account holds any."""
        for balance in self.balances:
            if balance.total._currency == currency:
                return balance
        return None


ACCOUNT_EVENT_TYPES = (AccountState,)
