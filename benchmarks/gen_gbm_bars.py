"""The deterministic synthetic bar set of the backtest benchmarks and acceptance tests.

One-minute BTCUSDT bars from geometric Brownian motion, seed ``20240101``
(`shrivenquant.runtime.synthetic.DEFAULT_SEED`), starting 2024-01-01T00:00Z at 40,000.00:
annual volatility 60 %, no drift, prices at 0.01, volumes at 0.001. Every bar opens away from
the previous close (a gap of a quarter of one bar's volatility, and at least one tick), so a
backtest that fills at the wrong price shows it. The same arguments give the same bars on
every machine.

Run: ``python benchmarks/gen_gbm_bars.py [--bars N] [--seed S] [--out FILE]`` writes a CSV
(``timestamp`` = the bar's open time in epoch ms, then open, high, low, close, volume);
``--parquet`` writes the catalog's Parquet table instead. In code, `gbm_bar_set` returns the
catalog's `BarArrays`.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pyarrow.parquet as pq

from shrivenquant.persistence.catalog import BarArrays
from shrivenquant.runtime.synthetic import DEFAULT_SEED, GbmSpec, gbm_bars, write_bars_csv

SEED = DEFAULT_SEED
"""The documented seed of the reference bar set."""


def gbm_bar_set(count: int, seed: int = SEED) -> BarArrays:
    """``count`` bars of the reference set (the first ``count`` of any longer set are not the
    same bars: the draws depend on ``count``)."""
    return gbm_bars(GbmSpec(count=count, seed=seed))


def main() -> None:
    """Write the bar set to a file."""
    parser = argparse.ArgumentParser(description="Write the synthetic GBM bar set.")
    parser.add_argument("--bars", type=int, default=1_000_000, help="number of bars")
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    parser.add_argument("--out", type=Path, default=Path("gbm-bars.csv"), help="output file")
    parser.add_argument("--parquet", action="store_true", help="write Parquet, not CSV")
    args = parser.parse_args()
    started = time.perf_counter()
    bars = gbm_bar_set(args.bars, args.seed)
    if args.parquet:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(bars.to_table(), args.out)
    else:
        write_bars_csv(bars, args.out)
    took = time.perf_counter() - started
    print(f"wrote {args.bars:,} bars (seed {args.seed}) to {args.out} in {took:.1f} s")


if __name__ == "__main__":
    main()
