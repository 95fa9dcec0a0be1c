"""Atomic catalog writes: a writer killed mid-write leaves the catalog readable and intact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.persistence.catalog import (
    CatalogConfig,
    CatalogError,
    DataKind,
    ParquetDataCatalog,
    TradeTickArrays,
)
from shrivenquant.persistence.catalog.atomic import temp_path, write_parquet_atomic

BTC = InstrumentId("BTCUSDT.BINANCE")
DAY0 = 1_704_153_600_000_000_000
ROWS = 20_000

# The writer writes batch k as ROWS trades with ts_init DAY0 + k * ROWS + row, price k.
WRITER = textwrap.dedent(
    """
    import sys
    import numpy as np
    from shrivenquant.model.identifiers import InstrumentId
    from shrivenquant.persistence.catalog import ParquetDataCatalog, TradeTickArrays
    from shrivenquant.persistence.catalog import atomic

    root, rows, batches, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    day0 = 1_704_153_600_000_000_000

    def batch(k):
        ts = day0 + k * rows + np.arange(rows, dtype=np.int64)
        return TradeTickArrays.create(
            InstrumentId("BTCUSDT.BINANCE"), ts_event=ts, price=np.full(rows, k + 1),
            price_precision=0, size=np.ones(rows, dtype=np.int64), size_precision=0,
            trade_id=np.arange(rows) + k * rows,
        )

    catalog = ParquetDataCatalog(root)
    catalog.write_arrays(batch(0))
    if mode == "before-rename":
        import os, signal
        def die(*args):
            os.kill(os.getpid(), signal.SIGKILL)
        atomic.os.rename = die
    print("ready", flush=True)
    for k in range(1, batches):
        catalog.write_arrays(batch(k))
    """
)


def run_writer(root: Path, mode: str, batches: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(root), str(ROWS), str(batches), mode],
        stdout=subprocess.PIPE,
        text=True,
    )


def assert_whole_batches(catalog: ParquetDataCatalog, at_least: int) -> int:
    """Every batch read back is complete and in order; return how many there are."""
    arrays = catalog.read_arrays(DataKind.TRADE_TICK, BTC)
    count = len(arrays)
    assert count % ROWS == 0, f"{count} rows is not a whole number of batches"
    batches = count // ROWS
    assert batches >= at_least
    assert arrays.price.tolist() == [k + 1 for k in range(batches) for _ in range(ROWS)]
    assert arrays.ts_init.tolist() == list(range(DAY0, DAY0 + count))
    return batches


def test_writer_killed_before_rename_leaves_earlier_data_and_no_visible_part(
    tmp_path: Path,
) -> None:
    writer = run_writer(tmp_path, "before-rename", batches=2)
    _, _ = writer.communicate(timeout=60)

    assert writer.returncode == -signal.SIGKILL
    catalog = ParquetDataCatalog(tmp_path)
    assert assert_whole_batches(catalog, at_least=1) == 1
    leftovers = list(tmp_path.rglob(".part-*.tmp"))
    assert len(leftovers) == 1  # the complete but never renamed second batch
    assert catalog.remove_stale_temp_files() == leftovers
    assert not list(tmp_path.rglob(".part-*.tmp"))
    assert_whole_batches(catalog, at_least=1)


def test_writer_killed_at_a_random_moment_leaves_whole_batches_only(tmp_path: Path) -> None:
    writer = run_writer(tmp_path, "loop", batches=1_000)
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "ready"
    deadline = time.monotonic() + 30
    while len(list(tmp_path.rglob("part-*.parquet"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(0.013)  # land somewhere inside a later write
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)

    catalog = ParquetDataCatalog(tmp_path)
    batches = assert_whole_batches(catalog, at_least=3)
    assert batches == len(list(tmp_path.rglob("part-*.parquet")))
    catalog.remove_stale_temp_files()
    assert_whole_batches(catalog, at_least=3)


def test_a_partial_temp_file_is_ignored_and_cleaned_up(tmp_path: Path) -> None:
    catalog = ParquetDataCatalog(tmp_path, CatalogConfig(fsync=False))
    arrays = TradeTickArrays.create(
        BTC, ts_event=[DAY0, DAY0 + 1], price=[1, 2], price_precision=0, size=[1, 1],
        size_precision=0, trade_id=["a", "b"],
    )  # fmt: skip
    [path] = catalog.write_arrays(arrays)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    stale = path.parent / f".part-{'0' * 20}-{'9' * 20}-abc.parquet.{dead.stdout.strip()}.tmp"
    stale.write_bytes(b"PAR1 half a file")
    mine = temp_path(path.with_name("part-x.parquet"))
    mine.write_bytes(b"PAR1 being written by this process")

    assert len(catalog.read_arrays(DataKind.TRADE_TICK, BTC)) == 2
    assert len(catalog.duckdb().sql("SELECT * FROM trade_tick").fetchall()) == 2
    assert catalog.dataset("trade_tick").to_table().num_rows == 2
    assert catalog.remove_stale_temp_files() == [stale]
    assert mine.exists()  # its writer (this process) is alive


def test_a_failed_write_removes_its_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = ParquetDataCatalog(tmp_path, CatalogConfig(fsync=False))
    arrays = TradeTickArrays.create(
        BTC, ts_event=[DAY0], price=[1], price_precision=0, size=[1], size_precision=0,
        trade_id=["a"],
    )  # fmt: skip

    def fail(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "rename", fail)
    with pytest.raises(OSError, match="disk full"):
        catalog.write_arrays(arrays)

    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_existing_files_are_never_overwritten(tmp_path: Path) -> None:
    catalog = ParquetDataCatalog(tmp_path, CatalogConfig(fsync=False))
    arrays = TradeTickArrays.create(
        BTC, ts_event=[DAY0], price=[1], price_precision=0, size=[1], size_precision=0,
        trade_id=["a"],
    )  # fmt: skip
    [path] = catalog.write_arrays(arrays)

    with pytest.raises(CatalogError, match="refusing to overwrite"):
        write_parquet_atomic(
            arrays.to_table(), path, compression="zstd", compression_level=1,
            row_group_size=10, durable=False,
        )  # fmt: skip
