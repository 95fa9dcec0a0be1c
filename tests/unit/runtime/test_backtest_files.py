"""Backtests from files (what ``sq backtest`` runs) and from a node config."""

from __future__ import annotations

from pathlib import Path

import pytest

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.persistence.catalog import ParquetDataCatalog
from shrivenquant.runtime import BacktestNode, NodeConfig
from shrivenquant.runtime.backtest.files import DataFiles, prepare_backtest
from shrivenquant.runtime.instruments import infer_spot_pair
from shrivenquant.runtime.synthetic import DEFAULT_BAR_TYPE, GbmSpec, gbm_bars, write_bars_csv

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
SMA = str(EXAMPLES / "sma_crossover.py")


@pytest.fixture
def bars_csv(tmp_path: Path) -> Path:
    return write_bars_csv(gbm_bars(GbmSpec(count=600)), tmp_path / "bars.csv")


def test_missing_pieces_get_defaults_and_say_so(bars_csv: Path) -> None:
    settings = {"backtest": {"progress": False}, "strategy": {"fast": 5}}
    data = DataFiles(paths=(bars_csv,), bar_type=DEFAULT_BAR_TYPE)
    prepared = prepare_backtest(SMA, settings, data)
    notes = " | ".join(prepared.notes)
    assert "bar_type = BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL (from the data)" in notes
    assert "spot pair BTC/USDT, no fees" in notes
    assert "venue BINANCE: simulated cash account with 1000000.00000000 USDT" in notes
    assert prepared.strategy.config.fast == 5  # type: ignore[attr-defined]
    result = prepared.engine.run()
    assert result.stats.records == 600
    assert result.orders["status"].eq("FILLED").all()


def test_configured_instruments_and_venues_are_used(bars_csv: Path) -> None:
    settings = {
        "backtest": {"progress": False},
        "venues": {"BINANCE": {"starting_balances": ["5000000 USDT"]}},
        "instruments": {
            "BTCUSDT.BINANCE": {
                "type": "CurrencyPair",
                "base_currency": "BTC",
                "quote_currency": "USDT",
                "price_precision": 2,
                "size_precision": 3,
                "taker_fee": "0.001",
            }
        },
        "strategy": {"bar_type": DEFAULT_BAR_TYPE},
    }
    prepared = prepare_backtest(SMA, settings, DataFiles(paths=(bars_csv,)))
    assert prepared.notes == ()
    result = prepared.engine.run()
    assert float(result.fills["commission"].iloc[0]) > 0


def test_bad_inputs_are_named(bars_csv: Path) -> None:
    with pytest.raises(InvalidInputError, match="no data"):
        prepare_backtest(SMA, {}, None)
    with pytest.raises(InvalidInputError, match="need a bar type"):
        prepare_backtest(SMA, {}, DataFiles(paths=(bars_csv,)))
    with pytest.raises(InvalidInputError, match="unknown SMACrossConfig field"):
        prepare_backtest(
            SMA,
            {"strategy": {"fsat": 1}},
            DataFiles(paths=(bars_csv,), bar_type=DEFAULT_BAR_TYPE),
        )
    with pytest.raises(InvalidInputError, match="trades files need an instrument id"):
        prepare_backtest(SMA, {}, DataFiles(paths=(bars_csv,), kind="trades"))


def test_a_node_runs_strategies_named_in_its_config() -> None:
    bars = gbm_bars(GbmSpec(count=400))
    config = NodeConfig.from_mapping(
        {
            "venues": {"BINANCE": {"starting_balances": ["1000000 USDT"]}},
            "instruments": {
                "BTCUSDT.BINANCE": {
                    "type": "CurrencyPair",
                    "base_currency": "BTC",
                    "quote_currency": "USDT",
                    "price_precision": 2,
                    "size_precision": 3,
                }
            },
            "strategies": [
                {"path": SMA, "config": {"bar_type": DEFAULT_BAR_TYPE, "strategy_id": "A-001"}},
                {
                    "path": str(EXAMPLES / "rsi_mean_reversion.py"),
                    "config": {"bar_type": DEFAULT_BAR_TYPE, "strategy_id": "B-002"},
                },
            ],
            "backtest": {"progress": False},
        }
    )
    result = BacktestNode(config, data=[bars]).run()
    assert set(result.orders["strategy_id"]) <= {"A-001", "B-002"}
    assert "A-001" in set(result.orders["strategy_id"])
    with pytest.raises(InvalidInputError, match="no strategy"):
        BacktestNode(NodeConfig(), data=[bars]).build()


def test_a_catalog_is_replayed_with_its_definitions(tmp_path: Path) -> None:
    catalog = ParquetDataCatalog(tmp_path / "catalog")
    catalog.write([infer_spot_pair(InstrumentId("BTCUSDT.BINANCE"), 2, 3)])
    catalog.write_arrays(gbm_bars(GbmSpec(count=300)))
    prepared = prepare_backtest(SMA, {"backtest": {"progress": False}}, None, tmp_path / "catalog")
    assert any("bar_type" in note for note in prepared.notes)
    result = prepared.engine.run()
    assert result.stats.records == 300
