"""Benchmark of a full backtest: the SMA crossover example on one-minute bars.

Run: ``python benchmarks/bench_backtest.py [--bars N]``. The default, 300,000 bars, keeps the run
inside a minute at today's speed; ``--bars 1000000`` runs the full million-bar set (same rate,
longer run). The bars are the deterministic
synthetic GBM set (`gen_gbm_bars.py`, seed 20240101). Everything a backtest runs is in the
loop: for each bar the simulated venue (matching, fills at the next bar's open), the data
engine, the strategy and its indicators, the risk engine (pre-trade checks on every order,
balance check on), the execution engine (OMS) and the portfolio. A warm-up run on 20,000 bars
comes first; then one measured run of the whole set (no repeat), timed from ``engine.run()`` to
its result.

The last line printed is a JSON object: ``bars_per_s`` (bars per wall-clock second of the
measured run), ``trades`` (closed round trips), ``pnl`` (realized PnL in USDT, exact to the
cent), ``peak_rss_mb`` (peak resident memory of the process).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path

from rich.console import Console
from rich.table import Table

from shrivenquant.model.currency import BTC, USDT
from shrivenquant.model.enums import AssetClass
from shrivenquant.model.identifiers import InstrumentId, Symbol
from shrivenquant.model.instruments import CurrencyPair
from shrivenquant.model.values import Price, Quantity
from shrivenquant.persistence.catalog import BarArrays
from shrivenquant.risk import RiskConfig
from shrivenquant.runtime import BacktestConfig, BacktestEngine, BacktestResult, NodeConfig
from shrivenquant.runtime.strategy_loader import load_strategy_class, strategy_config_class
from shrivenquant.runtime.synthetic import DEFAULT_SEED, GbmSpec, gbm_bars
from shrivenquant.sim import SimulatedVenueConfig
from shrivenquant.telemetry.logging import configure_logging

BARS = 300_000
WARMUP_BARS = 20_000
TARGET_BARS_PER_S = 250_000
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sma_crossover.py"
INSTRUMENT = CurrencyPair(
    id=InstrumentId("BTCUSDT.BINANCE"),
    raw_symbol=Symbol("BTCUSDT"),
    asset_class=AssetClass.CRYPTOCURRENCY,
    base_currency=BTC,
    quote_currency=USDT,
    settlement_currency=USDT,
    price_precision=2,
    size_precision=3,
    price_increment=Price("0.01"),
    size_increment=Quantity("0.001"),
    maker_fee=Decimal(0),
    taker_fee=Decimal(0),
    ts_event=0,
    ts_init=0,
)


def run(bars: BarArrays) -> tuple[BacktestEngine, BacktestResult, int]:
    """One backtest of the SMA example on ``bars``; return it, its result and the ns taken."""
    cls = load_strategy_class(str(EXAMPLE))
    config = strategy_config_class(cls)(
        strategy_id="SMACross-001", bar_type=bars.bar_type, trade_size=Quantity("1.000")
    )
    engine = BacktestEngine(
        NodeConfig(risk=RiskConfig(check_balance=True), backtest=BacktestConfig(progress=False))
    )
    engine.add_venue(SimulatedVenueConfig(venue="BINANCE", starting_balances=("100000000 USDT",)))
    engine.add_instrument(INSTRUMENT)
    engine.add_data(bars)
    engine.add_strategy(cls(config))
    started = time.perf_counter_ns()
    result = engine.run()
    return engine, result, time.perf_counter_ns() - started


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark a full backtest.")
    parser.add_argument("--bars", type=int, default=BARS, help=f"bars to replay (default {BARS:,})")
    args = parser.parse_args()
    configure_logging(level="ERROR")
    console = Console()
    run(gbm_bars(GbmSpec(count=WARMUP_BARS, seed=DEFAULT_SEED)))
    bars = gbm_bars(GbmSpec(count=args.bars, seed=DEFAULT_SEED))
    engine, result, took_ns = run(bars)
    realized = engine.kernel.portfolio.realized_pnl(INSTRUMENT.id)
    pnl = float(realized.as_decimal()) if realized is not None else 0.0
    bars_per_s = args.bars * 1e9 / took_ns
    loop_per_s = result.stats.records_per_s
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_rss_mb = peak_kb / 1024 if sys.platform != "darwin" else peak_kb / 1024 / 1024

    table = Table(title="Backtest: SMA(10/30) crossover, risk + OMS + portfolio + simulated venue")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    table.add_row("bars", f"{args.bars:,}", "")
    table.add_row("bars per second (whole run)", f"{bars_per_s:,.0f}", f">= {TARGET_BARS_PER_S:,}")
    table.add_row("bars per second (replay loop)", f"{loop_per_s:,.0f}", "")
    table.add_row("wall time (s)", f"{took_ns / 1e9:,.1f}", "")
    table.add_row("orders / fills", f"{len(result.orders):,} / {len(result.fills):,}", "")
    table.add_row("closed trades", f"{len(result.trades):,}", "")
    table.add_row("realized PnL (USDT)", f"{pnl:,.2f}", "")
    table.add_row("risk denials", str(sum(result.denials.values())), "0")
    table.add_row("peak RSS (MB)", f"{peak_rss_mb:,.1f}", "")
    console.print(table)
    print(
        json.dumps(
            {
                "bars_per_s": round(bars_per_s),
                "bars": args.bars,
                "trades": len(result.trades),
                "pnl": round(pnl, 2),
                "peak_rss_mb": round(peak_rss_mb, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
