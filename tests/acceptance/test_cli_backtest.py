"""Acceptance: ``sq backtest`` runs an example strategy file and writes the tearsheet;
``sq demo`` runs end to end; bad strategies and bad data fail with clear messages."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from shrivenquant.interfaces.cli.app import app
from shrivenquant.runtime.synthetic import GbmSpec, gbm_bars, write_bars_csv

from .conftest import BAR_TYPE, EXAMPLES

runner = CliRunner()


def _bars_csv(folder: Path, count: int = 3_000) -> Path:
    return write_bars_csv(gbm_bars(GbmSpec(count=count)), folder / "bars.csv")


def test_sq_backtest_runs_the_sma_example_and_writes_the_tearsheet(tmp_path: Path) -> None:
    data = _bars_csv(tmp_path)
    out = tmp_path / "report"
    result = runner.invoke(
        app,
        [
            "backtest",
            str(EXAMPLES / "sma_crossover.py"),
            "--data",
            str(data),
            "--bar-type",
            BAR_TYPE,
            "--config",
            str(EXAMPLES / "backtest.toml"),
            "--set",
            "strategy.fast=5",
            "--out",
            str(out),
            "--no-progress",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "total return" in result.output
    tearsheet = out / "tearsheet.html"
    assert tearsheet.is_file()
    page = tearsheet.read_text()
    assert "Plotly" in page
    assert "<script src=" not in page  # self-contained: nothing loaded from the network
    summary = json.loads((out / "summary.json").read_text())
    assert summary["records"] == 3_000
    assert summary["orders"] > 10
    assert summary["orders"] == summary["fills"]
    assert summary["metrics"]["trade_count"] == summary["trades"]
    for name in ("orders", "fills", "positions", "trades", "equity"):
        assert (out / f"{name}.csv").is_file()
    assert json.loads((out / "tearsheet.json").read_text())["metrics"]


def test_sq_backtest_without_config_infers_instrument_and_venue(tmp_path: Path) -> None:
    data = _bars_csv(tmp_path, 1_000)
    result = runner.invoke(
        app,
        [
            "backtest",
            f"{EXAMPLES / 'rsi_mean_reversion.py'}:RSIMeanReversion",
            "--data",
            str(data),
            "--bar-type",
            BAR_TYPE,
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "spot pair BTC/USDT" in result.output
    assert "venue BINANCE" in result.output
    assert (tmp_path / "out" / "tearsheet.html").is_file()


def test_sq_demo_runs_end_to_end(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--out", str(tmp_path), "--bars", "2000"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "data" / "btcusdt-1m.csv").is_file()
    assert (tmp_path / "report" / "tearsheet.html").is_file()


def test_a_strategy_that_raises_stops_the_backtest_with_the_bar_time(tmp_path: Path) -> None:
    strategy = tmp_path / "fragile.py"
    strategy.write_text(
        "from shrivenquant.model.data import Bar, BarType\n"
        "from shrivenquant.strategy import Strategy, StrategyConfig\n\n"
        "class FragileConfig(StrategyConfig):\n"
        "    bar_type: BarType\n\n"
        "class Fragile(Strategy):\n"
        "    config: FragileConfig\n\n"
        "    def on_start(self) -> None:\n"
        "        self.subscribe_bars(self.config.bar_type)\n\n"
        "    def on_bar(self, bar: Bar) -> None:\n"
        "        if bar.ts_event >= 1_704_070_800_000_000_000:\n"
        "            raise ZeroDivisionError('signal divided by zero')\n"
    )
    result = runner.invoke(
        app,
        [
            "backtest",
            str(strategy),
            "--data",
            str(_bars_csv(tmp_path, 500)),
            "--bar-type",
            BAR_TYPE,
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "Fragile-000.on_bar raised ZeroDivisionError: signal divided by zero" in output
    assert "2024-01-01T01:00:00" in output  # the bar's close time
    assert "Traceback" in output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["stopped_early"] is True
    assert summary["records"] == 60


def test_unsorted_data_is_refused_with_file_and_row(tmp_path: Path) -> None:
    data = _bars_csv(tmp_path, 50)
    lines = data.read_text().splitlines()
    lines[10], lines[11] = lines[11], lines[10]
    data.write_text("\n".join(lines) + "\n")
    result = runner.invoke(
        app,
        [
            "backtest",
            str(EXAMPLES / "sma_crossover.py"),
            "--data",
            str(data),
            "--bar-type",
            BAR_TYPE,
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 2
    output = " ".join(result.output.split())
    assert "error:" in output
    assert "bars.csv line 12" in output
    assert "timestamp_not_increasing" in output
