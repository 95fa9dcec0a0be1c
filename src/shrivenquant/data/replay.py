"""Replay: any catalog slice (or any records in ``ts_init`` order) through the data engine.

Records are sent to the data engine's ``DATA_ENGINE_PROCESS`` endpoint one by one, so the
cache is written before anything is published, exactly as with live data. Two paces:

- `DataReplay.run` as fast as possible on a `TestClock`: before each record the clock moves to
  the record's ``ts_init``, firing every timer due up to then (internal bar closes, strategy
  timers) in time order, so a backtest sees time as it was.
- `DataReplay.run_realtime` at ``speed`` times real time on the `LiveClock` (asyncio): it sleeps
  until each record is due, ``(ts_init - first ts_init) / speed`` after the start. Records
  keep their historical timestamps; the clock's own timers run on wall time.

```python
replay = DataReplay.from_catalog(bus, catalog, kinds=["trade_tick"], start=t0, end=t1)
stats = replay.run(clock)                      # backtest pace
stats = await replay.run_realtime(clock, 10)   # ten times real time
```
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from shrivenquant.bus import topics
from shrivenquant.bus.message_bus import MessageBus
from shrivenquant.core.clock import Clock, TestClock
from shrivenquant.model.data import BarType
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.persistence.catalog import DataKind, ParquetDataCatalog, TimeLike

_MIN_SLEEP_NS: Final = 1_000_000  # shorter waits are not worth a trip through the event loop
_YIELD_EVERY: Final = 1_000  # let the event loop run at least this often when behind


@dataclass(frozen=True, slots=True)
class ReplayStats:
    """What a replay did.

    Attributes:
        records: records sent to the engine.
        first_ts_init: ``ts_init`` of the first record (None when there were none).
        last_ts_init: ``ts_init`` of the last record.
        out_of_order: records older than the one before them (sent anyway, clock unmoved).
        elapsed_ns: wall time the replay took.
        stopped: whether `DataReplay.stop` ended it early.
    """

    records: int
    first_ts_init: int | None
    last_ts_init: int | None
    out_of_order: int
    elapsed_ns: int
    stopped: bool

    @property
    def records_per_s(self) -> float:
        """Throughput (records per wall-clock second)."""
        return self.records * 1e9 / self.elapsed_ns if self.elapsed_ns else 0.0


class DataReplay:
    """Feeds records through the data engine in ``ts_init`` order (see the module doc).

    Args:
        bus: the kernel's message bus (the data engine must be started on it).
        records: the records, in ``ts_init`` order (a `DataStream` from the catalog, or any
            iterable); iterated once per run.
        endpoint: where records are sent.
    """

    def __init__(
        self,
        bus: MessageBus,
        records: Iterable[Any],
        *,
        endpoint: str = topics.DATA_ENGINE_PROCESS,
    ) -> None:
        self.bus = bus
        self.records = records
        self.endpoint = endpoint
        self._stop = False
        self._wake: asyncio.Event | None = None

    @classmethod
    def from_catalog(
        cls,
        bus: MessageBus,
        catalog: ParquetDataCatalog,
        *,
        kinds: Iterable[DataKind | str] | None = None,
        instrument_ids: Sequence[InstrumentId] | None = None,
        bar_types: Sequence[BarType] | None = None,
        start: TimeLike | None = None,
        end: TimeLike | None = None,
    ) -> DataReplay:
        """A replay of a catalog slice (arguments as `ParquetDataCatalog.stream`)."""
        return cls(bus, catalog.stream(kinds, instrument_ids, bar_types, start, end))

    def stop(self) -> None:
        """End the running replay after the record being handled (from a handler or task)."""
        self._stop = True
        if self._wake is not None:
            self._wake.set()

    def run(self, clock: TestClock, *, end_ns: int | None = None) -> ReplayStats:
        """Replay as fast as possible, moving ``clock`` to each record's ``ts_init`` first.

        Args:
            clock: the simulated clock; its timers fire as time passes them.
            end_ns: finally move the clock here (firing the timers due by then), e.g. the end
                of the slice so the last time bar closes; it must not be before the last
                record.
        """
        self._stop = False
        send = self.bus.send
        endpoint = self.endpoint
        advance = clock.advance_time
        now = clock.timestamp_ns()
        count = 0
        out_of_order = 0
        first: int | None = None
        last: int | None = None
        started = time.perf_counter_ns()
        for record in self.records:
            ts = record.ts_init
            if ts > now:
                advance(ts)
                now = ts
            elif last is not None and ts < last:
                out_of_order += 1
            if first is None:
                first = ts
            last = ts
            send(endpoint, record)
            count += 1
            if self._stop:
                break
        if end_ns is not None and not self._stop and end_ns > clock.timestamp_ns():
            clock.advance_time(end_ns)
        elapsed = time.perf_counter_ns() - started
        return ReplayStats(count, first, last, out_of_order, elapsed, self._stop)

    async def run_realtime(self, clock: Clock, speed: float = 1.0) -> ReplayStats:
        """Replay at ``speed`` times real time: each record is sent when it is due.

        Args:
            clock: the live clock (wall time) that paces the replay.
            speed: how many times faster than real time (``2.0`` replays an hour in 30 min).

        Raises:
            ValueError: ``speed`` is not a positive finite number.
        """
        if not 0 < speed < float("inf"):
            raise ValueError(f"speed must be a positive finite number, got {speed!r}")
        self._stop = False
        self._wake = wake = asyncio.Event()
        send = self.bus.send
        endpoint = self.endpoint
        count = 0
        out_of_order = 0
        first: int | None = None
        last: int | None = None
        base = 0
        started = time.perf_counter_ns()
        for record in self.records:
            ts = record.ts_init
            if first is None:
                first = ts
                base = clock.timestamp_ns()
            elif last is not None and ts < last:
                out_of_order += 1
            wait = base + int((ts - first) / speed) - clock.timestamp_ns()
            if wait >= _MIN_SLEEP_NS:
                with contextlib.suppress(TimeoutError):  # woken early only by `stop`
                    await asyncio.wait_for(wake.wait(), wait / 1e9)
            elif count % _YIELD_EVERY == 0:
                await asyncio.sleep(0)
            if self._stop:
                break
            last = ts
            send(endpoint, record)
            count += 1
        self._wake = None
        elapsed = time.perf_counter_ns() - started
        return ReplayStats(count, first, last, out_of_order, elapsed, self._stop)
