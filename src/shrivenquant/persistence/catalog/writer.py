"""Writing series into the catalog: group records by series, split by UTC date, write atomically."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]

from shrivenquant.core.time import NANOS_PER_DAY
from shrivenquant.model.data import (
    Bar,
    OrderBookDelta,
    OrderBookDeltas,
    OrderBookSnapshot,
    QuoteTick,
    TradeTick,
)
from shrivenquant.model.instruments import Instrument
from shrivenquant.persistence.catalog.arrays import ColumnarData
from shrivenquant.persistence.catalog.atomic import write_parquet_atomic
from shrivenquant.persistence.catalog.columns import int_values
from shrivenquant.persistence.catalog.encode import (
    bars_to_arrays,
    book_deltas_to_arrays,
    book_snapshots_to_table,
    instruments_to_table,
    quote_ticks_to_arrays,
    trade_ticks_to_arrays,
)
from shrivenquant.persistence.catalog.errors import CatalogError
from shrivenquant.persistence.catalog.layout import (
    MAX_TS,
    SeriesKey,
    date_of,
    part_name,
    partition_directory,
)
from shrivenquant.persistence.catalog.schema import DataKind, file_metadata

_LEVELLED_CODECS = frozenset({"zstd", "gzip", "brotli", "lz4"})


@dataclass(frozen=True, slots=True)
class CatalogConfig:
    """How the catalog writes files.

    Args:
        compression: Parquet codec (``zstd``, ``snappy``, ``lz4``, ``none``).
        compression_level: codec level (None: the codec's default; ignored by snappy).
        row_group_size: rows per row group; smaller groups make time-range pruning finer.
        fsync: flush every file and directory to stable storage before a write returns.
    """

    compression: str = "zstd"
    compression_level: int | None = 1
    row_group_size: int = 262_144
    fsync: bool = True

    def __post_init__(self) -> None:
        if self.compression not in {"zstd", "snappy", "lz4", "gzip", "brotli", "none"}:
            raise CatalogError(f"unsupported Parquet compression {self.compression!r}")
        if type(self.row_group_size) is not int or self.row_group_size < 1:
            raise CatalogError(f"row_group_size must be a positive int, got {self.row_group_size}")


def series_key_of(record: object) -> SeriesKey:
    """The series a model record belongs to.

    Raises:
        CatalogError: the record is not a kind of data the catalog stores.
    """
    if isinstance(record, TradeTick):
        return SeriesKey.for_instrument(DataKind.TRADE_TICK, record.instrument_id)
    if isinstance(record, QuoteTick):
        return SeriesKey.for_instrument(DataKind.QUOTE_TICK, record.instrument_id)
    if isinstance(record, Bar):
        return SeriesKey.for_bar_type(record.bar_type)
    if isinstance(record, (OrderBookDelta, OrderBookDeltas)):
        return SeriesKey.for_instrument(DataKind.BOOK_DELTA, record.instrument_id)
    if isinstance(record, OrderBookSnapshot):
        return SeriesKey.for_instrument(DataKind.BOOK_SNAPSHOT, record.instrument_id)
    if isinstance(record, Instrument):
        return SeriesKey.for_venue(record.id.venue.value)
    raise CatalogError(f"the catalog cannot store {type(record).__name__} records")


def group_records(records: Iterable[object]) -> dict[SeriesKey, list[Any]]:
    """Group records by series, keeping their order; `OrderBookDeltas` are flattened."""
    groups: dict[SeriesKey, list[Any]] = {}
    for record in records:
        key = series_key_of(record)
        group = groups.setdefault(key, [])
        if isinstance(record, OrderBookDeltas):
            group.extend(record.deltas)
        else:
            group.append(record)
    return groups


class SeriesWriter:
    """Writes tables of one catalog root, one atomic part file per series and UTC date."""

    def __init__(self, root: Path, config: CatalogConfig) -> None:
        self._root = root
        self._config = config

    def write_records(self, key: SeriesKey, records: list[Any]) -> list[Path]:
        """Encode and write the records of one series."""
        kind = key.kind
        if kind is DataKind.TRADE_TICK:
            return self.write_arrays(trade_ticks_to_arrays(records))
        if kind is DataKind.QUOTE_TICK:
            return self.write_arrays(quote_ticks_to_arrays(records))
        if kind is DataKind.BAR:
            return self.write_arrays(bars_to_arrays(records))
        if kind is DataKind.BOOK_DELTA:
            return self.write_arrays(book_deltas_to_arrays(records))
        if kind is DataKind.BOOK_SNAPSHOT:
            return self.write_table(key, book_snapshots_to_table(records))
        return self.write_table(key, instruments_to_table(records))

    def write_arrays(self, arrays: ColumnarData) -> list[Path]:
        """Write a columnar container (sorted by ``ts_init`` first, split by date)."""
        if not len(arrays):
            return []
        arrays = arrays.sorted()
        if arrays.kind is DataKind.BAR:
            key = SeriesKey.for_bar_type(arrays.bar_type)  # type: ignore[union-attr]
        else:
            key = SeriesKey.for_instrument(arrays.kind, arrays.instrument_id)
        ts = arrays.ts_init
        paths = []
        for low, high in _day_slices(ts):
            table = arrays.slice(low, high).to_table()
            paths.append(self._write(key, table, int(ts[low]), int(ts[high - 1])))
        return paths

    def write_table(self, key: SeriesKey, table: pa.Table) -> list[Path]:
        """Write a table already in the catalog schema of ``key.kind``."""
        if not table.num_rows:
            return []
        ts = int_values(table.column("ts_init"), "ts_init")
        if len(ts) > 1 and not bool(np.all(ts[1:] >= ts[:-1])):
            order = np.argsort(ts, kind="stable")
            table = table.take(pa.array(order))
            ts = ts[order]
        if not key.date_partitioned:
            return [self._write(key, table, int(ts[0]), int(ts[-1]))]
        return [
            self._write(key, table.slice(low, high - low), int(ts[low]), int(ts[high - 1]))
            for low, high in _day_slices(ts)
        ]

    def _write(self, key: SeriesKey, table: pa.Table, first: int, last: int) -> Path:
        directory = key.directory(self._root)
        if key.date_partitioned:
            directory = partition_directory(directory, date_of(first))
        name = part_name(first, last, os.urandom(6).hex())
        config = self._config
        table = table.replace_schema_metadata(file_metadata(key.kind, key.name))
        return write_parquet_atomic(
            table,
            directory / name,
            compression=config.compression,
            compression_level=(
                config.compression_level if config.compression in _LEVELLED_CODECS else None
            ),
            row_group_size=config.row_group_size,
            durable=config.fsync,
        )


def _day_slices(ts: np.ndarray[Any, np.dtype[np.int64]]) -> list[tuple[int, int]]:
    """Row ranges of sorted ``ts`` falling on one UTC date each."""
    if int(ts[0]) < 0 or int(ts[-1]) > MAX_TS:
        raise CatalogError(f"ts_init must be between 0 and {MAX_TS} ns, got {ts[0]}..{ts[-1]}")
    days = ts // NANOS_PER_DAY
    cuts = (np.flatnonzero(days[1:] != days[:-1]) + 1).tolist()
    bounds = [0, *cuts, len(ts)]
    return list(pairwise(bounds))
