"""Exactness of the order path's integer arithmetic: positions, account bookings, fill ledgers.

The position keeps its amounts as ratios of ints; here an independent average-cost model in
`fractions.Fraction` gives the reference, rounded once (half to even) to the currency.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.core.errors import InvalidStateTransition
from shrivenquant.core.uuid import UUID4
from shrivenquant.model.accounts import CashAccount
from shrivenquant.model.balances import AccountBalance
from shrivenquant.model.currency import BTC, USDT
from shrivenquant.model.enums import AccountType, OrderSide, OrderType
from shrivenquant.model.events import AccountState, PositionChanged, PositionOpened
from shrivenquant.model.identifiers import PositionId, TradeId
from shrivenquant.model.orders import Order
from shrivenquant.model.position import Position
from shrivenquant.model.values import MAX_ABS_VALUE, Money, Price, Quantity
from shrivenquant.testkit.instruments import TestInstrumentProvider
from shrivenquant.testkit.stubs import TestEventStubs, TestIdStubs, TestOrderStubs

from .test_position import INVERSE, PERP, fill

_CONTEXT = Context(prec=38, rounding=ROUND_HALF_EVEN)


class ReferencePosition:
    """Average-cost bookkeeping in `Fraction`: the model the position must match exactly."""

    def __init__(self, inverse: bool, multiplier: Fraction) -> None:
        self.inverse = inverse
        self.mult = multiplier
        self.signed = Fraction(0)
        self.basis = Fraction(0)
        self.realized = Fraction(0)
        self.close_qty = Fraction(0)
        self.close_value = Fraction(0)

    def value(self, qty: Fraction, px: Fraction) -> Fraction:
        return qty * self.mult / px if self.inverse else qty * self.mult * px

    def apply(self, side: OrderSide, qty: Fraction, px: Fraction, fee: Fraction) -> None:
        self.realized -= fee
        signed = qty if side is OrderSide.BUY else -qty
        if self.signed == 0 or (self.signed > 0) == (signed > 0):
            self.basis += self.value(qty, px)
        else:
            closing = min(qty, abs(self.signed))
            part = self.basis * closing / abs(self.signed)
            exit_value = self.value(closing, px)
            gain = exit_value - part
            if self.inverse:
                gain = -gain
            self.realized += gain if self.signed > 0 else -gain
            self.basis -= part
            self.close_qty += closing
            self.close_value += exit_value
            if qty > closing:
                self.basis = self.value(qty - closing, px)
        self.signed += signed
        if self.signed == 0:
            self.basis = Fraction(0)

    def avg_px_close(self) -> Decimal | None:
        if not self.close_qty:
            return None
        size = self.close_qty * self.mult
        exact = size / self.close_value if self.inverse else self.close_value / size
        return _decimal(exact)


def _decimal(value: Fraction) -> Decimal:
    return _CONTEXT.divide(Decimal(value.numerator), Decimal(value.denominator)).normalize(_CONTEXT)


def _rounded(value: Fraction, places: int) -> Fraction:
    scaled = value * 10**places
    return Fraction(round(scaled), 10**places)  # Fraction rounds half to even


_sides = st.sampled_from([OrderSide.BUY, OrderSide.SELL])


@settings(max_examples=300, deadline=None)
@given(
    inverse=st.booleans(),
    steps=st.lists(
        st.tuples(_sides, st.integers(1, 40), st.integers(1, 2_000_000), st.integers(0, 500)),
        min_size=1,
        max_size=30,
    ),
    mark=st.integers(1, 2_000_000),
)
def test_position_amounts_equal_the_fraction_model_rounded_once(
    inverse: bool, steps: list[tuple[OrderSide, int, int, int]], mark: int
) -> None:
    instrument = INVERSE if inverse else PERP
    qty_unit = Decimal(1) if inverse else Decimal("0.001")
    reference = ReferencePosition(inverse, Fraction(instrument.multiplier.as_decimal()))
    position: Position | None = None
    for side, lots, tenths, fee_units in steps:
        qty = str(lots * qty_unit)
        px = str(Decimal(tenths).scaleb(-1))
        fee = str(Decimal(fee_units).scaleb(-instrument.settlement_currency.precision))
        this = fill(instrument, side, qty, px, fee)
        if position is None:
            position = Position(instrument, this, PositionId("P-X"))
        else:
            position.apply(this)
        reference.apply(side, Fraction(Decimal(qty)), Fraction(Decimal(px)), Fraction(Decimal(fee)))
        places = position.currency.precision
        realized = position.realized_pnl
        assert Fraction(realized.as_decimal()) == _rounded(reference.realized, places)
        assert realized.precision == places
        assert position.avg_px_close == reference.avg_px_close()
        if reference.signed and reference.basis:
            size = abs(reference.signed) * reference.mult
            exact = size / reference.basis if inverse else reference.basis / size
            assert position.avg_px_open == _decimal(exact)
    assert position is not None
    mark_px = Price(str(Decimal(mark).scaleb(-1)))
    open_value = reference.value(abs(reference.signed), Fraction(mark_px.as_decimal()))
    gain = open_value - reference.basis
    if inverse:
        gain = -gain
    unrealized = gain if reference.signed > 0 else -gain
    if not reference.signed:
        unrealized = Fraction(0)
    places = position.currency.precision
    assert Fraction(position.unrealized_pnl(mark_px).as_decimal()) == _rounded(unrealized, places)
    assert Fraction(position.total_pnl(mark_px).as_decimal()) == _rounded(
        reference.realized + unrealized, places
    )


def test_to_event_takes_the_requested_event_type() -> None:
    position = Position(PERP, fill(PERP, OrderSide.BUY, "0.010", "50000.0"), PositionId("P-T"))
    position.apply(fill(PERP, OrderSide.SELL, "0.010", "50001.0"))
    position.apply(fill(PERP, OrderSide.BUY, "0.010", "50002.0"))  # reopens after flat
    assert type(position.to_event()) is PositionChanged
    reopened = position.to_event(event_type=PositionOpened)
    assert type(reopened) is PositionOpened
    assert reopened.avg_px_open == Decimal("50002")


def _cash_account(*balances: AccountBalance) -> CashAccount:
    return CashAccount(
        AccountState(
            account_id=TestIdStubs.account_id,
            account_type=AccountType.CASH,
            base_currency=None,
            balances=list(balances),
            event_id=UUID4(),
            ts_event=0,
            ts_init=0,
        )
    )


def test_booking_keeps_the_finest_precision_of_its_legs() -> None:
    instrument = TestInstrumentProvider.btcusdt_binance()
    account = _cash_account(
        AccountBalance.from_total_locked(Money("100000", USDT), Money("0", USDT)),
        AccountBalance.from_total_locked(Money("1", BTC), Money("0", BTC)),
    )
    init = TestOrderStubs.init(OrderType.MARKET, quantity="0.10000")
    fill_event = TestEventStubs.filled(init, "0.10000", "50000.00", commission="0.000000001")
    account.apply_fill(instrument, fill_event)
    usdt = account.balance(USDT)
    assert usdt is not None
    assert usdt.total == Money("94999.999999999", USDT)
    assert usdt.total.precision == 9  # the commission's, finer than USDT's 8
    assert usdt.free.precision == 9
    btc = account.balance(BTC)
    assert btc is not None
    assert btc.total == Money("1.1", BTC)


def test_booking_beyond_the_value_limit_raises_as_money_does_and_changes_nothing() -> None:
    instrument = TestInstrumentProvider.btcusdt_binance()
    near_max = Money(str(MAX_ABS_VALUE), USDT)
    account = _cash_account(
        AccountBalance.from_total_locked(Money("1", BTC), Money("0", BTC)),
        AccountBalance.from_total_locked(near_max, Money("0", USDT)),
    )
    init = TestOrderStubs.init(OrderType.MARKET, OrderSide.SELL, quantity="0.10000")
    sale = TestEventStubs.filled(init, "0.10000", "50000.00", commission="0")
    with pytest.raises(OverflowError):
        near_max + Money("5000", USDT)
    with pytest.raises(OverflowError):
        account.apply_fill(instrument, sale)
    assert account.balance(USDT) == AccountBalance.from_total_locked(near_max, Money("0", USDT))
    assert account.balance(BTC) == AccountBalance.from_total_locked(
        Money("1", BTC), Money("0", BTC)
    )


def test_duplicate_trade_ids_are_refused_however_many_fills_an_order_has() -> None:
    init = TestOrderStubs.init(OrderType.MARKET, quantity="1.00000")
    order = Order.from_init(init)
    order.apply(TestEventStubs.submitted(init))
    order.apply(TestEventStubs.accepted(init))
    fills = [TestEventStubs.filled(init, "0.05000") for _ in range(12)]
    for each in fills:
        order.apply(each)
    for each in (fills[0], fills[5], fills[11]):
        assert order.has_trade_id(each.trade_id)
        with pytest.raises(ValueError, match="duplicate trade_id"):
            order.apply(each)
    assert not order.has_trade_id(TradeId("NEVER-SEEN"))
    assert order.filled_qty == Quantity("0.60000")
    assert order.leaves_raw == Quantity("0.40000").raw


def test_an_invalid_transition_names_the_order() -> None:
    init = TestOrderStubs.init(OrderType.MARKET)
    order = Order.from_init(init)
    with pytest.raises(InvalidStateTransition, match=rf"Order\({init.client_order_id}\)"):
        order.apply(TestEventStubs.filled(init))  # a fill before the order was even sent
