"""Risk events: trading state changes, limit changes, kill switch, margin warnings.

The risk engine publishes them on ``events.risk``. It journals the risk commands themselves
and the events nothing else would restore: `TradingStateChanged` caused by a breaker or a
drawdown rule, `RiskBaselineRecorded` and `KillSwitchActivated`; so a restart restores trading
states, limits and drawdown baselines.

A `RiskScope` names what a state or a limit applies to: everything (no field set), one venue,
one account, one instrument or one strategy.
"""

from __future__ import annotations

from enum import StrEnum, unique

import msgspec

from shrivenquant.core.uuid import UUID4
from shrivenquant.model.enums import TradingState
from shrivenquant.model.identifiers import AccountId, InstrumentId, StrategyId, TraderId, Venue
from shrivenquant.model.messages import Event
from shrivenquant.model.values import Money

__all__ = [
    "RISK_EVENT_TYPES",
    "KillSwitchActivated",
    "MarginWarning",
    "RiskBaselineRecorded",
    "RiskCommandRejected",
    "RiskLimitsChanged",
    "RiskScope",
    "TradingStateCause",
    "TradingStateChanged",
]


class RiskScope(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """What a trading state or a limit applies to; at most one field is set.

    No field set is the global scope (every order of the trader).
    """

    venue: Venue | None = None
    account_id: AccountId | None = None
    instrument_id: InstrumentId | None = None
    strategy_id: StrategyId | None = None

    def __post_init__(self) -> None:
        named = [
            name
            for name in ("venue", "account_id", "instrument_id", "strategy_id")
            if getattr(self, name) is not None
        ]
        if len(named) > 1:
            raise ValueError(f"RiskScope names one thing at most, got {', '.join(named)}")

    @property
    def kind(self) -> str:
        """``GLOBAL``, ``VENUE``, ``ACCOUNT``, ``INSTRUMENT`` or ``STRATEGY``."""
        if self.venue is not None:
            return "VENUE"
        if self.account_id is not None:
            return "ACCOUNT"
        if self.instrument_id is not None:
            return "INSTRUMENT"
        if self.strategy_id is not None:
            return "STRATEGY"
        return "GLOBAL"

    @property
    def is_global(self) -> bool:
        """Whether the scope is everything."""
        return (
            self.venue is None
            and self.account_id is None
            and self.instrument_id is None
            and self.strategy_id is None
        )

    def __str__(self) -> str:
        for value in (self.venue, self.account_id, self.instrument_id, self.strategy_id):
            if value is not None:
                return f"{self.kind} {value}"
        return "GLOBAL"


@unique
class TradingStateCause(StrEnum):
    """Why a trading state changed."""

    COMMAND = "COMMAND"
    KILL_SWITCH = "KILL_SWITCH"
    DAILY_LOSS = "DAILY_LOSS"
    MAX_DRAWDOWN = "MAX_DRAWDOWN"
    MARKET_MOVE = "MARKET_MOVE"
    VENUE_ERRORS = "VENUE_ERRORS"
    COOL_DOWN_OVER = "COOL_DOWN_OVER"
    NEW_TRADING_DAY = "NEW_TRADING_DAY"


class TradingStateChanged(Event, frozen=True, kw_only=True):
    """The trading state of a scope changed.

    ``expires_ns`` is set when the state lifts on its own (a circuit breaker's cool-down ends
    then); ``None`` means it stays until changed again.
    """

    trader_id: TraderId
    scope: RiskScope = msgspec.field(default_factory=RiskScope)
    state: TradingState
    previous_state: TradingState
    cause: TradingStateCause
    reason: str
    expires_ns: int | None = None


class RiskLimitsChanged(Event, frozen=True, kw_only=True):
    """The limits of a scope changed: ``values`` set (as text), ``cleared`` removed."""

    trader_id: TraderId
    scope: RiskScope = msgspec.field(default_factory=RiskScope)
    values: dict[str, str] = msgspec.field(default_factory=dict)
    cleared: tuple[str, ...] = ()
    reason: str = ""


class KillSwitchActivated(Event, frozen=True, kw_only=True):
    """The kill switch fired: open orders canceled, positions optionally flattened, HALTED.

    ``scope`` is global or one venue. The counts say how many cancels and flattening orders
    this activation sent (zero when a repeat found nothing left to do).
    """

    trader_id: TraderId
    scope: RiskScope = msgspec.field(default_factory=RiskScope)
    flatten: bool
    reason: str
    orders_canceled: int = 0
    positions_flattened: int = 0


class MarginWarning(Event, frozen=True, kw_only=True):
    """An account's equity fell below its maintenance margin (``breached``), or recovered."""

    trader_id: TraderId
    account_id: AccountId
    equity: Money
    maintenance: Money
    breached: bool


class RiskBaselineRecorded(Event, frozen=True, kw_only=True):
    """The drawdown baselines of an account: PnL at the start of ``trading_day`` (ISO date in
    the venue's time zone) and the peak equity so far."""

    trader_id: TraderId
    account_id: AccountId
    trading_day: str
    day_start_pnl: Money
    peak_equity: Money | None = None


class RiskCommandRejected(Event, frozen=True, kw_only=True):
    """A risk command (state, limits, kill switch) was refused as invalid; nothing changed."""

    trader_id: TraderId
    command_id: UUID4
    command_type: str
    reason: str


RISK_EVENT_TYPES = (
    TradingStateChanged,
    RiskLimitsChanged,
    KillSwitchActivated,
    MarginWarning,
    RiskBaselineRecorded,
    RiskCommandRejected,
)
"""Every concrete risk event class."""
