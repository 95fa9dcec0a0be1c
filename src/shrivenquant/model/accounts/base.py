"""The common base of cash and margin accounts: balances per currency, events, commissions.

An account is event-sourced: it is built from its first `AccountState` and every later state is
applied with `apply`, so replaying the journal's account states rebuilds it exactly. A state
updates only the currencies (and margins) it lists; the others keep their last value, as venues
report only the assets that changed.

For accounts whose state ShrivenQuant calculates (``calculate_account_state``), the portfolio
books fills (`apply_fill`) and open-order locks, then records the result as a new state with
`generate_account_state`. Every mutating method either succeeds completely or raises and leaves
the account unchanged.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_EVEN
from typing import ClassVar

from shrivenquant.core.uuid import UUID4
from shrivenquant.model.accounts._exact import notional, ratio, times, to_money, zero
from shrivenquant.model.accounts.errors import InsufficientBalance
from shrivenquant.model.balances import AccountBalance, MarginBalance
from shrivenquant.model.currency import Currency
from shrivenquant.model.enums import AccountType, LiquiditySide, OrderSide
from shrivenquant.model.events.account import AccountState
from shrivenquant.model.events.order import OrderFilled
from shrivenquant.model.identifiers import AccountId
from shrivenquant.model.instruments import Instrument
from shrivenquant.model.values import Money, Price, Quantity


class Account(ABC):
    """Balances per currency, the history of states, and the calculations shared by all accounts.

    Args:
        event: the first state of the account.
        calculate_account_state: True when ShrivenQuant calculates the balances from fills and
            orders; False when the venue reports them.
    """

    ACCOUNT_TYPE: ClassVar[AccountType]

    def __init__(self, event: AccountState, calculate_account_state: bool = False) -> None:
        if event.account_type is not self.ACCOUNT_TYPE:
            raise ValueError(
                f"{type(self).__name__} {event.account_id} needs a {self.ACCOUNT_TYPE} account "
                f"state, got {event.account_type}"
            )
        self.id: AccountId = event.account_id
        self.account_type: AccountType = event.account_type
        self.base_currency: Currency | None = event.base_currency
        self.calculate_account_state = calculate_account_state
        self._events: list[AccountState] = []
        self._balances: dict[Currency, AccountBalance] = {}
        self._commissions: dict[Currency, Money] = {}
        self.apply(event)
        self._starting = {currency: b.total for currency, b in self._balances.items()}

    # -- identity --------------------------------------------------------------------------
    @property
    def is_cash_account(self) -> bool:
        """Whether this is a cash account."""
        return self.account_type is AccountType.CASH

    @property
    def is_margin_account(self) -> bool:
        """Whether this is a margin account."""
        return self.account_type is AccountType.MARGIN

    @property
    def is_multi_currency(self) -> bool:
        """Whether the account holds balances in several currencies (no base currency)."""
        return self.base_currency is None

    # -- events ----------------------------------------------------------------------------
    @property
    def events(self) -> list[AccountState]:
        """Every state applied, oldest first (a copy)."""
        return list(self._events)

    @property
    def last_event(self) -> AccountState:
        """The latest state applied."""
        return self._events[-1]

    @property
    def event_count(self) -> int:
        """How many states were applied."""
        return len(self._events)

    def apply(self, event: AccountState) -> None:
        """Apply a state: its balances and margins replace those of the same currency/instrument.

        Raises:
            ValueError: the state belongs to another account, has another type or base
                currency, or lists a currency a single-currency account cannot hold.
            AccountBalanceNegative: (cash accounts) a balance in the state is negative.
        """
        if event.account_id != self.id:
            raise ValueError(f"account {self.id} cannot apply a state of {event.account_id}")
        if event.account_type is not self.account_type:
            raise ValueError(
                f"account {self.id} is {self.account_type}; cannot apply a "
                f"{event.account_type} state"
            )
        if event.base_currency != self.base_currency:
            raise ValueError(
                f"account {self.id} has base currency {self.base_currency}; the state says "
                f"{event.base_currency}"
            )
        balances = dict(self._balances)
        base = self.base_currency
        validate = self._validate_balance
        operation = lambda: f"applying state {event.event_id}"  # noqa: E731 - text only on error
        for balance in event.balances:
            currency = balance.total._currency
            if base is not None and currency is not base:
                self._check_currency(currency, "AccountState")
            validate(balance, operation)
            balances[currency] = balance
        self._apply_margins(event.margins)
        self._balances = balances
        self._events.append(event)

    def generate_account_state(
        self,
        ts_event: int,
        ts_init: int | None = None,
        reported: bool = False,
        info: dict[str, str] | None = None,
    ) -> AccountState:
        """Record the current balances and margins as a new state, apply it and return it."""
        event = AccountState(
            account_id=self.id,
            account_type=self.account_type,
            base_currency=self.base_currency,
            balances=[self._balances[c] for c in sorted(self._balances, key=_code)],
            margins=self._margin_list(),
            reported=reported,
            info=dict(info or {}),
            event_id=UUID4(),
            ts_event=ts_event,
            ts_init=ts_event if ts_init is None else ts_init,
        )
        self._events.append(event)  # a snapshot of the current state: nothing to apply
        return event

    # -- balances --------------------------------------------------------------------------
    def currencies(self) -> list[Currency]:
        """The currencies the account holds a balance in, sorted by code."""
        return sorted(self._balances, key=_code)

    def balances(self) -> dict[Currency, AccountBalance]:
        """Every balance by currency (a copy)."""
        return dict(self._balances)

    def starting_balances(self) -> dict[Currency, Money]:
        """The total balances of the first state."""
        return dict(self._starting)

    def balance(self, currency: Currency | None = None) -> AccountBalance | None:
        """The balance in ``currency`` (default: the base currency), or None if there is none.

        Raises:
            ValueError: no currency given for a multi-currency account.
        """
        return self._balances.get(self._resolve(currency))

    def balance_total(self, currency: Currency | None = None) -> Money | None:
        """The total balance in ``currency`` (default: the base currency), or None."""
        balance = self.balance(currency)
        return None if balance is None else balance.total

    def balance_free(self, currency: Currency | None = None) -> Money | None:
        """The free balance in ``currency`` (default: the base currency), or None."""
        balance = self.balance(currency)
        return None if balance is None else balance.free

    def balance_locked(self, currency: Currency | None = None) -> Money | None:
        """The locked balance in ``currency`` (default: the base currency), or None."""
        balance = self.balance(currency)
        return None if balance is None else balance.locked

    # -- commissions -----------------------------------------------------------------------
    def commissions(self) -> dict[Currency, Money]:
        """Commissions paid so far by currency (negative for net rebates)."""
        return dict(self._commissions)

    def commission(self, currency: Currency) -> Money | None:
        """Commissions paid so far in ``currency``, or None if none were."""
        return self._commissions.get(currency)

    def calculate_commission(
        self,
        instrument: Instrument,
        quantity: Quantity,
        price: Price,
        liquidity_side: LiquiditySide,
        rounding: str = ROUND_HALF_EVEN,
    ) -> Money:
        """The fee for trading ``quantity`` at ``price``: notional times the maker/taker rate.

        In the notional currency (quote for linear, base for inverse), rounded once.

        Raises:
            ValueError: ``liquidity_side`` is neither MAKER nor TAKER.
        """
        if liquidity_side is LiquiditySide.MAKER:
            rate = instrument.maker_fee
        elif liquidity_side is LiquiditySide.TAKER:
            rate = instrument.taker_fee
        else:
            raise ValueError(
                f"commission needs a MAKER or TAKER liquidity side, got {liquidity_side}"
            )
        amount = times(notional(instrument, quantity, price), ratio(rate))
        return to_money(amount, instrument.notional_currency, rounding)

    # -- fills -----------------------------------------------------------------------------
    @abstractmethod
    def calculate_pnls(
        self, instrument: Instrument, fill: OrderFilled, realized_pnl: Money | None = None
    ) -> list[Money]:
        """The balance changes a fill causes, before commission, one entry per currency leg."""

    def apply_fill(
        self, instrument: Instrument, fill: OrderFilled, realized_pnl: Money | None = None
    ) -> list[Money]:
        """Book a fill: its balance changes (`calculate_pnls`) and its commission.

        Args:
            instrument: the filled instrument.
            fill: the fill.
            realized_pnl: (margin accounts) the PnL the fill realized, before commission.

        Returns:
            The balance changes booked, commission included (as a negative amount).

        Raises:
            AccountBalanceNegative: (cash accounts) a balance would go below zero.
            ValueError: a single-currency account would need another currency.
        """
        account_id = fill.account_id
        if account_id is not self.id and account_id != self.id:
            raise ValueError(f"account {self.id} cannot book a fill of {account_id}")
        legs = self.calculate_pnls(instrument, fill, realized_pnl)
        commission = fill.commission
        if commission._raw:
            legs.append(-commission)
        self._book(legs, lambda: f"fill {fill.trade_id} of {fill.instrument_id}")
        if commission._raw:
            currency = commission._currency
            current = self._commissions.get(currency)
            self._commissions[currency] = commission if current is None else current + commission
        return legs

    # -- affordability ---------------------------------------------------------------------
    @abstractmethod
    def calculate_balance_locked(
        self, instrument: Instrument, side: OrderSide, quantity: Quantity, price: Price
    ) -> Money:
        """What an open order for ``quantity`` at ``price`` locks (rounded up)."""

    def check_balance(
        self, instrument: Instrument, side: OrderSide, quantity: Quantity, price: Price
    ) -> None:
        """Check that the free balance covers what the order would lock.

        Raises:
            InsufficientBalance: it does not.
        """
        required = self.calculate_balance_locked(instrument, side, quantity, price)
        if not required._raw:
            return
        free = self._balances.get(required._currency)
        available = zero(required._currency) if free is None else free.free
        if required > available:
            raise InsufficientBalance(self.id, required, available)

    def can_afford(
        self, instrument: Instrument, side: OrderSide, quantity: Quantity, price: Price
    ) -> bool:
        """Whether the free balance covers what the order would lock."""
        try:
            self.check_balance(instrument, side, quantity, price)
        except InsufficientBalance:
            return False
        return True

    # -- internals -------------------------------------------------------------------------
    def _resolve(self, currency: Currency | None) -> Currency:
        if currency is not None:
            return currency
        if self.base_currency is None:
            raise ValueError(f"account {self.id} is multi-currency: name the currency")
        return self.base_currency

    def _check_currency(self, currency: Currency, what: Operation) -> None:
        base = self.base_currency
        if base is not None and currency is not base and currency != base:
            raise ValueError(
                f"account {self.id} holds only {base}; {describe(what)} needs {currency} "
                f"(use a multi-currency account, base_currency=None)"
            )

    def _book(self, legs: Iterable[Money], operation: Operation) -> None:
        """Add amounts to the totals of their currencies, all or nothing."""
        base = self.base_currency
        changes: dict[Currency, Money] = {}
        for leg in legs:
            currency = leg._currency
            if base is not None and currency is not base:
                self._check_currency(currency, operation)
            earlier = changes.get(currency)
            changes[currency] = leg if earlier is None else earlier + leg
        balances = self._balances
        validate = self._validate_balance
        updated: dict[Currency, AccountBalance] = {}
        for currency, change in changes.items():
            current = balances.get(currency)
            if current is None:
                total, locked = change, zero(currency)
            else:
                total, locked = current.total + change, current.locked
            balance = AccountBalance(total=total, locked=locked, free=total - locked)
            validate(balance, operation)
            updated[currency] = balance
        balances.update(updated)

    def _set_locked(self, locked: dict[Currency, Money], operation: Operation) -> None:
        """Set the locked amount of some currencies, all or nothing."""
        updated: dict[Currency, AccountBalance] = {}
        for currency, amount in locked.items():
            current = self._balances.get(currency)
            if current is None and not amount._raw:
                continue
            total = zero(currency) if current is None else current.total
            balance = AccountBalance.from_total_locked(total, amount)
            self._validate_balance(balance, operation)
            updated[currency] = balance
        self._balances.update(updated)

    @abstractmethod
    def _validate_balance(self, balance: AccountBalance, operation: Operation) -> None:
        """Raise if ``balance`` breaks an invariant of the account type."""

    def _apply_margins(self, margins: list[MarginBalance]) -> None:
        """Hook: take the margins of an applied state."""
        if margins:
            raise ValueError(f"{type(self).__name__} {self.id} cannot hold margins")

    def _margin_list(self) -> list[MarginBalance]:
        """Hook: the margins to record in a generated state."""
        return []

    def __repr__(self) -> str:
        shown = ", ".join(str(self._balances[c].total) for c in self.currencies())
        return f"{type(self).__name__}({self.id}, {shown})"


def _code(currency: Currency) -> str:
    return currency.code


Operation = str | Callable[[], str]
"""What an account operation is, for error messages: a text, or a function that builds it (so
the message costs nothing unless the operation fails)."""


def describe(operation: Operation) -> str:
    """The text of an `Operation`."""
    return operation if isinstance(operation, str) else operation()
