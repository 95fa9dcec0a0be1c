"""Kite Connect historical candles (JSON) as bars of an NSE instrument."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shrivenquant.adapters.zerodha.historical import load_kite_candles
from shrivenquant.data.loaders import DataLoadError, LoadValidationError
from shrivenquant.data.validation import Problem
from shrivenquant.model.data import Bar, BarType
from shrivenquant.model.values import Price, Quantity
from shrivenquant.testkit.instruments import TestInstrumentProvider

FIXTURES = Path(__file__).parent / "fixtures" / "kite"
NIFTY = "NIFTY24JANFUT.NSE"
IST_0915 = 1_704_080_700_000_000_000  # 2024-01-01 09:15 IST
IST_1530 = IST_0915 + (6 * 60 + 15) * 60 * 10**9
MINUTE = 60 * 10**9
DAY = 86_400 * 10**9


def candles(*rows: list[object]) -> dict[str, object]:
    return {"status": "success", "data": {"candles": list(rows)}}


def test_minute_candles_with_open_interest() -> None:
    result = load_kite_candles(FIXTURES / "NIFTY24JANFUT-minute.json", NIFTY)
    bar_type = BarType.from_str(f"{NIFTY}-1-MINUTE-LAST-EXTERNAL")
    assert result.data.bar_type == bar_type
    bars = result.records()
    assert bars[0] == Bar(
        bar_type=bar_type,
        open=Price("21880.05"),
        high=Price("21899.95"),
        low=Price("21861.10"),
        close=Price("21893.00"),
        volume=Quantity("98150"),
        ts_event=IST_0915 + MINUTE,
        ts_init=IST_0915 + MINUTE,
    )
    assert bars[4].ts_event == IST_1530  # the 15:29 candle closes at the session's end
    assert bars[5].ts_event == IST_0915 + DAY + MINUTE
    assert result.extra["open_interest"].tolist() == [
        13093650,
        13093650,
        13101150,
        13101150,
        12912600,
        12940850,
    ]
    # 09:18 -> 15:29 is missing in the file: a gap, reported; the night is not one.
    assert result.flagged[Problem.GAP].tolist() == [4]


def test_day_candles_close_at_the_session_end() -> None:
    result = load_kite_candles(FIXTURES / "RELIANCE-day.json", "RELIANCE.NSE")
    assert str(result.data.bar_type) == "RELIANCE.NSE-1-DAY-LAST-EXTERNAL"
    assert result.data.ts_event.tolist() == [IST_1530 + k * DAY for k in range(3)]
    assert [str(b.close) for b in result.records()] == ["2604.90", "2597.35", "2567.30"]
    assert "open_interest" not in result.extra
    assert result.report.ok


def test_the_last_hourly_candle_closes_at_1530_and_mcx_is_not_clamped() -> None:
    payload = candles(
        ["2024-01-01T14:15:00+0530", 10, 11, 9, 10, 5],
        ["2024-01-01T15:15:00+0530", 10, 11, 9, 10, 5],
    )
    nse = load_kite_candles(payload, NIFTY, interval="60minute")
    assert str(nse.data.bar_type) == f"{NIFTY}-1-HOUR-LAST-EXTERNAL"
    assert nse.data.ts_event.tolist() == [IST_1530 - 15 * MINUTE, IST_1530]
    mcx = load_kite_candles(
        payload, "CRUDEOIL24JANFUT.MCX", interval="60minute", session_close=None
    )
    assert mcx.data.ts_event.tolist()[1] == IST_1530 + 45 * MINUTE


def test_instrument_precision_and_decoded_floats() -> None:
    equity = TestInstrumentProvider.reliance_nse()
    payload = candles(["2024-01-01T09:15:00+0530", 2590.5, 2591.05, 2590, 2590.95, 1200])
    result = load_kite_candles(payload, equity.id, instrument=equity, interval="minute")
    bar = result.records()[0]
    assert bar.open == Price("2590.50")
    assert bar.open.precision == equity.price_precision
    assert bar.volume == Quantity("1200")


def test_numbers_are_taken_as_written_in_the_json(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(
        '{"status":"success","data":{"candles":[["2024-01-01T09:15:00+0530",'
        "0.1,0.30000000000000004,0.1,0.2,1]]}}"
    )
    with pytest.raises(DataLoadError, match="has more than 9 decimal places"):
        load_kite_candles(path, NIFTY, interval="minute")


def test_unsorted_candles_are_refused_or_repaired_with_open_interest_kept_aligned() -> None:
    payload = candles(
        ["2024-01-01T09:15:00+0530", 10, 11, 9, 10, 5, 100],
        ["2024-01-01T09:17:00+0530", 10, 11, 9, 10, 5, 300],
        ["2024-01-01T09:16:00+0530", 10, 11, 9, 10, 5, 200],
        ["2024-01-01T09:18:00+0530", 10, 11, 9, 10, 5, 400],
    )
    with pytest.raises(LoadValidationError, match=r"candles candle 2: timestamp_not_increasing"):
        load_kite_candles(payload, NIFTY, interval="minute")
    repaired = load_kite_candles(payload, NIFTY, interval="minute", repair=True)
    assert repaired.dropped.tolist() == [2]
    assert repaired.extra["open_interest"].tolist() == [100, 300, 400]


def test_the_interval_is_inferred_from_the_smallest_step() -> None:
    payload = candles(
        ["2024-01-01T09:15:00+0530", 10, 11, 9, 10, 5],
        ["2024-01-01T09:25:00+0530", 10, 11, 9, 10, 5],
        ["2024-01-01T09:30:00+0530", 10, 11, 9, 10, 5],
    )
    assert str(load_kite_candles(payload, NIFTY).data.bar_type) == f"{NIFTY}-5-MINUTE-LAST-EXTERNAL"
    one = candles(["2024-01-01T09:15:00+0530", 10, 11, 9, 10, 5])
    with pytest.raises(DataLoadError, match="cannot infer the interval; pass interval"):
        load_kite_candles(one, NIFTY)
    odd = candles(one["data"]["candles"][0], ["2024-01-01T09:17:00+0530", 10, 11, 9, 10, 5])  # type: ignore[index]
    with pytest.raises(DataLoadError, match="candles are 120 s apart"):
        load_kite_candles(odd, NIFTY)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (
            {"status": "error", "message": "Invalid token", "error_type": "TokenException"},
            "Invalid token",
        ),
        ({"data": {}}, "expected Kite historical data"),
        (candles(), "no candles"),
        (candles(["2024-01-01T09:15:00+0530", 1, 2]), r"candle 0: expected \[time, open"),
        (
            candles(
                ["2024-01-01T09:15:00+0530", 1, 1, 1, 1, 1],
                ["2024-01-01T09:16:00+0530", 1, 1, 1, 1, 1, 7],
            ),
            "some candles have open interest",
        ),
        (
            candles(["2024-01-01T09:15:00+0530", None, 1, 1, 1, 1]),
            r"candle 0: open None is not a number",
        ),
        (candles(["yesterday", 1, 1, 1, 1, 1]), r"candle 0: time 'yesterday' is not a date-time"),
    ],
)
def test_bad_payloads_are_named(payload: object, message: str) -> None:
    with pytest.raises(DataLoadError, match=message):
        load_kite_candles(payload, NIFTY, interval="minute")  # type: ignore[arg-type]


def test_bad_files_and_arguments_are_named(tmp_path: Path) -> None:
    with pytest.raises(DataLoadError, match=r"missing\.json: cannot read"):
        load_kite_candles(tmp_path / "missing.json", NIFTY)
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(DataLoadError, match=r"broken\.json: not JSON"):
        load_kite_candles(broken, NIFTY)
    with pytest.raises(DataLoadError, match="unknown Kite interval 'hour'"):
        load_kite_candles(
            candles(["2024-01-01T09:15:00+0530", 1, 1, 1, 1, 1]), NIFTY, interval="hour"
        )
    path = tmp_path / "ok.json"
    path.write_text(json.dumps(candles(["2024-01-01T09:15:00+0530", 1, 1, 1, 1, 1])))
    with pytest.raises(DataLoadError, match="invalid instrument id"):
        load_kite_candles(path, "NIFTY", interval="minute")
