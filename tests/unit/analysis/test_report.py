"""`PerformanceReport` serialisation and the terminal table."""

from __future__ import annotations

import json

import pandas as pd  # type: ignore[import-untyped]
import pytest
from rich.console import Console

from shrivenquant.analysis import PerformanceReport, compute_performance
from shrivenquant.analysis.render import format_duration, format_metric, format_time


def report() -> PerformanceReport:
    curve = pd.Series(
        [100.0, 110.0, 99.0, 108.9], index=pd.date_range("2024-01-01", periods=4, tz="UTC")
    )
    return compute_performance(curve)


def test_json_round_trips_and_holds_no_nan() -> None:
    original = report()
    text = original.to_json()
    data = json.loads(text)
    assert data["total_return"] == pytest.approx(0.089)
    assert data["win_rate"] is None  # no trades
    assert data["notes"]["win_rate"] == "no closed trades"
    assert "NaN" not in text
    assert PerformanceReport.from_dict(data) == original


def test_from_dict_names_missing_and_unknown_keys() -> None:
    data = report().to_dict()
    del data["sharpe"]
    data["alpha"] = 1.0
    with pytest.raises(ValueError, match=r"missing \['sharpe'\], unknown \['alpha'\]"):
        PerformanceReport.from_dict(data)


def test_rich_table_shows_values_and_reasons() -> None:
    console = Console(record=True, width=120)
    console.print(report().to_table("Run 1"))
    text = console.export_text()
    assert "Run 1" in text
    assert "Total return" in text
    assert "8.90%" in text
    assert "Max drawdown" in text
    assert "10.00%" in text
    assert "n/a (no closed trades)" in text
    assert "2024-01-04 00:00 UTC" in text


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (0.12345, "pct", "12.35%"),
        (-1.5, "ratio", "-1.50"),
        (1234567.891, "money", "1,234,567.89"),
        (3 * 86_400 + 4 * 3_600, "duration", "3d 4h"),
        (7_500, "duration", "2h 05m"),
        (45.4, "duration", "45s"),
        (61, "duration", "1m 01s"),
        (12, "count", "12"),
        (365.0, "count", "365"),
        (True, "flag", "yes"),
        (None, "pct", "n/a"),
    ],
)
def test_format_metric(value: object, kind: str, text: str) -> None:
    assert format_metric(value, kind) == text  # type: ignore[arg-type]


def test_format_time_shows_seconds_only_when_set() -> None:
    assert format_time("2024-01-01T09:15:00+05:30") == "2024-01-01 03:45 UTC"
    assert format_time("2024-01-01T00:00:07+00:00") == "2024-01-01 00:00:07 UTC"
    assert format_duration(0) == "0s"
