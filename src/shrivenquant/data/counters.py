"""The data engine's counts: records processed, and every anomaly it logged."""

from __future__ import annotations

from enum import StrEnum, unique

from shrivenquant.telemetry.metrics import MetricsRegistry


@unique
class DataAnomaly(StrEnum):
    """Something the data engine logged (and, unless said otherwise, dropped)."""

    INVALID_DATA = "invalid_data"
    """A record failed the cheap checks (zero-size trade, bad bar, malformed book update)."""
    CROSSED_QUOTE = "crossed_quote"
    """A quote with its bid above its ask (dropped only with ``drop_crossed_quotes``)."""
    STALE_BOOK_UPDATE = "stale_book_update"
    """Book deltas older than the book's last sequence."""
    BOOK_CROSSED = "book_crossed"
    """A book was crossed after a complete venue message (kept; the feed should resync)."""
    BAR_BUILD_ERROR = "bar_build_error"
    """A trade an internal bar builder refused (off the instrument's precision)."""
    NO_CLIENT = "no_client"
    """No data client serves a subscription or request (kept: replay may feed it)."""
    CLIENT_ERROR = "client_error"
    """A data client refused or failed a subscription or request."""
    UNKNOWN_SUBSCRIPTION = "unknown_subscription"
    """An unsubscription for a stream the subscriber had not subscribed to."""
    UNEXPECTED_MESSAGE = "unexpected_message"
    """A message of a type the endpoint does not take."""


class DataEngineCounters:
    """Plain counts read by tests and the CLI, mirrored into the metrics registry."""

    __slots__ = ("_anomalies", "_metric", "commands", "processed", "requests")

    def __init__(self, metrics: MetricsRegistry) -> None:
        self.processed = 0
        self.commands = 0
        self.requests = 0
        self._anomalies = dict.fromkeys(DataAnomaly, 0)
        self._metric = metrics.counter(
            "data_engine_anomalies", "Records and commands the data engine logged.", ("kind",)
        )
        metrics.gauge("data_engine_processed", "Data records processed.").set_function(
            lambda: self.processed
        )
        metrics.gauge("data_engine_commands", "Subscription commands handled.").set_function(
            lambda: self.commands
        )
        metrics.gauge("data_engine_requests", "Data requests handled.").set_function(
            lambda: self.requests
        )

    def anomaly(self, kind: DataAnomaly) -> None:
        """Count one anomaly of ``kind``."""
        self._anomalies[kind] += 1
        self._metric.labels(kind=kind.value).inc()

    def __getitem__(self, kind: DataAnomaly) -> int:
        return self._anomalies[kind]

    def anomalies(self) -> dict[DataAnomaly, int]:
        """Every anomaly count (a copy)."""
        return dict(self._anomalies)
