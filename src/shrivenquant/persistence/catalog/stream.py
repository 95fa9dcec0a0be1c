"""A streaming, time-ordered merge of many catalog series, for replay.

Each series is read batch by batch from its sorted part files, so memory stays bounded by a few
batches per series whatever the size of the slice. Records come out in ``ts_init`` order; ties
are broken by data kind (`DataKind` order: instruments, snapshots, deltas, quotes, trades,
bars), then by series name, then by position in the series, so a replay is deterministic.

The merge works a window at a time instead of a heap per record: the horizon is the smallest
"last loaded ``ts_init``" over the series that still have data; every loaded row before the
horizon can be ordered now with one stable numpy sort, and the records are then built one by
one as the consumer asks for them. Records are built lazily so that a consumer which drops
them after use keeps few objects alive.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from itertools import chain, islice
from typing import Any

import numpy as np

from shrivenquant.persistence.catalog.columns import IntArray, int_values
from shrivenquant.persistence.catalog.layout import PartFile, SeriesKey
from shrivenquant.persistence.catalog.reader import Batch, decode_rows, iter_part_batches

_READ_THREADS = 2


def chain_files(files: Sequence[PartFile]) -> list[list[PartFile]]:
    """Split a series' files into chains whose files do not overlap in time.

    Normally a series is one chain; files written out of order (a backfill) form extra chains
    that the stream merges like separate series.
    """
    chains: list[list[PartFile]] = []
    for part in sorted(files):
        for files_in_chain in chains:
            if files_in_chain[-1].last_ts <= part.first_ts:
                files_in_chain.append(part)
                break
        else:
            chains.append([part])
    return chains


class StreamSource:
    """One chain of part files of one series, read batch by batch.

    With an executor, the next batch is read in a worker thread while the current one is being
    turned into records (Parquet decoding releases the GIL), one batch ahead at most.
    """

    __slots__ = (
        "_batches",
        "_executor",
        "_next",
        "_queue",
        "exhausted",
        "files",
        "index",
        "key",
        "pending",
    )

    def __init__(
        self,
        key: SeriesKey,
        files: Sequence[PartFile],
        *,
        start: int | None,
        end: int | None,
        batch_rows: int,
        executor: Executor | None = None,
    ) -> None:
        self.key = key
        self.files = tuple(files)
        self.index = 0
        self.exhausted = False
        self.pending: IntArray = np.zeros(0, dtype=np.int64)
        self._queue: deque[tuple[str, Batch]] = deque()
        self._batches = self._read(start, end, batch_rows)
        self._executor = executor
        self._next: Future[tuple[str, Batch] | None] | None = None

    def _read(
        self, start: int | None, end: int | None, batch_rows: int
    ) -> Iterator[tuple[str, Batch]]:
        for part in self.files:
            where = str(part.path)
            for batch in iter_part_batches(part.path, self.key.kind, start, end, batch_rows):
                yield where, batch

    def load(self, *, track: bool) -> bool:
        """Read the next batch; with ``track``, append its ``ts_init`` to `pending`."""
        item = self._fetch()
        if item is None:
            self.exhausted = True
            return False
        self._queue.append(item)
        if track:
            where, batch = item
            ts = int_values(batch.column("ts_init"), f"{where}:ts_init")
            self.pending = np.concatenate((self.pending, ts)) if self.pending.size else ts
        return True

    def _fetch(self) -> tuple[str, Batch] | None:
        executor = self._executor
        if executor is None:
            return next(self._batches, None)
        pending = self._next
        item = pending.result() if pending is not None else next(self._batches, None)
        # Only one read is ever outstanding, so the generator is never run by two threads.
        self._next = None if item is None else executor.submit(next, self._batches, None)
        return item

    def rows(self) -> Iterator[Any]:
        """The records of the chain in order, reading batches on demand."""
        return chain.from_iterable(self._decoded_batches())

    def _decoded_batches(self) -> Iterator[Iterator[Any]]:
        queue = self._queue
        while True:
            if not queue and not self.load(track=False):
                return
            where, batch = queue.popleft()
            yield decode_rows(self.key, batch, where)


class DataStream:
    """An iterable over records of many series in ``ts_init`` order (see the module doc).

    Iterating twice reads the files twice; the stream holds no records itself. Build it with
    `ParquetDataCatalog.stream`.

    Args:
        files: the part files of each series to merge.
        start: first ``ts_init`` included (None: from the beginning).
        end: first ``ts_init`` excluded (None: to the end).
        batch_rows: rows read per batch and series.
        read_ahead: read each series' next batch in a worker thread.
    """

    def __init__(
        self,
        files: dict[SeriesKey, list[PartFile]],
        start: int | None,
        end: int | None,
        batch_rows: int,
        *,
        read_ahead: bool = True,
    ) -> None:
        self._files = {key: list(parts) for key, parts in sorted(files.items()) if parts}
        self._start = start
        self._end = end
        self._batch_rows = batch_rows
        self._read_ahead = read_ahead

    @property
    def series(self) -> tuple[SeriesKey, ...]:
        """The series merged, in tie-break order."""
        return tuple(self._files)

    def _sources(self, executor: Executor | None) -> list[StreamSource]:
        sources = [
            StreamSource(
                key,
                files,
                start=self._start,
                end=self._end,
                batch_rows=self._batch_rows,
                executor=executor,
            )
            for key, parts in self._files.items()
            for files in chain_files(parts)
        ]
        for index, source in enumerate(sources):
            source.index = index
        return sources

    def __iter__(self) -> Iterator[Any]:
        return _records(self._sources(_read_executor() if self._read_ahead else None))


_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _read_executor() -> ThreadPoolExecutor:
    """The process-wide pool reading batches ahead (created on first use).

    Each source has at most one read outstanding, so a stream abandoned half-way leaves at most
    one finished batch per series behind, dropped with its source.
    """
    global _executor  # noqa: PLW0603 - one shared pool per process
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(
                max_workers=_READ_THREADS, thread_name_prefix="catalog-read"
            )
        return _executor


def _records(sources: list[StreamSource]) -> Iterator[Any]:
    if not sources:
        return iter(())
    if len(sources) == 1:
        return sources[0].rows()
    return chain.from_iterable(_merged_windows(sources))


def _merged_windows(sources: list[StreamSource]) -> Iterator[Iterator[Any]]:
    """Yield, window by window, iterators over the records in merged order.

    Each window is a ``map(next, ...)`` over the series' record iterators, so advancing the
    merged stream costs no Python frame of its own per record.
    """
    rows = [source.rows() for source in sources]
    live = sources
    while True:
        for source in live:
            while not source.pending.size and not source.exhausted:
                source.load(track=True)
        live = [source for source in live if source.pending.size]
        if not live:
            return
        bounds = [int(source.pending[-1]) for source in live if not source.exhausted]
        if bounds:
            horizon: int | None = min(bounds)
            counts = [int(np.searchsorted(s.pending, min(bounds), "left")) for s in live]
        else:  # every series is fully loaded: the rest can go out
            horizon = None
            counts = [len(s.pending) for s in live]
        ready = [(source, count) for source, count in zip(live, counts, strict=True) if count]
        if not ready:  # only rows at the horizon are loaded: read further where it is set
            for source in live:
                if not source.exhausted and int(source.pending[-1]) == horizon:
                    source.load(track=True)
            continue
        if len(ready) == 1:
            source, count = ready[0]
            yield islice(rows[source.index], count)
        else:
            ts = np.concatenate([source.pending[:count] for source, count in ready])
            ids = np.repeat([source.index for source, _ in ready], [count for _, count in ready])
            yield map(next, [rows[i] for i in ids[np.argsort(ts, kind="stable")].tolist()])
        for source, count in ready:
            source.pending = source.pending[count:]
