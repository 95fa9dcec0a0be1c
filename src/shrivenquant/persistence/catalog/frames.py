"""The catalog for people and other tools: pandas frames in human units, Arrow datasets, DuckDB."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd  # type: ignore[import-untyped]
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.dataset as ds  # type: ignore[import-untyped]

from shrivenquant.persistence.catalog.schema import DataKind


def table_to_pandas(table: pa.Table, *, exact: bool = False) -> pd.DataFrame:
    """A catalog table as a DataFrame in human units.

    Decimal columns (prices, sizes) become float64, or exact `Decimal` objects with ``exact``;
    ``ts_event``/``ts_init`` become UTC timestamps with nanosecond resolution; enum columns
    become categoricals. Lists of levels (snapshots) become lists of floats or Decimals.
    """
    columns: dict[str, pa.ChunkedArray | pa.Array] = {}
    for field, column in zip(table.schema, table.columns, strict=True):
        kind = field.type
        target = None
        if field.name in ("ts_event", "ts_init") and pa.types.is_integer(kind):
            target = pa.timestamp("ns", tz="UTC")
        elif not exact and pa.types.is_decimal(kind):
            target = pa.float64()
        elif not exact and pa.types.is_list(kind) and pa.types.is_decimal(kind.value_type):
            target = pa.list_(pa.float64())
        elif exact and pa.types.is_decimal(kind) and kind.byte_width != 16:
            target = pa.decimal128(38, kind.scale)  # pandas converts decimal128 to Decimal
        columns[field.name] = column if target is None else column.cast(target)
    return pa.table(columns).to_pandas(types_mapper=None)


def hive_dataset(root: Path, kind: DataKind) -> ds.Dataset:
    """A pyarrow dataset over every file of ``kind``, partition columns included.

    Filters on it are pushed down to the files (partition values and row-group statistics),
    e.g. ``dataset.to_table(filter=(ds.field("instrument") == "BTCUSDT.BINANCE") &
    (ds.field("ts_init") >= start))``.
    """
    return ds.dataset(
        root / kind.directory,
        format="parquet",
        partitioning=ds.HivePartitioning.discover(infer_dictionary=False),
    )


def duckdb_views(
    root: Path, kinds: list[DataKind], connection: duckdb.DuckDBPyConnection | None = None
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with one view per data kind (``trade_tick``, ``bar``, ...).

    Views read the Parquet files lazily with hive partition columns (``venue``, ``instrument``,
    ``bar_type``, ``date``); prices and sizes are exact DECIMALs in human units.
    """
    con = connection if connection is not None else duckdb.connect()
    for kind in kinds:
        glob = str(root / kind.directory / "**" / "*.parquet").replace("'", "''")
        con.execute(
            f"CREATE OR REPLACE VIEW {kind.directory} AS SELECT * FROM read_parquet("  # noqa: S608
            f"'{glob}', hive_partitioning = true, union_by_name = true)"
        )
    return con
