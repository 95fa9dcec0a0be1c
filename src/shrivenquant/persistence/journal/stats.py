"""Journal counters: a plain snapshot for callers and optional Prometheus metrics."""

from __future__ import annotations

from dataclasses import dataclass

from shrivenquant.telemetry.metrics import MetricsRegistry


@dataclass(frozen=True, slots=True, kw_only=True)
class JournalStats:
    """What a writer has done since it was opened.

    Attributes:
        records_appended: records accepted by `append`.
        bytes_appended: framed bytes (headers and payloads) accepted by `append`.
        records_written: records written to segment files.
        bytes_written: framed bytes written to segment files.
        writes: write calls (one per group of records).
        fsyncs: fsync calls.
        segments_created: segment files started by this writer.
        last_seq: last appended sequence number.
        durable_seq: highest sequence number known to be fsynced.
    """

    records_appended: int = 0
    bytes_appended: int = 0
    records_written: int = 0
    bytes_written: int = 0
    writes: int = 0
    fsyncs: int = 0
    segments_created: int = 0
    last_seq: int = 0
    durable_seq: int = 0


class IoCounters:
    """Mutable counters updated under the writer's I/O lock."""

    __slots__ = ("fsyncs", "segments_created", "writes")

    def __init__(self) -> None:
        self.writes = 0
        self.fsyncs = 0
        self.segments_created = 0


class JournalMetrics:
    """Prometheus metrics of one journal, updated per write and per fsync, never per append."""

    __slots__ = ("_bytes", "_durable_seq", "_fsync_seconds", "_fsyncs", "_records")

    def __init__(self, registry: MetricsRegistry, journal: str) -> None:
        labels = ("journal",)
        self._records = registry.counter(
            "journal_records_written", "Records written to journal segments.", labels
        ).labels(journal=journal)
        self._bytes = registry.counter(
            "journal_bytes_written", "Framed bytes written to journal segments.", labels
        ).labels(journal=journal)
        self._fsyncs = registry.counter(
            "journal_fsyncs", "fsync calls on journal segments.", labels
        ).labels(journal=journal)
        self._fsync_seconds = registry.histogram(
            "journal_fsync_seconds", "Duration of journal fsync calls.", labels
        ).labels(journal=journal)
        self._durable_seq = registry.gauge(
            "journal_durable_seq", "Highest journal sequence number known to be fsynced.", labels
        ).labels(journal=journal)

    def written(self, records: int, nbytes: int) -> None:
        """Count one write of ``records`` records totalling ``nbytes`` bytes."""
        self._records.inc(records)
        self._bytes.inc(nbytes)

    def synced(self, duration_ns: int, durable_seq: int) -> None:
        """Count one fsync that took ``duration_ns`` and made ``durable_seq`` durable."""
        self._fsyncs.inc()
        self._fsync_seconds.observe(duration_ns / 1e9)
        self._durable_seq.set(durable_seq)
