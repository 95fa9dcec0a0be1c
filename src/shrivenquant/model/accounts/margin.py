"""Margin accounts: positions and orders hold a fraction of their notional as margin.

Rates per instrument:
- initial: ``1 / leverage`` when a leverage is set for the instrument (or a default leverage is
  given), else the instrument's ``margin_init``;
- maintenance: the instrument's ``margin_maint``.

An instrument with ``margin_init == 0`` is not margin-traded: it is fully funded (initial rate
1, maintenance 0) and its leverage can only be 1. A leverage above ``1 / margin_init`` (the
venue's maximum) is refused.

Each instrument has one `MarginBalance`: ``initial`` is the initial margin of its open orders
plus that of its position, ``maintenance`` the maintenance margin of its position. The locked
balance of a currency is the sum of the initial margins in it; the free balance may go below
zero when a position's margin grows with the price (a margin call), but new orders are checked
against it (`check_balance`).

Fills change the balance by the PnL they realize (computed by the position, passed in) minus
their commission; unrealized PnL stays out of the balance (the portfolio adds it to equity).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_UP, Decimal
from fractions import Fraction
from typing import ClassVar

from shrivenquant.model.accounts._exact import (
    Ratio,
    max_fee,
    notional,
    ratio,
    times,
    to_fraction,
    to_money,
)
from shrivenquant.model.accounts.base import Account, Operation
from shrivenquant.model.balances import AccountBalance, MarginBalance
from shrivenquant.model.currency import Currency
from shrivenquant.model.enums import AccountType, OrderSide
from shrivenquant.model.events.account import AccountState
from shrivenquant.model.events.order import OrderFilled
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.model.instruments import Instrument
from shrivenquant.model.values import Money, Price, Quantity

_ONE: Ratio = (1, 1)


class MarginAccount(Account):
    """An account trading on margin, with a leverage per instrument.

    Args:
        event: the first state.
        calculate_account_state: True when ShrivenQuant calculates the balances.
        leverages: leverage per instrument (overrides the instrument's initial margin rate).
        default_leverage: leverage for instruments without their own; None uses the
            instrument's ``margin_init``.
    """

    ACCOUNT_TYPE: ClassVar[AccountType] = AccountType.MARGIN

    def __init__(
        self,
        event: AccountState,
        calculate_account_state: bool = False,
        leverages: Mapping[InstrumentId, Decimal] | None = None,
        default_leverage: Decimal | None = None,
    ) -> None:
        self._margins: dict[InstrumentId, MarginBalance] = {}
        self._leverages: dict[InstrumentId, Decimal] = {}
        self.default_leverage = None if default_leverage is None else _leverage(default_leverage)
        for instrument_id, leverage in (leverages or {}).items():
            self.set_leverage(instrument_id, leverage)
        super().__init__(event, calculate_account_state)

    # -- leverage --------------------------------------------------------------------------
    def set_leverage(self, instrument_id: InstrumentId, leverage: Decimal | int) -> None:
        """Set the leverage of one instrument (a number >= 1)."""
        self._leverages[instrument_id] = _leverage(leverage)

    def leverage(self, instrument_id: InstrumentId) -> Decimal | None:
        """The leverage set for an instrument (or the default), None when neither is set."""
        return self._leverages.get(instrument_id, self.default_leverage)

    def leverages(self) -> dict[InstrumentId, Decimal]:
        """The leverages set per instrument."""
        return dict(self._leverages)

    def margin_rates(self, instrument: Instrument) -> tuple[Fraction, Fraction]:
        """The initial and maintenance margin rates of ``instrument`` (exact fractions).

        Raises:
            ValueError: the leverage exceeds the instrument's maximum.
        """
        init, maint = self._rates(instrument)
        return to_fraction(init), to_fraction(maint)

    def _rates(self, instrument: Instrument) -> tuple[Ratio, Ratio]:
        leverage = self.leverage(instrument.id)
        maint = ratio(instrument.margin_maint)
        if not instrument.margin_init:
            if leverage is not None and leverage != 1:
                raise ValueError(
                    f"{instrument.id} is not margin-traded (margin_init 0); leverage {leverage} "
                    f"is not allowed"
                )
            return _ONE, maint
        if leverage is None:
            return ratio(instrument.margin_init), maint
        if leverage * instrument.margin_init > 1:
            raise ValueError(
                f"leverage {leverage} for {instrument.id} exceeds the maximum "
                f"{Decimal(1) / instrument.margin_init:.6g}"
            )
        numerator, denominator = ratio(leverage)
        return (denominator, numerator), maint

    # -- calculations ----------------------------------------------------------------------
    def calculate_margin_init(
        self, instrument: Instrument, quantity: Quantity, price: Price
    ) -> Money:
        """Initial margin of ``quantity`` at ``price``, rounded up, in the notional currency."""
        init, _ = self._rates(instrument)
        amount = times(notional(instrument, quantity, price), init)
        return to_money(amount, instrument.notional_currency, ROUND_UP)

    def calculate_margin_maint(
        self, instrument: Instrument, quantity: Quantity, price: Price
    ) -> Money:
        """Maintenance margin of ``quantity`` at ``price``, rounded up."""
        _, maint = self._rates(instrument)
        amount = times(notional(instrument, quantity, price), maint)
        return to_money(amount, instrument.notional_currency, ROUND_UP)

    def calculate_position_margin(
        self, instrument: Instrument, quantity: Quantity, price: Price
    ) -> MarginBalance:
        """The initial and maintenance margin a position of ``quantity`` holds at ``price``."""
        return MarginBalance(
            initial=self.calculate_margin_init(instrument, quantity, price),
            maintenance=self.calculate_margin_maint(instrument, quantity, price),
            instrument_id=instrument.id,
        )

    def calculate_balance_locked(
        self, instrument: Instrument, side: OrderSide, quantity: Quantity, price: Price
    ) -> Money:
        """What an open order locks: its initial margin plus the taker fee, rounded up."""
        if side not in (OrderSide.BUY, OrderSide.SELL):
            raise ValueError(f"order side must be BUY or SELL, got {side}")
        (init_num, init_den), (fee_num, fee_den) = self._rates(instrument)[0], max_fee(instrument)
        rate = (init_num * fee_den + fee_num * init_den, init_den * fee_den)
        amount = times(notional(instrument, quantity, price), rate)
        return to_money(amount, instrument.notional_currency, ROUND_UP)

    def calculate_pnls(
        self, instrument: Instrument, fill: OrderFilled, realized_pnl: Money | None = None
    ) -> list[Money]:
        """The balance change of a fill before commission: the PnL it realized, if any.

        ``realized_pnl`` is the change of the position's realized PnL caused by the fill,
        before commission (None or zero for a fill that only opens or adds).
        """
        if fill.instrument_id != instrument.id:
            raise ValueError(f"fill of {fill.instrument_id} booked as {instrument.id}")
        if realized_pnl is None or not realized_pnl.raw:
            return []
        return [realized_pnl]

    # -- margins ---------------------------------------------------------------------------
    def margins(self) -> dict[InstrumentId, MarginBalance]:
        """The margin of every instrument that holds one."""
        return dict(self._margins)

    def margin(self, instrument_id: InstrumentId) -> MarginBalance | None:
        """The margin held for one instrument, or None."""
        return self._margins.get(instrument_id)

    def margin_init_total(self, currency: Currency | None = None) -> Money:
        """The sum of initial margins in ``currency`` (default: the base currency)."""
        return _sum_initial(self._margins, self._resolve(currency))

    def margin_maint_total(self, currency: Currency | None = None) -> Money:
        """The sum of maintenance margins in ``currency`` (default: the base currency)."""
        currency = self._resolve(currency)
        raw = sum(
            m.maintenance.raw for m in self._margins.values() if m.maintenance.currency == currency
        )
        return Money.from_raw(raw, currency)

    def update_margin(self, margin: MarginBalance) -> None:
        """Set the margin of one instrument (orders plus position) and recalculate locked."""
        if margin.instrument_id is None:
            raise ValueError(f"account {self.id}: a margin update needs an instrument_id")
        self._check_currency(margin.initial.currency, lambda: f"margin of {margin.instrument_id}")
        margins = dict(self._margins)
        old = margins.get(margin.instrument_id)
        if margin.initial.raw or margin.maintenance.raw:
            margins[margin.instrument_id] = margin
        else:
            margins.pop(margin.instrument_id, None)
        self._relock(margins, old, margin)

    def clear_margin(self, instrument_id: InstrumentId) -> None:
        """Release the margin of one instrument (no orders and no position left)."""
        old = self._margins.get(instrument_id)
        if old is None:
            return
        margins = dict(self._margins)
        del margins[instrument_id]
        self._relock(margins, old, None)

    # -- internals -------------------------------------------------------------------------
    def _relock(
        self,
        margins: dict[InstrumentId, MarginBalance],
        old: MarginBalance | None,
        new: MarginBalance | None,
    ) -> None:
        touched = {m.initial.currency for m in (old, new) if m is not None}
        locked = {c: _sum_initial(margins, c) for c in touched}
        self._set_locked(locked, "margin update")
        self._margins = margins

    def _validate_balance(self, balance: AccountBalance, operation: Operation) -> None:
        """A margin balance may go below zero (a margin call); nothing to refuse here."""

    def _apply_margins(self, margins: list[MarginBalance]) -> None:
        updated = dict(self._margins)
        for margin in margins:
            if margin.instrument_id is None:
                raise ValueError(f"account {self.id}: a margin in a state needs an instrument_id")
            self._check_currency(margin.initial.currency, f"margin of {margin.instrument_id}")
            updated[margin.instrument_id] = margin
        self._margins = updated

    def _margin_list(self) -> list[MarginBalance]:
        return [self._margins[i] for i in sorted(self._margins, key=str)]


def _leverage(value: Decimal | int) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"leverage must be a Decimal or int, got {value!r}")
    leverage = Decimal(value)
    if not leverage.is_finite() or leverage < 1:
        raise ValueError(f"leverage must be a finite number >= 1, got {value!r}")
    return leverage


def _sum_initial(margins: dict[InstrumentId, MarginBalance], currency: Currency) -> Money:
    raw = sum(m.initial.raw for m in margins.values() if m.initial.currency == currency)
    return Money.from_raw(raw, currency)
