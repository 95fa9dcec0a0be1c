"""`ParquetDataCatalog`: market data and instruments in partitioned, exact Parquet files.

See ``docs/concepts/data-catalog.md`` for the layout, the column types and how to query the
files from pandas, polars or DuckDB directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.dataset as ds  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from shrivenquant.model.data import (
    Bar,
    BarType,
    OrderBookDelta,
    OrderBookSnapshot,
    QuoteTick,
    TradeTick,
)
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.model.instruments import Instrument
from shrivenquant.persistence.catalog.arrays import (
    BarArrays,
    BookDeltaArrays,
    ColumnarData,
    QuoteTickArrays,
    TradeTickArrays,
)
from shrivenquant.persistence.catalog.atomic import remove_stale_temp_files
from shrivenquant.persistence.catalog.decode import build_list
from shrivenquant.persistence.catalog.errors import CatalogError
from shrivenquant.persistence.catalog.frames import duckdb_views, hive_dataset, table_to_pandas
from shrivenquant.persistence.catalog.layout import SeriesKey, list_files, list_series
from shrivenquant.persistence.catalog.reader import read_part, to_arrays
from shrivenquant.persistence.catalog.schema import DataKind
from shrivenquant.persistence.catalog.stream import DataStream
from shrivenquant.persistence.catalog.timestamps import TimeLike, to_ns
from shrivenquant.persistence.catalog.writer import CatalogConfig, SeriesWriter, group_records

SeriesLike = InstrumentId | BarType | SeriesKey | str
"""Names a series: an instrument id (ticks, deltas, snapshots), a bar type, a venue (for
instrument definitions) or a `SeriesKey`."""

_COLUMNAR: dict[DataKind, Any] = {
    DataKind.TRADE_TICK: TradeTickArrays,
    DataKind.QUOTE_TICK: QuoteTickArrays,
    DataKind.BAR: BarArrays,
    DataKind.BOOK_DELTA: BookDeltaArrays,
}


@dataclass(frozen=True, slots=True)
class SeriesInfo:
    """What the catalog holds for one series."""

    key: SeriesKey
    files: int
    rows: int
    bytes: int
    first_ts: int | None
    last_ts: int | None


class ParquetDataCatalog:
    """A directory of Parquet files holding market data, partitioned for fast time slices.

    Writes are atomic per file: a reader (or a restart after a crash) sees each write's files
    complete or not at all. Reads return model records, Arrow tables, columnar numpy
    containers or pandas frames, and `stream` merges many series by ``ts_init`` for replay.

    Args:
        root: the catalog directory (created on first write).
        config: compression, row-group size and fsync policy.
    """

    def __init__(self, root: str | Path, config: CatalogConfig | None = None) -> None:
        self._root = Path(root)
        self._config = config or CatalogConfig()
        self._writer = SeriesWriter(self._root, self._config)

    @property
    def root(self) -> Path:
        """The catalog directory."""
        return self._root

    # --- writing -----------------------------------------------------------------------------

    def write(self, records: Iterable[object]) -> list[Path]:
        """Write model records of any stored kind (ticks, bars, deltas, snapshots, instruments).

        Records are grouped by series and written as one new part file per series and UTC date
        of ``ts_init``, rows sorted by ``ts_init``. Returns the files written.

        Raises:
            CatalogError: a record of a kind the catalog does not store, or a value it cannot
                represent (the message names it).
        """
        paths: list[Path] = []
        for key, group in group_records(records).items():
            paths.extend(self._writer.write_records(key, group))
        return paths

    def write_arrays(self, arrays: ColumnarData) -> list[Path]:
        """Write a columnar container (the fast path: no per-row Python work)."""
        return self._writer.write_arrays(arrays)

    def write_table(self, kind: DataKind | str, series: SeriesLike, table: pa.Table) -> list[Path]:
        """Write an Arrow table in the catalog's schema of ``kind`` (see the concept doc).

        Tables of ticks, bars and deltas are checked by converting them to their columnar
        container first.
        """
        key = self._key(kind, series)
        if key.kind in _COLUMNAR:
            return self._writer.write_arrays(to_arrays(key, table, f"table for {key.name}"))
        return self._writer.write_table(key, table)

    # --- discovery ---------------------------------------------------------------------------

    def series(self, kind: DataKind | str | None = None) -> list[SeriesKey]:
        """The series present, of one kind or of every kind."""
        kinds = list(DataKind) if kind is None else [_kind(kind)]
        return [key for k in kinds for key in list_series(self._root, k)]

    def info(self) -> list[SeriesInfo]:
        """Files, rows, bytes and time span of every series (reads only file footers)."""
        result = []
        for key in self.series():
            files = list_files(self._root, key)
            rows = sum(pq.read_metadata(f.path).num_rows for f in files)
            size = sum(f.path.stat().st_size for f in files)
            first = min((f.first_ts for f in files), default=None)
            last = max((f.last_ts for f in files), default=None)
            result.append(SeriesInfo(key, len(files), rows, size, first, last))
        return result

    def remove_stale_temp_files(self) -> list[Path]:
        """Delete temporary files of writers that died mid-write; return what was deleted."""
        return remove_stale_temp_files(self._root)

    # --- reading one series ------------------------------------------------------------------

    def read_table(
        self,
        kind: DataKind | str,
        series: SeriesLike,
        start: TimeLike | None = None,
        end: TimeLike | None = None,
    ) -> pa.Table:
        """One series' rows with ``ts_init`` in ``[start, end)`` as an Arrow table.

        Columns are in the catalog's schema; when files of the series use different decimal
        scales, the table uses the largest.
        """
        key = self._key(kind, series)
        if key.kind in _COLUMNAR:
            return self.read_arrays(key.kind, key, start, end).to_table()
        tables = [read_part(f.path, key.kind, s, e) for f, s, e in self._parts(key, start, end)]
        if not tables:
            raise CatalogError(f"no {key.kind.directory} data for {key.name} in the range")
        table = pa.concat_tables(tables, promote_options="permissive")
        return _sort_table(table)

    def read_arrays(
        self,
        kind: DataKind | str,
        series: SeriesLike,
        start: TimeLike | None = None,
        end: TimeLike | None = None,
    ) -> ColumnarData:
        """One series' rows in ``[start, end)`` as a columnar container (`TradeTickArrays`...).

        Raises:
            CatalogError: no data in the range, or a kind without a container.
        """
        key = self._key(kind, series)
        container = _COLUMNAR.get(key.kind)
        if container is None:
            raise CatalogError(f"{key.kind.directory} data has no columnar container")
        parts = []
        for part, s, e in self._parts(key, start, end):
            table = read_part(part.path, key.kind, s, e)
            if table.num_rows:
                parts.append(to_arrays(key, table, str(part.path)))
        if not parts:
            raise CatalogError(f"no {key.kind.directory} data for {key.name} in the range")
        result: ColumnarData = container.concat(parts).sorted()
        return result

    def to_pandas(
        self,
        kind: DataKind | str,
        series: SeriesLike | None = None,
        start: TimeLike | None = None,
        end: TimeLike | None = None,
        *,
        exact: bool = False,
    ) -> pd.DataFrame:
        """A DataFrame in human units (see `table_to_pandas`), of one series or all of a kind.

        With every series of the kind, a ``series`` column names each row's instrument, bar
        type or venue, and rows are sorted by ``ts_init``.
        """
        if series is not None:
            return table_to_pandas(self.read_table(kind, series, start, end), exact=exact)
        frames = []
        for key in self.series(kind):
            try:
                table = self.read_table(key.kind, key, start, end)
            except CatalogError:
                continue  # nothing in the range for this series
            frame = table_to_pandas(table, exact=exact)
            frame.insert(0, "series", key.name)
            frames.append(frame)
        if not frames:
            raise CatalogError(f"no {_kind(kind).directory} data in the range")
        frame = pd.concat(frames, ignore_index=True)
        return frame.sort_values("ts_init", kind="stable", ignore_index=True)

    # --- reading records ---------------------------------------------------------------------

    def trade_ticks(
        self,
        instrument_ids: Sequence[InstrumentId] | None = None,
        start: TimeLike | None = None,
        end: TimeLike | None = None,
    ) -> list[TradeTick]:
        """Trades of the given instruments (all when None), merged in ``ts_init`` order."""
        return self._records(DataKind.TRADE_TICK, instrument_ids, None, start, end)

    def quote_ticks(
        self,
        instrument_ids: Sequence[InstrumentId] | None = None,
        start: TimeLike | None = None,
        end: TimeLike | None = None,
    ) -> list[QuoteTick]:
        """Quotes of the given instruments (all when None), merged in ``ts_init`` order."""
        return self._records(DataKind.QUOTE_TICK, instrument_ids, None, start, end)

    def bars(
        self,
        bar_types: Sequence[BarType] | None = None,
        start: TimeLike | None = None,
        end: TimeLike | None = None,
    ) -> list[Bar]:
        """Bars of the given bar types (all when None), merged in ``ts_init`` order."""
        return self._records(DataKind.BAR, None, bar_types, start, end)

    def book_deltas(
        self,
        instrument_ids: Sequence[InstrumentId] | None = None,
        start: TimeLike | None = None,
        end: TimeLike | None = None,
    ) -> list[OrderBookDelta]:
        """Book deltas (flat) of the given instruments, merged in ``ts_init`` order."""
        return self._records(DataKind.BOOK_DELTA, instrument_ids, None, start, end)

    def book_snapshots(
        self,
        instrument_ids: Sequence[InstrumentId] | None = None,
        start: TimeLike | None = None,
        end: TimeLike | None = None,
    ) -> list[OrderBookSnapshot]:
        """Book snapshots of the given instruments, merged in ``ts_init`` order."""
        return self._records(DataKind.BOOK_SNAPSHOT, instrument_ids, None, start, end)

    def instruments(
        self,
        instrument_ids: Sequence[InstrumentId] | None = None,
        *,
        latest: bool = True,
    ) -> list[Instrument]:
        """Instrument definitions; with ``latest`` only the last version of each id."""
        records: list[Instrument] = self._records(DataKind.INSTRUMENT, instrument_ids, None)
        if instrument_ids is not None:
            wanted = set(instrument_ids)
            records = [r for r in records if r.id in wanted]
        if not latest:
            return records
        last: dict[InstrumentId, Instrument] = {}
        for record in records:
            last[record.id] = record
        return list(last.values())

    def stream(
        self,
        kinds: Iterable[DataKind | str] | None = None,
        instrument_ids: Sequence[InstrumentId] | None = None,
        bar_types: Sequence[BarType] | None = None,
        start: TimeLike | None = None,
        end: TimeLike | None = None,
        *,
        batch_rows: int = 65_536,
        read_ahead: bool = True,
    ) -> DataStream:
        """A lazy iterator over many series merged by ``ts_init`` (see `DataStream`).

        Args:
            kinds: data kinds to include (all when None).
            instrument_ids: only these instruments (instrument definitions: their venues).
            bar_types: only these bar types (all bars of the selected instruments when None).
            start: first ``ts_init`` included.
            end: first ``ts_init`` excluded.
            batch_rows: rows read per batch and series.
            read_ahead: read each series' next batch in a worker thread while the current one
                is consumed.
        """
        if type(batch_rows) is not int or batch_rows < 1:
            raise CatalogError(f"batch_rows must be a positive int, got {batch_rows!r}")
        selected = list(DataKind) if kinds is None else [_kind(k) for k in kinds]
        wanted_ids = None if instrument_ids is None else {i.value for i in instrument_ids}
        wanted_venues = None if instrument_ids is None else {i.venue.value for i in instrument_ids}
        wanted_bars = None if bar_types is None else {str(b) for b in bar_types}
        start_ns, end_ns = to_ns(start, "start"), to_ns(end, "end")
        files = {}
        for kind in selected:
            for key in list_series(self._root, kind):
                if kind is DataKind.INSTRUMENT:
                    if wanted_venues is not None and key.venue not in wanted_venues:
                        continue
                elif kind is DataKind.BAR and wanted_bars is not None:
                    if key.bar_type not in wanted_bars:
                        continue
                elif wanted_ids is not None and key.instrument not in wanted_ids:
                    continue
                files[key] = list_files(self._root, key, start_ns, end_ns)
        return DataStream(files, start_ns, end_ns, batch_rows, read_ahead=read_ahead)

    # --- other tools -------------------------------------------------------------------------

    def dataset(self, kind: DataKind | str) -> ds.Dataset:
        """A pyarrow dataset of every file of ``kind`` with hive partition columns."""
        return hive_dataset(self._root, _kind(kind))

    def duckdb(self, connection: duckdb.DuckDBPyConnection | None = None) -> Any:
        """A DuckDB connection with a view per data kind present (``trade_tick``, ``bar``...)."""
        kinds = [kind for kind in DataKind if list_series(self._root, kind)]
        return duckdb_views(self._root, kinds, connection)

    # --- internals ---------------------------------------------------------------------------

    def _records(
        self,
        kind: DataKind,
        instrument_ids: Sequence[InstrumentId] | None,
        bar_types: Sequence[BarType] | None,
        start: TimeLike | None = None,
        end: TimeLike | None = None,
    ) -> list[Any]:
        stream = self.stream([kind], instrument_ids, bar_types, start, end, batch_rows=262_144)
        return build_list(iter(stream))

    def _parts(
        self, key: SeriesKey, start: TimeLike | None, end: TimeLike | None
    ) -> list[tuple[Any, int | None, int | None]]:
        start_ns, end_ns = to_ns(start, "start"), to_ns(end, "end")
        return [(f, start_ns, end_ns) for f in list_files(self._root, key, start_ns, end_ns)]

    def _key(self, kind: DataKind | str, series: SeriesLike) -> SeriesKey:
        kind = _kind(kind)
        if isinstance(series, SeriesKey):
            if series.kind is not kind:
                raise CatalogError(f"series {series.name} is {series.kind.directory}, not {kind}")
            return series
        if kind is DataKind.INSTRUMENT:
            return SeriesKey.for_venue(str(series))
        if kind is DataKind.BAR:
            bar_type = series if isinstance(series, BarType) else BarType.from_str(str(series))
            return SeriesKey.for_bar_type(bar_type)
        if isinstance(series, BarType):
            raise CatalogError(f"{kind.directory} series are named by instrument id, not bar type")
        instrument_id = series if isinstance(series, InstrumentId) else InstrumentId(series)
        return SeriesKey.for_instrument(kind, instrument_id)


def _kind(kind: DataKind | str) -> DataKind:
    return kind if isinstance(kind, DataKind) else DataKind.from_str(kind)


def _sort_table(table: pa.Table) -> pa.Table:
    ts = table.column("ts_init").to_numpy()
    if len(ts) > 1 and not bool((ts[1:] >= ts[:-1]).all()):
        table = table.take(pa.array(np.argsort(ts, kind="stable")))
    return table
