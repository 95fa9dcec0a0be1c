"""ExchangeRates: direct, inverse and bridged rates from spot pair prices; None when missing."""

from __future__ import annotations

from fractions import Fraction

from shrivenquant.model.currency import BTC, ETH, EUR, USD, USDT, Currency
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.model.values import Money, Price
from shrivenquant.portfolio import ExchangeRates
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
