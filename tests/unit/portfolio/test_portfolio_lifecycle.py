"""Portfolio lifecycle: subscriptions follow start/stop; a restart adopts restored state."""

from __future__ import annotations

from typing import Any

from shrivenquant.bus import topics
from shrivenquant.bus.message_bus import MessageBus
from shrivenquant.core.clock import TestClock
from shrivenquant.model.currency import USDT
from shrivenquant.model.enums import AccountType, OrderSide
from shrivenquant.model.events import AccountState
from shrivenquant.model.identifiers import AccountId, StrategyId, TraderId
from shrivenquant.model.values import Money, Price
from shrivenquant.portfolio import ALL_ACCOUNTS, Portfolio, PortfolioConfig
from shrivenquant.testkit.instruments import TestInstrumentProvider

PERP = TestInstrumentProvider.btcusdt_perp_binance()
CALCULATED = PortfolioConfig(
    calculated_accounts=frozenset({ALL_ACCOUNTS}), journal_account_states=False
)


def test_stop_unsubscribes_and_deregisters(make_harness: Any) -> None:
    h = make_harness(None, [PERP])
    assert topics.PORTFOLIO_UPDATE_ACCOUNT in h.bus.endpoints()
    h.portfolio.stop()
    assert topics.PORTFOLIO_UPDATE_ACCOUNT not in h.bus.endpoints()
    h.quote(PERP, "1.0", "1.0")
    assert h.portfolio.mark_price(PERP.id) is None


def test_restart_adopts_restored_states_and_books_only_new_pnl(make_harness: Any) -> None:
    h = make_harness(CALCULATED, [PERP])
    h.open_account(h.state(AccountType.MARGIN, "10000 USDT", base=USDT))
    buy = h.exec.submit(PERP, OrderSide.BUY, "1.000", "50000.0")
    h.exec.fill(buy, "1.000", "50000.0")
    sell = h.exec.submit(PERP, OrderSide.SELL, "0.500", "50200.0")
    h.exec.fill(sell, "0.500", "50200.0")
    account = h.portfolio.accounts()[0]
    assert account.balance_total() == Money("10100", USDT)
    saved = h.cache.account_state(account.id)
    assert isinstance(saved, AccountState)
    h.portfolio.stop()

    # A new portfolio on the same cache (as after a journal replay, without account objects).
    h.cache._accounts.accounts.clear()
    fresh = Portfolio(TraderId("TRADER-001"), h.bus, TestClock(5), h.cache, CALCULATED)
    fresh.start()
    restored = fresh.accounts()[0]
    assert restored.balances() == account.balances()
    assert restored.margins() == account.margins()  # type: ignore[attr-defined]
    close = h.exec.submit(PERP, OrderSide.SELL, "0.500", "50300.0")
    h.exec.fill(close, "0.500", "50300.0")
    assert restored.balance_total() == Money("10250", USDT)  # only the new 150 is booked
    fresh.stop()


def test_component_id_and_bus(make_harness: Any) -> None:
    h = make_harness(None, [])
    assert h.portfolio.id.value == "Portfolio"
    assert isinstance(h.portfolio.bus, MessageBus)


def test_prices_cached_before_the_start_are_marks(make_harness: Any) -> None:
    h = make_harness(None, [PERP])
    h.quote(PERP, "100.0", "102.0")
    h.trade(PERP, "101.5")
    late = Portfolio(
        TraderId("TRADER-001"),
        MessageBus(),
        TestClock(),
        h.cache,
        PortfolioConfig(mark_price_type="LAST_TRADE"),  # type: ignore[arg-type]
    )
    late.start()
    assert late.mark_price(PERP.id) == Price("101.5")
    late.stop()


def test_calculated_states_go_to_the_execution_engine_to_be_journaled(make_harness: Any) -> None:
    config = PortfolioConfig(calculated_accounts=frozenset({ALL_ACCOUNTS}))
    h = make_harness(config, [PERP])
    sent: list[AccountState] = []

    def engine(state: AccountState) -> None:  # journals, caches and publishes
        sent.append(state)
        h.bus.publish(topics.account_state(state.account_id), state)

    h.bus.register(topics.EXEC_ENGINE_PROCESS, engine)
    h.open_account(h.state(AccountType.MARGIN, "10000 USDT", base=USDT))
    h.exec.submit(PERP, OrderSide.BUY, "0.010", "50000.0")
    assert len(sent) == 1
    assert sent[0].reported is False
    assert h.states[-1] is sent[0]
    assert h.portfolio.accounts()[0].last_event is sent[0]  # applied once, not twice


def test_without_an_engine_calculated_states_are_published(make_harness: Any) -> None:
    config = PortfolioConfig(calculated_accounts=frozenset({ALL_ACCOUNTS}))
    h = make_harness(config, [PERP])
    h.open_account(h.state(AccountType.MARGIN, "10000 USDT", base=USDT))
    h.exec.submit(PERP, OrderSide.BUY, "0.010", "50000.0")
    assert len(h.states) == 2
    assert h.states[-1].reported is False


def test_order_and_position_events_are_heard_only_when_accounts_are_calculated(
    make_harness: Any,
) -> None:
    strategy = StrategyId("S-1")
    reported = make_harness(None, [PERP])
    assert not reported.bus.has_subscribers(topics.position_events(strategy))
    assert not reported.bus.has_subscribers(topics.order_events(strategy))
    assert reported.bus.has_subscribers(topics.account_state(AccountId("BINANCE-001")))

    calculated = make_harness(CALCULATED, [PERP])
    assert calculated.bus.has_subscribers(topics.position_events(strategy))
    assert calculated.bus.has_subscribers(topics.order_events(strategy))
    calculated.portfolio.stop()
    assert not calculated.bus.has_subscribers(topics.position_events(strategy))
