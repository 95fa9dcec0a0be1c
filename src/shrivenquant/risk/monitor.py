"""What the risk engine watches: market data, order and position events, component states
and the clock.

- Quotes, trades and bars update the reference prices and feed the market-move breaker.
- Order events keep the ledger true; venue rejects count for the venue-error breaker.
- Position events run the drawdown controls at once; market data and account states run the
  evaluation (drawdown, maintenance margin, order timeouts) at most once per
  ``evaluation_interval`` (`shrivenquant.risk.schedule`: driven by events, not a polling timer).
- A venue's clients going DEGRADED or FAULTED count as disconnects; orders waiting too long
  for the venue count as timeouts, found by an alert at the moment the oldest one times out.
- The evaluation compares each margin account's equity with its maintenance margin and
  publishes a `MarginWarning` when it falls below (and when it recovers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from shrivenquant.bus import topics
from shrivenquant.core.lifecycle import ComponentState
from shrivenquant.core.uuid import UUID4
from shrivenquant.model.accounts import MarginAccount
from shrivenquant.model.currency import Currency
from shrivenquant.model.data import Bar, QuoteTick, TradeTick
from shrivenquant.model.enums import TradingState
from shrivenquant.model.events import (
    AccountState,
    ComponentStateChanged,
    MarginWarning,
    OrderDenied,
    OrderEvent,
    OrderPendingCancel,
    OrderPendingUpdate,
    OrderRejected,
    OrderSubmitted,
    PositionEvent,
    RiskScope,
    TradingStateCause,
)
from shrivenquant.model.identifiers import AccountId, InstrumentId, Venue
from shrivenquant.model.instruments import Instrument
from shrivenquant.risk.breakers import MarketMoveBreaker, VenueErrorBreaker
from shrivenquant.risk.config_sections import DrawdownAction
from shrivenquant.risk.drawdown import Baseline, Breach, DayRolled, Outcome
from shrivenquant.risk.schedule import EvaluationSchedule, OneShotAlerts
from shrivenquant.risk.sources import PortfolioSource

if TYPE_CHECKING:
    from shrivenquant.risk.engine import RiskEngine

_DAY_ROLL: Final = "RiskEngine-day-roll"
_TIMEOUTS: Final = "RiskEngine-timeouts"
_INFLIGHT: Final = frozenset({OrderSubmitted, OrderPendingUpdate, OrderPendingCancel})
_FAILED: Final = frozenset({ComponentState.DEGRADED.value, ComponentState.FAULTED.value})
_STATE_OF_ACTION: Final = {
    DrawdownAction.REDUCING: TradingState.REDUCING,
    DrawdownAction.HALTED: TradingState.HALTED,
    DrawdownAction.FLATTEN: TradingState.HALTED,
}


class RiskMonitor:
    """Feeds the breakers, drawdown controls and margin warnings of the `RiskEngine`."""

    __slots__ = (
        "_alerts",
        "_engine",
        "_margin_breached",
        "_market_move",
        "_schedule",
        "_source",
        "_subscriptions",
        "_timeout_ns",
        "_timeouts_seen",
        "_unmeasured_reported",
        "_venue_errors",
    )

    def __init__(self, engine: RiskEngine, source: PortfolioSource | None) -> None:
        self._engine = engine
        self._source = source
        config = engine.config
        self._market_move = (
            None
            if config.market_move_breaker is None
            else MarketMoveBreaker(config.market_move_breaker, self._trip_instrument)
        )
        self._venue_errors = (
            None
            if config.venue_error_breaker is None
            else VenueErrorBreaker(config.venue_error_breaker, self._trip_venue)
        )
        breaker = config.venue_error_breaker
        self._timeout_ns = None if breaker is None else breaker.inflight_timeout_ns
        self._alerts = OneShotAlerts(engine.clock)
        self._schedule = EvaluationSchedule(
            engine.clock, self._alerts, config.evaluation_interval_ns, self.evaluate
        )
        self._margin_breached: set[tuple[AccountId, Currency]] = set()
        self._timeouts_seen: set[tuple[str, int]] = set()
        self._unmeasured_reported: set[AccountId] = set()
        self._subscriptions = (
            (topics.quotes_all(), self._on_quote),
            (topics.trades_all(), self._on_trade),
            (topics.bars_all(), self._on_bar),
            (topics.order_events_all(), self._on_order_event),
            (topics.position_events_all(), self._on_position_event),
            (topics.component_state(), self._on_component_state),
            (topics.instruments_all(), self._on_instrument),
            (topics.account_state_all(), self._on_account_state),
        )

    def start(self) -> None:
        """Subscribe, and evaluate once (baselines, and the alerts time alone needs)."""
        engine = self._engine
        for topic, handler in self._subscriptions:
            engine.bus.subscribe(topic, handler)
        self._schedule.run(engine.clock.timestamp_ns())
        self._arm_timeouts(engine.clock.timestamp_ns())

    def reset(self) -> None:
        """Forget breaker windows, warnings and timeouts."""
        for breaker in (self._market_move, self._venue_errors):
            if breaker is not None:
                breaker.reset()
        self._margin_breached.clear()
        self._timeouts_seen.clear()
        self._alerts.cancel_all()
        self._schedule.reset()

    def stop(self) -> None:
        """Unsubscribe and disarm the alerts."""
        engine = self._engine
        for topic, handler in self._subscriptions:
            engine.bus.unsubscribe(topic, handler)
        self._alerts.cancel_all()
        self._schedule.reset()

    # -- market data -------------------------------------------------------------------------

    def _on_quote(self, quote: QuoteTick) -> None:
        prices = self._engine.prices
        state = prices.on_quote(quote, quote.ts_init)
        if self._market_move is not None:
            key = quote.instrument_id.value
            self._market_move.on_price(key, prices.reference_of(state), quote.ts_init)
        self._schedule.on_event()

    def _on_trade(self, trade: TradeTick) -> None:
        prices = self._engine.prices
        state = prices.on_trade(trade, trade.ts_init)
        if self._market_move is not None:
            key = trade.instrument_id.value
            self._market_move.on_price(key, prices.reference_of(state), trade.ts_init)
        self._schedule.on_event()

    def _on_bar(self, bar: Bar) -> None:
        prices = self._engine.prices
        state = prices.on_bar(bar, bar.ts_init)
        if self._market_move is not None:
            key = bar.bar_type.instrument_id.value
            self._market_move.on_price(key, prices.reference_of(state), bar.ts_init)
        self._schedule.on_event()

    def _trip_instrument(self, key: str, reason: str, until: int) -> None:
        scope = RiskScope(instrument_id=InstrumentId.parse_cached(key))
        self._engine.control.set_state(
            scope, TradingState.HALTED, TradingStateCause.MARKET_MOVE, reason, until
        )

    def _on_instrument(self, instrument: Instrument) -> None:
        self._engine.checks.invalidate()  # a definition changed: recompile the limit tables

    def _on_account_state(self, state: AccountState) -> None:
        self._engine.checks.forget_accounts()  # look the account object up again
        self._schedule.on_event()

    # -- venue errors ------------------------------------------------------------------------

    def _on_order_event(self, event: OrderEvent) -> None:
        if type(event) is OrderDenied:
            order = self._engine.cache.order(event.client_order_id)
            if order is not None and not order.is_closed:
                return  # the refusal of a duplicate id: the order under that id still works
        self._engine.ledger.apply(event)
        if self._venue_errors is None:
            return
        kind = type(event)
        if kind is OrderRejected:
            self._venue_errors.record(event.instrument_id.venue.value, "reject", event.ts_init)
        elif kind in _INFLIGHT and self._timeout_ns is not None:
            self._alerts.arm(_TIMEOUTS, event.ts_init + self._timeout_ns + 1, self._on_timeouts)

    def _on_component_state(self, event: ComponentStateChanged) -> None:
        if self._venue_errors is None or event.state not in _FAILED:
            return
        venue = event.component_id.value.rpartition("-")[2]
        if venue and self._engine.cache.instruments(Venue(venue)):
            self._venue_errors.record(venue, "disconnect", event.ts_init)

    def record_venue_error(self, venue: str, kind: str, ts: int) -> None:
        """Count an error an adapter reported."""
        if self._venue_errors is not None:
            self._venue_errors.record(venue, kind, ts)

    def _trip_venue(self, venue: str, reason: str, until: int) -> None:
        self._engine.control.set_state(
            RiskScope(venue=Venue(venue)),
            TradingState.HALTED,
            TradingStateCause.VENUE_ERRORS,
            reason,
            until,
        )

    def _on_timeouts(self, now: int) -> None:
        self._check_timeouts(now)
        self._arm_timeouts(now)

    def _arm_timeouts(self, now: int) -> None:
        """Arm the alert for the next order to time out (orders already counted excepted)."""
        timeout = self._timeout_ns
        if timeout is None or self._venue_errors is None:
            return
        waiting = [
            order.ts_last
            for order in self._engine.cache.orders_inflight()
            if (order.client_order_id.value, order.ts_last) not in self._timeouts_seen
        ]
        if waiting:
            self._alerts.arm(_TIMEOUTS, max(min(waiting) + timeout + 1, now), self._on_timeouts)

    def _check_timeouts(self, now: int) -> None:
        timeout = self._timeout_ns
        if timeout is None or self._venue_errors is None:
            return
        current: set[tuple[str, int]] = set()
        for order in self._engine.cache.orders_inflight():
            key = (order.client_order_id.value, order.ts_last)
            current.add(key)
            if now - order.ts_last > timeout and key not in self._timeouts_seen:
                self._timeouts_seen.add(key)
                self._venue_errors.record(order.instrument_id.venue.value, "timeout", now)
        self._timeouts_seen &= current

    # -- drawdown ----------------------------------------------------------------------------

    def _on_position_event(self, event: PositionEvent) -> None:
        if self._engine.drawdown.accounts:
            self._act(self._engine.drawdown.evaluate(event.ts_init))

    def evaluate(self, now: int) -> None:
        """Drawdown controls, maintenance margin and order timeouts; arms the alert for the
        next trading day of the drawdown rules."""
        drawdown = self._engine.drawdown
        self._act(drawdown.evaluate(now))
        next_day = drawdown.next_day_ns()
        if next_day is not None:
            self._alerts.arm(_DAY_ROLL, next_day, self.evaluate)
        if drawdown.unmeasured:
            for account_id in sorted(drawdown.unmeasured - self._unmeasured_reported):
                self._engine.log.error(
                    "drawdown rule not evaluated: no currency (set drawdown.currency)",
                    account_id=account_id.value,
                )
            self._unmeasured_reported |= drawdown.unmeasured
            drawdown.unmeasured.clear()
        self._check_margins(now)
        self._check_timeouts(now)

    def _act(self, outcomes: list[Outcome]) -> None:
        control = self._engine.control
        for outcome in outcomes:
            if isinstance(outcome, Baseline):
                control.record_baseline(outcome)
            elif isinstance(outcome, Breach):
                scope = RiskScope(account_id=outcome.account_id)
                state = _STATE_OF_ACTION[outcome.action]
                control.set_state(scope, state, outcome.cause, outcome.reason)
                if outcome.action is DrawdownAction.FLATTEN:
                    venue = RiskScope(venue=Venue(outcome.account_id.issuer))
                    control.fire_kill_switch(venue, True, outcome.reason)
            elif isinstance(outcome, DayRolled) and outcome.lift:
                self._lift_daily(outcome)

    def _lift_daily(self, outcome: DayRolled) -> None:
        engine = self._engine
        scope = RiskScope(account_id=outcome.account_id)
        entry = engine.states.entry(scope)
        if entry is not None and entry.cause is TradingStateCause.DAILY_LOSS:
            engine.control.set_state(
                scope,
                TradingState.ACTIVE,
                TradingStateCause.NEW_TRADING_DAY,
                "a new trading day lifts the daily loss limit",
            )

    # -- maintenance margin ------------------------------------------------------------------

    def _check_margins(self, now: int) -> None:
        engine = self._engine
        for account in engine.cache.accounts():
            if not isinstance(account, MarginAccount):
                continue
            for currency in account.currencies():
                maintenance = account.margin_maint_total(currency)
                key = (account.id, currency)
                equity = None
                if self._source is not None:
                    equity = self._source.equity(account.id, currency)
                if equity is None:
                    equity = account.balance_total(currency)
                if equity is None:
                    continue
                breached = maintenance.raw > 0 and equity.raw < maintenance.raw
                if breached == (key in self._margin_breached):
                    continue
                if breached:
                    self._margin_breached.add(key)
                    engine.log.warning(
                        "equity below maintenance margin",
                        account_id=account.id.value,
                        equity=str(equity),
                        maintenance=str(maintenance),
                    )
                else:
                    self._margin_breached.discard(key)
                engine.bus.publish(
                    topics.risk_events(),
                    MarginWarning(
                        trader_id=engine.trader_id,
                        account_id=account.id,
                        equity=equity,
                        maintenance=maintenance,
                        breached=breached,
                        event_id=UUID4(),
                        ts_event=now,
                        ts_init=now,
                    ),
                )

    # -- options -----------------------------------------------------------------------------

    def positions_on(self, instrument: Instrument) -> dict[InstrumentId, int]:
        """Positions (raw, signed) of the other instruments on ``instrument``'s underlying."""
        engine = self._engine
        underlying = getattr(instrument, "underlying", None)
        found: dict[InstrumentId, int] = {}
        venue_book = engine.ledger.venue_instruments.get(instrument.id.venue.value, {})
        for key, exposure in venue_book.items():
            if not exposure.pos or key == instrument.id.value:
                continue
            other = engine.cache.instrument(InstrumentId.parse_cached(key))
            if other is not None and getattr(other, "underlying", None) == underlying:
                found[other.id] = exposure.pos
        return found
