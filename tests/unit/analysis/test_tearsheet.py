"""The tearsheet: offline HTML with the metrics and charts, and its JSON summary."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest

from shrivenquant.analysis import (
    PerformanceReport,
    TradeRecord,
    compute_performance,
    render_tearsheet,
    write_tearsheet,
)
from shrivenquant.analysis.charts import downsample
from shrivenquant.analysis.render import metric_rows
from shrivenquant.model.enums import PositionSide


def run(n: int = 2_000, seed: int = 1) -> tuple[pd.Series, pd.Series, list[TradeRecord]]:
    """An hourly price path, a made-up equity curve and a few trades on two instruments."""
    rng = np.random.default_rng(seed)
    index = pd.date_range("2024-01-01", periods=n, freq="h", tz="UTC")
    price = pd.Series(100.0 * np.exp(np.cumsum(rng.normal(0, 0.01, n))), index=index)
    equity = pd.Series(10_000.0 + np.cumsum(rng.normal(1.0, 20.0, n)), index=index)
    trades = [
        TradeRecord.from_prices(
            entry_time=index[i].value,
            exit_time=index[i + 24].value,
            side=PositionSide.LONG if i % 2 else PositionSide.SHORT,
            quantity=1.5,
            entry_price=float(price.iloc[i]),
            exit_price=float(price.iloc[i + 24]),
            fees=0.1,
            instrument_id="BTCUSDT.BINANCE" if i < n // 2 else "ETHUSDT.BINANCE",
        )
        for i in range(10, n - 30, 150)
    ]
    return equity, price, trades


def test_html_is_self_contained_and_loads_nothing_from_the_network() -> None:
    equity, price, trades = run()
    page = render_tearsheet(equity, trades, prices=price).html
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, re.IGNORECASE)
    assert not re.search(r"<link[^>]*\bhref\s*=\s*[\"']?https?:", page, re.IGNORECASE)
    assert not re.search(r"@import\s+url\(\s*[\"']?https?:", page, re.IGNORECASE)
    assert "cdn.plot.ly/plotly" not in page.split("<script", 1)[0]
    assert len(page) > 3_000_000  # plotly.js is embedded, not linked
    for chart in ("chart-equity", "chart-monthly", "chart-price-0"):
        assert f'id="{chart}"' in page
    assert page.count("Plotly.newPlot(") == 3


def test_html_shows_every_metric_value() -> None:
    equity, price, trades = run()
    report = compute_performance(equity, trades)
    page = render_tearsheet(equity, trades, prices=price, report=report).html
    shown = 0
    for _, rows in metric_rows(report):
        for key, _, text in rows:
            assert f'data-metric="{key}">{text}</td>' in page
            shown += 1
    assert shown >= 25
    assert f"{report.total_return * 100:,.2f}%" in page


def test_json_summary_holds_every_metric_and_the_monthly_returns(tmp_path: Path) -> None:
    equity, price, trades = run()
    files = write_tearsheet(tmp_path / "out" / "run.html", equity, trades, prices=price)
    assert files.html == tmp_path / "out" / "run.html"
    assert files.json == tmp_path / "out" / "run.json"
    summary = json.loads(files.json.read_text(encoding="utf-8"))
    assert set(summary) == {"title", "metrics", "monthly_returns"}
    assert set(summary["metrics"]) == {f.name for f in dataclasses.fields(PerformanceReport)}
    assert PerformanceReport.from_dict(summary["metrics"]) == compute_performance(equity, trades)
    assert list(summary["monthly_returns"]) == ["2024-01", "2024-02", "2024-03"]
    assert summary["metrics"]["trade_count"] == len(trades)
    assert files.html.read_text(encoding="utf-8").count("Plotly.newPlot(") == 3


def test_output_is_deterministic() -> None:
    equity, price, trades = run()
    first = render_tearsheet(equity, trades, prices=price)
    second = render_tearsheet(equity, trades, prices=price)
    assert first.html == second.html
    assert first.summary == second.summary


def test_one_price_chart_per_instrument_with_its_own_trades() -> None:
    equity, price, trades = run()
    prices = {"BTCUSDT.BINANCE": price, "ETHUSDT.BINANCE": price * 0.05}
    page = render_tearsheet(equity, trades, prices=prices).html
    assert "Price and trades: BTCUSDT.BINANCE" in page
    assert "Price and trades: ETHUSDT.BINANCE" in page
    assert page.count("Plotly.newPlot(") == 4
    # each trade is drawn once, on its own instrument's chart
    for t in trades:
        assert page.count(f"exit @ {t.exit_price:,.2f}, PnL {t.pnl:,.2f}") == 1
    without = render_tearsheet(equity, trades).html
    assert without.count("Plotly.newPlot(") == 2


def test_text_is_escaped() -> None:
    equity, _, _ = run(200)
    page = render_tearsheet(equity, title="<script>alert(1)</script>").html
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    equity, price, _ = run(200)
    with pytest.raises(ValueError, match=r"must end in \.html"):
        write_tearsheet(tmp_path / "run.txt", equity)
    with pytest.raises(ValueError, match="max_points must be at least 10"):
        render_tearsheet(equity, max_points=2)
    broken = price.copy()
    broken.iloc[3] = np.nan
    with pytest.raises(ValueError, match=r"prices\['X'\]: price value at .* is nan"):
        render_tearsheet(equity, prices={"X": broken})


def test_long_series_are_thinned_but_keep_their_extremes() -> None:
    rng = np.random.default_rng(3)
    index = pd.date_range("2024-01-01", periods=200_000, freq="min", tz="UTC")
    series = pd.Series(np.cumsum(rng.normal(0, 1, len(index))), index=index)
    thin = downsample(series, 1_000)
    assert len(thin) <= 1_002
    assert thin.index.is_monotonic_increasing
    assert thin.max() == series.max()
    assert thin.min() == series.min()
    assert thin.index[0] == index[0]
    assert thin.index[-1] == index[-1]
    assert len(downsample(series.iloc[:50], 1_000)) == 50
    page = render_tearsheet(series + 1e6, max_points=1_000).html
    plotly_js_size = 5_000_000
    assert len(page) < plotly_js_size + 500_000
