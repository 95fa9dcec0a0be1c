"""Drawdown controls on a simulated clock: daily loss by the venue's trading day (UTC for
crypto, IST for NSE), max drawdown from peak equity, each action and reset rule, restarts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from shrivenquant.model.currency import INR, USDT, Currency
from shrivenquant.model.enums import OrderSide, TradingState
from shrivenquant.model.events import RiskBaselineRecorded, RiskScope, TradingStateCause
from shrivenquant.model.identifiers import AccountId, Venue
from shrivenquant.model.values import Money
from shrivenquant.risk import RiskConfig, RiskReason
from shrivenquant.risk.drawdown import trading_day
from shrivenquant.testkit.instruments import TestInstrumentProvider

from .conftest import BTC_SPOT, ListJournal, RiskHarness, cash_account, market_moves

BUY, SELL = OrderSide.BUY, OrderSide.SELL
BINANCE = AccountId("BINANCE-001")
NSE = AccountId("NSE-001")
RELIANCE = TestInstrumentProvider.reliance_nse()
SECOND = 10**9


def ns(moment: datetime) -> int:
    return int(moment.timestamp()) * SECOND


class PnlPortfolio:
    """A portfolio stand-in whose PnL and equity the test sets."""

    def __init__(self, currency: Currency) -> None:
        self.currency = currency
        self.pnl: dict[str, Money] = {}
        self.equity: dict[AccountId, Money] = {}

    def set(self, account: AccountId, pnl: str, equity: str | None = None) -> None:
        self.pnl[account.issuer] = Money(pnl, self.currency)
        if equity is not None:
            self.equity[account] = Money(equity, self.currency)

    def total_pnls(self, venue: Venue | None = None, **_: Any) -> dict[Currency, Money] | None:
        amount = self.pnl.get("" if venue is None else venue.value)
        return None if amount is None else {amount.currency: amount}

    def convert_all(self, amounts: dict[Currency, Money] | None, to: Currency) -> Money | None:
        if amounts is None:
            return None
        return next(iter(amounts.values()))

    def equity_in(self, account_id: AccountId, currency: Currency | None = None) -> Money | None:
        return self.equity.get(account_id)

    def xrate(self, source: Currency, target: Currency) -> Fraction | None:
        return Fraction(1) if source == target else None


def harness(
    rule: dict[str, Any],
    *,
    account: AccountId = BINANCE,
    clock_ns: int = ns(datetime(2025, 3, 3, 12, 0, tzinfo=UTC)),
    journal: ListJournal | None = None,
    portfolio: PnlPortfolio | None = None,
) -> tuple[RiskHarness, PnlPortfolio]:
    currency = INR if account == NSE else USDT
    portfolio = portfolio or PnlPortfolio(currency)
    portfolio.set(account, "0", "10000")
    kwargs: dict[str, Any] = {"portfolio": portfolio}
    if journal is not None:
        kwargs["journal"] = journal
    instruments = (RELIANCE,) if account == NSE else (BTC_SPOT,)
    cash = cash_account({INR: "10000000"}, "NSE-001") if account == NSE else "cash"
    h = RiskHarness(
        RiskConfig.from_mapping({"drawdown": {account.value: rule}}),
        instruments=instruments,
        account=cash,
        clock_ns=clock_ns,
        risk_kwargs=kwargs,
    )
    h.risk.evaluate()
    return h, portfolio


def account_state(h: RiskHarness, account: AccountId = BINANCE) -> TradingState:
    return h.risk.trading_state(RiskScope(account_id=account))


def test_trading_days_follow_the_venues_time_zone() -> None:
    ist = ZoneInfo("Asia/Kolkata")
    before = ns(datetime(2025, 3, 3, 18, 29, 59, tzinfo=UTC))  # 23:59:59 IST
    day, next_start = trading_day(before, ist)
    assert day == date(2025, 3, 3)
    assert next_start == ns(datetime(2025, 3, 3, 18, 30, tzinfo=UTC))
    assert trading_day(next_start, ist)[0] == date(2025, 3, 4)
    assert trading_day(before, ZoneInfo("UTC"))[0] == date(2025, 3, 3)
    assert trading_day(next_start, ZoneInfo("UTC"))[0] == date(2025, 3, 3)


def test_daily_loss_halts_at_the_limit_and_lifts_next_utc_day() -> None:
    h, pnl = harness({"daily_loss_limit": "1000 USDT"})
    [baseline] = h.events_of(RiskBaselineRecorded)
    assert baseline.trading_day == "2025-03-03"
    pnl.set(BINANCE, "-999.99")
    market_moves(h, 1)
    assert account_state(h) is TradingState.ACTIVE
    pnl.set(BINANCE, "-1000")
    market_moves(h, 1)
    assert account_state(h) is TradingState.HALTED
    entry = h.risk.states.entry(RiskScope(account_id=BINANCE))
    assert entry is not None
    assert entry.cause is TradingStateCause.DAILY_LOSS
    assert h.code(h.order(BUY, "0.1", "50000.00")) is RiskReason.TRADING_HALTED
    h.clock.set_time(ns(datetime(2025, 3, 3, 23, 59, 59, tzinfo=UTC)))
    h.advance(0)
    h.risk.evaluate()
    assert account_state(h) is TradingState.HALTED
    h.advance(1)  # midnight UTC: a new trading day
    assert account_state(h) is TradingState.ACTIVE
    pnl.set(BINANCE, "-1999.99")  # today's baseline is -1000
    market_moves(h, 1)
    assert account_state(h) is TradingState.ACTIVE
    pnl.set(BINANCE, "-2000")
    market_moves(h, 1)
    assert account_state(h) is TradingState.HALTED


def test_an_nse_account_rolls_its_day_at_midnight_ist() -> None:
    start = ns(datetime(2025, 3, 3, 18, 0, tzinfo=UTC))  # 23:30 IST
    h, pnl = harness({"daily_loss_limit": "5000 INR"}, account=NSE, clock_ns=start)
    pnl.set(NSE, "-5000")
    market_moves(h, 1)
    assert account_state(h, NSE) is TradingState.HALTED
    h.advance(29 * 60 + 58)  # 23:59:59 IST
    assert account_state(h, NSE) is TradingState.HALTED
    h.advance(1)  # 00:00 IST (18:30 UTC): the NSE day is over
    assert account_state(h, NSE) is TradingState.ACTIVE
    days = [e.trading_day for e in h.events_of(RiskBaselineRecorded)]
    assert days == ["2025-03-03", "2025-03-04"]


def test_reducing_action_allows_only_reducing_orders() -> None:
    h, pnl = harness({"daily_loss_limit": "100 USDT", "action": "REDUCING"})
    h.fill(h.order(BUY, "1", "50000.00"))
    pnl.set(BINANCE, "-100")
    market_moves(h, 1)
    assert account_state(h) is TradingState.REDUCING
    assert h.code(h.order(BUY, "0.1", "50000.00")) is RiskReason.TRADING_REDUCING
    assert h.passed(h.order(SELL, "1", "50010.00"))


def test_flatten_action_cancels_closes_and_halts_the_account() -> None:
    h, pnl = harness({"daily_loss_limit": "100 USDT", "action": "FLATTEN"})
    h.fill(h.order(BUY, "1", "50000.00"))
    h.order(BUY, "0.1", "49000.00")
    pnl.set(BINANCE, "-150")
    market_moves(h, 1)
    assert account_state(h) is TradingState.HALTED
    flattening = list(h.cache.orders_open())
    assert [(o.side, str(o.quantity), o.reduce_only) for o in flattening] == [
        (SELL, "1.00000", True)
    ]
    h.client.fill(flattening[0].client_order_id, px=BTC_SPOT.make_price("49900.00"))
    assert h.cache.orders_open() == []
    assert h.cache.positions_open() == []


def test_manual_reset_waits_for_the_command_and_rebases() -> None:
    h, pnl = harness({"daily_loss_limit": "100 USDT", "daily_reset": "MANUAL"})
    pnl.set(BINANCE, "-100")
    market_moves(h, 1)
    h.advance(24 * 3600)
    assert account_state(h) is TradingState.HALTED  # no lift at the day's end
    h.risk.set_trading_state(TradingState.ACTIVE, RiskScope(account_id=BINANCE), "reviewed")
    assert account_state(h) is TradingState.ACTIVE
    market_moves(h, 1)
    assert account_state(h) is TradingState.ACTIVE  # the loss so far is forgiven
    pnl.set(BINANCE, "-200")
    market_moves(h, 1)
    assert account_state(h) is TradingState.HALTED


def test_max_drawdown_from_the_peak_in_amount_and_percent() -> None:
    h, pnl = harness({"max_drawdown": "500 USDT"})
    pnl.set(BINANCE, "0", "10500")  # a new peak
    market_moves(h, 1)
    pnl.set(BINANCE, "0", "10000.01")
    market_moves(h, 1)
    assert account_state(h) is TradingState.ACTIVE
    pnl.set(BINANCE, "0", "10000")
    market_moves(h, 1)
    assert account_state(h) is TradingState.HALTED
    entry = h.risk.states.entry(RiskScope(account_id=BINANCE))
    assert entry is not None
    assert entry.cause is TradingStateCause.MAX_DRAWDOWN
    h.advance(24 * 3600)
    assert account_state(h) is TradingState.HALTED  # only a command lifts it
    h.risk.set_trading_state(TradingState.ACTIVE, RiskScope(account_id=BINANCE))
    market_moves(h, 1)
    assert account_state(h) is TradingState.ACTIVE  # the peak restarted at 10000

    pct, pnl2 = harness({"max_drawdown_pct": "0.1", "currency": "USDT"})
    pnl2.set(BINANCE, "0", "9000.01")
    market_moves(pct, 1)
    assert account_state(pct) is TradingState.ACTIVE
    pnl2.set(BINANCE, "0", "9000")
    market_moves(pct, 1)
    assert account_state(pct) is TradingState.HALTED


def test_a_restart_keeps_the_days_baseline_and_the_breach() -> None:
    journal = ListJournal()
    h, pnl = harness({"daily_loss_limit": "1000 USDT"}, journal=journal)
    pnl.set(BINANCE, "-600")
    market_moves(h, 1)
    later = h.clock.timestamp_ns() + 3600 * SECOND
    again, _ = harness({"daily_loss_limit": "1000 USDT"}, journal=journal, clock_ns=later,
                       portfolio=pnl)  # fmt: skip
    pnl.set(BINANCE, "-1000")  # 1000 lost since this morning's baseline, not since the restart
    market_moves(again, 1)
    assert account_state(again) is TradingState.HALTED

    third, _ = harness({"daily_loss_limit": "1000 USDT"}, journal=journal,
                       clock_ns=again.clock.timestamp_ns() + SECOND, portfolio=pnl)  # fmt: skip
    assert account_state(third) is TradingState.HALTED
    third.clock.set_time(ns(datetime(2025, 3, 4, 0, 0, tzinfo=UTC)) - 1)
    third.advance(1)  # no data needed: an alert marks the day's end
    assert account_state(third) is TradingState.ACTIVE  # the restored breach lifts next day


def test_a_fill_triggers_an_evaluation_at_once() -> None:
    h, pnl = harness({"daily_loss_limit": "100 USDT"})
    pnl.set(BINANCE, "-100")
    assert account_state(h) is TradingState.ACTIVE  # no timer has fired yet
    h.fill(h.order(BUY, "0.1", "50000.00"))  # the position event runs the controls
    assert account_state(h) is TradingState.HALTED


def test_a_restart_keeps_the_peak_equity() -> None:
    journal = ListJournal()
    h, pnl = harness({"max_drawdown": "500 USDT"}, journal=journal)
    market_moves(h, 60)
    pnl.set(BINANCE, "0", "10500")
    market_moves(h, 1)  # a new peak, journaled (the last record is a minute old)
    peaks = [e.peak_equity for e in h.events_of(RiskBaselineRecorded)]
    assert peaks == [Money("10000", USDT), Money("10500", USDT)]
    pnl.set(BINANCE, "0", "10600")
    market_moves(h, 1)  # a higher peak a second later is kept, not journaled yet
    assert len(h.events_of(RiskBaselineRecorded)) == 2
    again, _ = harness({"max_drawdown": "500 USDT"}, journal=journal,
                       clock_ns=h.clock.timestamp_ns(), portfolio=pnl)  # fmt: skip
    pnl.set(BINANCE, "0", "10000")
    market_moves(again, 1)
    assert account_state(again) is TradingState.HALTED
