"""`VenueAccount`: one account at the simulated venue, as the venue keeps it.

The balances live in the model's `CashAccount` or `MarginAccount` (reported states, not
calculated ones): the venue locks funds for every working order and books every fill there, so
the account's invariants (a cash balance never negative, total = locked + free) are enforced by
the same code the portfolio uses. Positions are kept net per instrument: a signed quantity for
reduce-only checks and, for instruments other than spot pairs, a model `Position` for the
average price and the realized PnL a margin account books.

What an order locks is recomputed from its open quantity each time it changes:
- cash: notional at the order's price plus the larger fee rate (a buy), or the base quantity
  (a spot sell); see `CashAccount.calculate_balance_locked`;
- margin: initial margin plus fees; reduce-only orders lock nothing.
The price is the limit price, else the trigger price; a market order locks nothing (it is
checked against the liquidity it would take instead). OTO children waiting for their parent
lock nothing until they are activated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from operator import attrgetter
from typing import cast

from shrivenquant.core.uuid import UUID4
from shrivenquant.model.accounts import CashAccount, MarginAccount
from shrivenquant.model.balances import AccountBalance, MarginBalance
from shrivenquant.model.currency import Currency
from shrivenquant.model.enums import AccountType, InstrumentClass, OrderSide
from shrivenquant.model.events import AccountState, OrderFilled
from shrivenquant.model.fixed_point import FIXED_PRECISION, FIXED_SCALAR
from shrivenquant.model.identifiers import AccountId, ClientOrderId, InstrumentId, PositionId
from shrivenquant.model.instruments import CurrencyPair, Instrument
from shrivenquant.model.position import Position
from shrivenquant.model.values import Money, Price, Quantity
from shrivenquant.sim.config import SimulatedVenueConfig
from shrivenquant.sim.orders import SimOrder
from shrivenquant.sim.sink import VenueEventSink

_code = attrgetter("code")  # the sort key of currencies

_MARGIN_ONLY = (InstrumentClass.PERPETUAL, InstrumentClass.FUTURE)


def tradable_refusal(config: SimulatedVenueConfig, instrument: Instrument) -> str | None:
    """Why the venue's accounts cannot trade ``instrument``, or None."""
    if config.account_type is AccountType.CASH:
        if instrument.instrument_class in _MARGIN_ONLY:
            return (
                f"{instrument.id} is a {instrument.instrument_class}: it needs a margin account "
                f"(account_type MARGIN)"
            )
        if config.base_currency is not None and isinstance(instrument, CurrencyPair):
            return (
                f"{instrument.id} is a spot pair: its cash account must hold both assets "
                f"(base_currency None)"
            )
    if config.base_currency is not None and instrument.notional_currency != config.base_currency:
        return (
            f"{instrument.id} settles in {instrument.notional_currency}, but the accounts hold "
            f"only {config.base_currency}"
        )
    return None


class VenueAccount:
    """Balances, locks, positions, orders and fills of one account (see the module docstring).

    ``sink`` receives the account's reports; None while no client is connected (what happens
    then is not reported, as when a trading process is down).

    Args:
        account_id: the account's id.
        config: the venue's settings (account type, base currency, leverage).
        starting_balances: the opening balances; the config's by default.
        ts_init: when the account was opened.
    """

    def __init__(
        self,
        account_id: AccountId,
        config: SimulatedVenueConfig,
        starting_balances: Sequence[Money] | None = None,
        ts_init: int = 0,
    ) -> None:
        balances = tuple(starting_balances or config.starting_balances)
        state = AccountState(
            account_id=account_id,
            account_type=config.account_type,
            base_currency=config.base_currency,
            balances=[
                AccountBalance(total=m, locked=Money.from_raw(0, m._currency), free=m)
                for m in balances
            ],
            reported=True,
            event_id=UUID4(),
            ts_event=ts_init,
            ts_init=ts_init,
        )
        self.id = account_id
        self.account: CashAccount | MarginAccount
        if config.account_type is AccountType.CASH:
            self.account = CashAccount(state)
        else:
            self.account = MarginAccount(
                state,
                leverages=config.leverages,
                default_leverage=config.default_leverage,
            )
        self._is_cash = config.account_type is AccountType.CASH
        self._last_terms: _CashTerms | None = None
        self.sink: VenueEventSink | None = None
        self.orders: dict[ClientOrderId, SimOrder] = {}
        self.fills: list[OrderFilled] = []
        self.dirty = False
        self._order_locks: dict[int, Money] = {}
        self._locks: dict[InstrumentId, dict[Currency, int]] = {}
        self._net: dict[InstrumentId, int] = {}
        self._positions: dict[InstrumentId, Position] = {}
        self._position_margins: dict[InstrumentId, MarginBalance] = {}
        self._cash_terms: dict[InstrumentId, _CashTerms] = {}

    @property
    def is_cash(self) -> bool:
        """Whether this is a cash account."""
        return self._is_cash

    # -- balances ------------------------------------------------------------------------------

    def free_raw(self, currency: Currency) -> int:
        """The free balance in ``currency`` (raw; 0 when the account holds none)."""
        balance = self.account.balance(currency)
        return 0 if balance is None else balance.free._raw

    def required(
        self, instrument: Instrument, side: OrderSide, qty_raw: int, price_raw: int
    ) -> Money:
        """What an order of ``qty_raw`` at ``price_raw`` locks (the account's own formula;
        cash accounts compute it on integers, with the same result)."""
        if not self._is_cash:
            return self.account.calculate_balance_locked(
                instrument,
                side,
                Quantity.from_raw(qty_raw, instrument.size_precision),
                Price.from_raw(price_raw, instrument.price_precision),
            )
        terms = self._last_terms
        if terms is None or terms.instrument is not instrument:
            terms = self._cash_terms.get(instrument.id)
            if terms is None or terms.instrument is not instrument:  # new, or a new definition
                terms = _CashTerms(instrument)
                self._cash_terms[instrument.id] = terms
            self._last_terms = terms
        return terms.required(side, qty_raw, price_raw)

    def shortfall(self, required: Money, released: Money | None = None) -> str | None:
        """Why ``required`` cannot be locked (counting ``released`` as free), or None."""
        if not required._raw:
            return None
        free = self.free_raw(required._currency)
        if released is not None and released._currency == required._currency:
            free += released._raw
        if required._raw <= free:
            return None
        shown = Money.from_raw(free, required._currency)
        return f"the order needs {required} but only {shown} is free"

    def lock_for(self, instrument: Instrument, order: SimOrder) -> Money | None:
        """What ``order`` locks now (None: nothing)."""
        leaves = order.leaves_raw
        if leaves <= 0 or not order.is_active or not order.is_open:
            return None
        if not self._is_cash and order.init.reduce_only:
            return None
        price = order.lock_price_raw
        if price is None:
            return None
        amount = self.required(instrument, order.side, leaves, price)
        return amount if amount._raw else None

    def order_lock(self, order: SimOrder) -> Money | None:
        """What ``order`` has locked so far."""
        return self._order_locks.get(order.key)

    def set_lock(self, instrument: Instrument, order: SimOrder, amount: Money | None) -> None:
        """Set what ``order`` locks (None releases it) and update the account's locked funds."""
        old = self._order_locks.get(order.key)
        if old == amount:
            return
        sums = self._locks.setdefault(instrument.id, {})
        if old is not None:
            del self._order_locks[order.key]
            sums[old._currency] -= old._raw
        if amount is not None:
            self._order_locks[order.key] = amount
            sums[amount._currency] = sums.get(amount._currency, 0) + amount._raw
        self._push_locks(instrument, sums)
        self.dirty = True

    def _push_locks(self, instrument: Instrument, sums: dict[Currency, int]) -> None:
        account = self.account
        if isinstance(account, CashAccount):
            account.update_balance_locked(
                instrument.id, [Money.from_raw(raw, cur) for cur, raw in sums.items() if raw]
            )
            return
        currency = instrument.notional_currency
        orders_raw = sums.get(currency, 0)
        held = self._position_margins.get(instrument.id)
        initial = orders_raw + (0 if held is None else held.initial._raw)
        maintenance = 0 if held is None else held.maintenance._raw
        account.update_margin(
            MarginBalance(
                initial=Money.from_raw(initial, currency),
                maintenance=Money.from_raw(maintenance, currency),
                instrument_id=instrument.id,
            )
        )

    # -- positions -----------------------------------------------------------------------------

    def net_raw(self, instrument_id: InstrumentId) -> int:
        """The signed net position (raw): positive long, negative short."""
        return self._net.get(instrument_id, 0)

    def reducible_raw(self, instrument_id: InstrumentId, side: OrderSide) -> int:
        """How much an order of ``side`` can trade without opening or growing a position."""
        net = self._net.get(instrument_id, 0)
        return max(net, 0) if side is OrderSide.SELL else max(-net, 0)

    def position(self, instrument_id: InstrumentId) -> Position | None:
        """The net position of an instrument (not kept for spot pairs)."""
        return self._positions.get(instrument_id)

    def positions(self) -> Mapping[InstrumentId, Position]:
        """Every net position kept (instruments other than spot pairs)."""
        return self._positions

    # -- fills ---------------------------------------------------------------------------------

    def book_fill(self, instrument: Instrument, fill: OrderFilled) -> None:
        """Book a fill: position, balances (realized PnL for margin) and commission.

        Release or reduce the order's lock first (`set_lock`), so the funds it held pay for
        the fill.
        """
        qty = fill.last_qty._raw
        signed = qty if fill.order_side is OrderSide.BUY else -qty
        instrument_id = instrument.id
        self._net[instrument_id] = self._net.get(instrument_id, 0) + signed
        realized: Money | None = None
        if not isinstance(instrument, CurrencyPair):
            position = self._positions.get(instrument_id)
            if position is None:
                before = Money.from_raw(0, instrument.settlement_currency)
                position = Position(
                    instrument, fill, PositionId(f"{instrument_id.value}-{self.id.value}")
                )
                self._positions[instrument_id] = position
            else:
                before = position.realized_pnl
                position.apply(fill)
            realized = position.realized_pnl - before
            if fill.commission._currency == realized._currency:
                realized = realized + fill.commission  # the account books commission itself
        self.account.apply_fill(instrument, fill, realized)
        self.fills.append(fill)
        if not self._is_cash:  # a MarginAccount (a flag test: isinstance on an ABC costs more)
            self._update_position_margin(instrument, fill.last_px)
        self.dirty = True

    def _update_position_margin(self, instrument: Instrument, price: Price) -> None:
        assert isinstance(self.account, MarginAccount)
        net = abs(self._net.get(instrument.id, 0))
        if net:
            qty = Quantity.from_raw(net, instrument.size_precision)
            margin = self.account.calculate_position_margin(instrument, qty, price)
            self._position_margins[instrument.id] = margin
        else:
            self._position_margins.pop(instrument.id, None)
        self._push_locks(instrument, self._locks.setdefault(instrument.id, {}))

    # -- states --------------------------------------------------------------------------------

    def report(self) -> tuple[list[AccountBalance], list[MarginBalance]]:
        """The balances (by currency code) and margins (by instrument) to report."""
        account = self.account
        balances = account.balances()
        margins: list[MarginBalance] = []
        if not self._is_cash:
            held = cast(MarginAccount, account).margins()
            margins = [held[i] for i in sorted(held, key=str)]
        return [balances[c] for c in sorted(balances, key=_code)], margins

    def state(self, ts_event: int) -> AccountState:
        """The account's current balances and margins as a reported `AccountState`."""
        balances, margins = self.report()
        return AccountState(
            account_id=self.id,
            account_type=self.account.account_type,
            base_currency=self.account.base_currency,
            balances=balances,
            margins=margins,
            reported=True,
            event_id=UUID4(),
            ts_event=ts_event,
            ts_init=ts_event,
        )

    def __repr__(self) -> str:
        return f"VenueAccount({self.id}, {self.account!r}, orders={len(self.orders)})"


class _CashTerms:
    """`CashAccount.calculate_balance_locked` for one instrument, on integers.

    A buy locks ``notional * (1 + larger fee rate)`` in the notional currency, a spot sell the
    base quantity, any other sell nothing; each rounded up to the currency's precision.
    """

    __slots__ = (
        "_base",
        "_den",
        "_fee_den",
        "_fee_num",
        "_inverse",
        "_mult",
        "_quote",
        "instrument",
    )

    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument
        fee = max(Fraction(instrument.maker_fee), Fraction(instrument.taker_fee), Fraction(0))
        self._fee_num = fee.denominator + fee.numerator
        self._fee_den = fee.denominator
        self._mult = instrument.multiplier._raw
        self._inverse = instrument.is_inverse
        self._quote = instrument.notional_currency
        self._base = instrument.base_currency if isinstance(instrument, CurrencyPair) else None
        self._den = FIXED_SCALAR**3 * fee.denominator

    def required(self, side: OrderSide, qty_raw: int, price_raw: int) -> Money:
        size = qty_raw * self._mult  # scale 10**18
        if side is OrderSide.BUY:
            currency = self._quote
            if self._inverse:  # size / price, at scale 10**18 * 10**9
                numerator = size * self._fee_num
                denominator = price_raw * FIXED_SCALAR * self._fee_den
            else:
                numerator = size * price_raw * self._fee_num
                denominator = self._den
        elif side is OrderSide.SELL:
            if self._base is None:
                return Money.from_raw(0, self._quote, self._quote.precision)
            currency = self._base
            numerator, denominator = size, FIXED_SCALAR * FIXED_SCALAR
        else:
            raise ValueError(f"order side must be BUY or SELL, got {side}")
        places = currency.precision
        units = -((-numerator * 10**places) // denominator)  # rounded up
        return Money.from_raw(units * 10 ** (FIXED_PRECISION - places), currency, places)
