"""Counts of what the risk engine did: checks, passes and denials per reason code.

Kept as plain ints (cheap on the hot path, easy to assert in tests) and mirrored to the
metrics registry (``sq_risk_denials_total{reason=...}``) on the deny path only.
"""

from __future__ import annotations

from shrivenquant.risk.reasons import RiskReason
from shrivenquant.telemetry.metrics import MetricsRegistry


class RiskCounters:
    """Checks run, orders passed, denials by reason, queued commands, breaker trips."""

    __slots__ = (
        "_denials_metric",
        "_trips_metric",
        "checked",
        "denials",
        "passed",
        "queued",
        "trips",
    )

    def __init__(self, metrics: MetricsRegistry) -> None:
        self.checked = 0
        self.passed = 0
        self.queued = 0
        self.denials: dict[RiskReason, int] = {}
        self.trips: dict[str, int] = {}
        self._denials_metric = metrics.counter(
            "risk_denials", "Orders and modifies refused by the risk engine.", ("reason",)
        )
        self._trips_metric = metrics.counter(
            "risk_state_changes", "Trading state changes by cause.", ("cause",)
        )

    def denied(self, reason: RiskReason) -> None:
        """Count one denial."""
        self.denials[reason] = self.denials.get(reason, 0) + 1
        self._denials_metric.labels(reason=reason.value).inc()

    def state_changed(self, cause: str) -> None:
        """Count one trading state change."""
        self.trips[cause] = self.trips.get(cause, 0) + 1
        self._trips_metric.labels(cause=cause).inc()

    @property
    def denied_total(self) -> int:
        """Denials of every reason."""
        return sum(self.denials.values())
