"""Parameter sweep throughput on the vectorised path: SMA crossover pairs on 1,000,000 bars.

- ``wall_s``: one sweep of 100 (fast, slow) pairs over the reference bar set (1,000,000
  one-minute GBM bars, `gen_gbm_bars`), long-only, 1 unit, next-open fills: every pair's
  trades, equity and metrics, median of several runs (target <= 5 s).
- ``pairs_per_s``: 100 / ``wall_s``.
- ``grid_search_wall_s``: the same 100 pairs through `grid_search` (default backend: in this
  process on numba's threads; results as a ranked DataFrame), for the runner's overhead.
- ``grid_search_process_wall_s``: the same with ``backend="process"`` and two workers.
- ``single_run_ms``: one pair with its equity curve and trade list kept (`VectorisedBacktest.run`).

Run: ``python benchmarks/bench_sweep.py``. Prints a table, then one JSON line of the figures.
"""

from __future__ import annotations

import gc
import json
import statistics
import time
from collections.abc import Callable

import numba
from rich.console import Console
from rich.table import Table

from gen_gbm_bars import SEED, gbm_bar_set
from shrivenquant.runtime.optimisation import (
    IntRange,
    ParameterSpace,
    PriceSeries,
    VectorisedBacktest,
    grid_search,
    sma_cross,
)

N_BARS = 1_000_000
FAST = IntRange(5, 50, step=5)
SLOW = IntRange(60, 240, step=20)
REPEATS = 5


def _median_seconds(run: Callable[[], object], repeats: int = REPEATS) -> float:
    run()  # warm up (compiles on a first run without a numba cache)
    times = []
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeats):
            start = time.perf_counter_ns()
            run()
            times.append((time.perf_counter_ns() - start) / 1e9)
    finally:
        if gc_was_enabled:
            gc.enable()
    return statistics.median(times)


def main() -> None:
    started = time.perf_counter()
    prices = PriceSeries.from_bars(gbm_bar_set(N_BARS))
    generated_s = time.perf_counter() - started
    backtest = VectorisedBacktest(prices, sma_cross)
    space = ParameterSpace({"fast": FAST, "slow": SLOW})
    pairs = space.grid()
    results: list = []

    def sweep() -> None:
        results[:] = backtest.evaluate_batch(pairs)

    wall_s = _median_seconds(sweep)
    search_s = _median_seconds(lambda: grid_search(backtest, space, "sharpe", progress=False), 3)
    process_s = _median_seconds(
        lambda: grid_search(
            backtest, space, "sharpe", backend="process", max_workers=2, progress=False
        ),
        3,
    )
    single_s = _median_seconds(lambda: backtest.run({"fast": 10, "slow": 60}))
    search = grid_search(backtest, space, "sharpe", progress=False)
    best = search.best_params
    trades = sum(int(r["trade_count"]) for r in results)

    figures = {
        "wall_s": round(wall_s, 3),
        "pairs_per_s": round(len(pairs) / wall_s, 1),
        "grid_search_wall_s": round(search_s, 3),
        "grid_search_process_wall_s": round(process_s, 3),
        "single_run_ms": round(single_s * 1e3, 1),
        "pairs": len(pairs),
        "bars": N_BARS,
        "trades": trades,
        "threads": numba.get_num_threads(),
    }
    table = Table(title=f"Vectorised SMA sweep: {len(pairs)} pairs x {N_BARS:,} bars (seed {SEED})")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    table.add_row("sweep wall time", f"{wall_s:.3f} s", "<= 5 s")
    table.add_row("pairs per second", f"{len(pairs) / wall_s:,.1f}", "")
    table.add_row("grid_search, in process", f"{search_s:.3f} s", "")
    table.add_row("grid_search, 2 worker processes", f"{process_s:.3f} s", "")
    table.add_row("one run with curve and trades", f"{single_s * 1e3:.1f} ms", "")
    table.add_row("trades over all pairs", f"{trades:,}", "")
    table.add_row("best by Sharpe", f"fast {best['fast']}, slow {best['slow']}", "")
    table.add_row("  its Sharpe", f"{search.best_value:.3f}", "")
    table.add_row("bar generation", f"{generated_s:.2f} s", "")
    table.add_row("numba threads", str(numba.get_num_threads()), "")
    Console().print(table)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
