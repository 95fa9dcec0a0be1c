"""The portfolio keeps calculated accounts: cash locks and fills, margin requirements, states."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shrivenquant.bus import topics
from shrivenquant.core.lifecycle import ComponentState
from shrivenquant.model.accounts import CashAccount, MarginAccount
from shrivenquant.model.balances import MarginBalance
from shrivenquant.model.currency import BTC, USDT
from shrivenquant.model.enums import AccountType, OrderSide
from shrivenquant.model.values import Money
from shrivenquant.portfolio import ALL_ACCOUNTS, PortfolioConfig
from shrivenquant.testkit.instruments import TestInstrumentProvider

BTCUSDT = TestInstrumentProvider.btcusdt_binance()
PERP = TestInstrumentProvider.btcusdt_perp_binance()

CALCULATED = PortfolioConfig(
    calculated_accounts=frozenset({ALL_ACCOUNTS}), journal_account_states=False
)


def usdt(text: str) -> Money:
    return Money(text, USDT)


def btc(text: str) -> Money:
    return Money(text, BTC)


def cash_harness(make_harness: Any, *totals: str) -> tuple[Any, CashAccount]:
    h = make_harness(CALCULATED, [BTCUSDT])
    h.open_account(h.state(AccountType.CASH, *totals))
    account = h.portfolio.accounts()[0]
    assert isinstance(account, CashAccount)
    return h, account


class TestCashAccount:
    def test_open_order_locks_and_cancel_releases(self, make_harness: Any) -> None:
        h, account = cash_harness(make_harness, "10000 USDT")
        order = h.exec.submit(BTCUSDT, OrderSide.BUY, "0.10000", "50000.00")
        assert account.balance_locked(USDT) == usdt("5005")  # 5000 + 0.1 % fee
        assert account.balance_free(USDT) == usdt("4995")
        assert h.states[-1].balance(USDT).locked == usdt("5005")
        h.exec.cancel(order)
        assert account.balance_locked(USDT) == usdt("0")
        assert account.balance_free(USDT) == usdt("10000")
        assert h.portfolio.state is ComponentState.RUNNING

    def test_partial_fill_books_cash_and_keeps_the_rest_locked(self, make_harness: Any) -> None:
        h, account = cash_harness(make_harness, "10000 USDT")
        order = h.exec.submit(BTCUSDT, OrderSide.BUY, "0.10000", "50000.00")
        h.exec.fill(order, "0.04000", "49900.00", usdt("1.996"))
        # 10000 - 0.04 * 49900 - 1.996
        assert account.balance_total(USDT) == usdt("8002.004")
        assert account.balance_locked(USDT) == usdt("3003")  # 0.06 * 50000 * 1.001
        assert account.balance_total(BTC) == btc("0.04")
        assert account.commission(USDT) == usdt("1.996")
        h.exec.fill(order, "0.06000", "50000.00", usdt("3"))
        assert account.balance_locked(USDT) == usdt("0")
        assert account.balance_total(USDT) == usdt("4999.004")
        assert account.balance_total(BTC) == btc("0.1")
        last = h.states[-1]
        assert last.reported is False
        assert last.balance(BTC) is not None

    def test_sell_locks_base_currency(self, make_harness: Any) -> None:
        h, account = cash_harness(make_harness, "0.5 BTC")
        h.exec.submit(BTCUSDT, OrderSide.SELL, "0.20000", "51000.00")
        assert account.balance_locked(BTC) == btc("0.2")
        assert account.balance_free(BTC) == btc("0.3")

    def test_unaffordable_order_degrades_the_portfolio(self, make_harness: Any) -> None:
        h, account = cash_harness(make_harness, "100 USDT")
        h.exec.submit(BTCUSDT, OrderSide.BUY, "0.10000", "50000.00")
        assert h.portfolio.state is ComponentState.DEGRADED
        assert account.balance_locked(USDT) == usdt("0")  # nothing half-done

    def test_market_order_locks_at_the_ask(self, make_harness: Any) -> None:
        h, account = cash_harness(make_harness, "10000 USDT")
        h.quote(BTCUSDT, "49999.00", "50001.00")
        h.exec.submit(BTCUSDT, OrderSide.BUY, "0.10000")
        assert account.balance_locked(USDT) == usdt("5005.1001")  # 5000.1 * 1.001

    def test_unpriced_market_order_locks_nothing(self, make_harness: Any) -> None:
        h, account = cash_harness(make_harness, "10000 USDT")
        h.exec.submit(BTCUSDT, OrderSide.BUY, "0.10000")
        assert account.balance_locked(USDT) == usdt("0")

    def test_reported_account_takes_only_venue_states(self, make_harness: Any) -> None:
        h = make_harness(None, [BTCUSDT])
        h.open_account(h.state(AccountType.CASH, "10000 USDT"))
        order = h.exec.submit(BTCUSDT, OrderSide.BUY, "0.10000", "50000.00")
        h.exec.fill(order, "0.10000", "50000.00", usdt("5"))
        account = h.portfolio.accounts()[0]
        assert account.balance_total(USDT) == usdt("10000")
        assert account.balance_locked(USDT) == usdt("0")
        assert len(h.states) == 1
        h.bus.publish(
            topics.account_state(account.id), h.state(AccountType.CASH, "4995 USDT", "0.1 BTC")
        )
        assert account.balance_total(USDT) == usdt("4995")
        assert account.balance_total(BTC) == btc("0.1")

    def test_a_state_is_applied_and_published_once(self, make_harness: Any) -> None:
        h = make_harness(None, [BTCUSDT])
        state = h.state(AccountType.CASH, "10 USDT")
        h.open_account(state)
        h.open_account(state)
        assert h.states == [state]
        assert h.portfolio.accounts()[0].event_count == 1
        assert h.cache.account_state(state.account_id) == state


class TestMarginAccount:
    def test_perp_margin_through_a_round_trip(self, make_harness: Any) -> None:
        config = PortfolioConfig(
            calculated_accounts=frozenset({"BINANCE-001"}),
            leverages={PERP.id: Decimal(10)},
            journal_account_states=False,
        )
        h = make_harness(config, [PERP])
        h.open_account(h.state(AccountType.MARGIN, "10000 USDT", base=USDT))
        account = h.portfolio.accounts()[0]
        assert isinstance(account, MarginAccount)
        assert account.leverage(PERP.id) == Decimal(10)

        order = h.exec.submit(PERP, OrderSide.BUY, "1.000", "50000.0")
        # order: 50000 * (1/10 + 0.0005 taker)
        assert account.margin(PERP.id) == MarginBalance(
            initial=usdt("5025"), maintenance=usdt("0"), instrument_id=PERP.id
        )
        assert account.balance_free() == usdt("4975")

        h.exec.fill(order, "1.000", "50000.0", usdt("25"))
        assert account.balance_total() == usdt("9975")
        # position held at its entry price (no mark yet): 5000 initial, 200 maintenance
        assert account.margin(PERP.id) == MarginBalance(
            initial=usdt("5000"), maintenance=usdt("200"), instrument_id=PERP.id
        )
        assert account.balance_locked() == usdt("5000")

        h.quote(PERP, "50999.9", "51000.1")
        h.portfolio.refresh()
        assert account.margin(PERP.id) == MarginBalance(
            initial=usdt("5100"), maintenance=usdt("204"), instrument_id=PERP.id
        )
        assert h.portfolio.unrealized_pnl(PERP.id) == usdt("1000")
        assert h.portfolio.equity_in(account.id) == usdt("10975")

        close = h.exec.submit(PERP, OrderSide.SELL, "1.000", "51000.0")
        h.exec.fill(close, "1.000", "51000.0", usdt("25.5"))
        assert account.balance_total() == usdt("10949.5")  # 9975 + 1000 - 25.5
        assert account.margins() == {}
        assert account.balance_locked() == usdt("0")
        assert h.portfolio.realized_pnl(PERP.id) == usdt("949.5")  # net of both commissions
        assert h.portfolio.accounts_manager.pending_fills() == []

    def test_fill_waits_for_its_position(self, make_harness: Any) -> None:
        h = make_harness(CALCULATED, [PERP])
        h.open_account(h.state(AccountType.MARGIN, "1000 USDT", base=USDT))
        order = h.exec.submit(PERP, OrderSide.BUY, "0.010", "50000.0")
        seen: list[Money | None] = []

        def on_fill(event: object) -> None:
            seen.append(h.portfolio.accounts()[0].balance_total())

        h.bus.subscribe(topics.order_events_all(), on_fill, priority=-1)
        h.exec.fill(order, "0.010", "50000.0", usdt("0.25"))
        assert seen == [usdt("1000")]  # booked after the position event, not with the fill
        assert h.portfolio.accounts()[0].balance_total() == usdt("999.75")
        assert h.portfolio.accounts_manager.pending_fills() == []
