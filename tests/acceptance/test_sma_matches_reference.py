"""Acceptance: the SMA(10)/SMA(30) crossover backtest agrees with an independent numpy model.

Rules: on each bar's close, long when SMA(10) > SMA(30), flat when SMA(10) < SMA(30) (equal:
no change); long-only, 1 unit; an order sent on a bar fills at the next bar's open; no fees.
The bars are the deterministic synthetic GBM set (`benchmarks/gen_gbm_bars.py`, seed
20240101), whose every bar opens away from the previous close, so filling at the signal bar's
close instead would change the PnL. The reference works in exact integers (prices in cents).
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import numpy.typing as npt

from shrivenquant.model.values import Quantity
from shrivenquant.risk import RiskConfig
from shrivenquant.runtime import BacktestConfig, BacktestEngine, BarExecution, NodeConfig
from shrivenquant.runtime.strategy_loader import load_strategy_class, strategy_config_class
from shrivenquant.runtime.synthetic import DEFAULT_SEED, GbmSpec, gbm_bars
from shrivenquant.sim import SimulatedVenueConfig

from .conftest import EXAMPLES, btcusdt

BARS = 20_000
FAST, SLOW = 10, 30
Ints = npt.NDArray[np.int64]


def reference(opens: Ints, closes: Ints) -> tuple[list[tuple[int, int]], int, int]:
    """Round trips (entry, exit price in cents), exact ties met, and the final position."""
    sums = np.concatenate(([0], np.cumsum(closes, dtype=np.int64)))
    n = len(closes)
    fast = np.zeros(n, np.int64)
    slow = np.zeros(n, np.int64)
    fast[FAST - 1 :] = sums[FAST:] - sums[:-FAST]
    slow[SLOW - 1 :] = sums[SLOW:] - sums[:-SLOW]
    # sign(mean_fast - mean_slow) without division: fast_sum * SLOW vs slow_sum * FAST.
    signal = np.sign(fast * SLOW - slow * FAST)
    ready = np.arange(n) >= SLOW - 1
    ties = int(np.count_nonzero(ready & (signal == 0)))
    trips: list[tuple[int, int]] = []
    long, pending, entry = False, 0, 0
    for i in range(n):
        if pending == 1:
            long, entry = True, int(opens[i])
        elif pending == -1:
            long = False
            trips.append((entry, int(opens[i])))
        pending = 0
        if ready[i]:
            if not long and signal[i] > 0:
                pending = 1
            elif long and signal[i] < 0:
                pending = -1
    return trips, ties, int(long)


def run_backtest(bars: object, execution: BarExecution = BarExecution.NEXT_OPEN) -> object:
    cls = load_strategy_class(str(EXAMPLES / "sma_crossover.py"))
    config = strategy_config_class(cls)(
        strategy_id="SMACross-001",
        bar_type=bars.bar_type,  # type: ignore[attr-defined]
        trade_size=Quantity("1.000"),
        fast=FAST,
        slow=SLOW,
    )
    engine = BacktestEngine(
        NodeConfig(
            risk=RiskConfig(check_balance=True),
            backtest=BacktestConfig(bar_execution=execution, progress=False),
        )
    )
    engine.add_venue(SimulatedVenueConfig(venue="BINANCE", starting_balances=("10000000 USDT",)))
    engine.add_instrument(btcusdt())
    engine.add_data(bars)  # type: ignore[arg-type]
    engine.add_strategy(cls(config))
    result = engine.run()
    return engine, result


def test_sma_crossover_matches_the_numpy_reference() -> None:
    bars = gbm_bars(GbmSpec(count=BARS, seed=DEFAULT_SEED))
    opens, closes = bars.open, bars.close
    assert np.all(opens[1:] != closes[:-1]), "every bar must open away from the previous close"
    trips, ties, final_long = reference(opens, closes)
    assert ties == 0, "an exact tie of the averages would make the float indicators ambiguous"
    assert len(trips) > 100

    engine, result = run_backtest(bars)

    assert result.denials == {}
    assert len(result.trades) == len(trips)
    got = [(round(t.entry_price * 100), round(t.exit_price * 100)) for t in result.trades]
    assert got == trips
    expected_pnl = Decimal(sum(exit_ - entry for entry, exit_ in trips)) / 100
    realized = engine.kernel.portfolio.realized_pnl(btcusdt().id)
    assert realized is not None
    assert realized.as_decimal() == expected_pnl
    assert len(result.fills) == 2 * len(trips) + final_long
    assert (result.fills["last_qty"] == 1.0).all()


def test_filling_at_the_signal_close_would_differ() -> None:
    bars = gbm_bars(GbmSpec(count=2_000, seed=DEFAULT_SEED))
    trips, _, _ = reference(bars.open, bars.close)
    _, result = run_backtest(bars, BarExecution.CLOSE)
    closes = set(bars.close.tolist())
    assert all(round(t.entry_price * 100) in closes for t in result.trades)
    got = [(round(t.entry_price * 100), round(t.exit_price * 100)) for t in result.trades]
    assert got != trips
