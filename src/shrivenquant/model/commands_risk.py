"""Risk commands: change trading states and limits at runtime, fire the kill switch.

They are sent to the risk engine's ``RISK_ENGINE_EXECUTE`` endpoint (the same one trading
commands go through), journaled by the risk engine before it acts on them, and replayed on
restart.
"""

from __future__ import annotations

from typing import TypeAlias

import msgspec

from shrivenquant.model.enums import TradingState
from shrivenquant.model.events.risk import RiskScope
from shrivenquant.model.identifiers import TraderId
from shrivenquant.model.messages import Command

__all__ = [
    "RISK_COMMAND_TYPES",
    "ActivateKillSwitch",
    "RiskCommand",
    "SetTradingState",
    "UpdateRiskLimits",
]


class SetTradingState(Command, frozen=True, kw_only=True):
    """Set the trading state of a scope (ACTIVE, REDUCING or HALTED)."""

    trader_id: TraderId
    scope: RiskScope = msgspec.field(default_factory=RiskScope)
    state: TradingState
    reason: str = ""


class UpdateRiskLimits(Command, frozen=True, kw_only=True):
    """Change the limits of a scope without a restart.

    ``values`` maps limit names to their new values as text (parsed and validated like the
    config file, e.g. ``{"max_position_qty": "2", "max_gross_exposure": "100000 USDT"}``);
    ``clear`` names limits to remove.
    """

    trader_id: TraderId
    scope: RiskScope = msgspec.field(default_factory=RiskScope)
    values: dict[str, str] = msgspec.field(default_factory=dict)
    clear: tuple[str, ...] = ()
    reason: str = ""

    def __post_init__(self) -> None:
        if not self.values and not self.clear:
            raise ValueError("UpdateRiskLimits: give values to set or limits to clear")
        both = sorted(set(self.values) & set(self.clear))
        if both:
            raise ValueError(f"UpdateRiskLimits: {', '.join(both)} both set and cleared")


class ActivateKillSwitch(Command, frozen=True, kw_only=True):
    """Cancel every open order, optionally flatten every position, and set HALTED.

    ``scope`` is global (the default) or one venue. Firing it again is harmless.
    """

    trader_id: TraderId
    scope: RiskScope = msgspec.field(default_factory=RiskScope)
    flatten: bool = False
    reason: str = ""

    def __post_init__(self) -> None:
        if not self.scope.is_global and self.scope.venue is None:
            raise ValueError(
                f"ActivateKillSwitch: scope must be global or one venue, got {self.scope}"
            )


RiskCommand: TypeAlias = SetTradingState | UpdateRiskLimits | ActivateKillSwitch
"""Any risk command."""

RISK_COMMAND_TYPES: tuple[type[RiskCommand], ...] = (
    SetTradingState,
    UpdateRiskLimits,
    ActivateKillSwitch,
)
"""Every concrete risk command class."""
