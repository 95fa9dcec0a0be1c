"""``sq data``: import, validate, info, aggregate and replay, and clean failures on bad input."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shrivenquant.interfaces.cli.app import app
from shrivenquant.model.data import BarType
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.persistence.catalog import CatalogConfig, ParquetDataCatalog
from shrivenquant.testkit.instruments import TestInstrumentProvider

FIXTURES = Path(__file__).parents[1] / "data" / "fixtures"
VENUE_FIXTURES = Path(__file__).parents[1] / "adapters" / "fixtures"
runner = CliRunner(env={"COLUMNS": "250"})


def binance_zip(directory: Path, fixture: str) -> Path:
    stem = fixture.removesuffix(".csv")
    path = directory / f"{stem}.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr(f"{stem}.csv", (VENUE_FIXTURES / "binance" / fixture).read_text())
    return path


def sq(*args: str | Path) -> object:
    return runner.invoke(app, ["data", *map(str, args)])


def assert_clean_failure(result: object, *fragments: str) -> None:
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]  # type: ignore[attr-defined]
    assert len(error_lines) == 1, result.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in result.output  # type: ignore[attr-defined]
    for fragment in fragments:
        assert fragment in error_lines[0]


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    """A catalog with a day of BTCUSDT trades and klines and NIFTY minute candles."""
    root = tmp_path / "catalog"
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    binance_zip(downloads, "BTCUSDT-1m-2024-01-01.csv")
    binance_zip(downloads, "BTCUSDT-trades-2024-01-01.csv")
    result = sq("import", downloads, "--catalog", root)
    assert result.exit_code == 0, result.output
    kite = VENUE_FIXTURES / "kite" / "NIFTY24JANFUT-minute.json"
    result = sq("import", kite, "-i", "NIFTY24JANFUT.NSE", "--catalog", root)
    assert result.exit_code == 0, result.output
    return root


def test_import_detects_formats_and_writes_the_catalog(catalog: Path) -> None:
    stored = ParquetDataCatalog(catalog, CatalogConfig(fsync=False))
    assert len(stored.trade_ticks([InstrumentId("BTCUSDT.BINANCE")])) == 6
    assert len(stored.bars([BarType.from_str("BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL")])) == 5
    assert len(stored.bars([BarType.from_str("NIFTY24JANFUT.NSE-1-MINUTE-LAST-EXTERNAL")])) == 6


def test_import_summary_names_series_rows_and_flags(tmp_path: Path) -> None:
    kite = VENUE_FIXTURES / "kite" / "NIFTY24JANFUT-minute.json"
    result = sq(
        "import", kite, "-f", "kite-candles", "-i", "NIFTY24JANFUT.NSE", "-c", tmp_path / "c"
    )
    assert result.exit_code == 0, result.output
    assert "NIFTY24JANFUT.NSE-1-MINUTE-LAST-EXTERNAL" in result.output
    assert "1 gap" in result.output


def test_import_uses_the_catalogs_instrument_definition(tmp_path: Path) -> None:
    root = tmp_path / "c"
    perp = TestInstrumentProvider.btcusdt_perp_binance()
    ParquetDataCatalog(root, CatalogConfig(fsync=False)).write([perp])
    path = tmp_path / "BTCUSDT-trades-2024-01-01.zip"
    with zipfile.ZipFile(path, "w") as zipped:
        zipped.writestr(
            "BTCUSDT-trades-2024-01-01.csv",
            (VENUE_FIXTURES / "binance" / "BTCUSDT-trades-2024-01-01-um.csv").read_text(),
        )
    result = sq("import", path, "-i", str(perp.id), "-c", root)
    assert result.exit_code == 0, result.output
    trades = ParquetDataCatalog(root).trade_ticks([perp.id])
    assert {t.price.precision for t in trades} == {perp.price_precision}
    assert {t.size.precision for t in trades} == {perp.size_precision}


def test_import_csv_bars_with_a_column_map_and_time_zone(tmp_path: Path) -> None:
    root = tmp_path / "c"
    result = sq(
        "import",
        FIXTURES / "csv" / "nifty-bars.csv",
        "--format",
        "csv-bars",
        "--bar-type",
        "NIFTY24JANFUT.NSE-1-MINUTE-LAST-EXTERNAL",
        "--columns",
        "ts=Date,open=Open,high=High,low=Low,close=Close,volume=Volume",
        "--timezone",
        "Asia/Kolkata",
        "-c",
        root,
    )
    assert result.exit_code == 0, result.output
    bars = ParquetDataCatalog(root).bars()
    assert bars[0].ts_event == 1_704_080_760_000_000_000
    assert str(bars[0].open) == "21880.05"


def test_import_refuses_bad_rows_naming_file_and_line_then_repairs(tmp_path: Path) -> None:
    rows = (VENUE_FIXTURES / "binance" / "BTCUSDT-trades-2024-01-01.csv").read_text().splitlines()
    path = tmp_path / "BTCUSDT-trades-2024-01-01.zip"
    with zipfile.ZipFile(path, "w") as zipped:
        zipped.writestr("BTCUSDT-trades-2024-01-01.csv", "\n".join([rows[1], rows[0], *rows[2:]]))
    root = tmp_path / "c"
    result = sq("import", path, "-c", root)
    assert_clean_failure(result, "BTCUSDT-trades-2024-01-01.csv line 2: timestamp_not_increasing")
    result = sq("import", path, "--repair", "-c", root)
    assert result.exit_code == 0, result.output
    assert len(ParquetDataCatalog(root).trade_ticks()) == 5


def test_importing_the_same_file_twice_is_refused(catalog: Path, tmp_path: Path) -> None:
    again = binance_zip(tmp_path, "BTCUSDT-trades-2024-01-01.csv")
    assert_clean_failure(
        sq("import", again, "-c", catalog), "already holds BTCUSDT.BINANCE trade_tick"
    )


CSV_TRADES = ["-f", "csv-trades", "-i", "X.SIM"]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["import", "{tmp}/missing.zip"], "missing.zip: no such file or directory"),
        (["import", "{csv}"], "cannot tell the format from the file name"),
        (["import", "{csv}", "-f", "csv-bars"], "csv-bars files need a bar type"),
        (["import", "{csv}", *CSV_TRADES], "no column"),
        (["import", "{csv}", "-f", "csv-bars", "--bar-type", "nonsense"], "invalid BarType"),
        (["import", "{csv}", *CSV_TRADES, "--ts-unit", "hours"], "unknown timestamp unit"),
        (["import", "{csv}", *CSV_TRADES, "--columns", "oops"], "FIELD=COLUMN"),
        (["info"], "no catalog at"),
        (["validate"], "no catalog at"),
        (["replay"], "no catalog at"),
        (["aggregate", "--bar-type", "X.SIM-1-MINUTE-LAST-INTERNAL"], "no catalog at"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path: Path, args: list[str], fragment: str) -> None:
    values = {"csv": str(FIXTURES / "csv" / "nifty-bars.csv"), "tmp": str(tmp_path)}
    result = sq(*(arg.format(**values) for arg in args), "-c", tmp_path / "catalog")
    assert_clean_failure(result, fragment)


def test_the_catalog_defaults_to_the_configured_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SQ_HOME", str(tmp_path / "home"))
    kite = VENUE_FIXTURES / "kite" / "RELIANCE-day.json"
    assert sq("import", kite, "-i", "RELIANCE.NSE").exit_code == 0
    assert (tmp_path / "home" / "data" / "catalog" / "bar").is_dir()
    result = sq("info")
    assert result.exit_code == 0
    assert "RELIANCE.NSE-1-DAY-LAST-EXTERNAL" in result.output


def test_info_lists_every_series(catalog: Path) -> None:
    result = sq("info", "-c", catalog)
    assert result.exit_code == 0, result.output
    for expected in (
        "trade_tick",
        "BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL",
        "NIFTY24JANFUT.NSE-1-MINUTE-LAST-EXTERNAL",
        "2024-01-01T00:00:00.001Z",
    ):
        assert expected in result.output


def test_info_on_an_empty_catalog(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = sq("info", "-c", tmp_path / "empty")
    assert result.exit_code == 0
    assert "is empty" in result.output


def test_validate_strict_fails_on_problems_and_warn_does_not(catalog: Path) -> None:
    strict = sq("validate", "-c", catalog)
    assert strict.exit_code == 1, strict.output  # the NIFTY file misses 09:19-15:28
    assert "gap" in strict.output
    assert "bars missing" in strict.output
    warn = sq("validate", "-c", catalog, "--mode", "warn")
    assert warn.exit_code == 0, warn.output
    assert "warned" in warn.output
    only_trades = sq("validate", "-c", catalog, "--kind", "trade_tick")
    assert only_trades.exit_code == 0, only_trades.output


def test_validate_repair_writes_cleaned_data_to_another_catalog(tmp_path: Path) -> None:
    root = tmp_path / "c"
    stored = ParquetDataCatalog(root, CatalogConfig(fsync=False))
    trades = ParquetDataCatalog(tmp_path / "src")
    binance_zip(tmp_path, "BTCUSDT-trades-2024-01-01.csv")
    assert (
        sq("import", tmp_path / "BTCUSDT-trades-2024-01-01.zip", "-c", tmp_path / "src").exit_code
        == 0
    )
    records = trades.trade_ticks()
    stored.write([*records[:3], records[2], *records[3:]])  # one trade twice
    result = sq("validate", "-c", root, "--mode", "repair", "--output", tmp_path / "clean")
    assert result.exit_code == 0, result.output
    assert "duplicate" in result.output
    assert ParquetDataCatalog(tmp_path / "clean").trade_ticks() == records
    assert_clean_failure(
        sq("validate", "-c", root, "--output", tmp_path / "x"), "--output needs --mode repair"
    )
    assert_clean_failure(sq("validate", "-c", root, "--kind", "instrument"), "not validated")


def test_aggregate_builds_internal_bars_from_trades(catalog: Path) -> None:
    bar_type = "BTCUSDT.BINANCE-1-SECOND-LAST-INTERNAL"
    result = sq("aggregate", "--bar-type", bar_type, "--end", "2024-01-01T00:00:02Z", "-c", catalog)
    assert result.exit_code == 0, result.output
    assert "Wrote 2" in result.output
    bars = ParquetDataCatalog(catalog).bars([BarType.from_str(bar_type)])
    assert [str(b.close) for b in bars] == ["42283.58", "42284.00"]
    assert_clean_failure(sq("aggregate", "--bar-type", bar_type, "-c", catalog), "already holds")
    external = "BTCUSDT.BINANCE-1-SECOND-LAST-EXTERNAL"
    assert_clean_failure(sq("aggregate", "--bar-type", external, "-c", catalog), "are INTERNAL")
    missing = "ETHUSDT.BINANCE-1-SECOND-LAST-INTERNAL"
    assert_clean_failure(
        sq("aggregate", "--bar-type", missing, "-c", catalog), "no trades of ETHUSDT"
    )


def test_replay_publishes_everything_in_order_and_reports_the_rate(catalog: Path) -> None:
    result = sq("replay", "-c", catalog)
    assert result.exit_code == 0, result.output
    assert "Published 17 records" in result.output  # 6 trades + 5 + 6 bars
    assert "TradeTick" in result.output
    assert "/s)" in result.output
    limited = sq("replay", "-c", catalog, "--kind", "trade_tick", "--limit", "4", "--speed", "1000")
    assert limited.exit_code == 0, limited.output
    assert "Published 4 records" in limited.output
    assert "1000x recorded speed" in limited.output
    one = sq("replay", "-c", catalog, "-i", "NIFTY24JANFUT.NSE", "--start", "2024-01-02")
    assert "Published 1 records" in one.output


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--speed", "2", "--fast"], "exclude each other"),
        (["--speed", "0"], "--speed must be > 0"),
        (["--limit", "0"], "--limit must be >= 1"),
        (["--kind", "candles"], "unknown data kind 'candles'"),
        (["--start", "soon"], "start"),
    ],
)
def test_replay_bad_options(catalog: Path, args: list[str], fragment: str) -> None:
    assert_clean_failure(sq("replay", "-c", catalog, *args), fragment)
