"""Accounts: balances per currency, locks for open orders, margins, commissions.

`Account` is the base; `CashAccount` funds every order in full and never lets a balance go
negative; `MarginAccount` holds initial and maintenance margin per instrument. Accounts change
only by applying `AccountState` events (`Account.apply`) or through the booking methods whose
result is recorded with `Account.generate_account_state`.
"""

from shrivenquant.model.accounts.base import Account
from shrivenquant.model.accounts.cash import CashAccount
from shrivenquant.model.accounts.errors import AccountBalanceNegative, InsufficientBalance
from shrivenquant.model.accounts.factory import account_from_state
from shrivenquant.model.accounts.margin import MarginAccount

__all__ = [
    "Account",
    "AccountBalanceNegative",
    "CashAccount",
    "InsufficientBalance",
    "MarginAccount",
    "account_from_state",
]
