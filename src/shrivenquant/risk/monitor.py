"""What the risk engine watches: market data, order and position events, component states
and the clock.

- Quotes and trades update the reference prices and feed the market-move breaker.
- Order events keep the ledger true; venue rejects count for the venue-error breaker.
- Position events and the periodic timer run the drawdown controls.
- A venue's clients going DEGRADED or FAULTED count as disconnects; orders waiting too long
  for the venue count as timeouts.
- The timer also compares each margin account's equity with its maintenance margin and
  publishes a `MarginWarning` when it falls below (and when it recovers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from shrivenquant.bus import topics
from shrivenquant.core.lifecycle import ComponentState
from shrivenquant.core.uuid import UUID4
from shrivenquant.model.accounts import MarginAccount
from shrivenquant.model.currency import Currency
from shrivenquant.model.data import QuoteTick, TradeTick
from shrivenquant.model.enums import TradingState
from shrivenquant.model.events import (
    AccountState,
    ComponentStateChanged,
    MarginWarning,
    OrderDenied,
    OrderEvent,
    OrderRejected,
    PositionEvent,
    RiskScope,
    TradingStateCause,
)
from shrivenquant.model.identifiers import AccountId, InstrumentId, Venue
from shrivenquant.model.instruments import Instrument
from shrivenquant.risk.breakers import MarketMoveBreaker, VenueErrorBreaker
from shrivenquant.risk.config_sections import DrawdownAction
from shrivenquant.risk.drawdown import Baseline, Breach, DayRolled, Outcome
from shrivenquant.risk.sources import PortfolioSource

if TYPE_CHECKING:
    from shrivenquant.risk.engine import RiskEngine

_TIMER: Final = "RiskEngine-evaluate"
_FAILED: Final = frozenset({ComponentState.DEGRADED.value, ComponentState.FAULTED.value})
_STATE_OF_ACTION: Final = {
    DrawdownAction.REDUCING: TradingState.REDUCING,
    DrawdownAction.HALTED: TradingState.HALTED,
    DrawdownAction.FLATTEN: TradingState.HALTED,
}


class RiskMonitor:
    """Feeds the breakers, drawdown controls and margin warnings of the `RiskEngine`."""

    __slots__ = (
        "_engine",
        "_margin_breached",
        "_market_move",
        "_source",
        "_subscriptions",
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
        self._margin_breached: set[tuple[AccountId, Currency]] = set()
        self._timeouts_seen: set[tuple[str, int]] = set()
        self._unmeasured_reported: set[AccountId] = set()
        self._subscriptions = (
            (topics.quotes_all(), self._on_quote),
            (topics.trades_all(), self._on_trade),
            (topics.order_events_all(), self._on_order_event),
            (topics.position_events_all(), self._on_position_event),
            (topics.component_state(), self._on_component_state),
            (topics.instruments_all(), self._on_instrument),
            (topics.account_state_all(), self._on_account_state),
        )

    def start(self) -> None:
        """Subscribe and start the evaluation timer."""
        engine = self._engine
        for topic, handler in self._subscriptions:
            engine.bus.subscribe(topic, handler)
        if _TIMER not in engine.clock.timer_names:
            engine.clock.set_timer(_TIMER, engine.config.evaluation_interval_ns, engine.on_timer)

    def reset(self) -> None:
        """Forget breaker windows, warnings and timeouts."""
        for breaker in (self._market_move, self._venue_errors):
            if breaker is not None:
                breaker.reset()
        self._margin_breached.clear()
        self._timeouts_seen.clear()

    def stop(self) -> None:
        """Unsubscribe and stop the timer."""
        engine = self._engine
        for topic, handler in self._subscriptions:
            engine.bus.unsubscribe(topic, handler)
        if _TIMER in engine.clock.timer_names:
            engine.clock.cancel_timer(_TIMER)

    # -- market data -------------------------------------------------------------------------

    def _on_quote(self, quote: QuoteTick) -> None:
        prices = self._engine.prices
        prices.on_quote(quote, quote.ts_init)
        if self._market_move is not None:
            key = quote.instrument_id.value
            self._market_move.on_price(key, prices.reference(key), quote.ts_init)

    def _on_trade(self, trade: TradeTick) -> None:
        prices = self._engine.prices
        prices.on_trade(trade, trade.ts_init)
        if self._market_move is not None:
            key = trade.instrument_id.value
            self._market_move.on_price(key, prices.reference(key), trade.ts_init)

    def _trip_instrument(self, key: str, reason: str, until: int) -> None:
        scope = RiskScope(instrument_id=InstrumentId.parse_cached(key))
        self._engine.control.set_state(
            scope, TradingState.HALTED, TradingStateCause.MARKET_MOVE, reason, until
        )

    def _on_instrument(self, instrument: Instrument) -> None:
        self._engine.checks.invalidate()  # a definition changed: recompile the limit tables

    def _on_account_state(self, state: AccountState) -> None:
        self._engine.checks.forget_accounts()  # look the account object up again

    # -- venue errors ------------------------------------------------------------------------

    def _on_order_event(self, event: OrderEvent) -> None:
        if type(event) is OrderDenied:
            order = self._engine.cache.order(event.client_order_id)
            if order is not None and not order.is_closed:
                return  # the refusal of a duplicate id: the order under that id still works
        self._engine.ledger.apply(event)
        if self._venue_errors is not None and type(event) is OrderRejected:
            self._venue_errors.record(event.instrument_id.venue.value, "reject", event.ts_init)

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

    def _check_timeouts(self, now: int) -> None:
        config = self._engine.config.venue_error_breaker
        if config is None or config.inflight_timeout_ns is None or self._venue_errors is None:
            return
        current: set[tuple[str, int]] = set()
        for order in self._engine.cache.orders_inflight():
            key = (order.client_order_id.value, order.ts_last)
            current.add(key)
            if now - order.ts_last > config.inflight_timeout_ns and key not in self._timeouts_seen:
                self._timeouts_seen.add(key)
                self._venue_errors.record(order.instrument_id.venue.value, "timeout", now)
        self._timeouts_seen &= current

    # -- drawdown ----------------------------------------------------------------------------

    def _on_position_event(self, event: PositionEvent) -> None:
        if self._engine.drawdown.accounts:
            self._act(self._engine.drawdown.evaluate(event.ts_init))

    def evaluate(self, now: int) -> None:
        """Drawdown controls, maintenance margin and order timeouts."""
        drawdown = self._engine.drawdown
        self._act(drawdown.evaluate(now))
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
