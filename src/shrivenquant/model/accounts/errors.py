"""Errors raised by accounts when an operation would break a balance invariant."""

from __future__ import annotations

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.model.identifiers import AccountId
from shrivenquant.model.values import Money


class AccountBalanceNegative(InvalidInputError):  # noqa: N818 - reads as the condition it reports
    """An operation would take a cash account's total or free balance below zero.

    The account is left unchanged. ``amount`` is the balance the operation would have left.
    """

    def __init__(self, account_id: AccountId, amount: Money, operation: str) -> None:
        self.account_id = account_id
        self.amount = amount
        self.operation = operation
        super().__init__(
            f"account {account_id}: {operation} would leave the {amount.currency.code} balance "
            f"at {amount}; a cash account balance cannot go negative"
        )


class InsufficientBalance(InvalidInputError):  # noqa: N818 - reads as the condition it reports
    """An order needs more than the free balance of its currency."""

    def __init__(self, account_id: AccountId, required: Money, free: Money) -> None:
        self.account_id = account_id
        self.required = required
        self.free = free
        super().__init__(
            f"account {account_id}: the order needs {required} but only {free} is free"
        )
