"""Trading states per scope: ACTIVE (everything), REDUCING (only orders that reduce a
position) or HALTED (no new orders; cancels always pass).

A state is set on a scope (everything, a venue, an account, an instrument, a strategy); an
order is under the most restrictive state of every scope it falls in: the global one, its
instrument's venue, the accounts of that venue, its instrument and its strategy.
"""

from __future__ import annotations

from dataclasses import dataclass

from shrivenquant.model.enums import TradingState
from shrivenquant.model.events import RiskScope, TradingStateCause
from shrivenquant.model.identifiers import InstrumentId, StrategyId

_RANK = {TradingState.ACTIVE: 0, TradingState.REDUCING: 1, TradingState.HALTED: 2}


@dataclass(frozen=True, slots=True)
class StateEntry:
    """A scope's state, why it was set, and when it lifts on its own (None: never)."""

    scope: RiskScope
    state: TradingState
    cause: TradingStateCause
    reason: str
    expires_ns: int | None = None


def more_restrictive(a: TradingState, b: TradingState) -> bool:
    """Whether ``a`` allows less than ``b``."""
    return _RANK[a] > _RANK[b]


class TradingStates:
    """The scopes that are not ACTIVE, and the state that applies to an order."""

    __slots__ = ("_entries",)

    def __init__(self) -> None:
        self._entries: dict[RiskScope, StateEntry] = {}

    def get(self, scope: RiskScope) -> TradingState:
        """The state set on ``scope`` itself (ACTIVE when none)."""
        entry = self._entries.get(scope)
        return TradingState.ACTIVE if entry is None else entry.state

    def entry(self, scope: RiskScope) -> StateEntry | None:
        """Why ``scope`` is not ACTIVE, or None if it is."""
        return self._entries.get(scope)

    def entries(self) -> list[StateEntry]:
        """Every scope that is not ACTIVE."""
        return list(self._entries.values())

    def set(
        self,
        scope: RiskScope,
        state: TradingState,
        cause: TradingStateCause,
        reason: str,
        expires_ns: int | None = None,
    ) -> TradingState:
        """Set ``scope``'s state; return the state it had before."""
        previous = self.get(scope)
        if state is TradingState.ACTIVE:
            self._entries.pop(scope, None)
        else:
            self._entries[scope] = StateEntry(scope, state, cause, reason, expires_ns)
        return previous

    def clear(self) -> None:
        """Everything ACTIVE again."""
        self._entries.clear()

    def effective(self, instrument_id: InstrumentId, strategy_id: StrategyId) -> StateEntry | None:
        """The most restrictive state an order of ``strategy_id`` on ``instrument_id`` is under
        (None: ACTIVE)."""
        venue = instrument_id.venue
        worst: StateEntry | None = None
        for scope, entry in self._entries.items():
            if not _covers(scope, instrument_id, venue.value, strategy_id):
                continue
            if worst is None or more_restrictive(entry.state, worst.state):
                worst = entry
        return worst

    def __bool__(self) -> bool:
        return bool(self._entries)


def _covers(
    scope: RiskScope, instrument_id: InstrumentId, venue: str, strategy_id: StrategyId
) -> bool:
    if scope.venue is not None:
        return scope.venue.value == venue
    if scope.account_id is not None:
        return scope.account_id.issuer == venue
    if scope.instrument_id is not None:
        return scope.instrument_id == instrument_id
    if scope.strategy_id is not None:
        return scope.strategy_id == strategy_id
    return True
