"""ExchangeRates: direct, inverse and bridged rates from spot pair prices; None when missing."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.model.currency import BTC, ETH, EUR, USD, USDT, Currency
from shrivenquant.model.fixed_point import FIXED_SCALAR
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.model.values import Money, Price
from shrivenquant.portfolio import ExchangeRates
from shrivenquant.portfolio.xrates import money_of
from shrivenquant.testkit.instruments import TestInstrumentProvider

BTCUSDT = TestInstrumentProvider.btcusdt_binance()
ETHUSDT = TestInstrumentProvider.ethusdt_binance()
PERP = TestInstrumentProvider.btcusdt_perp_binance()


def rates(
    prices: dict[InstrumentId, str], bridges: tuple[Currency, ...] = (USDT, USD)
) -> ExchangeRates:
    table = {k: Price(v) for k, v in prices.items()}
    result = ExchangeRates(table.get, bridges)
    result.add_instruments([BTCUSDT, ETHUSDT, PERP])
    return result


def test_same_currency_is_one() -> None:
    assert rates({}).rate(EUR, EUR) == 1


def test_direct_and_inverse() -> None:
    r = rates({BTCUSDT.id: "62500.00"})
    assert r.rate(BTC, USDT) == 62500
    assert r.rate(USDT, BTC) == Fraction(1, 62500)


def test_bridged() -> None:
    r = rates({BTCUSDT.id: "50000.00", ETHUSDT.id: "2500.00"})
    assert r.rate(ETH, BTC) == Fraction(1, 20)
    assert r.rate(BTC, ETH) == 20


def test_no_bridge_no_rate() -> None:
    r = rates({BTCUSDT.id: "50000.00", ETHUSDT.id: "2500.00"}, bridges=())
    assert r.rate(ETH, BTC) is None


def test_missing_or_non_positive_price_is_none() -> None:
    assert rates({}).rate(BTC, USDT) is None
    assert rates({BTCUSDT.id: "0.00"}).rate(BTC, USDT) is None


def test_perpetuals_do_not_give_rates() -> None:
    r = ExchangeRates({PERP.id: Price("50000.0")}.get, ())
    r.add_instruments([PERP])
    assert r.rate(BTC, USDT) is None


def test_convert_rounds_once_half_even() -> None:
    r = rates({BTCUSDT.id: "3.00"})
    # 1 USDT = 1/3 BTC = 0.333333333... -> 0.33333333
    assert r.convert(Money("1", USDT), BTC) == Money("0.33333333", BTC)
    assert r.convert(Money("0.00000001", BTC), USDT) == Money("0.00000003", USDT)
    assert r.convert(Money("1", EUR), USDT) is None


@settings(max_examples=300, deadline=None)
@given(
    btc=st.integers(1, 10**8 * 100),
    eth=st.integers(1, 10**6 * 100),
    raw=st.integers(-(10**20), 10**20),
    legs=st.sampled_from([(BTC, USDT), (USDT, BTC), (ETH, BTC), (BTC, ETH), (USDT, ETH)]),
)
def test_convert_equals_the_exact_fraction_rounded_once(
    btc: int, eth: int, raw: int, legs: tuple[Currency, Currency]
) -> None:
    r = rates({BTCUSDT.id: f"{btc / 100:.2f}", ETHUSDT.id: f"{eth / 100:.2f}"})
    source, target = legs
    amount = Money.from_raw(raw - raw % 10 ** (9 - source.precision), source)
    rate = r.rate(source, target)
    assert rate is not None
    expected = money_of(Fraction(amount.raw, FIXED_SCALAR) * rate, target)
    assert r.convert(amount, target) == expected
