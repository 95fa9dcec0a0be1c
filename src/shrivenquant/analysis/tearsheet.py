"""The tearsheet: one self-contained HTML file per run, plus a JSON summary beside it.

The HTML embeds plotly's JavaScript (from the installed plotly package) once, inline; it loads
nothing from the network, so it opens offline and can be mailed or archived as one file. It
shows the metrics table, equity with drawdown, a monthly-returns heatmap and, when prices are
given, each instrument's price with its trade entries and exits. The output is deterministic:
the same inputs give the same bytes.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final, NamedTuple

import pandas as pd  # type: ignore[import-untyped]
import plotly.graph_objects as go  # type: ignore[import-untyped]
from plotly.offline import get_plotlyjs  # type: ignore[import-untyped]

from shrivenquant.analysis.charts import (
    equity_figure,
    monthly_returns_figure,
    trades_figure,
)
from shrivenquant.analysis.equity import monthly_returns, normalise_equity
from shrivenquant.analysis.metrics import MetricsConfig, compute_performance
from shrivenquant.analysis.render import format_time, metric_rows
from shrivenquant.analysis.report import PerformanceReport
from shrivenquant.analysis.trades import TradeRecord

DEFAULT_MAX_POINTS: Final = 5_000
_PLOT_CONFIG: Final = {"displaylogo": False, "responsive": True}


class TearsheetFiles(NamedTuple):
    """Where a tearsheet was written."""

    html: Path
    json: Path


class Tearsheet(NamedTuple):
    """A rendered tearsheet: the HTML document and the JSON summary."""

    html: str
    summary: dict[str, Any]


def render_tearsheet(
    equity: pd.Series,
    trades: Sequence[TradeRecord] = (),
    *,
    prices: pd.Series | Mapping[str, pd.Series] | None = None,
    report: PerformanceReport | None = None,
    config: MetricsConfig | None = None,
    title: str = "Backtest tearsheet",
    max_points: int = DEFAULT_MAX_POINTS,
) -> Tearsheet:
    """Build the tearsheet in memory.

    Args:
        equity: account value over time (see `shrivenquant.analysis.equity`).
        trades: closed trades, for the metrics and the price markers.
        prices: one price series (all trades are drawn on it) or a mapping of instrument id
            to price series (each chart gets the trades of its instrument); indexed like
            ``equity``. None draws no price chart.
        report: the metrics, if already computed; otherwise computed with ``config``.
        config: sampling and annualisation for computing ``report``.
        title: the page heading.
        max_points: the most points drawn per line (longer series are thinned).

    Raises:
        ValueError: a curve or price series is malformed, or ``max_points`` is below 10.
    """
    if max_points < 10:
        raise ValueError(f"max_points must be at least 10, got {max_points}")
    curve = normalise_equity(equity)
    report = report or compute_performance(curve, trades, config)
    figures: list[tuple[str, go.Figure]] = [
        ("equity", equity_figure(curve, max_points)),
        ("monthly", monthly_returns_figure(curve)),
    ]
    for number, (name, series, chosen) in enumerate(_price_panels(prices, trades)):
        label = f"Price and trades: {name}" if name else "Price and trades"
        figures.append((f"price-{number}", trades_figure(series, chosen, label, max_points)))
    summary = {
        "title": title,
        "metrics": report.to_dict(),
        "monthly_returns": {
            stamp.strftime("%Y-%m"): float(value) for stamp, value in monthly_returns(curve).items()
        },
    }
    return Tearsheet(_page(title, report, figures), summary)


def write_tearsheet(
    path: str | Path,
    equity: pd.Series,
    trades: Sequence[TradeRecord] = (),
    *,
    prices: pd.Series | Mapping[str, pd.Series] | None = None,
    report: PerformanceReport | None = None,
    config: MetricsConfig | None = None,
    title: str = "Backtest tearsheet",
    max_points: int = DEFAULT_MAX_POINTS,
) -> TearsheetFiles:
    """Write the tearsheet HTML to ``path`` and its JSON summary beside it (``.json``).

    Parent folders are created. Arguments as for `render_tearsheet`.
    """
    target = Path(path)
    if target.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"tearsheet path must end in .html, got {str(target)!r}")
    sheet = render_tearsheet(
        equity,
        trades,
        prices=prices,
        report=report,
        config=config,
        title=title,
        max_points=max_points,
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(sheet.html, encoding="utf-8")
    summary_path = target.with_suffix(".json")
    summary_path.write_text(
        json.dumps(sheet.summary, indent=2, allow_nan=False) + "\n", encoding="utf-8"
    )
    return TearsheetFiles(target, summary_path)


def _price_panels(
    prices: pd.Series | Mapping[str, pd.Series] | None, trades: Sequence[TradeRecord]
) -> list[tuple[str, pd.Series, list[TradeRecord]]]:
    if prices is None:
        return []
    if isinstance(prices, pd.Series):
        return [("", _price_curve(prices, "prices"), list(trades))]
    return [
        (
            name,
            _price_curve(series, f"prices[{name!r}]"),
            [t for t in trades if t.instrument_id == name],
        )
        for name, series in prices.items()
    ]


def _price_curve(series: pd.Series, name: str) -> pd.Series:
    try:
        return normalise_equity(series)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: {str(exc).replace('equity', 'price')}") from None


def _page(title: str, report: PerformanceReport, figures: list[tuple[str, go.Figure]]) -> str:
    charts = "\n".join(
        f'<section class="chart">{_figure_html(figure, name)}</section>' for name, figure in figures
    )
    return _TEMPLATE.format(
        title=html.escape(title),
        period=html.escape(f"{format_time(report.start)} to {format_time(report.end)}"),
        plotly_js=get_plotlyjs(),
        metrics=_metrics_html(report),
        notes=_notes_html(report),
        charts=charts,
    )


def _figure_html(figure: go.Figure, name: str) -> str:
    return str(
        figure.to_html(
            full_html=False,
            include_plotlyjs=False,
            include_mathjax=False,
            div_id=f"chart-{name}",
            config=_PLOT_CONFIG,
        )
    )


def _metrics_html(report: PerformanceReport) -> str:
    blocks = []
    for section, rows in metric_rows(report):
        body = "".join(
            f"<tr><th>{html.escape(label)}</th>"
            f'<td data-metric="{key}">{html.escape(text)}</td></tr>'
            for key, label, text in rows
        )
        blocks.append(f"<table><caption>{html.escape(section)}</caption>{body}</table>")
    return "\n".join(blocks)


def _notes_html(report: PerformanceReport) -> str:
    if not report.notes:
        return ""
    items = "".join(
        f"<li><code>{html.escape(key)}</code>: {html.escape(reason)}</li>"
        for key, reason in sorted(report.notes.items())
    )
    return f'<ul class="notes">{items}</ul>'


_TEMPLATE: Final = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       margin: 0 auto; max-width: 1200px; padding: 16px 24px; color: #222; }}
h1 {{ font-size: 1.5em; margin: 0.2em 0; }}
.period {{ color: #666; margin-bottom: 1em; }}
.metrics {{ display: flex; flex-wrap: wrap; gap: 16px 32px; align-items: flex-start; }}
.metrics table {{ border-collapse: collapse; min-width: 260px; flex: 1; }}
.metrics caption {{ text-align: left; font-weight: 600; padding: 4px 0; }}
.metrics th {{ text-align: left; font-weight: normal; color: #555; padding: 3px 12px 3px 0;
               white-space: nowrap; }}
.metrics td {{ text-align: right; font-variant-numeric: tabular-nums; padding: 3px 0;
               white-space: nowrap; }}
.metrics tr {{ border-bottom: 1px solid #eee; }}
.notes {{ color: #777; font-size: 0.85em; }}
.chart {{ margin-top: 16px; }}
</style>
<script type="text/javascript">{plotly_js}</script>
</head>
<body>
<h1>{title}</h1>
<div class="period">{period}</div>
<div class="metrics">
{metrics}
</div>
{notes}
{charts}
</body>
</html>
"""
