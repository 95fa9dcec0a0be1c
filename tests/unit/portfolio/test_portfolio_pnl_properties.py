"""Property: the portfolio's PnL equals an independent recomputation from the fill list.

Random fills of a linear perpetual (PnL in USDT) and an inverse perpetual (PnL in BTC) go
through the execution stand-in (orders, `Position` objects, bus events) into the portfolio.
The reference below recomputes realized and unrealized PnL with average-cost accounting in
exact fractions, written separately from `Position`. The calculated margin account must end at
its starting balance plus exactly the realized PnL in each currency.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shrivenquant.model.currency import BTC, USD, USDT, Currency
from shrivenquant.model.enums import AccountType, AssetClass, LiquiditySide, OrderSide
from shrivenquant.model.identifiers import InstrumentId, Symbol
from shrivenquant.model.instruments import CryptoPerpetual, Instrument
from shrivenquant.model.values import Money, Price, Quantity
from shrivenquant.portfolio import ALL_ACCOUNTS, MarkPriceType, PortfolioConfig
from shrivenquant.testkit.instruments import TestInstrumentProvider

LINEAR = TestInstrumentProvider.btcusdt_perp_binance()
INVERSE = CryptoPerpetual(
    id=InstrumentId("BTCUSD-PERP.BINANCE"),
    raw_symbol=Symbol("BTCUSD_PERP"),
    asset_class=AssetClass.CRYPTOCURRENCY,
    base_currency=BTC,
    quote_currency=USD,
    settlement_currency=BTC,
    is_inverse=True,
    price_precision=1,
    size_precision=0,
    price_increment=Price("0.1"),
    size_increment=Quantity("1"),
    multiplier=Quantity("100"),
    maker_fee=Decimal("0.0002"),
    taker_fee=Decimal("0.0005"),
    margin_init=Decimal("0.01"),
    margin_maint=Decimal("0.005"),
    ts_event=0,
    ts_init=0,
)
CONFIG = PortfolioConfig(
    mark_price_type=MarkPriceType.LAST_TRADE,
    calculated_accounts=frozenset({ALL_ACCOUNTS}),
    journal_account_states=False,
)
START = {USDT: Money("10000000", USDT), BTC: Money("1000", BTC)}


class Reference:
    """Average-cost PnL of one instrument, exactly (independent of `Position`)."""

    def __init__(self, instrument: Instrument) -> None:
        self.multiplier = Fraction(instrument.multiplier.as_decimal())
        self.inverse = instrument.is_inverse
        self.qty = Fraction(0)  # signed
        self.cost = Fraction(0)  # sum of unit values of the open quantity
        self.realized = Fraction(0)

    def unit(self, px: Fraction) -> Fraction:
        return 1 / px if self.inverse else px

    def gain(self, qty: Fraction, avg_unit: Fraction, px: Fraction) -> Fraction:
        """PnL of closing ``qty`` of a long opened at ``avg_unit`` (per-unit value) at ``px``."""
        per_unit = avg_unit - 1 / px if self.inverse else px - avg_unit
        return qty * self.multiplier * per_unit

    def fill(self, side: OrderSide, qty: Fraction, px: Fraction, commission: Fraction) -> None:
        sign = 1 if side is OrderSide.BUY else -1
        self.realized -= commission
        if self.qty == 0 or (self.qty > 0) == (sign > 0):
            self.qty += sign * qty
            self.cost += qty * self.unit(px)
            return
        open_qty = abs(self.qty)
        closing = min(qty, open_qty)
        avg = self.cost / open_qty
        direction = 1 if self.qty > 0 else -1
        self.realized += direction * self.gain(closing, avg, px)
        self.cost -= avg * closing
        self.qty += sign * closing
        rest = qty - closing
        if rest:
            self.qty = sign * rest
            self.cost = rest * self.unit(px)
        if self.qty == 0:
            self.cost = Fraction(0)

    def unrealized(self, mark: Fraction) -> Fraction:
        if self.qty == 0:
            return Fraction(0)
        open_qty = abs(self.qty)
        direction = 1 if self.qty > 0 else -1
        return direction * self.gain(open_qty, self.cost / open_qty, mark)


def rounded(amount: Fraction, currency: Currency) -> Money:
    exact = Decimal(amount.numerator) / Decimal(amount.denominator)
    return Money(exact.quantize(Decimal(1).scaleb(-currency.precision), ROUND_HALF_EVEN), currency)


def frac(value: Price | Quantity | Money) -> Fraction:
    return Fraction(value.raw, 10**9)


fill_specs = st.lists(
    st.tuples(
        st.sampled_from([LINEAR, INVERSE]),
        st.sampled_from([OrderSide.BUY, OrderSide.SELL]),
        st.integers(1, 3_000),  # quantity steps
        st.integers(200_000, 900_000),  # price ticks of 0.1 (20000.0 .. 90000.0)
        st.sampled_from([LiquiditySide.MAKER, LiquiditySide.TAKER]),
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    fills=fill_specs,
    marks=st.tuples(st.integers(200_000, 900_000), st.integers(200_000, 900_000)),
)
def test_portfolio_pnl_matches_the_fill_list(
    make_harness: Any,
    fills: list[tuple[Instrument, OrderSide, int, int, LiquiditySide]],
    marks: tuple[int, int],
) -> None:
    h = make_harness(CONFIG, [LINEAR, INVERSE])
    h.open_account(h.state(AccountType.MARGIN, *(str(m) for m in START.values())))
    account = h.portfolio.accounts()[0]
    reference = {LINEAR.id: Reference(LINEAR), INVERSE.id: Reference(INVERSE)}
    for instrument, side, steps, ticks, liquidity in fills:
        qty = Quantity.from_raw(steps * instrument.size_increment.raw, instrument.size_precision)
        px = Price.from_raw(ticks * instrument.price_increment.raw, instrument.price_precision)
        commission = account.calculate_commission(instrument, qty, px, liquidity)
        order = h.exec.submit(instrument, side, str(qty), str(px))
        h.exec.fill(order, str(qty), str(px), commission, liquidity)
        reference[instrument.id].fill(side, frac(qty), frac(px), frac(commission))

    for instrument, ticks in zip((LINEAR, INVERSE), marks, strict=True):
        mark = Price.from_raw(ticks * instrument.price_increment.raw, instrument.price_precision)
        h.trade(instrument, str(mark))
        ref = reference[instrument.id]
        currency = instrument.settlement_currency
        assert h.portfolio.realized_pnl(instrument.id) == rounded(ref.realized, currency)
        assert h.portfolio.unrealized_pnl(instrument.id) == rounded(
            ref.unrealized(frac(mark)), currency
        )
        expected_balance = START[currency] + rounded(ref.realized, currency)
        assert account.balance_total(currency) == expected_balance
    assert h.portfolio.accounts_manager.pending_fills() == []
