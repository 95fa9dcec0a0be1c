"""Accounts in the cache: the account objects and the latest `AccountState` of each account.

The cache sits below the portfolio, which owns the account behaviour, so it stores any object
with an ``id`` (`AccountLike`); `shrivenquant.model.accounts.Account` fits.
"""

from __future__ import annotations

from typing import Protocol

from shrivenquant.model.events import AccountState
from shrivenquant.model.identifiers import AccountId, Venue


class AccountLike(Protocol):
    """What the cache needs of an account: its id."""

    @property
    def id(self) -> AccountId:
        """The account's id."""
        ...


class AccountStore:
    """Account objects by id and the latest state reported or calculated for each account."""

    __slots__ = ("accounts", "states")

    def __init__(self) -> None:
        self.accounts: dict[AccountId, AccountLike] = {}
        self.states: dict[AccountId, AccountState] = {}


class AccountQueries:
    """Read-only account queries, shared by `Cache` and `CacheView`."""

    __slots__ = ()
    _accounts: AccountStore

    def account(self, account_id: AccountId) -> AccountLike | None:
        """The account object ``account_id``, or None."""
        return self._accounts.accounts.get(account_id)

    def accounts(self) -> list[AccountLike]:
        """Every cached account object."""
        return list(self._accounts.accounts.values())

    def account_for_venue(self, venue: Venue) -> AccountLike | None:
        """The first account whose issuer is ``venue`` (``BINANCE-001`` for BINANCE)."""
        for account_id, account in self._accounts.accounts.items():
            if account_id.issuer == venue.value:
                return account
        return None

    def account_state(self, account_id: AccountId) -> AccountState | None:
        """The latest `AccountState` of the account, or None."""
        return self._accounts.states.get(account_id)

    def account_states(self) -> list[AccountState]:
        """The latest state of every account that has one."""
        return list(self._accounts.states.values())
