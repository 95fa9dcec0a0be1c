"""Atomic file writes: a reader sees a whole part file or none of it, even after a crash.

A part is written to a hidden temporary file in its final directory, flushed to disk (fsync),
renamed to its final name (atomic within one directory on POSIX), and the directory is fsynced
so the rename itself survives a power loss. A writer killed at any point leaves at most a
hidden ``.part-*.tmp`` file, which every reader ignores and `remove_stale_temp_files` deletes.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Final

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from shrivenquant.persistence.catalog.errors import CatalogError

_TEMP_RE: Final = re.compile(r"^\.(part-.*\.parquet)\.(\d+)\.tmp$")


def fsync_directory(directory: Path) -> None:
    """Make creations and renames in ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_directories(directory: Path, *, durable: bool) -> None:
    """Create ``directory`` and missing parents; with ``durable``, fsync each new entry's parent."""
    missing: list[Path] = []
    current = directory
    while not current.exists():
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        try:
            path.mkdir()
        except FileExistsError:  # another writer created it meanwhile
            continue
        if durable:
            fsync_directory(path.parent)


def temp_path(final: Path) -> Path:
    """The hidden temporary name a part is written under before its rename."""
    return final.with_name(f".{final.name}.{os.getpid()}.tmp")


def write_parquet_atomic(
    table: pa.Table,
    final: Path,
    *,
    compression: str,
    compression_level: int | None,
    row_group_size: int,
    durable: bool,
) -> Path:
    """Write ``table`` to ``final`` atomically and return ``final``.

    Raises:
        CatalogError: ``final`` exists already (part names are unique; this is a bug or a
            second writer reusing a token).
    """
    if final.exists():
        raise CatalogError(f"refusing to overwrite existing catalog file {final}")
    make_directories(final.parent, durable=durable)
    temp = temp_path(final)
    try:
        pq.write_table(
            table,
            temp,
            compression=compression,
            compression_level=compression_level,
            row_group_size=row_group_size,
            store_decimal_as_integer=True,
            use_dictionary=[
                field.name for field in table.schema if pa.types.is_dictionary(field.type)
            ],
            write_statistics=["ts_init", "ts_event"],
        )
        if durable:
            fd = os.open(temp, os.O_RDONLY | os.O_CLOEXEC)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        os.rename(temp, final)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    if durable:
        fsync_directory(final.parent)
    return final


def remove_stale_temp_files(root: Path) -> list[Path]:
    """Delete temporary files left by writers that no longer run; return what was deleted.

    A temporary file whose writer process is still alive is kept: it may be mid-write.
    """
    removed: list[Path] = []
    if not root.is_dir():
        return removed
    for path in root.rglob(".part-*.tmp"):
        match = _TEMP_RE.match(path.name)
        if match is None:
            continue
        if _process_alive(int(match.group(2))):
            continue
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists but belongs to someone else
        return True
    return True
