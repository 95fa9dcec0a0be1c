"""The execution engine's counts: work done, and every anomaly it refused or could not place."""

from __future__ import annotations

from enum import StrEnum, unique

from shrivenquant.telemetry.metrics import MetricsRegistry


@unique
class Anomaly(StrEnum):
    """Something the engine logged and dropped instead of acting on."""

    UNKNOWN_ORDER = "unknown_order"
    """An event or command named an order the engine does not know."""
    INVALID_TRANSITION = "invalid_transition"
    """An event was not valid in the order's status (or its content did not fit the order)."""
    DUPLICATE_FILL = "duplicate_fill"
    """A fill repeated a trade id the order already had."""
    DUPLICATE_ORDER = "duplicate_order"
    """A submit reused a client order id."""
    INVALID_ORDER = "invalid_order"
    """A submitted order broke the rules of its type or its list."""
    NO_CLIENT = "no_client"
    """No execution client serves the order's venue."""
    UNEXPECTED_MESSAGE = "unexpected_message"
    """A message of a type the endpoint does not take."""
    JOURNAL_FAILURE = "journal_failure"
    """The journal refused a record; the engine stops taking new orders."""


class EngineCounters:
    """Plain counts read by tests and the CLI, mirrored into the metrics registry."""

    __slots__ = ("_anomalies", "_metric", "commands", "events", "replayed")

    def __init__(self, metrics: MetricsRegistry) -> None:
        self.commands = 0
        self.events = 0
        self.replayed = 0
        self._anomalies = dict.fromkeys(Anomaly, 0)
        self._metric = metrics.counter(
            "exec_engine_anomalies", "Messages the execution engine logged and dropped.", ("kind",)
        )
        metrics.gauge("exec_engine_commands", "Commands executed.").set_function(
            lambda: self.commands
        )
        metrics.gauge("exec_engine_events", "Order events applied or refused.").set_function(
            lambda: self.events
        )

    def anomaly(self, kind: Anomaly) -> None:
        """Count one anomaly of ``kind``."""
        self._anomalies[kind] += 1
        self._metric.labels(kind=kind.value).inc()

    def __getitem__(self, kind: Anomaly) -> int:
        return self._anomalies[kind]

    def anomalies(self) -> dict[Anomaly, int]:
        """Every anomaly count (a copy)."""
        return dict(self._anomalies)
