"""Risk commands and automatic state changes: trading states, limits, the kill switch.

Every change of state or limits goes through here, so it is published on ``events.risk``
and journaled the same way whether an operator, a breaker or a drawdown rule caused it:

- commands (`SetTradingState`, `UpdateRiskLimits`, `ActivateKillSwitch`) are validated, then
  journaled before they act, like the execution engine journals trading commands;
- automatic changes (breakers, drawdown, cool-downs ending) journal the `TradingStateChanged`
  they publish; drawdown baselines journal `RiskBaselineRecorded`.

`replay` rebuilds states, limits and baselines from the journal on start. A breaker halt whose
cool-down ended while the engine was down replays as lifted; one still running is lifted by a
clock alert when it ends.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from shrivenquant.bus import topics
from shrivenquant.core.errors import InvalidInputError
from shrivenquant.core.uuid import UUID4
from shrivenquant.model.commands_risk import ActivateKillSwitch, SetTradingState, UpdateRiskLimits
from shrivenquant.model.enums import TradingState
from shrivenquant.model.events import (
    KillSwitchActivated,
    RiskBaselineRecorded,
    RiskCommandRejected,
    RiskLimitsChanged,
    RiskScope,
    TradingStateCause,
    TradingStateChanged,
)
from shrivenquant.model.messages import Message
from shrivenquant.risk.drawdown import Baseline
from shrivenquant.risk.states import StateEntry, more_restrictive

if TYPE_CHECKING:
    from shrivenquant.core.clock import TimeEvent
    from shrivenquant.risk.engine import RiskEngine

_AUTOMATIC = frozenset(
    {
        TradingStateCause.DAILY_LOSS,
        TradingStateCause.MAX_DRAWDOWN,
        TradingStateCause.MARKET_MOVE,
        TradingStateCause.VENUE_ERRORS,
        TradingStateCause.COOL_DOWN_OVER,
        TradingStateCause.NEW_TRADING_DAY,
    }
)


_DRAWDOWN_CAUSES = frozenset({TradingStateCause.DAILY_LOSS, TradingStateCause.MAX_DRAWDOWN})
_TRIPS = frozenset(
    {
        TradingStateCause.DAILY_LOSS,
        TradingStateCause.MAX_DRAWDOWN,
        TradingStateCause.MARKET_MOVE,
        TradingStateCause.VENUE_ERRORS,
    }
)


def _outlasts(entry: StateEntry, state: TradingState, expires_ns: int | None) -> bool:
    """Whether an existing state is at least as strict and lasts at least as long, so an
    automatic trip must not replace it (a breaker never shortens an operator's halt)."""
    if more_restrictive(state, entry.state):
        return False
    if entry.expires_ns is None:
        return True
    return expires_ns is not None and entry.expires_ns >= expires_ns


class RiskControl:
    """Applies risk commands and automatic state changes for the `RiskEngine`."""

    __slots__ = ("_engine", "_replaying")

    def __init__(self, engine: RiskEngine) -> None:
        self._engine = engine
        self._replaying = False

    # -- commands ----------------------------------------------------------------------------

    def handle(self, command: SetTradingState | UpdateRiskLimits | ActivateKillSwitch) -> bool:
        """Validate, journal and carry out a risk command; False if it was refused."""
        engine = self._engine
        try:
            if isinstance(command, UpdateRiskLimits):
                engine.book.changed(command.scope, command.values, command.clear)
        except InvalidInputError as exc:
            self.reject(command, str(exc))
            return False
        if not self.journal(command):
            self.reject(command, "journal unavailable: the command was not applied")
            return False
        self.apply(command)
        return True

    def apply(self, command: SetTradingState | UpdateRiskLimits | ActivateKillSwitch) -> None:
        """Carry out a command that has been journaled (also used by replay)."""
        if isinstance(command, SetTradingState):
            self.set_state(
                command.scope, command.state, TradingStateCause.COMMAND, command.reason, None
            )
            if command.state is TradingState.ACTIVE and command.scope.account_id is not None:
                self._rearm(command.scope)
        elif isinstance(command, UpdateRiskLimits):
            self._update_limits(command)
        else:
            self._kill_switch(command)

    def reject(self, command: Message, reason: str) -> None:
        """Publish that a risk command was refused."""
        engine = self._engine
        engine.log.error("risk command refused", command=type(command).__name__, reason=reason)
        now = engine.clock.timestamp_ns()
        engine.bus.publish(
            topics.risk_events(),
            RiskCommandRejected(
                trader_id=engine.trader_id,
                command_id=getattr(command, "command_id", UUID4()),
                command_type=type(command).__name__,
                reason=reason,
                event_id=UUID4(),
                ts_event=now,
                ts_init=now,
            ),
        )

    def _update_limits(self, command: UpdateRiskLimits) -> None:
        engine = self._engine
        limits = engine.book.changed(command.scope, command.values, command.clear)
        engine.book.set(command.scope, limits)
        engine.checks.invalidate()
        if self._replaying:
            return
        now = engine.clock.timestamp_ns()
        engine.log.info("risk limits changed", scope=str(command.scope), values=command.values)
        engine.bus.publish(
            topics.risk_events(),
            RiskLimitsChanged(
                trader_id=engine.trader_id,
                scope=command.scope,
                values=dict(command.values),
                cleared=tuple(command.clear),
                reason=command.reason,
                event_id=UUID4(),
                ts_event=now,
                ts_init=now,
            ),
        )

    def _kill_switch(self, command: ActivateKillSwitch) -> None:
        reason = command.reason or "kill switch"
        self.set_state(command.scope, TradingState.HALTED, TradingStateCause.KILL_SWITCH, reason)
        if self._replaying:
            return
        self.fire_kill_switch(command.scope, command.flatten, reason)

    def fire_kill_switch(self, scope: RiskScope, flatten: bool, reason: str) -> None:
        """Deny queued orders, cancel open ones, optionally flatten; publish and journal."""
        engine = self._engine
        engine.drop_queued_orders(reason)
        canceled, flattened = engine.kill_switch.fire(scope.venue, flatten)
        now = engine.clock.timestamp_ns()
        engine.log.warning(
            "kill switch fired",
            scope=str(scope),
            flatten=flatten,
            canceled=canceled,
            flattened=flattened,
            reason=reason,
        )
        self.record(
            KillSwitchActivated(
                trader_id=engine.trader_id,
                scope=scope,
                flatten=flatten,
                reason=reason,
                orders_canceled=canceled,
                positions_flattened=flattened,
                event_id=UUID4(),
                ts_event=now,
                ts_init=now,
            )
        )

    def _rearm(self, scope: RiskScope) -> None:
        engine = self._engine
        if self._replaying or scope.account_id is None:
            return
        baseline = engine.drawdown.rearm(scope.account_id, engine.clock.timestamp_ns())
        if baseline is not None:
            self.record_baseline(baseline)

    # -- states ------------------------------------------------------------------------------

    def set_state(
        self,
        scope: RiskScope,
        state: TradingState,
        cause: TradingStateCause,
        reason: str,
        expires_ns: int | None = None,
    ) -> None:
        """Set a scope's state; publish (and journal automatic changes) when it changed."""
        engine = self._engine
        entry = engine.states.entry(scope)
        unchanged = (
            entry is None
            if state is TradingState.ACTIVE
            else entry is not None and entry.state is state and entry.expires_ns == expires_ns
        )
        if unchanged or (
            cause in _TRIPS and entry is not None and _outlasts(entry, state, expires_ns)
        ):
            return
        previous = engine.states.set(scope, state, cause, reason, expires_ns)
        engine.checks.invalidate()
        if expires_ns is not None:
            self._schedule_lift(scope, expires_ns)
        if self._replaying:
            return
        engine.counters.state_changed(cause.value)
        engine.log.warning(
            "trading state changed",
            scope=str(scope),
            state=state.value,
            previous=previous.value,
            cause=cause.value,
            reason=reason,
        )
        now = engine.clock.timestamp_ns()
        event = TradingStateChanged(
            trader_id=engine.trader_id,
            scope=scope,
            state=state,
            previous_state=previous,
            cause=cause,
            reason=reason,
            expires_ns=expires_ns,
            event_id=UUID4(),
            ts_event=now,
            ts_init=now,
        )
        if cause in _AUTOMATIC:
            self.record(event)
        else:
            engine.bus.publish(topics.risk_events(), event)

    def _schedule_lift(self, scope: RiskScope, expires_ns: int) -> None:
        clock = self._engine.clock
        name = f"RiskEngine-lift-{scope}-{expires_ns}"
        if name not in clock.timer_names:
            clock.set_time_alert(name, expires_ns, self._lift)

    def _lift(self, event: TimeEvent) -> None:
        engine = self._engine
        for entry in engine.states.entries():
            if entry.expires_ns is not None and entry.expires_ns <= event.ts_event:
                self.set_state(
                    entry.scope,
                    TradingState.ACTIVE,
                    TradingStateCause.COOL_DOWN_OVER,
                    f"cool-down after {entry.cause.value} ended",
                )

    # -- journal -----------------------------------------------------------------------------

    def journal(self, message: Message) -> bool:
        """Append to the engine's journal (a no-op without one or while replaying)."""
        engine = self._engine
        if engine.journal is None or self._replaying:
            return True
        try:
            engine.journal.append(message)
        except Exception as exc:
            engine.log.exception("risk journal append failed", msg_type=type(message).__name__)
            engine.journal_failed(f"{type(exc).__name__}: {exc}")
            return False
        return True

    def record(self, event: Message) -> None:
        """Journal and publish a risk event."""
        self.journal(event)
        self._engine.bus.publish(topics.risk_events(), event)

    def record_baseline(self, baseline: Baseline) -> None:
        """Journal and publish new drawdown baselines."""
        now = self._engine.clock.timestamp_ns()
        self.record(
            RiskBaselineRecorded(
                trader_id=self._engine.trader_id,
                account_id=baseline.account_id,
                trading_day=baseline.trading_day.isoformat(),
                day_start_pnl=baseline.day_start_pnl,
                peak_equity=baseline.peak_equity,
                event_id=UUID4(),
                ts_event=now,
                ts_init=now,
            )
        )

    def replay(self) -> int:
        """Rebuild states, limits and drawdown baselines from the journal; return the records
        replayed."""
        engine = self._engine
        if engine.journal is None:
            return 0
        now = engine.clock.timestamp_ns()
        count = 0
        self._replaying = True
        try:
            for _seq, message in engine.journal.replay():
                count += 1
                self._replay_one(message, now)
        finally:
            self._replaying = False
        for entry in engine.states.entries():
            account_id = entry.scope.account_id
            if account_id is not None and entry.cause in _DRAWDOWN_CAUSES:
                engine.drawdown.mark_breached(account_id, entry.cause)
        return count

    def _replay_one(self, message: Message, now: int) -> None:
        engine = self._engine
        if isinstance(message, SetTradingState | ActivateKillSwitch | UpdateRiskLimits):
            try:
                self.apply(message)
            except InvalidInputError as exc:
                engine.log.exception("journaled risk command no longer valid", error=str(exc))
        elif isinstance(message, TradingStateChanged) and message.cause in _AUTOMATIC:
            lifted = message.expires_ns is not None and message.expires_ns <= now
            state = TradingState.ACTIVE if lifted else message.state
            self.set_state(message.scope, state, message.cause, message.reason, message.expires_ns
                           if not lifted else None)  # fmt: skip
        elif isinstance(message, RiskBaselineRecorded):
            engine.drawdown.restore(
                message.account_id,
                date.fromisoformat(message.trading_day),
                message.day_start_pnl,
                message.peak_equity,
            )
