"""Marks, unrealized PnL by mark type, exposure, multi-currency conversion and equity."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from shrivenquant.model.currency import BTC, ETH, EUR, INR, USDT
from shrivenquant.model.enums import AccountType, OrderSide, PositionSide
from shrivenquant.model.identifiers import StrategyId, Venue
from shrivenquant.model.values import Money, Price
from shrivenquant.portfolio import ALL_ACCOUNTS, MarkPriceType, PortfolioConfig
from shrivenquant.testkit.instruments import TestInstrumentProvider

BTCUSDT = TestInstrumentProvider.btcusdt_binance()
ETHUSDT = TestInstrumentProvider.ethusdt_binance()
PERP = TestInstrumentProvider.btcusdt_perp_binance()
OPTION = TestInstrumentProvider.nifty_option()


def usdt(text: str) -> Money:
    return Money(text, USDT)


def config(mark: MarkPriceType, **kwargs: Any) -> PortfolioConfig:
    return PortfolioConfig(mark_price_type=mark, journal_account_states=False, **kwargs)


def with_long_perp(make_harness: Any, mark: MarkPriceType) -> Any:
    h = make_harness(config(mark), [PERP])
    h.open_account(h.state(AccountType.MARGIN, "100000 USDT", base=USDT))
    order = h.exec.submit(PERP, OrderSide.BUY, "0.500", "50000.0")
    h.exec.fill(order, "0.500", "50000.0")
    return h


class TestUnrealizedByMarkType:
    @pytest.mark.parametrize(
        ("mark", "expected_mark", "expected_pnl"),
        [
            (MarkPriceType.MID, "50150.00", "75"),  # (50100 + 50200) / 2
            (MarkPriceType.LAST_TRADE, "50300.0", "150"),
            (MarkPriceType.BAR_CLOSE, "49900.0", "-50"),
        ],
    )
    def test_each_mark_type(
        self, make_harness: Any, mark: MarkPriceType, expected_mark: str, expected_pnl: str
    ) -> None:
        h = with_long_perp(make_harness, mark)
        assert h.portfolio.unrealized_pnl(PERP.id) is None  # no price yet
        h.quote(PERP, "50100.0", "50200.0")
        h.trade(PERP, "50300.0")
        h.bar(PERP, "49900.0")
        assert h.portfolio.mark_price(PERP.id) == Price(expected_mark)
        assert h.portfolio.unrealized_pnl(PERP.id) == usdt(expected_pnl)
        assert h.portfolio.total_pnls() == {USDT: usdt(expected_pnl)}
        assert h.portfolio.realized_pnl(PERP.id) == usdt("0")

    def test_missing_mark_is_none_not_zero(self, make_harness: Any) -> None:
        h = with_long_perp(make_harness, MarkPriceType.LAST_TRADE)
        h.quote(PERP, "50100.0", "50200.0")  # a quote is not a trade
        assert h.portfolio.unrealized_pnls() is None
        assert h.portfolio.total_pnls() is None
        assert h.portfolio.net_exposures() is None

    def test_flat_instrument_has_zero_unrealized(self, make_harness: Any) -> None:
        h = make_harness(config(MarkPriceType.MID), [PERP])
        assert h.portfolio.unrealized_pnl(PERP.id) == usdt("0")
        assert h.portfolio.realized_pnl(PERP.id) == usdt("0")


class TestExposureAndPnl:
    def test_net_and_gross_exposure_per_instrument_and_venue(self, make_harness: Any) -> None:
        h = make_harness(config(MarkPriceType.MID), [PERP, ETHUSDT])
        h.open_account(h.state(AccountType.MARGIN, "100000 USDT", base=USDT))
        long = h.exec.submit(PERP, OrderSide.BUY, "0.500", "50000.0")
        h.exec.fill(long, "0.500", "50000.0")
        short = h.exec.submit(ETHUSDT, OrderSide.SELL, "2.0000", "3000.00")
        h.exec.fill(short, "2.0000", "3000.00")
        h.quote(PERP, "49999.0", "50001.0")
        h.quote(ETHUSDT, "2999.00", "3001.00")
        assert h.portfolio.net_exposure(PERP.id) == usdt("25000")
        assert h.portfolio.net_exposure(ETHUSDT.id) == usdt("-6000")
        assert h.portfolio.net_exposures() == {USDT: usdt("19000")}
        assert h.portfolio.gross_exposures(Venue("BINANCE")) == {USDT: usdt("31000")}
        assert h.portfolio.net_exposures(Venue("NSE")) == {}
        assert h.portfolio.net_position(ETHUSDT.id) == Decimal("-2")
        assert h.portfolio.net_side(ETHUSDT.id) is PositionSide.SHORT
        assert h.portfolio.net_side(PERP.id) is PositionSide.LONG

    def test_net_side_sums_the_open_positions(self, make_harness: Any) -> None:
        h = make_harness(config(MarkPriceType.MID), [PERP])
        h.open_account(h.state(AccountType.MARGIN, "100000 USDT", base=USDT))
        a, b = StrategyId("S-A"), StrategyId("S-B")
        assert h.portfolio.net_side(PERP.id) is PositionSide.FLAT
        buy = h.exec.submit(PERP, OrderSide.BUY, "1.000", "50000.0", strategy_id=a)
        h.exec.fill(buy, "1.000", "50000.0")
        assert h.portfolio.net_side(PERP.id) is PositionSide.LONG
        sell = h.exec.submit(PERP, OrderSide.SELL, "1.000", "50000.0", strategy_id=b)
        h.exec.fill(sell, "1.000", "50000.0")
        assert h.portfolio.net_side(PERP.id, a) is PositionSide.LONG
        assert h.portfolio.net_side(PERP.id, b) is PositionSide.SHORT
        assert h.portfolio.net_side(PERP.id) is PositionSide.FLAT  # one long, one short
        more = h.exec.submit(PERP, OrderSide.SELL, "0.500", "50000.0", strategy_id=b)
        h.exec.fill(more, "0.500", "50000.0")
        assert h.portfolio.net_side(PERP.id) is PositionSide.SHORT

    def test_realized_and_commissions_per_strategy(self, make_harness: Any) -> None:
        h = make_harness(config(MarkPriceType.MID), [PERP])
        h.open_account(h.state(AccountType.MARGIN, "100000 USDT", base=USDT))
        a, b = StrategyId("S-A"), StrategyId("S-B")
        for strategy, exit_px in ((a, "50100.0"), (b, "49900.0")):
            buy = h.exec.submit(PERP, OrderSide.BUY, "1.000", "50000.0", strategy_id=strategy)
            h.exec.fill(buy, "1.000", "50000.0", usdt("25"))
            sell = h.exec.submit(PERP, OrderSide.SELL, "1.000", exit_px, strategy_id=strategy)
            h.exec.fill(sell, "1.000", exit_px, usdt("25"))
        assert h.portfolio.realized_pnl(PERP.id, a) == usdt("50")  # 100 - 50 fees
        assert h.portfolio.realized_pnl(PERP.id, b) == usdt("-150")
        assert h.portfolio.realized_pnls() == {USDT: usdt("-100")}
        assert h.portfolio.commissions(strategy_id=a) == {USDT: usdt("50")}
        assert h.portfolio.commissions() == {USDT: usdt("100")}
        assert h.portfolio.unrealized_pnls() == {}


class TestConversion:
    def make(self, make_harness: Any) -> Any:
        h = make_harness(config(MarkPriceType.MID, base_currency="USDT"), [BTCUSDT, ETHUSDT])
        h.open_account(h.state(AccountType.CASH, "1000 USDT", "0.5 BTC", "2 ETH"))
        h.quote(BTCUSDT, "49999.00", "50001.00")
        h.quote(ETHUSDT, "2999.00", "3001.00")
        return h

    def test_direct_inverse_and_triangulated_rates(self, make_harness: Any) -> None:
        h = self.make(make_harness)
        assert h.portfolio.xrate(BTC, USDT) == Fraction(50000)
        assert h.portfolio.xrate(USDT, BTC) == Fraction(1, 50000)
        assert h.portfolio.xrate(ETH, BTC) == Fraction(3, 50)  # via USDT
        assert h.portfolio.xrate(USDT, USDT) == 1

    def test_missing_rate_is_none(self, make_harness: Any) -> None:
        h = self.make(make_harness)
        assert h.portfolio.xrate(EUR, USDT) is None
        assert h.portfolio.convert(Money("1", EUR)) is None
        assert h.portfolio.convert_all({EUR: Money("1", EUR), USDT: usdt("1")}) is None

    def test_multi_currency_equity_in_base_currency(self, make_harness: Any) -> None:
        h = self.make(make_harness)
        account = h.portfolio.accounts()[0]
        assert h.portfolio.equity(account.id) == {
            USDT: usdt("1000"),
            BTC: Money("0.5", BTC),
            ETH: Money("2", ETH),
        }
        assert h.portfolio.equity_in(account.id) == usdt("32000")  # 1000 + 25000 + 6000
        assert h.portfolio.equity_in(account.id, BTC) == Money("0.64", BTC)

    def test_rate_from_trade_when_no_quote(self, make_harness: Any) -> None:
        h = make_harness(config(MarkPriceType.MID), [BTCUSDT])
        h.trade(BTCUSDT, "40000.00")
        assert h.portfolio.convert(Money("0.25", BTC), USDT) == usdt("10000")

    def test_pairs_added_later_are_found(self, make_harness: Any) -> None:
        h = make_harness(config(MarkPriceType.MID), [])
        h.cache.add_instrument(BTCUSDT)
        h.quote(BTCUSDT, "100.00", "100.00")
        assert h.portfolio.xrate(BTC, USDT) == 100

    def test_conversion_needs_a_currency(self, make_harness: Any) -> None:
        h = make_harness(config(MarkPriceType.MID), [])
        with pytest.raises(ValueError, match="base_currency"):
            h.portfolio.convert(usdt("1"))


class TestCashEquity:
    def test_option_premium_is_valued_at_the_mark(self, make_harness: Any) -> None:
        h = make_harness(
            config(MarkPriceType.LAST_TRADE, calculated_accounts=frozenset({ALL_ACCOUNTS})),
            [OPTION],
        )
        h.open_account(h.state(AccountType.CASH, "100000 INR", base=INR))
        order = h.exec.submit(OPTION, OrderSide.BUY, "75", "120.00")
        h.exec.fill(order, "75", "120.00", Money("0", INR))
        account = h.portfolio.accounts()[0]
        assert account.balance_total() == Money("91000", INR)  # 100000 - 75 * 120
        assert h.portfolio.equity(account.id) is None  # no mark yet
        h.trade(OPTION, "130.00")
        assert h.portfolio.equity_in(account.id) == Money("100750", INR)  # 91000 + 75 * 130


def test_converting_to_the_same_currency_keeps_the_value_and_rounds_extra_places(
    make_harness: Any,
) -> None:
    h = make_harness(config(MarkPriceType.MID), [PERP])
    assert h.portfolio.convert(Money("1.25", EUR), EUR) == Money("1.25", EUR)
    assert str(h.portfolio.convert(Money("0.125", EUR), EUR)) == "0.12 EUR"  # half to even
