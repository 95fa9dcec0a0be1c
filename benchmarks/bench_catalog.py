"""Parquet data catalog throughput: write, read and replay trade ticks.

- ``write_ticks_per_s``: columnar trades (numpy arrays) written to the catalog, atomically and
  fsynced, one day per file.
- ``read_ticks_per_s``: the same trades read back to columnar numpy arrays.
- ``replay_ticks_per_s``: the trades streamed from the files as model `TradeTick` objects and
  published through the `MessageBus` to one subscriber.
- ``replay_merged_ticks_per_s``: as above, with two instruments merged by ``ts_init``.

Run: ``python benchmarks/bench_catalog.py``. Prints a table, then one JSON line of the figures.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from shrivenquant.bus import MessageBus, topics
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.persistence.catalog import DataKind, ParquetDataCatalog, TradeTickArrays

N_TICKS = 1_000_000
REPEATS = 5
START_NS = 1_704_153_600_000_000_000  # 2024-01-02 00:00 UTC
BTC = InstrumentId("BTCUSDT.BINANCE")
ETH = InstrumentId("ETHUSDT.BINANCE")


def make_trades(instrument_id: InstrumentId, n: int, seed: int) -> TradeTickArrays:
    """A random walk on a 0.01 tick with lot-sized trades, about 12 trades a second."""
    rng = np.random.default_rng(seed)
    ts = START_NS + np.cumsum(rng.integers(1, 160_000_000, n, dtype=np.int64))
    price = 5_000_000 + np.cumsum(rng.integers(-3, 4, n, dtype=np.int64))
    size = rng.integers(1, 200_000, n, dtype=np.int64)
    trade_ids = np.arange(3_000_000_000, 3_000_000_000 + n, dtype=np.int64)
    return TradeTickArrays.create(
        instrument_id,
        ts_event=ts,
        ts_init=ts + 150_000,
        price=price,
        price_precision=2,
        size=size,
        size_precision=5,
        aggressor_side=rng.integers(1, 3, n, dtype=np.int8),
        trade_id=trade_ids,
    )


def _best_seconds(run: Callable[[], object], repeats: int = REPEATS) -> float:
    run()  # warm up
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter_ns()
        run()
        best = min(best, (time.perf_counter_ns() - start) / 1e9)
    return best


def bench_write(base: Path, trades: TradeTickArrays) -> float:
    counter = iter(range(1_000_000))

    def run() -> None:
        root = base / f"write-{next(counter)}"
        ParquetDataCatalog(root).write_arrays(trades)
        shutil.rmtree(root)

    return len(trades) / _best_seconds(run)


def bench_read(catalog: ParquetDataCatalog, n: int) -> float:
    def run() -> None:
        arrays = catalog.read_arrays(DataKind.TRADE_TICK, BTC)
        assert len(arrays) == n

    return n / _best_seconds(run)


class Counter:
    """A subscriber that counts what it receives."""

    def __init__(self) -> None:
        self.count = 0

    def on_trade(self, trade: object) -> None:
        self.count += 1


def bench_replay(catalog: ParquetDataCatalog, instruments: list[InstrumentId], n: int) -> float:
    bus = MessageBus("bench-replay")
    counter = Counter()
    bus.subscribe(topics.trades_all(), counter.on_trade)
    topic_of = {iid: topics.trades(iid) for iid in instruments}

    def run() -> None:
        counter.count = 0
        publish = bus.publish
        topic = topic_of[instruments[0]] if len(instruments) == 1 else None
        stream = catalog.stream([DataKind.TRADE_TICK], instruments)
        if topic is not None:
            for trade in stream:
                publish(topic, trade)
        else:
            for trade in stream:
                publish(topic_of[trade.instrument_id], trade)
        assert counter.count == n, counter.count

    return n / _best_seconds(run, repeats=3)


def main() -> None:
    base = Path(tempfile.mkdtemp(prefix="sq-bench-catalog-"))
    try:
        btc = make_trades(BTC, N_TICKS, seed=1)
        eth = make_trades(ETH, N_TICKS // 2, seed=2)
        write_rate = bench_write(base, btc)
        catalog = ParquetDataCatalog(base / "catalog")
        catalog.write_arrays(btc)
        catalog.write_arrays(eth)
        read_rate = bench_read(catalog, N_TICKS)
        replay_rate = bench_replay(catalog, [BTC], N_TICKS)
        merged_rate = bench_replay(catalog, [BTC, ETH], N_TICKS + N_TICKS // 2)
        files = sum(info.files for info in catalog.info())
    finally:
        shutil.rmtree(base, ignore_errors=True)

    figures = {
        "write_ticks_per_s": round(write_rate),
        "read_ticks_per_s": round(read_rate),
        "replay_ticks_per_s": round(replay_rate),
        "replay_merged_ticks_per_s": round(merged_rate),
    }
    table = Table(title=f"Parquet catalog, {N_TICKS:,} trade ticks ({files} files)")
    table.add_column("operation")
    table.add_column("ticks/s", justify="right")
    table.add_column("target", justify="right")
    table.add_row("write (columnar, fsync)", f"{write_rate:,.0f}", ">= 2,000,000")
    table.add_row("read (to columnar)", f"{read_rate:,.0f}", ">= 5,000,000")
    table.add_row("replay via bus (TradeTick)", f"{replay_rate:,.0f}", ">= 1,000,000")
    table.add_row("replay, 2 instruments merged", f"{merged_rate:,.0f}", "")
    Console().print(table)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
