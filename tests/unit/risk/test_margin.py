"""Margin models: what an order needs to be funded, and maintenance margin warnings."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.model.balances import MarginBalance
from shrivenquant.model.currency import USDT
from shrivenquant.model.enums import OrderSide
from shrivenquant.model.events import MarginWarning
from shrivenquant.model.values import Money, Price, Quantity
from shrivenquant.risk import (
    CashMarginModel,
    LeveragedMarginModel,
    LeverageTier,
    MarginDenied,
    RiskConfig,
)
from shrivenquant.testkit.instruments import TestInstrumentProvider

from .conftest import BTC_PERP, RiskHarness, cash_account, margin_account, market_moves

SPOT = TestInstrumentProvider.btcusdt_binance()
ETH = TestInstrumentProvider.ethusdt_binance()


@settings(max_examples=300, deadline=None)
@given(
    units=st.integers(1, 10**8),
    ticks=st.integers(1, 10**8),
    buy=st.booleans(),
    eth=st.booleans(),
)
def test_the_cash_model_asks_exactly_what_the_account_will_lock(
    units: int, ticks: int, buy: bool, eth: bool
) -> None:
    instrument = ETH if eth else SPOT
    quantity = Quantity.from_raw(units * instrument.size_increment.raw, instrument.size_precision)
    price = Price.from_raw(ticks * instrument.price_increment.raw, instrument.price_precision)
    account = cash_account()
    side = OrderSide.BUY if buy else OrderSide.SELL
    expected = account.calculate_balance_locked(instrument, side, quantity, price)
    currency, raw = CashMarginModel().requirement(
        account, instrument, 1 if buy else -1, quantity.raw, price.raw, 0, 0
    )
    assert currency == expected.currency
    assert raw == expected.raw


def test_the_leveraged_model_charges_only_growth_in_the_orders_direction() -> None:
    model = LeveragedMarginModel()
    account = margin_account("1000000")
    one, price = 10**9, Price("50000.0").raw
    currency, opening = model.requirement(account, BTC_PERP, 1, one, price, 0, one)
    assert currency == USDT
    assert opening == Money("425", USDT).raw  # 0.8 % initial + 0.05 % taker
    assert model.requirement(account, BTC_PERP, -1, one, price, one, 0)[1] == 0  # reduces
    # a flip from +1 to -1 grows the short side from zero by 1; the fee is on all 2 traded
    flip = model.requirement(account, BTC_PERP, -1, 2 * one, price, one, -one)[1]
    assert flip == Money("450", USDT).raw


def test_a_leverage_setting_and_the_tiers_both_bind() -> None:
    tiers = {BTC_PERP.id: (
        LeverageTier(max_notional=Decimal(25000), max_leverage=Decimal(50),
                     maint_rate=Decimal("0.005")),
        LeverageTier(max_notional=Decimal(100000), max_leverage=Decimal(10),
                     maint_rate=Decimal("0.01")),
    )}  # fmt: skip
    model = LeveragedMarginModel(tiers)
    account = margin_account("1000000", leverages={BTC_PERP.id: Decimal(20)})
    half, price = 5 * 10**8, Price("50000.0").raw
    # 25000 notional: the account's 20x (5 %) is stricter than the tier's 50x
    assert model.requirement(account, BTC_PERP, 1, half, price, 0, half)[1] == (
        Money("1262.5", USDT).raw
    )
    assert model.tier_rate(BTC_PERP, Fraction(30000)) == Fraction(1, 10)
    assert model.maintenance_rate(BTC_PERP, Fraction(30000)) == Fraction(1, 100)
    assert model.maintenance_rate(BTC_PERP, Fraction(10**9)) == Fraction(1, 100)
    assert model.tier_rate(BTC_PERP, Fraction(25000)) == Fraction(1, 50)  # the bracket's edge
    assert model.maintenance_rate(BTC_PERP, Fraction(25000)) == Fraction(5, 1000)
    with pytest.raises(MarginDenied, match="exceeds its largest leverage tier"):
        model.tier_rate(BTC_PERP, Fraction(100001))
    untiered = LeveragedMarginModel()
    assert untiered.tier_rate(BTC_PERP, Fraction(10**9)) == 0
    assert untiered.maintenance_rate(BTC_PERP, Fraction(1)) == Fraction(BTC_PERP.margin_maint)


def test_equity_below_maintenance_margin_warns_once_and_again_on_recovery() -> None:
    account = margin_account("1000")
    h = RiskHarness(RiskConfig(check_balance=False), instruments=(BTC_PERP,), account=account)
    account.update_margin(
        MarginBalance(
            initial=Money("800", USDT),
            maintenance=Money("999.99", USDT),
            instrument_id=BTC_PERP.id,
        )
    )
    market_moves(h, 3)
    assert h.events_of(MarginWarning) == []
    account.update_margin(
        MarginBalance(
            initial=Money("800", USDT),
            maintenance=Money("1000.01", USDT),
            instrument_id=BTC_PERP.id,
        )
    )
    market_moves(h, 3)
    [warning] = h.events_of(MarginWarning)
    assert warning.breached
    assert warning.equity == Money("1000", USDT)
    assert warning.maintenance == Money("1000.01", USDT)
    account.clear_margin(BTC_PERP.id)
    market_moves(h, 1)
    assert [w.breached for w in h.events_of(MarginWarning)] == [True, False]
