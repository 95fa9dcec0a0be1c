"""The vectorised path agrees with the event-driven backtest node, run through the same
search runner (`ReportEvaluator`)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from shrivenquant.runtime import BacktestNode, BacktestResult, NodeConfig
from shrivenquant.runtime.optimisation import (
    IntRange,
    ParameterSpace,
    PriceSeries,
    ReportEvaluator,
    VectorisedBacktest,
    VectorisedConfig,
    grid_search,
    sma_cross,
)
from shrivenquant.runtime.synthetic import GbmSpec, gbm_bars

EXAMPLE = Path(__file__).parents[3] / "examples" / "sma_crossover.py"
BARS = gbm_bars(GbmSpec(count=3_000))
FEE = "0.001"
SETTINGS: dict[str, Any] = {
    "logging": {"level": "ERROR"},
    "venues": {"BINANCE": {"starting_balances": ["1000000 USDT"]}},
    "instruments": {
        "BTCUSDT.BINANCE": {
            "type": "CurrencyPair",
            "base_currency": "BTC",
            "quote_currency": "USDT",
            "price_precision": 2,
            "size_precision": 3,
            "maker_fee": FEE,
            "taker_fee": FEE,
        }
    },
    "strategies": [
        {
            "path": f"{EXAMPLE}:SMACross",
            "config": {"bar_type": "BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL", "trade_size": "1"},
        }
    ],
    "backtest": {"progress": False},
}

pytestmark = pytest.mark.skipif(not EXAMPLE.exists(), reason=f"{EXAMPLE} is missing")


def run_node(params: dict[str, Any]) -> BacktestResult:
    table = copy.deepcopy(SETTINGS)
    table["strategies"][0]["config"].update(params)
    return BacktestNode(NodeConfig.from_mapping(table), data=[BARS]).run()


def test_event_driven_and_vectorised_sweeps_agree_on_trades_and_pnl() -> None:
    space = ParameterSpace({"fast": IntRange(5, 10, step=5), "slow": IntRange(20, 40, step=20)})
    node = grid_search(ReportEvaluator(run_node), space, "pnl", backend="serial")
    config = VectorisedConfig(fee_rate=float(FEE))
    vectorised = grid_search(
        VectorisedBacktest(PriceSeries.from_bars(BARS), sma_cross, config), space, "pnl"
    )
    columns = ["trial", "fast", "slow", "trade_count"]
    assert node.frame[columns].to_dict("records") == vectorised.frame[columns].to_dict("records")
    assert node.frame["trade_count"].min() > 10
    assert node.frame["pnl"].tolist() == pytest.approx(vectorised.frame["pnl"].tolist(), abs=1e-6)
    assert node.frame["fees"].tolist() == pytest.approx(vectorised.frame["fees"].tolist(), abs=1e-6)
