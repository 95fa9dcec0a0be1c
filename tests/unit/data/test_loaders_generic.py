"""Generic CSV/Parquet loaders: column maps, time zones, precisions, validation on load."""

from __future__ import annotations

import gzip
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from shrivenquant.data.loaders import (
    BarColumns,
    CsvFormat,
    DataLoadError,
    LoadValidationError,
    QuoteColumns,
    TimeFormat,
    TradeColumns,
    load_bars,
    load_quotes,
    load_trades,
)
from shrivenquant.data.validation import Problem, ValidationMode
from shrivenquant.model.codec import MessageCodec
from shrivenquant.model.data import Bar, BarType, QuoteTick, TradeTick
from shrivenquant.model.enums import AggressorSide
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.model.values import Price, Quantity
from shrivenquant.persistence.catalog import CatalogConfig, ParquetDataCatalog
from shrivenquant.testkit.instruments import TestInstrumentProvider

FIXTURES = Path(__file__).parent / "fixtures" / "csv"
NIFTY_BARS = BarType.from_str("NIFTY24JANFUT.NSE-1-MINUTE-LAST-EXTERNAL")
IST_0916 = 1_704_080_760_000_000_000  # 2024-01-01 09:16 IST: the first bar's close
KOLKATA = TimeFormat(timezone="Asia/Kolkata")
NIFTY_COLUMNS = BarColumns(
    ts="Date", open="Open", high="High", low="Low", close="Close", volume="Volume"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_csv_bars_with_a_column_map_and_ist_wall_clock_times() -> None:
    result = load_bars(FIXTURES / "nifty-bars.csv", NIFTY_BARS, columns=NIFTY_COLUMNS, time=KOLKATA)
    bars = result.records()
    assert [b.ts_event for b in bars] == [IST_0916, IST_0916 + 60 * 10**9, IST_0916 + 120 * 10**9]
    assert bars[0] == Bar(
        bar_type=NIFTY_BARS,
        open=Price("21880.05"),
        high=Price("21899.95"),
        low=Price("21861.10"),
        close=Price("21893.00"),
        volume=Quantity("98150"),
        ts_event=IST_0916,
        ts_init=IST_0916,
    )
    assert result.report.ok
    assert result.report.mode is ValidationMode.STRICT
    assert result.source.endswith("nifty-bars.csv")


def test_close_labelled_bars_keep_their_time(tmp_path: Path) -> None:
    path = write(tmp_path, "b.csv", "t,o,h,l,c\n1704067260,1,2,0.5,1.5\n")
    columns = {"ts": "t", "open": "o", "high": "h", "low": "l", "close": "c", "volume": None}
    columns["label"] = "close"
    result = load_bars(path, "X.SIM-1-MINUTE-LAST-EXTERNAL", columns=columns)
    assert result.data.ts_event.tolist() == [1_704_067_260 * 10**9]
    assert result.data.volume.tolist() == [0]
    assert (result.data.price_precision, result.data.size_precision) == (1, 0)


def test_month_bars_need_close_times(tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", "timestamp,open,high,low,close,volume\n1704067200,1,1,1,1,1\n")
    with pytest.raises(DataLoadError, match="no fixed length"):
        load_bars(path, "X.SIM-1-MONTH-LAST-EXTERNAL")


def test_csv_trades_with_sides_iso_times_and_a_semicolon() -> None:
    columns = TradeColumns(ts="timestamp", size="amount", side="side", trade_id="tid")
    result = load_trades(
        FIXTURES / "eth-trades.csv",
        "ETHUSDT.BINANCE",
        columns=columns,
        csv=CsvFormat(delimiter=";"),
    )
    trades = result.records()
    assert [t.aggressor_side for t in trades] == [
        AggressorSide.BUYER,
        AggressorSide.SELLER,
        AggressorSide.BUYER,
    ]
    assert [str(t.trade_id) for t in trades] == ["t-1", "t-2", "t-3"]
    assert [str(t.size) for t in trades] == ["0.2500", "1.0000", "0.0125"]
    assert trades[2].ts_event == 1_704_067_201_500_000_000


def test_trades_without_ids_get_ids_from_their_time(tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", "timestamp,price,size\n1,10,1\n1,11,2\n2,10,1\n")
    result = load_trades(path, "X.SIM", columns={"trade_id": None}, time=TimeFormat(unit="s"))
    assert [str(t.trade_id) for t in result.records()] == [
        "1000000000-0",
        "1000000000-1",
        "2000000000-0",
    ]


def test_csv_quotes_with_decimal_second_times() -> None:
    columns = QuoteColumns(
        ts="ts", bid_price="bid", ask_price="ask", bid_size="bid_qty", ask_size="ask_qty"
    )
    result = load_quotes(FIXTURES / "btc-quotes.csv", "BTCUSDT.BINANCE", columns=columns)
    quotes = result.records()
    assert isinstance(quotes[0], QuoteTick)
    assert [q.ts_event for q in quotes] == [
        1_704_067_200_000_000_000,
        1_704_067_200_250_000_000,
        1_704_067_200_500_000_000,
    ]
    assert [str(q.bid_size) for q in quotes] == ["1.250", "1.200", "0.001"]
    assert str(quotes[1].ask_price) == "42283.60"


def test_files_without_a_header_use_positions_and_gzip_is_read(tmp_path: Path) -> None:
    path = tmp_path / "t.csv.gz"
    path.write_bytes(gzip.compress(b"1704067200000,42283.58,0.001,1\n1704067200001,42283.59,2,2\n"))
    columns = TradeColumns(ts="0", price="1", size="2", trade_id="3")
    result = load_trades(path, "BTCUSDT.BINANCE", columns=columns, csv=CsvFormat(header=False))
    assert [str(t.price) for t in result.records()] == ["42283.58", "42283.59"]


def test_parquet_with_typed_columns(tmp_path: Path) -> None:
    path = tmp_path / "bars.parquet"
    table = pa.table(
        {
            "time": pa.array([1_704_067_200_000, 1_704_067_260_000], pa.int64()),
            "open": pa.array([Decimal("42283.58"), Decimal("42298.62")], pa.decimal128(18, 8)),
            "high": pa.array([42298.62, 42320.0]),
            "low": pa.array(["42261.02", "42298.61"]),
            "close": pa.array([42298, 42320], pa.int32()),
            "volume": pa.array([Decimal("35.92724"), Decimal("21.05592")], pa.decimal128(12, 5)),
        }
    )
    pq.write_table(table, path)
    result = load_bars(path, "BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL", columns={"ts": "time"})
    bars = result.records()
    assert [str(b.open) for b in bars] == ["42283.58", "42298.62"]
    assert [str(b.high) for b in bars] == ["42298.62", "42320.00"]
    assert [str(b.close) for b in bars] == ["42298.00", "42320.00"]
    assert [str(b.volume) for b in bars] == ["35.92724", "21.05592"]
    assert bars[0].ts_event == 1_704_067_260_000_000_000


def test_instrument_precisions_apply_and_are_enforced(tmp_path: Path) -> None:
    btc = TestInstrumentProvider.btcusdt_binance()
    path = write(tmp_path, "t.csv", "timestamp,price,size,trade_id\n1,42283.5,1,a\n")
    result = load_trades(path, btc.id, instrument=btc, time=TimeFormat(unit="s"))
    assert result.data.price_precision == btc.price_precision
    assert result.data.size_precision == btc.size_precision
    bad = write(tmp_path, "u.csv", "timestamp,price,size,trade_id\n1704067200,42283.555,1,a\n")
    with pytest.raises(DataLoadError, match=r"u\.csv line 2: price '42283\.555' is not exact"):
        load_trades(bad, btc.id, instrument=btc)
    with pytest.raises(DataLoadError, match=r"instrument BTCUSDT\.BINANCE given for ETH"):
        load_trades(path, "ETHUSDT.BINANCE", instrument=btc)
    with pytest.raises(DataLoadError, match="price_precision 3 disagrees"):
        load_trades(path, btc.id, instrument=btc, price_precision=3)


UNSORTED = "timestamp,price,size,trade_id\n1,10,1,a\n3,10,1,b\n2,10,1,c\n4,10,1,d\n"
DUPLICATED = "timestamp,price,size,trade_id\n1,10,1,a\n2,10,1,b\n3,10,1,b\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (UNSORTED, r"t\.csv line 4: timestamp_not_increasing: ts_event .* \(1 bad rows"),
        (DUPLICATED, r"t\.csv line 4: duplicate: same trade id b as row 1"),
    ],
)
def test_bad_rows_are_refused_naming_the_file_and_line(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, "t.csv", text)
    with pytest.raises(LoadValidationError, match=message) as caught:
        load_trades(path, "X.SIM", time=TimeFormat(unit="s"))
    assert caught.value.report.mode is ValidationMode.STRICT
    assert caught.value.report.rows_dropped == 0


def test_inconsistent_bars_are_refused_and_repaired(tmp_path: Path) -> None:
    text = (
        "timestamp,open,high,low,close,volume\n"
        "60,10,11,9,10,1\n120,10,9,9.5,10,1\n180,10,11,9,10,1\n"
    )
    path = write(tmp_path, "bars.csv", text)
    bar_type = "X.SIM-1-MINUTE-LAST-EXTERNAL"
    with pytest.raises(LoadValidationError, match=r"bars\.csv line 3: ohlc_inconsistent"):
        load_bars(path, bar_type, time=TimeFormat(unit="s"))
    result = load_bars(path, bar_type, time=TimeFormat(unit="s"), repair=True)
    assert len(result) == 2
    assert result.dropped.tolist() == [1]
    assert result.report.rows_dropped == 1
    assert result.report.count(Problem.OHLC_INCONSISTENT) == 1
    assert result.report.mode is ValidationMode.REPAIR


def test_gaps_are_reported_not_refused(tmp_path: Path) -> None:
    text = "timestamp,open,high,low,close,volume\n60,10,11,9,10,1\n300,10,11,9,10,1\n"
    path = write(tmp_path, "bars.csv", text)
    result = load_bars(path, "X.SIM-1-MINUTE-LAST-EXTERNAL", time=TimeFormat(unit="s"))
    assert len(result) == 2
    assert result.flagged[Problem.GAP].tolist() == [1]


@pytest.mark.parametrize(
    ("text", "columns", "message"),
    [
        ("a,b\n1,2\n", None, r"no column \['timestamp', 'price', 'size', 'trade_id'\]"),
        ("timestamp,price,size,trade_id\n1704067200,10,-1,a\n", None, r"line 2: size is negative"),
        ("timestamp,price,size,trade_id\n1704067200,10,1,\n", None, r"line 2: trade_id is empty"),
        (
            "timestamp,price,size,trade_id,s\n1704067200,10,1,a,up\n",
            {"side": "s"},
            r"line 2: s 'up' is not",
        ),
        ("", None, r"cannot read as CSV"),
    ],
)
def test_unreadable_input_is_named(
    tmp_path: Path, text: str, columns: dict[str, str] | None, message: str
) -> None:
    path = write(tmp_path, "t.csv", text)
    with pytest.raises(DataLoadError, match=message):
        load_trades(path, "X.SIM", columns=columns)


def test_bad_arguments_are_named(tmp_path: Path) -> None:
    with pytest.raises(DataLoadError, match=r"nope\.csv: no such file"):
        load_trades(tmp_path / "nope.csv", "X.SIM")
    with pytest.raises(DataLoadError, match="unknown TradeColumns fields"):
        load_trades(tmp_path / "nope.csv", "X.SIM", columns={"qty": "q"})
    with pytest.raises(DataLoadError, match="invalid instrument id"):
        load_trades(tmp_path / "nope.csv", "no venue")
    with pytest.raises(DataLoadError, match="invalid BarType"):
        load_bars(tmp_path / "nope.csv", "BTCUSDT")
    with pytest.raises(DataLoadError, match="bar label must be"):
        BarColumns(label="middle")
    with pytest.raises(DataLoadError, match="delimiter must be one character"):
        CsvFormat(delimiter="::")


def test_loaded_data_round_trips_through_the_catalog_and_codec(tmp_path: Path) -> None:
    columns = TradeColumns(ts="timestamp", size="amount", side="side", trade_id="tid")
    result = load_trades(
        FIXTURES / "eth-trades.csv",
        "ETHUSDT.BINANCE",
        columns=columns,
        csv=CsvFormat(delimiter=";"),
    )
    catalog = ParquetDataCatalog(tmp_path / "catalog", CatalogConfig(fsync=False))
    catalog.write_arrays(result.data)
    stored = catalog.trade_ticks([InstrumentId("ETHUSDT.BINANCE")])
    assert stored == result.records()
    codec = MessageCodec()
    for trade in stored:
        assert isinstance(trade, TradeTick)
        assert codec.decode(codec.encode(trade)) == trade
