"""Bar aggregation throughput: trades to bars, vectorised and incremental.

- ``trades_per_s``: trades to 1-minute bars through `BarBuilder.process` (columnar, numpy).
- ``incremental_trades_per_s``: the same trades as `TradeTick` objects through
  `BarBuilder.update`, one at a time (the live DataEngine path).
- ``volume_bars_trades_per_s`` / ``tick_bars_trades_per_s``: `process` for volume and tick bars.

Run: ``python benchmarks/bench_aggregation.py``. Prints a table, then one JSON line of the figures.
"""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Callable

import numpy as np
from rich.console import Console
from rich.table import Table

from shrivenquant.data.aggregation import bar_builder
from shrivenquant.model.data import BarType, TradeTick
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.persistence.catalog import TradeTickArrays
from shrivenquant.persistence.catalog.decode import build_list, iter_trade_ticks

N_TRADES = 2_000_000
N_INCREMENTAL = 300_000
REPEATS = 5
START_NS = 1_704_153_600_000_000_000  # 2024-01-02 00:00 UTC
BTC = InstrumentId("BTCUSDT.BINANCE")


def make_trades(n: int) -> TradeTickArrays:
    """A random walk on a 0.01 tick, about 20 trades a second."""
    rng = np.random.default_rng(7)
    ts = START_NS + np.cumsum(rng.integers(1, 100_000_000, n, dtype=np.int64))
    return TradeTickArrays.create(
        BTC,
        ts_event=ts,
        price=5_000_000 + np.cumsum(rng.integers(-3, 4, n, dtype=np.int64)),
        price_precision=2,
        size=rng.integers(1, 200_000, n, dtype=np.int64),
        size_precision=5,
        trade_id=np.arange(n, dtype=np.int64),
    )


def _best_seconds(run: Callable[[], object]) -> float:
    run()  # warm up
    best = float("inf")
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(REPEATS):
            start = time.perf_counter_ns()
            run()
            best = min(best, (time.perf_counter_ns() - start) / 1e9)
    finally:
        if gc_was_enabled:
            gc.enable()
    return best


def vectorised_rate(spec: str, trades: TradeTickArrays) -> tuple[float, int]:
    bar_type = BarType.from_str(f"BTCUSDT.BINANCE-{spec}-LAST-INTERNAL")
    count = 0

    def run() -> None:
        nonlocal count
        count = len(bar_builder(bar_type, 2, 5).process(trades))

    return len(trades) / _best_seconds(run), count


def incremental_rate(ticks: list[TradeTick]) -> tuple[float, int]:
    bar_type = BarType.from_str("BTCUSDT.BINANCE-1-MINUTE-LAST-INTERNAL")
    count = 0

    def run() -> None:
        nonlocal count
        update = bar_builder(bar_type, 2, 5).update
        count = 0
        for tick in ticks:
            count += len(update(tick))

    return len(ticks) / _best_seconds(run), count


def main() -> None:
    trades = make_trades(N_TRADES)
    ticks = build_list(iter_trade_ticks(trades.slice(0, N_INCREMENTAL)))
    minute_rate, minute_bars = vectorised_rate("1-MINUTE", trades)
    incremental, incremental_bars = incremental_rate(ticks)
    volume_rate, volume_bars = vectorised_rate("1000-VOLUME", trades)
    tick_rate, tick_bars = vectorised_rate("100-TICK", trades)

    figures = {
        "trades_per_s": round(minute_rate),
        "incremental_trades_per_s": round(incremental),
        "volume_bars_trades_per_s": round(volume_rate),
        "tick_bars_trades_per_s": round(tick_rate),
    }
    table = Table(title="Bar aggregation from trades")
    table.add_column("path")
    table.add_column("trades", justify="right")
    table.add_column("bars", justify="right")
    table.add_column("trades/s", justify="right")
    table.add_column("target", justify="right")
    table.add_row("1-minute, vectorised", f"{N_TRADES:,}", f"{minute_bars:,}",
                  f"{minute_rate:,.0f}", ">= 2,000,000")  # fmt: skip
    table.add_row("1-minute, incremental", f"{N_INCREMENTAL:,}", f"{incremental_bars:,}",
                  f"{incremental:,.0f}", "")  # fmt: skip
    table.add_row("1000-volume, vectorised", f"{N_TRADES:,}", f"{volume_bars:,}",
                  f"{volume_rate:,.0f}", "")  # fmt: skip
    table.add_row("100-tick, vectorised", f"{N_TRADES:,}", f"{tick_bars:,}",
                  f"{tick_rate:,.0f}", "")  # fmt: skip
    Console().print(table)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
