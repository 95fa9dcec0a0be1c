"""Human-readable metrics: one formatting rule per metric, shared by the terminal table
and the HTML tearsheet so both show the same text."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final, Literal

from rich.table import Table

from shrivenquant.analysis.report import PerformanceReport

Kind = Literal["pct", "ratio", "money", "duration", "count", "time", "flag"]

SECTIONS: Final[tuple[tuple[str, tuple[tuple[str, str, Kind], ...]], ...]] = (
    (
        "Returns",
        (
            ("total_return", "Total return", "pct"),
            ("annualised_return", "Annualised return", "pct"),
            ("volatility", "Volatility (ann.)", "pct"),
            ("sharpe", "Sharpe ratio", "ratio"),
            ("sortino", "Sortino ratio", "ratio"),
            ("calmar", "Calmar ratio", "ratio"),
            ("initial_equity", "Initial equity", "money"),
            ("final_equity", "Final equity", "money"),
        ),
    ),
    (
        "Drawdown",
        (
            ("max_drawdown", "Max drawdown", "pct"),
            ("max_drawdown_duration_s", "Max drawdown duration", "duration"),
            ("max_drawdown_recovered", "Recovered", "flag"),
            ("longest_underwater_s", "Longest underwater", "duration"),
        ),
    ),
    (
        "Trades",
        (
            ("trade_count", "Trades", "count"),
            ("win_rate", "Win rate", "pct"),
            ("profit_factor", "Profit factor", "ratio"),
            ("expectancy", "Expectancy", "money"),
            ("avg_win", "Average win", "money"),
            ("avg_loss", "Average loss", "money"),
            ("largest_win", "Largest win", "money"),
            ("largest_loss", "Largest loss", "money"),
            ("avg_holding_s", "Average holding time", "duration"),
            ("exposure", "Exposure", "pct"),
            ("turnover", "Turnover", "ratio"),
            ("fees", "Fees", "money"),
        ),
    ),
    (
        "Period",
        (
            ("start", "Start", "time"),
            ("end", "End", "time"),
            ("periods", "Return periods", "count"),
            ("periods_per_year", "Periods per year", "count"),
        ),
    ),
)
"""Every metric shown, grouped: (section, ((report field, label, kind), ...))."""

NOT_AVAILABLE: Final = "n/a"


def format_duration(seconds: float) -> str:
    """``"3d 4h"``, ``"2h 05m"``, ``"45s"``: the two largest units."""
    total = round(seconds)
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def format_time(iso: str) -> str:
    """An ISO 8601 UTC timestamp as ``2024-05-14 23:00 UTC`` (seconds shown when not zero)."""
    stamp = datetime.fromisoformat(iso).astimezone(UTC)
    return stamp.strftime("%Y-%m-%d %H:%M:%S UTC" if stamp.second else "%Y-%m-%d %H:%M UTC")


def format_metric(value: object, kind: Kind) -> str:
    """One metric as text; None reads ``n/a``."""
    if value is None:
        return NOT_AVAILABLE
    if kind == "time":
        return format_time(str(value))
    if kind == "flag":
        return "yes" if value else "no"
    if not isinstance(value, int | float):
        raise TypeError(f"metric of kind {kind} must be a number, got {value!r}")
    if kind == "pct":
        return f"{value * 100:,.2f}%"
    if kind == "ratio":
        return f"{value:,.2f}"
    if kind == "money":
        return f"{value:,.2f}"
    if kind == "duration":
        return format_duration(float(value))
    return f"{value:,.0f}" if isinstance(value, float) else f"{value:,}"


def metric_rows(report: PerformanceReport) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Each section with its (field, label, formatted value) rows."""
    return [
        (
            section,
            [(key, label, format_metric(getattr(report, key), kind)) for key, label, kind in rows],
        )
        for section, rows in SECTIONS
    ]


def report_table(report: PerformanceReport, title: str = "Performance") -> Table:
    """A rich table of every metric; notes explain each ``n/a``."""
    table = Table(title=title, show_header=True, header_style="bold")
    table.add_column("Metric")
    table.add_column("Value", justify="right")
    for section, rows in metric_rows(report):
        table.add_section()
        table.add_row(f"[bold]{section}[/bold]", "")
        for key, label, text in rows:
            reason = report.notes.get(key)
            table.add_row(label, f"{text} [dim]({reason})[/dim]" if reason else text)
    return table
