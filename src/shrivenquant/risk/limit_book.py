"""The limits in force per scope: the config's, changed at runtime by `UpdateRiskLimits`.

Scopes that take limits: everything, an account, a strategy, an instrument. An order falls
under the global limits, those of every account of its instrument's venue, its strategy's and
its instrument's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.model.events import RiskScope
from shrivenquant.model.identifiers import AccountId, InstrumentId, StrategyId
from shrivenquant.risk.config import RiskConfig
from shrivenquant.risk.limits import RiskLimits

ScopedLimits = tuple[str, str, RiskLimits]
"""``(kind, key, limits)``: kind GLOBAL, ACCOUNT, STRATEGY or INSTRUMENT; key the id text."""


class LimitBook:
    """Current limits of every scope."""

    __slots__ = ("accounts", "global_limits", "instruments", "strategies")

    def __init__(self, config: RiskConfig) -> None:
        self.global_limits = config.limits
        self.accounts: dict[AccountId, RiskLimits] = dict(config.account_limits)
        self.strategies: dict[StrategyId, RiskLimits] = dict(config.strategy_limits)
        self.instruments: dict[InstrumentId, RiskLimits] = dict(config.instrument_limits)

    def get(self, scope: RiskScope) -> RiskLimits:
        """The limits of ``scope`` (empty limits when none are set).

        Raises:
            InvalidInputError: a venue scope (limits are set per account).
        """
        if scope.is_global:
            return self.global_limits
        if scope.account_id is not None:
            return self.accounts.get(scope.account_id, _EMPTY)
        if scope.strategy_id is not None:
            return self.strategies.get(scope.strategy_id, _EMPTY)
        if scope.instrument_id is not None:
            return self.instruments.get(scope.instrument_id, _EMPTY)
        raise InvalidInputError(f"limits are set per account, not per venue ({scope})")

    def changed(
        self, scope: RiskScope, values: Mapping[str, object], clear: Iterable[str]
    ) -> RiskLimits:
        """The limits ``scope`` would have after the change (validated, not applied).

        Raises:
            InvalidInputError: a venue scope, an unknown limit or an invalid value.
        """
        where = f"limits of {scope}"
        limits = self.get(scope).changed(values, clear, where)
        limits.check_scope(where, instrument_scope=scope.instrument_id is not None)
        return limits

    def set(self, scope: RiskScope, limits: RiskLimits) -> None:
        """Replace the limits of ``scope``."""
        if scope.is_global:
            self.global_limits = limits
        elif scope.account_id is not None:
            self.accounts[scope.account_id] = limits
        elif scope.strategy_id is not None:
            self.strategies[scope.strategy_id] = limits
        elif scope.instrument_id is not None:
            self.instruments[scope.instrument_id] = limits
        else:
            raise InvalidInputError(f"limits are set per account, not per venue ({scope})")

    def for_order(self, instrument_id: InstrumentId, strategy_id: StrategyId) -> list[ScopedLimits]:
        """Every limit set an order of ``strategy_id`` on ``instrument_id`` is under."""
        venue = instrument_id.venue.value
        found: list[ScopedLimits] = [("GLOBAL", "*", self.global_limits)]
        found.extend(
            ("ACCOUNT", account_id.value, limits)
            for account_id, limits in self.accounts.items()
            if account_id.issuer == venue
        )
        strategy = self.strategies.get(strategy_id)
        if strategy is not None:
            found.append(("STRATEGY", strategy_id.value, strategy))
        instrument = self.instruments.get(instrument_id)
        if instrument is not None:
            found.append(("INSTRUMENT", instrument_id.value, instrument))
        return found


_EMPTY = RiskLimits()
