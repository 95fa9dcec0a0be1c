"""Build the right account type from an account state."""

from __future__ import annotations

from shrivenquant.model.accounts.base import Account
from shrivenquant.model.accounts.cash import CashAccount
from shrivenquant.model.accounts.margin import MarginAccount
from shrivenquant.model.enums import AccountType
from shrivenquant.model.events.account import AccountState


def account_from_state(event: AccountState, calculate_account_state: bool = False) -> Account:
    """A `CashAccount` or `MarginAccount` built from its first state.

    Raises:
        ValueError: the account type is not supported.
    """
    if event.account_type is AccountType.CASH:
        return CashAccount(event, calculate_account_state)
    if event.account_type is AccountType.MARGIN:
        return MarginAccount(event, calculate_account_state)
    raise ValueError(f"unsupported account type {event.account_type} for {event.account_id}")
