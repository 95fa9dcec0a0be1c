"""Configuration of the execution engine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.model.enums import OmsType


@dataclass(frozen=True, slots=True, kw_only=True)
class ExecEngineConfig:
    """Settings of the `ExecutionEngine`.

    Attributes:
        replay_on_start: rebuild orders, positions and account states from the journal when
            the engine starts (the normal start path; only tests turn it off).
        oms_type: force NETTING or HEDGING for every position; None lets each execution
            client's ``oms_type`` decide.
        reconcile_open_only: ask clients only for open orders when reconciling; orders we hold
            open that the venue does not list are then resolved from fills, else as canceled.
        reconciliation_lookback_ns: how far back to ask for fills when reconciling; None asks
            for every fill the venue keeps.
    """

    replay_on_start: bool = True
    oms_type: OmsType | None = None
    reconcile_open_only: bool = True
    reconciliation_lookback_ns: int | None = None

    def __post_init__(self) -> None:
        for name in ("replay_on_start", "reconcile_open_only"):
            if not isinstance(getattr(self, name), bool):
                raise InvalidInputError(f"{name}: expected a bool, got {getattr(self, name)!r}")
        oms: Any = self.oms_type
        if isinstance(oms, str) and not isinstance(oms, OmsType):
            try:
                object.__setattr__(self, "oms_type", OmsType(oms.upper()))
            except ValueError:
                raise InvalidInputError(
                    f"oms_type: expected NETTING or HEDGING, got {oms!r}"
                ) from None
        elif oms is not None and not isinstance(oms, OmsType):
            raise InvalidInputError(f"oms_type: expected NETTING, HEDGING or None, got {oms!r}")
        lookback: Any = self.reconciliation_lookback_ns
        if lookback is not None and (
            isinstance(lookback, bool) or not isinstance(lookback, int) or lookback <= 0
        ):
            raise InvalidInputError(
                f"reconciliation_lookback_ns: expected a positive int or None, got {lookback!r}"
            )

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> ExecEngineConfig:
        """Build from a mapping (a parsed TOML table), rejecting unknown keys.

        Raises:
            InvalidInputError: an unknown key or an invalid value; the message names the field.
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise InvalidInputError(
                f"unknown execution engine config field(s): {', '.join(unknown)};"
                f" known: {', '.join(sorted(known))}"
            )
        return cls(**values)
