"""Validation details: sessions, outlier rules, duplicates per kind, reports, catalog series."""

from __future__ import annotations

import json
from datetime import date, time
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.core.time import NANOS_PER_DAY, NANOS_PER_HOUR, NANOS_PER_MINUTE
from shrivenquant.data.validation import (
    DataValidationError,
    Problem,
    TradingSessions,
    ValidationConfig,
    ValidationMode,
    validate,
    validate_series,
)
from shrivenquant.model.data import BarType
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.persistence.catalog import (
    BarArrays,
    BookDeltaArrays,
    CatalogConfig,
    DataKind,
    ParquetDataCatalog,
    QuoteTickArrays,
    SeriesKey,
    TradeTickArrays,
)

BTC = InstrumentId("BTCUSDT.BINANCE")
T0 = 1_704_153_600_000_000_000  # Tue 2024-01-02 00:00 UTC
IST_0915 = T0 + 3 * NANOS_PER_HOUR + 45 * NANOS_PER_MINUTE
IST_1530 = IST_0915 + 6 * NANOS_PER_HOUR + 15 * NANOS_PER_MINUTE
MINUTE_BARS = BarType.from_str("NIFTY25DECFUT.NSE-1-MINUTE-LAST-EXTERNAL")


def trade_arrays(prices: list[int], ts: list[int] | None = None) -> TradeTickArrays:
    count = len(prices)
    return TradeTickArrays.create(
        BTC,
        ts_event=ts if ts is not None else [T0 + i for i in range(count)],
        price=prices,
        price_precision=2,
        size=[100] * count,
        size_precision=2,
        trade_id=list(range(count)),
    )


def minute_bars(closes: list[int]) -> BarArrays:
    count = len(closes)
    ts = [IST_0915 + (i + 1) * NANOS_PER_MINUTE for i in range(count)]
    return BarArrays.create(
        MINUTE_BARS, ts_event=ts, open=closes, high=[c + 5 for c in closes],
        low=[c - 5 for c in closes], close=closes, price_precision=1, volume=[75] * count,
        size_precision=0,
    )  # fmt: skip


# --- sessions ------------------------------------------------------------------------------------


def test_nse_session_clock_skips_nights_weekends_and_holidays() -> None:
    sessions = TradingSessions.nse(holidays=[date(2024, 1, 3)])  # a made-up Wednesday holiday
    session = 6 * NANOS_PER_HOUR + 15 * NANOS_PER_MINUTE
    tuesday_close = IST_1530
    thursday_open = IST_0915 + 2 * NANOS_PER_DAY
    friday_close = IST_1530 + 3 * NANOS_PER_DAY
    monday_open = IST_0915 + 6 * NANOS_PER_DAY

    clock = sessions.clock(
        np.array([IST_0915, tuesday_close, thursday_open, friday_close, monday_open])
    )

    assert np.diff(clock).tolist() == [session, 0, 2 * session, 0]


def test_nse_in_session_includes_both_ends() -> None:
    sessions = TradingSessions.nse()
    ts = np.array([IST_0915 - 1, IST_0915, IST_1530, IST_1530 + 1, IST_0915 + 4 * NANOS_PER_DAY])

    assert sessions.in_session(ts).tolist() == [False, True, True, False, False]  # Saturday last


def test_crypto_sessions_never_close() -> None:
    sessions = TradingSessions.always_open()
    ts = np.array([T0, T0 + 5 * NANOS_PER_DAY])

    assert sessions.clock(ts).tolist() == ts.tolist()
    assert sessions.in_session(ts).all()


def test_bars_across_the_overnight_close_are_not_a_gap() -> None:
    closes = [1000] * 375
    today = minute_bars(closes)
    tomorrow_ts = today.ts_event + NANOS_PER_DAY
    both = BarArrays.concat([today, BarArrays.create(
        MINUTE_BARS, ts_event=tomorrow_ts, open=closes, high=closes, low=closes, close=closes,
        price_precision=1, volume=[1] * 375, size_precision=0,
    )])  # fmt: skip

    report = validate(both, "strict", ValidationConfig(sessions=TradingSessions.nse())).report

    assert report.ok
    assert today.ts_event[-1] == IST_1530


def test_invalid_sessions_and_configs_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="weekmask"):
        TradingSessions("Asia/Kolkata", weekmask="11111")
    with pytest.raises(InvalidInputError, match="must be after open"):
        TradingSessions("Asia/Kolkata", time(15, 30), time(9, 15))
    with pytest.raises(InvalidInputError, match="unknown time zone"):
        TradingSessions("Mars/Olympus")
    with pytest.raises(InvalidInputError, match="outlier_window"):
        ValidationConfig(outlier_window=4)
    with pytest.raises(InvalidInputError, match="max_tick_gap_ns"):
        ValidationConfig(max_tick_gap_ns=0)


# --- outliers ------------------------------------------------------------------------------------


def test_percent_rule_flags_spikes_but_not_level_shifts() -> None:
    prices = [10_000] * 40 + [11_500] * 40  # a lasting 15 % move
    prices[20] = 10_700  # a 7 % spike
    config = ValidationConfig(outlier_pct=0.05)

    report = validate(trade_arrays(prices), "warn", config).report

    assert report.count(Problem.OUTLIER) == 1
    assert report.problems[Problem.OUTLIER].examples[0].row == 20


def test_flat_prices_do_not_turn_single_ticks_into_outliers() -> None:
    prices = [10_000] * 30 + [10_001] + [10_000] * 30

    report = validate(trade_arrays(prices), "warn", ValidationConfig(outlier_zscore=5)).report

    assert report.ok


def test_rows_dropped_for_other_problems_do_not_skew_outliers() -> None:
    prices = [10_000 + (i % 5) for i in range(60)]
    prices[10] = 0  # non-positive, dropped first

    report = validate(trade_arrays(prices), "repair", ValidationConfig.crypto()).report

    assert set(report.problems) == {Problem.NON_POSITIVE}


# --- duplicates of each kind ---------------------------------------------------------------------


def test_duplicates_of_bars_quotes_and_deltas() -> None:
    bars = minute_bars([1000, 1001, 1002])
    bars = BarArrays.concat([bars, bars.slice(1, 2)]).take(np.array([0, 1, 3, 2]))
    quotes = QuoteTickArrays.create(
        BTC, ts_event=[1, 2, 2], bid_price=[10, 10, 10], ask_price=[11, 11, 11], price_precision=0,
        bid_size=[1, 1, 1], ask_size=[1, 1, 1], size_precision=0,
    )  # fmt: skip
    deltas = BookDeltaArrays.create(
        BTC, ts_event=[1, 1, 1], action=[0, 0, 0], side=[1, 1, 2], price=[5, 5, 6],
        price_precision=0, size=[1, 1, 1], size_precision=0, sequence=[3, 3, 3],
    )  # fmt: skip
    sessions = ValidationConfig(sessions=TradingSessions.nse())

    assert validate(bars, "warn", sessions).report.problems[Problem.DUPLICATE].examples[0].row == 2
    assert validate(quotes, "warn").report.problems[Problem.DUPLICATE].examples[0].row == 2
    dup = validate(deltas, "warn").report.problems[Problem.DUPLICATE]
    assert (dup.count, dup.examples[0].row, "as row 0" in dup.examples[0].detail) == (1, 1, True)


def test_deltas_check_prices_and_sizes_only_where_they_apply() -> None:
    deltas = BookDeltaArrays.create(
        BTC, ts_event=[1, 2, 3, 4], action=[3, 2, 0, 1], side=[-1, 1, 2, 2], price=[0, 5, 6, 0],
        price_precision=0, size=[0, 0, 1, 1], size_precision=0,
    )  # fmt: skip

    summary = validate(deltas, "warn").report.problems[Problem.NON_POSITIVE]

    assert (summary.count, summary.examples[0].row) == (1, 3)  # CLEAR and DELETE are fine


# --- reports -------------------------------------------------------------------------------------


def test_report_renders_as_table_and_json() -> None:
    prices = [100, 100, -1, 100]
    result = validate(trade_arrays(prices, ts=[5, 4, 6, 7]), "repair", source="f.parquet")
    report = result.report

    payload = json.loads(report.to_json())
    console = Console(record=True, width=200)
    console.print(report)
    text = console.export_text()

    assert (payload["rows"], payload["rows_dropped"]) == (4, 2)
    assert payload["problems"]["non_positive"]["examples"][0]["row"] == 2
    assert payload["problems"]["timestamp_not_increasing"]["action"] == "drop"
    assert "non_positive" in text
    assert "f.parquet" in text
    assert len(result.data) == 2


def test_strict_error_names_the_first_problem_row() -> None:
    prices = [100, 100, 100, 0, 100]
    with pytest.raises(DataValidationError, match=r"src row 3: non_positive: price 0\.00"):
        validate(trade_arrays(prices), ValidationMode.STRICT, source="src")


def test_unsupported_input_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="non-empty list"):
        validate([])
    with pytest.raises(InvalidInputError, match="cannot validate str"):
        validate(["x"])


# --- catalog series ------------------------------------------------------------------------------


def test_validate_series_reports_per_file_and_repairs(tmp_path: Path) -> None:
    catalog = ParquetDataCatalog(tmp_path, CatalogConfig(fsync=False))
    good = trade_arrays([100] * 10, ts=[T0 + i for i in range(10)])
    bad_prices = [100] * 10
    bad_prices[4] = 0
    bad = trade_arrays(bad_prices, ts=[T0 + NANOS_PER_DAY + i for i in range(10)])
    catalog.write_arrays(good)
    [bad_path] = catalog.write_arrays(bad)
    key = SeriesKey.for_instrument(DataKind.TRADE_TICK, BTC)

    with pytest.raises(DataValidationError, match=f"{bad_path} row 4: non_positive"):
        validate_series(catalog, key, "strict")
    result = validate_series(catalog, key, "repair")

    assert result.report.rows == 20
    assert result.report.count(Problem.NON_POSITIVE) == 1
    assert len(result.data) == 19
