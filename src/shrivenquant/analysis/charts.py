"""Plotly figures of a run: equity with drawdown, monthly returns, price with trades.

Long series are thinned to at most ``max_points`` points per line before plotting (keeping
each bucket's lowest and highest point, so peaks, troughs and the drawdown depth survive);
the HTML stays small and opens fast even for a million bars.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import plotly.graph_objects as go  # type: ignore[import-untyped]
from plotly.subplots import make_subplots  # type: ignore[import-untyped]

from shrivenquant.analysis.equity import drawdown_series, monthly_returns
from shrivenquant.analysis.trades import TradeRecord
from shrivenquant.model.enums import PositionSide

TEMPLATE: Final = "plotly_white"
GREEN: Final = "#1a9850"
RED: Final = "#d73027"
BLUE: Final = "#2c7fb8"
MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def downsample(series: pd.Series, max_points: int) -> pd.Series:
    """At most about ``max_points`` points: the first, the last, and each bucket's extremes."""
    n = len(series)
    if n <= max_points:
        return series
    size = -(-n // max(max_points // 2, 1))
    buckets = -(-n // size)  # every bucket holds at least one real point
    values = series.to_numpy()
    padded = np.full(buckets * size, np.nan)
    padded[:n] = values
    blocks = padded.reshape(buckets, size)
    offsets = np.arange(buckets) * size
    lows = offsets + np.nanargmin(blocks, axis=1)
    highs = offsets + np.nanargmax(blocks, axis=1)
    keep = np.unique(np.concatenate(([0, n - 1], lows, highs)))
    return series.iloc[keep]


def equity_figure(curve: pd.Series, max_points: int) -> go.Figure:
    """Equity on top, drawdown (underwater, in percent) below, on one time axis."""
    figure = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06,
        row_heights=[0.68, 0.32],
        subplot_titles=("Equity", "Drawdown"),
    )
    shown = downsample(curve, max_points)
    figure.add_trace(
        go.Scatter(x=shown.index, y=shown.to_numpy(), name="Equity", line={"color": BLUE}),
        row=1,
        col=1,
    )
    drawdown = downsample(drawdown_series(curve) * 100.0, max_points)
    figure.add_trace(
        go.Scatter(
            x=drawdown.index,
            y=drawdown.to_numpy(),
            name="Drawdown",
            fill="tozeroy",
            line={"color": RED, "width": 1},
            hovertemplate="%{y:.2f}%<extra></extra>",
        ),
        row=2,
        col=1,
    )
    figure.update_yaxes(title_text="Equity", row=1, col=1)
    figure.update_yaxes(title_text="%", row=2, col=1)
    figure.update_layout(template=TEMPLATE, height=560, showlegend=False, margin=_MARGIN)
    return figure


def monthly_returns_figure(curve: pd.Series) -> go.Figure:
    """A year-by-month heatmap of monthly returns in percent, red below zero, green above."""
    monthly = monthly_returns(curve) * 100.0
    years = sorted({stamp.year for stamp in monthly.index})
    grid = np.full((len(years), 12), np.nan)
    for stamp, value in monthly.items():
        grid[years.index(stamp.year), stamp.month - 1] = value
    text = [[("" if np.isnan(v) else f"{v:.1f}%") for v in row] for row in grid]
    limit = float(np.nanmax(np.abs(grid))) if np.isfinite(grid).any() else 1.0
    figure = go.Figure(
        go.Heatmap(
            z=grid,
            x=list(MONTHS),
            y=[str(year) for year in years],
            text=text,
            texttemplate="%{text}",
            colorscale="RdYlGn",
            zmin=-limit,
            zmax=limit,
            zmid=0.0,
            hovertemplate="%{y} %{x}: %{z:.2f}%<extra></extra>",
            colorbar={"title": {"text": "%"}},
            xgap=2,
            ygap=2,
        )
    )
    figure.update_yaxes(autorange="reversed", type="category")
    figure.update_layout(
        template=TEMPLATE,
        title="Monthly returns",
        height=max(200, 90 + 40 * len(years)),
        margin=_MARGIN,
    )
    return figure


def trades_figure(
    prices: pd.Series, trades: Sequence[TradeRecord], title: str, max_points: int
) -> go.Figure:
    """The price line with a marker at every entry (triangle up for long, down for short)
    and every exit (a circle, green for a winner, red for a loser)."""
    figure = go.Figure()
    shown = downsample(prices, max_points)
    figure.add_trace(
        go.Scatter(
            x=shown.index, y=shown.to_numpy(), name="Price", line={"color": "#555", "width": 1}
        )
    )
    for side, symbol, color in (
        (PositionSide.LONG, "triangle-up", GREEN),
        (PositionSide.SHORT, "triangle-down", RED),
    ):
        chosen = [t for t in trades if t.side is side]
        if chosen:
            figure.add_trace(
                go.Scatter(
                    x=_times([t.entry_time for t in chosen]),
                    y=[t.entry_price for t in chosen],
                    mode="markers",
                    name=f"{side.value.lower()} entry",
                    marker={"symbol": symbol, "size": 10, "color": color},
                    text=[f"{t.side.value} {t.quantity:g} @ {t.entry_price:,.2f}" for t in chosen],
                    hovertemplate="%{text}<extra></extra>",
                )
            )
    if trades:
        figure.add_trace(
            go.Scatter(
                x=_times([t.exit_time for t in trades]),
                y=[t.exit_price for t in trades],
                mode="markers",
                name="exit",
                marker={
                    "symbol": "circle-open",
                    "size": 9,
                    "line": {"width": 2},
                    "color": [GREEN if t.pnl > 0 else RED for t in trades],
                },
                text=[f"exit @ {t.exit_price:,.2f}, PnL {t.pnl:,.2f}" for t in trades],
                hovertemplate="%{text}<extra></extra>",
            )
        )
    figure.update_layout(
        template=TEMPLATE,
        title=title,
        height=460,
        margin=_MARGIN,
        legend={"orientation": "h", "y": -0.15},
    )
    return figure


def _times(nanoseconds: Sequence[int]) -> pd.DatetimeIndex:
    return pd.to_datetime(np.asarray(nanoseconds, dtype=np.int64), unit="ns", utc=True)


_MARGIN: Final = {"l": 60, "r": 30, "t": 50, "b": 40}
