"""One test per anomaly in each mode: STRICT raises, REPAIR drops or flags, WARN logs."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from structlog.testing import capture_logs

from shrivenquant.core.time import NANOS_PER_HOUR, NANOS_PER_MINUTE, NANOS_PER_SECOND
from shrivenquant.data.validation import (
    DataValidationError,
    Problem,
    TradingSessions,
    ValidationConfig,
    ValidationMode,
    validate,
)
from shrivenquant.model.data import (
    Bar,
    BarType,
    BookOrder,
    OrderBookDelta,
    QuoteTick,
    TradeTick,
)
from shrivenquant.model.enums import AggressorSide, BookAction, OrderSide
from shrivenquant.model.identifiers import InstrumentId, TradeId
from shrivenquant.model.values import Price, Quantity

BTC = InstrumentId("BTCUSDT.BINANCE")
NIFTY = InstrumentId("NIFTY25DECFUT.NSE")
T0 = 1_704_153_600_000_000_000  # Tue 2024-01-02 00:00 UTC
IST_0915 = T0 + 3 * NANOS_PER_HOUR + 45 * NANOS_PER_MINUTE  # 09:15 IST that day
MODES = [ValidationMode.STRICT, ValidationMode.REPAIR, ValidationMode.WARN]
MINUTE_BARS = BarType.from_str("NIFTY25DECFUT.NSE-1-MINUTE-LAST-EXTERNAL")


def trades(
    count: int = 40,
    *,
    start: int = T0,
    step: int = NANOS_PER_SECOND,
    instrument: InstrumentId = BTC,
) -> list[TradeTick]:
    return [
        TradeTick(
            instrument_id=instrument,
            price=Price(f"{100 + (i % 3)}.00"),
            size=Quantity("1.5"),
            aggressor_side=AggressorSide.BUYER,
            trade_id=TradeId(f"T{i}"),
            ts_event=start + i * step,
            ts_init=start + i * step,
        )
        for i in range(count)
    ]


def replace(record: Any, **changes: Any) -> Any:
    fields = {name: getattr(record, name) for name in record.__struct_fields__}
    return type(record)(**{**fields, **changes})


def quotes(count: int = 20) -> list[QuoteTick]:
    return [
        QuoteTick(
            instrument_id=BTC,
            bid_price=Price("100.00"),
            ask_price=Price("100.10"),
            bid_size=Quantity("1"),
            ask_size=Quantity("2"),
            ts_event=T0 + i,
            ts_init=T0 + i,
        )
        for i in range(count)
    ]


def bars(count: int = 30, start: int = IST_0915 + NANOS_PER_MINUTE) -> list[Bar]:
    return [
        Bar(
            bar_type=MINUTE_BARS,
            open=Price("100.0"),
            high=Price("101.0"),
            low=Price("99.0"),
            close=Price("100.5"),
            volume=Quantity("75"),
            ts_event=start + i * NANOS_PER_MINUTE,
            ts_init=start + i * NANOS_PER_MINUTE,
        )
        for i in range(count)
    ]


def deltas(sequences: list[int]) -> list[OrderBookDelta]:
    return [
        OrderBookDelta(
            instrument_id=BTC,
            action=BookAction.UPDATE,
            order=BookOrder(side=OrderSide.BUY, price=Price("100.00"), size=Quantity(str(i + 1))),
            sequence=seq,
            ts_event=T0 + i,
            ts_init=T0 + i,
        )
        for i, seq in enumerate(sequences)
    ]


def run_mode(
    data: list[Any],
    mode: ValidationMode,
    problem: Problem,
    row: int,
    config: ValidationConfig | None = None,
) -> None:
    """Check what ``mode`` does with data whose only problem is ``problem`` at ``row``."""
    if mode is ValidationMode.STRICT:
        with pytest.raises(DataValidationError) as caught:
            validate(data, mode, config, source="file-x.parquet")
        assert f"file-x.parquet row {row}: {problem.value}" in str(caught.value)
        assert set(caught.value.report.problems) == {problem}
        return
    with capture_logs() as logs:
        result = validate(data, mode, config, source="file-x.parquet")
    report = result.report
    assert set(report.problems) == {problem}
    assert report.problems[problem].examples[0].row == row
    if mode is ValidationMode.WARN:
        assert result.data is data
        assert report.problems[problem].action == "warned"
        assert [(log["problem"], log["first_row"]) for log in logs] == [(problem.value, row)]
        return
    assert logs == []
    if problem.repair == "drop":
        assert result.data == data[:row] + data[row + 1 :]
        assert report.rows_dropped == 1
        assert result.dropped.tolist() == [row]
        again = validate(result.data, ValidationMode.REPAIR, config).report
        assert again.count(problem) == 0
    else:
        assert result.data == data
        assert result.flagged[problem].tolist() == [row]
        assert report.problems[problem].action == "flag"


@pytest.mark.parametrize("mode", MODES)
def test_timestamp_not_increasing(mode: ValidationMode) -> None:
    data = trades()
    data[12] = replace(
        data[12], ts_event=T0 + 3 * NANOS_PER_SECOND, ts_init=T0 + 3 * NANOS_PER_SECOND
    )
    run_mode(data, mode, Problem.TIMESTAMP_NOT_INCREASING, 12)


@pytest.mark.parametrize("mode", MODES)
def test_duplicate_trade_id(mode: ValidationMode) -> None:
    data = trades()
    data[20] = replace(data[20], trade_id=TradeId("T7"))
    run_mode(data, mode, Problem.DUPLICATE, 20)


@pytest.mark.parametrize("mode", MODES)
def test_gap_in_time_bars_within_sessions(mode: ValidationMode) -> None:
    data = bars(30)
    data = data[:10] + data[15:]  # five minutes missing at 09:26..09:30 IST
    run_mode(data, mode, Problem.GAP, 10, ValidationConfig(sessions=nse_sessions()))


@pytest.mark.parametrize("mode", MODES)
def test_gap_between_ticks(mode: ValidationMode) -> None:
    data = trades(30)
    pause = 90 * NANOS_PER_SECOND
    late = [replace(t, ts_event=t.ts_event + pause, ts_init=t.ts_init + pause) for t in data[17:]]
    run_mode(
        data[:17] + late,
        mode,
        Problem.GAP,
        17,
        ValidationConfig(max_tick_gap_ns=60 * NANOS_PER_SECOND),
    )


@pytest.mark.parametrize("mode", MODES)
def test_out_of_session(mode: ValidationMode) -> None:
    data = trades(20, start=IST_0915 + NANOS_PER_MINUTE, instrument=NIFTY)
    evening = IST_0915 + 7 * NANOS_PER_HOUR  # 16:15 IST, after the close
    data.append(replace(data[-1], trade_id=TradeId("late"), ts_event=evening, ts_init=evening))
    run_mode(data, mode, Problem.OUT_OF_SESSION, 20, ValidationConfig(sessions=nse_sessions()))


@pytest.mark.parametrize("mode", MODES)
def test_ohlc_inconsistent(mode: ValidationMode) -> None:
    data = bars(10)
    data[4] = replace(data[4], high=Price("100.4"))  # below the close 100.5
    run_mode(data, mode, Problem.OHLC_INCONSISTENT, 4, ValidationConfig(sessions=nse_sessions()))


@pytest.mark.parametrize("mode", MODES)
def test_non_positive_size(mode: ValidationMode) -> None:
    data = trades()
    data[9] = replace(data[9], size=Quantity("0.0"))
    run_mode(data, mode, Problem.NON_POSITIVE, 9)


@pytest.mark.parametrize("mode", MODES)
def test_crossed_book(mode: ValidationMode) -> None:
    data = quotes()
    data[6] = replace(data[6], bid_price=Price("100.20"))
    run_mode(data, mode, Problem.CROSSED_BOOK, 6)


@pytest.mark.parametrize("mode", MODES)
def test_locked_book(mode: ValidationMode) -> None:
    data = quotes()
    data[3] = replace(data[3], bid_price=Price("100.10"))
    run_mode(data, mode, Problem.LOCKED_BOOK, 3)


@pytest.mark.parametrize("mode", MODES)
def test_sequence_not_increasing(mode: ValidationMode) -> None:
    run_mode(deltas([1, 2, 3, 4, 2, 5, 6]), mode, Problem.SEQUENCE_NOT_INCREASING, 4)


@pytest.mark.parametrize("mode", MODES)
def test_sequence_gap(mode: ValidationMode) -> None:
    run_mode(deltas([1, 2, 3, 3, 7, 8]), mode, Problem.SEQUENCE_GAP, 4)


@pytest.mark.parametrize("mode", MODES)
def test_outlier(mode: ValidationMode) -> None:
    data = trades(60)
    data[30] = replace(data[30], price=Price("130.00"))
    run_mode(data, mode, Problem.OUTLIER, 30, ValidationConfig(outlier_zscore=10))


def nse_sessions() -> TradingSessions:
    return TradingSessions.nse(holidays=[date(2024, 1, 26)])
