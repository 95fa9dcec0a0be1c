"""The `DataRecorder`: live market data from the bus into the Parquet catalog, in batches.

The recorder subscribes to the data topics its config names (every instrument, or some) and
buffers what is published. It writes the buffer to the catalog when it holds ``batch_size``
records and on a clock timer every ``flush_interval_ns``, and once more when it stops. Each
series and UTC date is written as its own part file, so a failed write never half-writes a
batch: the records of a failed group stay buffered and are retried (with a growing pause)
while the recorder is DEGRADED; the first clean flush recovers it. Records the catalog cannot
store at all (a value it cannot represent) are set aside in `DataRecorder.rejected`, logged
and counted. Nothing is dropped silently: only an optional ``max_buffered`` bound drops the
oldest records, counted and logged as errors.

Optionally it also keeps raw venue frames (`record_raw_frame`, wired to
`DataClient.attach_raw_sink`) in a `RawFrameStore`, flushed with the same cadence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from shrivenquant.bus import topics
from shrivenquant.bus.component import Component
from shrivenquant.bus.message_bus import MessageBus
from shrivenquant.core.clock import Clock, TimeEvent
from shrivenquant.core.errors import InvalidInputError, RetryableError
from shrivenquant.core.lifecycle import ComponentState
from shrivenquant.core.time import NANOS_PER_DAY
from shrivenquant.data.raw_frames import RawFrame, RawFrameSink
from shrivenquant.model.data import Bar, BarType
from shrivenquant.model.data_commands import MarketDataType
from shrivenquant.model.identifiers import InstrumentId, TraderId
from shrivenquant.persistence.catalog import CatalogError, ParquetDataCatalog, SeriesKey
from shrivenquant.persistence.catalog.writer import series_key_of

_SECOND: Final = 1_000_000_000


@dataclass(frozen=True, slots=True, kw_only=True)
class RecorderConfig:
    """What the recorder records and how often it writes.

    Attributes:
        data_types: the kinds of data to record.
        instrument_ids: only these instruments; None records every instrument.
        bar_types: only these bar series; None records every bar of the recorded instruments.
        batch_size: buffered records (or raw frames) that trigger a write.
        flush_interval_ns: the longest time a record waits in the buffer.
        retry_backoff_ns: the first pause after a failed write; it doubles per failure.
        max_retry_backoff_ns: the longest pause between retries.
        max_buffered: drop (loudly) the oldest records beyond this many while writes fail;
            None never drops.
        stop_attempts: writes tried when stopping before giving up (FAULTED, data kept).
    """

    data_types: tuple[MarketDataType, ...] = tuple(MarketDataType)
    instrument_ids: tuple[InstrumentId, ...] | None = None
    bar_types: tuple[BarType, ...] | None = None
    batch_size: int = 50_000
    flush_interval_ns: int = 5 * _SECOND
    retry_backoff_ns: int = _SECOND
    max_retry_backoff_ns: int = 60 * _SECOND
    max_buffered: int | None = None
    stop_attempts: int = 3

    def __post_init__(self) -> None:
        positive = (
            "batch_size",
            "flush_interval_ns",
            "retry_backoff_ns",
            "max_retry_backoff_ns",
            "stop_attempts",
        )
        for name in positive:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InvalidInputError(f"{name}: expected a positive int, got {value!r}")
        bound = self.max_buffered
        bad_type = isinstance(bound, bool) or not isinstance(bound, int)
        if bound is not None and (bad_type or bound < self.batch_size):
            raise InvalidInputError(
                f"max_buffered: expected None or an int >= batch_size, got {bound!r}"
            )
        if not self.data_types:
            raise InvalidInputError("data_types: name at least one data type to record")


class DataRecorder(Component):
    """Records bus data into a `ParquetDataCatalog` (see the module docstring).

    Args:
        trader_id: the trader the kernel runs for.
        bus: the kernel's message bus.
        clock: the kernel's clock (flush timer and retry pauses).
        catalog: where records are written.
        config: what to record and how often to write.
        raw_store: where raw venue frames go; None keeps none.
        component_id: the recorder's name (several may run).
    """

    def __init__(
        self,
        trader_id: TraderId,
        bus: MessageBus,
        clock: Clock,
        catalog: ParquetDataCatalog,
        config: RecorderConfig | None = None,
        *,
        raw_store: RawFrameSink | None = None,
        component_id: str = "DataRecorder",
    ) -> None:
        super().__init__(component_id, trader_id, bus, clock)
        self.catalog = catalog
        self.config = config or RecorderConfig()
        self.raw_store = raw_store
        self.rejected: list[Any] = []
        self.written = 0
        self.raw_written = 0
        self.write_failures = 0
        self.dropped = 0
        self._pending: list[Any] = []
        self._raw_pending: list[RawFrame] = []
        self._batch_size = self.config.batch_size
        self._retry_at = 0
        self._backoff = self.config.retry_backoff_ns
        self._failing = False
        self._subscribed: list[tuple[str, Callable[[Any], None]]] = []
        self._timer = f"{self.id.value}-flush"
        wanted = self.config.instrument_ids
        self._instruments = None if wanted is None else frozenset(wanted)
        metrics = bus.metrics
        self._failure_metric = metrics.counter(
            "recorder_write_failures", "Failed catalog writes of the recorder.", ("recorder",)
        )
        self._drop_metric = metrics.counter(
            "recorder_dropped_records",
            "Records dropped by the recorder.",
            ("recorder",),
        )

    # -- state -------------------------------------------------------------------------------

    @property
    def pending(self) -> int:
        """Records buffered, not yet written."""
        return len(self._pending)

    @property
    def raw_pending(self) -> int:
        """Raw frames buffered, not yet written."""
        return len(self._raw_pending)

    # -- lifecycle ---------------------------------------------------------------------------

    def _on_start(self) -> None:
        for topic, handler in self._topics():
            self.bus.subscribe(topic, handler)
            self._subscribed.append((topic, handler))
        self.clock.set_timer(self._timer, self.config.flush_interval_ns, self._on_timer)

    def _on_stop(self) -> None:
        for topic, handler in self._subscribed:
            self.bus.unsubscribe(topic, handler)
        self._subscribed.clear()
        if self._timer in self.clock.timer_names:
            self.clock.cancel_timer(self._timer)
        for _ in range(self.config.stop_attempts):
            self.flush()
            if not self._pending and not self._raw_pending:
                return
        raise RetryableError(
            f"{self.id}: {len(self._pending)} records and {len(self._raw_pending)} raw frames "
            f"could not be written; they stay buffered (call flush() to retry)"
        )

    def _topics(self) -> list[tuple[str, Callable[[Any], None]]]:
        cfg = self.config
        ids = cfg.instrument_ids
        record = self._on_record
        builders: dict[MarketDataType, tuple[Callable[[InstrumentId], str], Callable[[], str]]]
        builders = {
            MarketDataType.QUOTES: (topics.quotes, topics.quotes_all),
            MarketDataType.TRADES: (topics.trades, topics.trades_all),
            MarketDataType.BOOK_DELTAS: (topics.book_deltas, topics.book_deltas_all),
            MarketDataType.BOOK_SNAPSHOTS: (topics.book_snapshots, topics.book_snapshots_all),
            MarketDataType.INSTRUMENTS: (topics.instrument, topics.instruments_all),
        }
        result: list[tuple[str, Callable[[Any], None]]] = []
        for data_type in dict.fromkeys(cfg.data_types):
            if data_type is MarketDataType.BARS:
                if cfg.bar_types is not None:
                    result.extend((topics.bars(bt), record) for bt in cfg.bar_types)
                else:
                    result.append((topics.bars_all(), record if ids is None else self._on_bar))
                continue
            one, every = builders[data_type]
            if ids is None:
                result.append((every(), record))
            else:
                result.extend((one(i), record) for i in ids)
        return result

    # -- input -------------------------------------------------------------------------------

    def _on_record(self, record: Any) -> None:
        pending = self._pending
        pending.append(record)
        if len(pending) >= self._batch_size:
            self._flush_if_due()

    def _on_bar(self, bar: Bar) -> None:
        instruments = self._instruments
        if instruments is None or bar.bar_type.instrument_id in instruments:
            self._on_record(bar)

    def record_raw_frame(self, frame: RawFrame) -> None:
        """Keep one raw venue frame (a `DataClient` raw sink)."""
        raw = self._raw_pending
        raw.append(frame)
        if len(raw) >= self._batch_size:
            self._flush_if_due()

    def _on_timer(self, event: TimeEvent) -> None:
        self._flush_if_due()

    def _flush_if_due(self) -> None:
        if not self._failing or self.clock.timestamp_ns() >= self._retry_at:
            self.flush()
        else:
            self._enforce_bound()

    # -- writing -----------------------------------------------------------------------------

    def flush(self) -> int:
        """Write everything buffered now; return how many records were written.

        Failed groups stay buffered for the next attempt (see the module docstring).
        """
        records, self._pending = self._pending, []
        failed: list[Any] = []
        errors: list[str] = []
        written = 0
        for (key, _day), group in self._group(records).items():
            try:
                self.catalog.write(group)
            except CatalogError as exc:
                self._reject(group, key, exc)
            except Exception as exc:
                failed.extend(group)
                errors.append(f"{key.name}: {type(exc).__name__}: {exc}")
                self.log.exception("catalog write failed", series=key.name, records=len(group))
            else:
                written += len(group)
        self.written += written
        self._pending = failed + self._pending
        self._flush_raw(errors)
        if errors:
            self._failed(errors)
        elif self._failing:
            self._recovered()
        return written

    def _group(self, records: list[Any]) -> dict[tuple[SeriesKey, int], list[Any]]:
        groups: dict[tuple[SeriesKey, int], list[Any]] = {}
        keys: dict[tuple[type, object], SeriesKey] = {}
        for record in records:
            series = getattr(record, "bar_type", None)
            if series is None:
                series = getattr(record, "instrument_id", None)
            if series is None:  # an instrument definition: stored per venue
                series = getattr(getattr(record, "id", None), "venue", None)
            cache_key = (type(record), series)
            key = keys.get(cache_key)
            if key is None:
                try:
                    key = keys[cache_key] = series_key_of(record)
                except CatalogError as exc:
                    self._reject([record], None, exc)
                    continue
            groups.setdefault((key, record.ts_init // NANOS_PER_DAY), []).append(record)
        return groups

    def _flush_raw(self, errors: list[str]) -> None:
        frames = self._raw_pending
        if not frames or self.raw_store is None:
            return
        self._raw_pending = []
        try:
            self.raw_store.write(frames)
        except Exception as exc:
            self._raw_pending = frames + self._raw_pending
            errors.append(f"raw frames: {type(exc).__name__}: {exc}")
            self.log.exception("raw frame write failed", frames=len(frames))
        else:
            self.raw_written += len(frames)

    def _reject(self, records: list[Any], key: SeriesKey | None, exc: Exception) -> None:
        self.rejected.extend(records)
        self.log.error(
            "records the catalog cannot store set aside",
            series=None if key is None else key.name,
            records=len(records),
            reason=str(exc),
        )

    def _failed(self, errors: list[str]) -> None:
        self.write_failures += 1
        self._failure_metric.labels(recorder=self.id.value).inc()
        now = self.clock.timestamp_ns()
        self._retry_at = now + self._backoff
        self._backoff = min(self._backoff * 2, self.config.max_retry_backoff_ns)
        self._failing = True
        self._enforce_bound()
        if self.state is ComponentState.RUNNING:
            self.degrade(f"catalog writes failing ({len(errors)}): {errors[0]}")

    def _recovered(self) -> None:
        self._failing = False
        self._backoff = self.config.retry_backoff_ns
        self.log.info("catalog writes recovered", written=self.written)
        if self.state is ComponentState.DEGRADED:
            self.recover()

    def _enforce_bound(self) -> None:
        bound = self.config.max_buffered
        excess = 0 if bound is None else len(self._pending) - bound
        if excess > 0:
            del self._pending[:excess]
            self.dropped += excess
            self._drop_metric.labels(recorder=self.id.value).inc(excess)
            self.log.error(
                "recorder buffer full while writes fail: oldest records dropped",
                dropped=excess,
                dropped_total=self.dropped,
            )
