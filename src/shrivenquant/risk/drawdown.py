"""Drawdown controls per account: a daily loss limit and a maximum drawdown from peak equity.

- Daily loss: realized plus unrealized PnL now, less the same at the start of the trading day,
  in the venue's time zone (IST for NSE, UTC for crypto). A loss that reaches the limit is a
  breach.
- Max drawdown: the peak equity seen, less the equity now; reaching ``max_drawdown`` (or
  ``max_drawdown_pct`` of the peak) is a breach.

`DrawdownMonitor.evaluate` returns what happened (`Baseline`, `Breach`, `DayRolled`); the risk
engine acts on it (sets the account's trading state, flattens, journals the baselines so a
restart keeps the day's starting PnL and the peak).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final, Protocol
from zoneinfo import ZoneInfo

from shrivenquant.core.time import NANOS_PER_SECOND
from shrivenquant.model.currency import Currency
from shrivenquant.model.events import TradingStateCause
from shrivenquant.model.identifiers import AccountId, Venue
from shrivenquant.model.values import Money
from shrivenquant.risk.config_sections import DailyLossReset, DrawdownAction, DrawdownRule


class PnlSource(Protocol):
    """What the drawdown controls read: PnL and equity in one currency (None: unknown now)."""

    def total_pnl(self, account_id: AccountId, currency: Currency) -> Money | None:
        """Realized plus unrealized PnL of the account's positions, in ``currency``."""
        ...

    def equity(self, account_id: AccountId, currency: Currency) -> Money | None:
        """Balances plus the value of open positions, in ``currency``."""
        ...


@dataclass(frozen=True, slots=True)
class Baseline:
    """New baselines of an account, to journal."""

    account_id: AccountId
    trading_day: date
    day_start_pnl: Money
    peak_equity: Money | None


@dataclass(frozen=True, slots=True)
class Breach:
    """A drawdown limit was reached."""

    account_id: AccountId
    cause: TradingStateCause
    action: DrawdownAction
    reason: str


@dataclass(frozen=True, slots=True)
class DayRolled:
    """A new trading day started; ``lift`` when a daily-loss breach ends with it."""

    account_id: AccountId
    lift: bool


Outcome = Baseline | Breach | DayRolled

PEAK_RECORD_INTERVAL_NS: Final = 60 * NANOS_PER_SECOND
"""The least time between two journaled rises of the peak equity."""


def trading_day(ts_ns: int, zone: ZoneInfo) -> tuple[date, int]:
    """The trading day of ``ts_ns`` in ``zone`` and when the next one starts (UNIX ns)."""
    moment = datetime.fromtimestamp(ts_ns // NANOS_PER_SECOND, zone)
    day = moment.date()
    start = datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(days=1)
    return day, int(start.timestamp()) * NANOS_PER_SECOND


class _AccountWatch:
    """Baselines and breach flags of one account."""

    __slots__ = (
        "account_id",
        "currency",
        "daily_breached",
        "day",
        "day_ends",
        "day_start_pnl",
        "drawdown_breached",
        "peak",
        "recorded_ns",
        "rule",
        "zone",
    )

    def __init__(self, account_id: AccountId, rule: DrawdownRule, zone: ZoneInfo) -> None:
        self.account_id = account_id
        self.rule = rule
        self.zone = zone
        self.currency = rule.measured_in(None)
        self.day: date | None = None
        self.day_ends = 0
        self.day_start_pnl: Money | None = None
        self.peak: Money | None = None
        self.recorded_ns = -PEAK_RECORD_INTERVAL_NS
        self.daily_breached = False
        self.drawdown_breached = False


class DrawdownMonitor:
    """Watches the accounts that have a drawdown rule.

    Args:
        rules: the rule of each account.
        zone_of: the trading-day time zone of a venue.
        source: PnL and equity (the portfolio).
        base_currency: the currency of rules that only set ``max_drawdown_pct``.
    """

    __slots__ = ("_base_currency", "_source", "_watches", "unmeasured")

    def __init__(
        self,
        rules: Mapping[AccountId, DrawdownRule],
        zone_of: Callable[[Venue | str], ZoneInfo],
        source: PnlSource | None,
        base_currency: Callable[[AccountId], Currency | None] | None = None,
    ) -> None:
        self._source = source
        self._base_currency = base_currency
        self.unmeasured: set[AccountId] = set()  # rules without a currency to measure in
        self._watches = {
            account_id: _AccountWatch(account_id, rule, zone_of(account_id.issuer))
            for account_id, rule in rules.items()
        }

    @property
    def accounts(self) -> list[AccountId]:
        """The accounts with a rule."""
        return list(self._watches)

    def restore(
        self, account_id: AccountId, day: date, day_start_pnl: Money, peak: Money | None
    ) -> None:
        """Take baselines from the journal (a restart)."""
        watch = self._watches.get(account_id)
        if watch is None:
            return
        watch.day = day
        watch.day_ends = 0  # recomputed at the next evaluation
        watch.day_start_pnl = day_start_pnl
        watch.peak = peak

    def mark_breached(self, account_id: AccountId, cause: TradingStateCause) -> None:
        """Remember a breach restored from the journal (so the day roll can lift it)."""
        watch = self._watches.get(account_id)
        if watch is None:
            return
        if cause is TradingStateCause.DAILY_LOSS:
            watch.daily_breached = True
        elif cause is TradingStateCause.MAX_DRAWDOWN:
            watch.drawdown_breached = True

    def rearm(self, account_id: AccountId, now: int) -> Baseline | None:
        """After a manual reset: today's losses and the peak start again from now."""
        watch = self._watches.get(account_id)
        if watch is None or self._source is None:
            return None
        currency = self._currency(watch)
        if currency is None:
            return None
        pnl = self._source.total_pnl(account_id, currency)
        equity = self._source.equity(account_id, currency)
        watch.daily_breached = watch.drawdown_breached = False
        if pnl is None:
            return None
        watch.day, watch.day_ends = trading_day(now, watch.zone)
        watch.day_start_pnl = pnl
        watch.peak = equity
        watch.recorded_ns = now
        return Baseline(account_id, watch.day, pnl, equity)

    def next_day_ns(self) -> int | None:
        """When the earliest next trading day of a watched account starts (None: no day is
        known yet)."""
        starts = [watch.day_ends for watch in self._watches.values() if watch.day_ends > 0]
        return min(starts) if starts else None

    def evaluate(self, now: int) -> list[Outcome]:
        """Check every account; return what happened."""
        if self._source is None:
            return []
        outcomes: list[Outcome] = []
        for watch in self._watches.values():
            self._evaluate(watch, now, outcomes)
        return outcomes

    def _currency(self, watch: _AccountWatch) -> Currency | None:
        if watch.currency is None and self._base_currency is not None:
            watch.currency = self._base_currency(watch.account_id)
        return watch.currency

    def _evaluate(self, watch: _AccountWatch, now: int, outcomes: list[Outcome]) -> None:
        source = self._source
        currency = self._currency(watch)
        if currency is None:
            self.unmeasured.add(watch.account_id)
        if source is None or currency is None:
            return
        pnl = source.total_pnl(watch.account_id, currency)
        equity = source.equity(watch.account_id, currency)
        if pnl is None:
            return
        day_started = False
        if now >= watch.day_ends:
            day, watch.day_ends = trading_day(now, watch.zone)
            if watch.day != day or watch.day_start_pnl is None:
                if watch.day is not None:
                    lift = (
                        watch.daily_breached and watch.rule.daily_reset is DailyLossReset.NEXT_DAY
                    )
                    if lift:
                        watch.daily_breached = False
                    outcomes.append(DayRolled(watch.account_id, lift))
                watch.day = day
                watch.day_start_pnl = pnl
                day_started = True
        peak_rose = equity is not None and (watch.peak is None or equity > watch.peak)
        if peak_rose:
            watch.peak = equity
        # A new peak is journaled at most once a minute: a restart may measure the drawdown
        # from a peak up to a minute old, never from a higher one.
        if (
            watch.day is not None
            and watch.day_start_pnl is not None
            and (day_started or (peak_rose and now - watch.recorded_ns >= PEAK_RECORD_INTERVAL_NS))
        ):
            watch.recorded_ns = now
            outcomes.append(Baseline(watch.account_id, watch.day, watch.day_start_pnl, watch.peak))
        self._check_daily(watch, pnl, outcomes)
        if equity is not None:
            self._check_drawdown(watch, equity, outcomes)

    def _check_daily(self, watch: _AccountWatch, pnl: Money, outcomes: list[Outcome]) -> None:
        limit = watch.rule.daily_loss_limit
        start = watch.day_start_pnl
        if limit is None or start is None or watch.daily_breached:
            return
        loss = start - pnl
        if loss.raw >= limit.raw:
            watch.daily_breached = True
            outcomes.append(
                Breach(
                    watch.account_id,
                    TradingStateCause.DAILY_LOSS,
                    watch.rule.action,
                    f"loss today {loss} reached the daily limit {limit} ({watch.day})",
                )
            )

    def _check_drawdown(self, watch: _AccountWatch, equity: Money, outcomes: list[Outcome]) -> None:
        rule, peak = watch.rule, watch.peak
        if peak is None or watch.drawdown_breached:
            return
        drawdown = peak - equity
        reached = rule.max_drawdown is not None and drawdown.raw >= rule.max_drawdown.raw
        if rule.max_drawdown_pct is not None and peak.raw > 0:
            reached = reached or drawdown.as_decimal() >= peak.as_decimal() * rule.max_drawdown_pct
        if not reached:
            return
        watch.drawdown_breached = True
        limit = rule.max_drawdown if rule.max_drawdown is not None else f"{rule.max_drawdown_pct:%}"
        outcomes.append(
            Breach(
                watch.account_id,
                TradingStateCause.MAX_DRAWDOWN,
                rule.action,
                f"equity {equity} is {drawdown} below its peak {peak} (limit {limit})",
            )
        )
