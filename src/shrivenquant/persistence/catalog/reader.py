"""Reading part files: schema checks, row-group pruning by ``ts_init``, decoding by kind.

Part files are sorted by ``ts_init``. A time-range read keeps only the row groups whose
``ts_init`` statistics overlap ``[start, end)`` (predicate pushdown), then cuts the exact rows
with a binary search.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from shrivenquant.model.data import BarType
from shrivenquant.persistence.catalog.arrays import (
    BarArrays,
    BookDeltaArrays,
    ColumnarData,
    QuoteTickArrays,
    TradeTickArrays,
)
from shrivenquant.persistence.catalog.columns import int_values
from shrivenquant.persistence.catalog.decode import (
    iter_bars,
    iter_book_deltas,
    iter_book_snapshots,
    iter_quote_ticks,
    iter_trade_ticks,
)
from shrivenquant.persistence.catalog.encode import decode_instrument
from shrivenquant.persistence.catalog.errors import CatalogError
from shrivenquant.persistence.catalog.layout import SeriesKey
from shrivenquant.persistence.catalog.schema import DataKind, check_file_metadata

Batch: TypeAlias = Any
"""A `pyarrow.Table` or `pyarrow.RecordBatch` in a catalog schema."""


def open_part(path: Path, kind: DataKind) -> pq.ParquetFile:
    """Open a part file and check that it holds ``kind`` in a schema version we read."""
    try:
        part = pq.ParquetFile(path, pre_buffer=True)
    except (OSError, pa.ArrowException) as exc:
        raise CatalogError(f"{path}: cannot read Parquet file: {exc}") from exc
    check_file_metadata(part.schema_arrow.metadata, kind, str(path))
    return part


def _row_groups(part: pq.ParquetFile, start: int | None, end: int | None) -> list[int]:
    metadata = part.metadata
    if start is None and end is None:
        return list(range(metadata.num_row_groups))
    index = part.schema_arrow.get_field_index("ts_init")
    selected = []
    for group in range(metadata.num_row_groups):
        stats = metadata.row_group(group).column(index).statistics
        if (
            stats is not None
            and stats.has_min_max
            and (
                (start is not None and stats.max < start) or (end is not None and stats.min >= end)
            )
        ):
            continue
        selected.append(group)
    return selected


def _cut(batch: Batch, start: int | None, end: int | None, where: str) -> Batch:
    ts = int_values(batch.column("ts_init"), f"{where}:ts_init")
    if len(ts) > 1 and not bool(np.all(ts[1:] >= ts[:-1])):
        raise CatalogError(f"{where}: rows are not sorted by ts_init; rewrite it via the catalog")
    low = 0 if start is None else int(np.searchsorted(ts, start, "left"))
    high = len(ts) if end is None else int(np.searchsorted(ts, end, "left"))
    if low == 0 and high == len(ts):
        return batch
    return batch.slice(low, high - low)


def read_part(
    path: Path,
    kind: DataKind,
    start: int | None = None,
    end: int | None = None,
    columns: list[str] | None = None,
) -> pa.Table:
    """Rows of one part file with ``ts_init`` in ``[start, end)`` (all rows when unbounded)."""
    part = open_part(path, kind)
    groups = _row_groups(part, start, end)
    if columns is not None and "ts_init" not in columns:
        columns = [*columns, "ts_init"]
    table = part.read_row_groups(groups, columns=columns, use_threads=True)
    return _cut(table, start, end, str(path))


def iter_part_batches(
    path: Path, kind: DataKind, start: int | None, end: int | None, batch_rows: int
) -> Iterator[Batch]:
    """Yield non-empty batches of one part file with ``ts_init`` in ``[start, end)``."""
    part = open_part(path, kind)
    groups = _row_groups(part, start, end)
    if not groups:
        return
    where = str(path)
    previous_last: int | None = None
    for batch in part.iter_batches(batch_size=batch_rows, row_groups=groups, use_threads=True):
        cut = _cut(batch, start, end, where)
        if cut.num_rows:
            ts = cut.column("ts_init")
            if previous_last is not None and ts[0].as_py() < previous_last:
                raise CatalogError(f"{where}: rows are not sorted by ts_init")
            previous_last = ts[-1].as_py()
            yield cut
        if end is not None and batch.num_rows and batch.column("ts_init")[-1].as_py() >= end:
            return


def to_arrays(key: SeriesKey, batch: Batch, where: str) -> ColumnarData:
    """A batch of a trade, quote, bar or delta series as its columnar container."""
    kind = key.kind
    if kind is DataKind.TRADE_TICK:
        return TradeTickArrays.from_table(key.instrument_id, batch, where)
    if kind is DataKind.QUOTE_TICK:
        return QuoteTickArrays.from_table(key.instrument_id, batch, where)
    if kind is DataKind.BAR:
        return BarArrays.from_table(BarType.from_str(key.bar_type), batch, where)
    if kind is DataKind.BOOK_DELTA:
        return BookDeltaArrays.from_table(key.instrument_id, batch, where)
    raise CatalogError(f"{kind.directory} data has no columnar container")


def decode_rows(key: SeriesKey, batch: Batch, where: str) -> Iterator[object]:
    """The model records of a batch, built one by one as the iterator is advanced."""
    kind = key.kind
    if kind is DataKind.TRADE_TICK:
        return iter_trade_ticks(TradeTickArrays.from_table(key.instrument_id, batch, where), where)
    if kind is DataKind.QUOTE_TICK:
        return iter_quote_ticks(QuoteTickArrays.from_table(key.instrument_id, batch, where), where)
    if kind is DataKind.BAR:
        bar_type = BarType.from_str(key.bar_type)
        return iter_bars(BarArrays.from_table(bar_type, batch, where), where)
    if kind is DataKind.BOOK_DELTA:
        arrays = BookDeltaArrays.from_table(key.instrument_id, batch, where)
        return iter_book_deltas(arrays, where)
    if kind is DataKind.BOOK_SNAPSHOT:
        return iter_book_snapshots(key.instrument_id, _as_table(batch), where)
    return _iter_instruments(batch, where)


def _iter_instruments(batch: Batch, where: str) -> Iterator[object]:
    for row, text in enumerate(batch.column("definition").to_pylist()):
        yield decode_instrument(text, f"{where} row {row}")


def _as_table(batch: Batch) -> pa.Table:
    return batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])
