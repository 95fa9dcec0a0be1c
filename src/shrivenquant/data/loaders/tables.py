"""Reading source files into Arrow tables: CSV (plain, compressed or in a zip) and Parquet.

CSV columns are read as strings, never as inferred floats, so prices are parsed exactly later.
A zip archive is read in memory, member by member, without extracting anything to disk.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Final

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.csv as pa_csv  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from shrivenquant.data.loaders.columns import CsvFormat
from shrivenquant.data.loaders.errors import DataLoadError, SourceRows

PARQUET_SUFFIXES: Final = (".parquet", ".pq")
Opener = Callable[[], AbstractContextManager[Any]]
"""Opens a fresh binary stream of a CSV text (a file, a decompressed file, a zip member)."""


def is_parquet(path: Path) -> bool:
    """Whether ``path`` names a Parquet file (by its suffix)."""
    return path.suffix.lower() in PARQUET_SUFFIXES


def read_source(
    path: Path, columns: Sequence[str], csv: CsvFormat | None = None
) -> tuple[pa.Table, SourceRows]:
    """Read the ``columns`` of a CSV, zipped CSV or Parquet file (by suffix).

    Returns the table (CSV columns as strings) and the namer of its rows for errors.

    Raises:
        DataLoadError: the file is missing or unreadable, or lacks one of ``columns``.
    """
    _check_file(path)
    if is_parquet(path):
        return read_parquet(path, columns)
    if path.suffix.lower() == ".zip":
        with open_zip(path) as archive:
            member = single_csv_member(archive, path)
            return read_csv(
                lambda: archive.open(member), f"{path}:{member}", columns, csv or CsvFormat()
            )
    return read_csv(
        lambda: pa.input_stream(str(path), compression="detect"), str(path), columns, csv
    )


def read_parquet(path: Path, columns: Sequence[str]) -> tuple[pa.Table, SourceRows]:
    """Read ``columns`` of a Parquet file."""
    try:
        names = pq.read_schema(path).names
    except (OSError, pa.ArrowException) as exc:
        raise DataLoadError(f"{path}: not a readable Parquet file: {exc}") from exc
    _require(columns, names, str(path))
    try:
        table = pq.read_table(path, columns=list(dict.fromkeys(columns)))
    except (OSError, pa.ArrowException) as exc:
        raise DataLoadError(f"{path}: cannot read: {exc}") from exc
    return table, SourceRows(str(path), 0, "row")


def read_csv(
    opener: Opener, name: str, columns: Sequence[str] | None, csv: CsvFormat | None
) -> tuple[pa.Table, SourceRows]:
    """Read a CSV text with every column as a string.

    Args:
        opener: opens the text afresh (it is opened twice: once for the column names).
        name: names the source in errors.
        columns: the columns needed (all when None).
        csv: the layout (comma-separated with a header by default).
    """
    csv = csv or CsvFormat()
    parse = pa_csv.ParseOptions(delimiter=csv.delimiter)
    names = csv_column_names(opener, name, csv)
    if columns is not None:
        _require(columns, names, name)
    wanted = names if columns is None else list(dict.fromkeys(columns))
    read = pa_csv.ReadOptions(
        column_names=names,
        skip_rows=csv.skip_rows + (1 if csv.header else 0),
        block_size=1 << 22,
    )
    convert = pa_csv.ConvertOptions(
        column_types=dict.fromkeys(names, pa.string()), include_columns=wanted
    )
    try:
        with opener() as stream:
            table = pa_csv.read_csv(stream, read, parse, convert)
    except (OSError, pa.ArrowException, zipfile.BadZipFile) as exc:
        raise DataLoadError(f"{name}: cannot read as CSV: {_first_line(exc)}") from exc
    first_line = csv.skip_rows + (2 if csv.header else 1)
    return table, SourceRows(name, first_line, "line")


def csv_column_names(opener: Opener, name: str, csv: CsvFormat) -> list[str]:
    """The column names of a CSV text: its header, ``csv.names`` or positions (``"0"``...)."""
    if not csv.header and csv.names is not None:
        return list(csv.names)
    read = pa_csv.ReadOptions(
        skip_rows=csv.skip_rows, autogenerate_column_names=not csv.header, block_size=1 << 16
    )
    try:
        with opener() as stream:
            reader = pa_csv.open_csv(stream, read, pa_csv.ParseOptions(delimiter=csv.delimiter))
            names: list[str] = reader.schema.names
    except (OSError, pa.ArrowException, zipfile.BadZipFile) as exc:
        raise DataLoadError(f"{name}: cannot read as CSV: {_first_line(exc)}") from exc
    if not csv.header:
        return [str(position) for position in range(len(names))]
    return [n.strip() for n in names]


def single_csv_member(archive: zipfile.ZipFile, path: Path) -> str:
    """The one CSV file inside a zip archive (Binance archives hold exactly one)."""
    members = [
        info.filename
        for info in archive.infolist()
        if not info.is_dir() and info.filename.lower().endswith(".csv")
    ]
    if len(members) != 1:
        raise DataLoadError(f"{path}: expected one CSV file in the archive, found {members}")
    return members[0]


def open_zip(path: Path) -> zipfile.ZipFile:
    """Open a zip archive, naming the file when it is not one."""
    _check_file(path)
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataLoadError(f"{path}: not a readable zip archive: {exc}") from exc


def first_line(opener: Opener, name: str) -> str:
    """The first line of a text, decoded (for sniffing headers)."""
    try:
        with opener() as stream:
            line: bytes = stream.readline()
    except (OSError, zipfile.BadZipFile) as exc:
        raise DataLoadError(f"{name}: cannot read: {exc}") from exc
    return line.decode("utf-8", errors="replace").strip().lstrip("\ufeff")


def _check_file(path: Path) -> None:
    if not path.exists():
        raise DataLoadError(f"{path}: no such file")
    if not path.is_file():
        raise DataLoadError(f"{path}: not a file")


def _require(columns: Sequence[str], names: Sequence[str], name: str) -> None:
    missing = [column for column in dict.fromkeys(columns) if column not in names]
    if missing:
        raise DataLoadError(f"{name}: no column {missing} (the file has {list(names)})")


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
