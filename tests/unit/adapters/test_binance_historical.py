"""Binance public data archives (spot and USD-M futures klines, trades and aggTrades)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from shrivenquant.adapters.binance.historical import (
    load_binance_agg_trades,
    load_binance_klines,
    load_binance_trades,
    parse_file_name,
)
from shrivenquant.adapters.historical import DataFormat, detect_format
from shrivenquant.data.loaders import DataLoadError, LoadValidationError
from shrivenquant.model.data import Bar, BarType, TradeTick
from shrivenquant.model.enums import AggressorSide
from shrivenquant.model.identifiers import InstrumentId, TradeId
from shrivenquant.model.values import Price, Quantity
from shrivenquant.testkit.instruments import TestInstrumentProvider

FIXTURES = Path(__file__).parent / "fixtures" / "binance"
T0 = 1_704_067_200_000_000_000  # 2024-01-01 00:00 UTC
MINUTE = 60 * 10**9


def archive(tmp_path: Path, fixture: str, name: str | None = None, text: str | None = None) -> Path:
    """Zip a fixture CSV the way data.binance.vision ships it (``X.zip`` holding ``X.csv``)."""
    stem = (name or fixture).removesuffix(".csv").removesuffix("-um")
    path = tmp_path / f"{stem}.zip"
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr(f"{Path(stem).name}.csv", text or (FIXTURES / fixture).read_text())
    return path


def test_spot_klines_from_a_daily_archive(tmp_path: Path) -> None:
    result = load_binance_klines(archive(tmp_path, "BTCUSDT-1m-2024-01-01.csv"))
    bars = result.records()
    bar_type = BarType.from_str("BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL")
    assert result.data.bar_type == bar_type
    assert len(bars) == 5
    assert bars[0] == Bar(
        bar_type=bar_type,
        open=Price("42283.58"),
        high=Price("42298.62"),
        low=Price("42261.02"),
        close=Price("42298.61"),
        volume=Quantity("35.92724"),
        ts_event=T0 + MINUTE,  # close time 00:00:59.999 + 1 ms: the interval's end
        ts_init=T0 + MINUTE,
    )
    assert [b.ts_event for b in bars] == [T0 + k * MINUTE for k in range(1, 6)]
    assert result.source.endswith("BTCUSDT-1m-2024-01-01.zip:BTCUSDT-1m-2024-01-01.csv")


def test_spot_klines_from_2025_use_microseconds(tmp_path: Path) -> None:
    result = load_binance_klines(archive(tmp_path, "BTCUSDT-1m-2025-01-01.csv"))
    start = 1_735_689_600_000_000_000
    assert result.data.ts_event.tolist() == [start + k * MINUTE for k in range(1, 4)]
    assert str(result.records()[0].close) == "93610.93"


def test_futures_klines_have_a_header_and_an_instrument_is_given(tmp_path: Path) -> None:
    perp = TestInstrumentProvider.btcusdt_perp_binance()
    path = archive(tmp_path, "BTCUSDT-1h-2024-01-01-um.csv")
    result = load_binance_klines(path, perp.id, instrument=perp)
    assert str(result.data.bar_type) == f"{perp.id}-1-HOUR-LAST-EXTERNAL"
    bars = result.records()
    assert [b.ts_event for b in bars] == [T0 + k * 60 * MINUTE for k in range(1, 4)]
    assert bars[0].open == Price("42314.00")
    assert bars[0].open.precision == perp.price_precision
    assert bars[0].volume == Quantity("9245.284")


def test_renamed_kline_files_take_the_interval_from_the_data(tmp_path: Path) -> None:
    path = archive(tmp_path, "BTCUSDT-1h-2024-01-01-um.csv", "hourly.csv")
    result = load_binance_klines(path, "BTCUSDT.BINANCE")
    assert str(result.data.bar_type) == "BTCUSDT.BINANCE-1-HOUR-LAST-EXTERNAL"
    with pytest.raises(DataLoadError, match="cannot tell the symbol from the file name"):
        load_binance_klines(path)


def test_an_explicit_bar_type_wins(tmp_path: Path) -> None:
    path = archive(tmp_path, "BTCUSDT-1m-2024-01-01.csv")
    result = load_binance_klines(path, bar_type="BTCUSDT.BINANCE-60-SECOND-LAST-EXTERNAL")
    assert str(result.data.bar_type) == "BTCUSDT.BINANCE-60-SECOND-LAST-EXTERNAL"
    with pytest.raises(DataLoadError, match=r"is not of instrument ETHUSDT\.BINANCE"):
        load_binance_klines(
            path, "ETHUSDT.BINANCE", bar_type="BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL"
        )


def test_spot_trades(tmp_path: Path) -> None:
    trades = load_binance_trades(archive(tmp_path, "BTCUSDT-trades-2024-01-01.csv")).records()
    assert len(trades) == 6
    assert trades[0] == TradeTick(
        instrument_id=InstrumentId("BTCUSDT.BINANCE"),
        price=Price("42283.58"),
        size=Quantity("0.00100"),
        aggressor_side=AggressorSide.SELLER,  # the buyer was the maker
        trade_id=TradeId("3359588490"),
        ts_event=T0 + 1_000_000,
        ts_init=T0 + 1_000_000,
    )
    assert trades[1].aggressor_side is AggressorSide.BUYER
    assert [str(t.size) for t in trades] == [
        "0.00100",
        "0.01000",
        "0.00236",
        "0.04130",
        "0.00300",
        "0.50000",
    ]


def test_futures_trades_have_a_header_and_six_columns(tmp_path: Path) -> None:
    path = archive(tmp_path, "BTCUSDT-trades-2024-01-01-um.csv")
    trades = load_binance_trades(path, "BTCUSDT-PERP.BINANCE").records()
    assert [str(t.trade_id) for t in trades] == [
        "4389420011",
        "4389420012",
        "4389420013",
        "4389420014",
    ]
    assert [t.aggressor_side for t in trades] == [
        AggressorSide.SELLER,
        AggressorSide.BUYER,
        AggressorSide.BUYER,
        AggressorSide.SELLER,
    ]
    assert trades[2].size == Quantity("1.202")
    assert trades[0].instrument_id == InstrumentId("BTCUSDT-PERP.BINANCE")


def test_agg_trades_spot_and_futures(tmp_path: Path) -> None:
    spot = load_binance_agg_trades(archive(tmp_path, "BTCUSDT-aggTrades-2024-01-01.csv"))
    assert [str(t.trade_id) for t in spot.records()] == [
        "2950871245",
        "2950871246",
        "2950871247",
        "2950871248",
    ]
    assert spot.records()[1].size == Quantity("0.01236")
    futures = load_binance_agg_trades(
        archive(tmp_path, "BTCUSDT-aggTrades-2024-01-01-um.csv", "f/BTCUSDT-aggTrades-2024-01-01"),
        "BTCUSDT-PERP.BINANCE",
    )
    assert futures.records()[1].size == Quantity("1.206")


def test_extracted_csv_files_are_read_too(tmp_path: Path) -> None:
    path = tmp_path / "BTCUSDT-trades-2024-01-01.csv"
    path.write_text((FIXTURES / "BTCUSDT-trades-2024-01-01.csv").read_text())
    assert len(load_binance_trades(path)) == 6


def test_duplicated_trades_are_refused_with_the_member_and_line(tmp_path: Path) -> None:
    lines = (FIXTURES / "BTCUSDT-trades-2024-01-01.csv").read_text().splitlines()
    doubled = "\n".join([*lines[:3], lines[2], *lines[3:]]) + "\n"
    path = archive(tmp_path, "BTCUSDT-trades-2024-01-01.csv", text=doubled)
    with pytest.raises(
        LoadValidationError,
        match=r"BTCUSDT-trades-2024-01-01\.zip:BTCUSDT-trades-2024-01-01\.csv line 4: duplicate",
    ):
        load_binance_trades(path)
    repaired = load_binance_trades(path, repair=True)
    assert len(repaired) == 6
    assert repaired.dropped.tolist() == [3]


def test_wrong_files_are_named(tmp_path: Path) -> None:
    klines = archive(tmp_path, "BTCUSDT-1m-2024-01-01.csv")
    with pytest.raises(DataLoadError, match="12 columns, expected 6 to 7"):
        load_binance_trades(klines)
    not_zip = tmp_path / "BTCUSDT-trades-2024-01-02.zip"
    not_zip.write_text("hello")
    with pytest.raises(DataLoadError, match="not a readable zip archive"):
        load_binance_trades(not_zip)
    two = tmp_path / "BTCUSDT-trades-2024-01-03.zip"
    with zipfile.ZipFile(two, "w") as zipped:
        zipped.writestr("a.csv", "1,2,3,4,5,True,True\n")
        zipped.writestr("b.csv", "1,2,3,4,5,True,True\n")
    with pytest.raises(
        DataLoadError, match=r"expected one CSV file in the archive, found \['a.csv', 'b.csv'\]"
    ):
        load_binance_trades(two)
    empty = tmp_path / "BTCUSDT-trades-2024-01-04.zip"
    with zipfile.ZipFile(empty, "w") as zipped:
        zipped.writestr("BTCUSDT-trades-2024-01-04.csv", "")
    with pytest.raises(DataLoadError, match="the file is empty"):
        load_binance_trades(empty)
    with pytest.raises(DataLoadError, match="no such file"):
        load_binance_trades(tmp_path / "BTCUSDT-trades-2024-01-05.zip")


def test_file_names_tell_symbol_and_kind() -> None:
    assert parse_file_name("BTCUSDT-1m-2024-01-01.zip") == ("BTCUSDT", "1m")
    assert parse_file_name("ETHUSDT-1mo-2024-01.zip") == ("ETHUSDT", "1mo")
    assert parse_file_name("BTCUSDT-aggTrades-2024-01.zip") == ("BTCUSDT", "aggTrades")
    assert parse_file_name("prices.zip") is None
    assert detect_format("x/BTCUSDT-trades-2024-01-01.zip") is DataFormat.BINANCE_TRADES
    assert detect_format("BTCUSDT-aggTrades-2024-01-01.zip") is DataFormat.BINANCE_AGG_TRADES
    assert detect_format("BTCUSDT-15m-2024-01.zip") is DataFormat.BINANCE_KLINES
    assert detect_format("nifty.json") is DataFormat.KITE_CANDLES
    assert detect_format("prices.csv") is None
