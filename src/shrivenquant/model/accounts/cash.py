"""Cash accounts: every order is fully funded and no balance ever goes below zero.

An open buy locks its full notional plus the larger fee rate, in the quote currency; an open
sell of a spot pair locks the base quantity it sells. Sells of other instruments (shares,
option premiums) lock nothing in cash: whether the position exists to sell is a position check
of the risk engine. Perpetuals and futures need a margin account.

Locks are kept per instrument and set as a whole (`update_balance_locked`), recalculated by the
caller from the instrument's open orders, so they cannot drift; the locked balance of a currency
is the sum of the locks of every instrument in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, ROUND_UP
from typing import ClassVar

from shrivenquant.model.accounts._exact import (
    max_fee,
    notional,
    size,
    times_one_plus,
    to_money,
    zero,
)
from shrivenquant.model.accounts.base import Account, Operation, describe
from shrivenquant.model.accounts.errors import AccountBalanceNegative
from shrivenquant.model.balances import AccountBalance
from shrivenquant.model.currency import Currency
from shrivenquant.model.enums import AccountType, InstrumentClass, OrderSide
from shrivenquant.model.events.account import AccountState
from shrivenquant.model.events.order import OrderFilled
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.model.instruments import CurrencyPair, Instrument
from shrivenquant.model.values import Money, Price, Quantity

_MARGIN_ONLY = (InstrumentClass.PERPETUAL, InstrumentClass.FUTURE)


class CashAccount(Account):
    """An account that pays for everything in full; balances never go negative."""

    ACCOUNT_TYPE: ClassVar[AccountType] = AccountType.CASH

    def __init__(self, event: AccountState, calculate_account_state: bool = False) -> None:
        self._locks: dict[InstrumentId, dict[Currency, Money]] = {}
        self._locked_raw: dict[Currency, int] = {}  # sum of the locks per currency
        super().__init__(event, calculate_account_state)

    # -- locks -----------------------------------------------------------------------------
    def balance_locked_for(self, instrument_id: InstrumentId) -> list[Money]:
        """What the open orders of ``instrument_id`` lock, one amount per currency."""
        return list(self._locks.get(instrument_id, {}).values())

    def update_balance_locked(
        self, instrument_id: InstrumentId, locked: Money | Sequence[Money]
    ) -> bool:
        """Set what the open orders of one instrument lock (replacing its previous locks).

        Returns:
            Whether anything changed.

        Raises:
            ValueError: a negative amount, or a currency the account cannot hold.
            AccountBalanceNegative: the free balance of a currency would go below zero; the
                account is unchanged.
        """
        new: dict[Currency, Money] = {}
        for amount in (locked,) if isinstance(locked, Money) else locked:
            raw = amount._raw
            if raw < 0:
                raise ValueError(f"locked amount for {instrument_id} is negative: {amount}")
            if not raw:
                continue
            currency = amount.currency
            self._check_currency(currency, lambda: f"locking for {instrument_id}")
            current = new.get(currency)
            new[currency] = amount if current is None else current + amount
        old = self._locks.get(instrument_id, {})
        if old == new:
            return False
        totals: dict[Currency, Money] = {}
        for currency in old.keys() | new.keys():
            raw = self._locked_raw.get(currency, 0)
            raw -= old[currency]._raw if currency in old else 0
            raw += new[currency]._raw if currency in new else 0
            totals[currency] = Money.from_raw(raw, currency)
        self._set_locked(totals, lambda: f"locking {_show(new)} for {instrument_id}")
        if new:
            self._locks[instrument_id] = new
        else:
            self._locks.pop(instrument_id, None)
        for currency, total in totals.items():
            self._locked_raw[currency] = total._raw
        return True

    def clear_balance_locked(self, instrument_id: InstrumentId) -> bool:
        """Release every lock of one instrument (it has no open orders left)."""
        return self.update_balance_locked(instrument_id, ())

    # -- calculations ----------------------------------------------------------------------
    def calculate_balance_locked(
        self, instrument: Instrument, side: OrderSide, quantity: Quantity, price: Price
    ) -> Money:
        """What an open order locks, rounded up.

        A buy: notional plus the larger of the maker and taker fees, in the notional currency.
        A sell of a spot pair: the base quantity. Any other sell: zero.
        """
        _check_tradable(instrument)
        if side is OrderSide.BUY:
            amount = times_one_plus(notional(instrument, quantity, price), max_fee(instrument))
            return to_money(amount, instrument.notional_currency, ROUND_UP)
        if side is OrderSide.SELL:
            if isinstance(instrument, CurrencyPair):
                return to_money(size(instrument, quantity), instrument.base_currency, ROUND_UP)
            return zero(instrument.notional_currency)
        raise ValueError(f"order side must be BUY or SELL, got {side}")

    def calculate_pnls(
        self, instrument: Instrument, fill: OrderFilled, realized_pnl: Money | None = None
    ) -> list[Money]:
        """The cash legs of a fill, before commission (``realized_pnl`` is not used).

        A spot buy adds the base quantity and pays the notional; a sell the reverse. Other
        instruments pay (buy) or receive (sell) the notional only.
        """
        _check_tradable(instrument)
        instrument_id = fill.instrument_id
        if instrument_id is not instrument.id and instrument_id != instrument.id:
            raise ValueError(f"fill of {instrument_id} booked as {instrument.id}")
        value = to_money(
            notional(instrument, fill.last_qty, fill.last_px),
            instrument.notional_currency,
            ROUND_HALF_EVEN,
        )
        if fill.order_side is OrderSide.BUY:
            legs = [-value]
        elif fill.order_side is OrderSide.SELL:
            legs = [value]
        else:
            raise ValueError(f"fill side must be BUY or SELL, got {fill.order_side}")
        if isinstance(instrument, CurrencyPair):
            base = to_money(size(instrument, fill.last_qty), instrument.base_currency)
            legs.insert(0, base if fill.order_side is OrderSide.BUY else -base)
        return legs

    def _validate_balance(self, balance: AccountBalance, operation: Operation) -> None:
        if balance.total._raw < 0:
            raise AccountBalanceNegative(self.id, balance.total, describe(operation))
        if balance.free._raw < 0:
            raise AccountBalanceNegative(
                self.id, balance.free, f"{describe(operation)} (free balance)"
            )


def _check_tradable(instrument: Instrument) -> None:
    if instrument.instrument_class in _MARGIN_ONLY:
        raise ValueError(
            f"{instrument.id} is a {instrument.instrument_class}: it needs a margin account"
        )


def _show(amounts: dict[Currency, Money]) -> str:
    return ", ".join(str(a) for a in amounts.values()) or "nothing"
