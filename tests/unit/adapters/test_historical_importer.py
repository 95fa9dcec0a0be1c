"""CatalogImporter: formats from names, definitions from the catalog, no double imports."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from shrivenquant.adapters.historical import (
    CatalogImporter,
    DataFormat,
    ImportSpec,
    series_key,
    source_files,
)
from shrivenquant.data.loaders import DataLoadError
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.persistence.catalog import CatalogConfig, DataKind, ParquetDataCatalog
from shrivenquant.testkit.instruments import TestInstrumentProvider

FIXTURES = Path(__file__).parent / "fixtures" / "binance"
TRADES = (FIXTURES / "BTCUSDT-trades-2024-01-01.csv").read_text()
DAY_MS = 86_400_000


def trades_zip(folder: Path, day: int, text: str = TRADES) -> Path:
    """The fixture's trades moved ``day`` days on, in a Binance-named archive."""
    if day:
        rows = [line.split(",") for line in text.splitlines()]
        for row in rows:
            row[4] = str(int(row[4]) + day * DAY_MS)
        text = "\n".join(",".join(row) for row in rows) + "\n"
    name = f"BTCUSDT-trades-2024-01-{day + 1:02d}"
    path = folder / f"{name}.zip"
    with zipfile.ZipFile(path, "w") as zipped:
        zipped.writestr(f"{name}.csv", text)
    return path


@pytest.fixture
def catalog(tmp_path: Path) -> ParquetDataCatalog:
    return ParquetDataCatalog(tmp_path / "catalog", CatalogConfig(fsync=False))


def test_days_import_in_any_order_but_never_twice(
    tmp_path: Path, catalog: ParquetDataCatalog
) -> None:
    importer = CatalogImporter(catalog, ImportSpec())
    for day in (2, 0, 1):
        result = importer.import_file(trades_zip(tmp_path, day))
        assert series_key(result.data).kind is DataKind.TRADE_TICK
    assert len(catalog.trade_ticks([InstrumentId("BTCUSDT.BINANCE")])) == 18
    with pytest.raises(DataLoadError, match=r"already holds BTCUSDT\.BINANCE trade_tick data"):
        importer.import_file(trades_zip(tmp_path, 1))
    fresh = CatalogImporter(catalog, ImportSpec())  # knows from the files, not from memory
    with pytest.raises(DataLoadError, match="overlapping this file's"):
        fresh.import_file(trades_zip(tmp_path, 0))


def test_the_catalogs_definition_sets_the_precisions(
    tmp_path: Path, catalog: ParquetDataCatalog
) -> None:
    btc = TestInstrumentProvider.btcusdt_binance()
    catalog.write([btc])
    result = CatalogImporter(catalog, ImportSpec()).import_file(trades_zip(tmp_path, 0))
    assert (result.data.price_precision, result.data.size_precision) == (
        btc.price_precision,
        btc.size_precision,
    )
    explicit = CatalogImporter(catalog, ImportSpec(price_precision=4))
    day = explicit.import_file(trades_zip(tmp_path, 1))
    assert day.data.price_precision == 4


def test_formats_are_told_from_names_or_required(tmp_path: Path) -> None:
    catalog = ParquetDataCatalog(tmp_path / "c", CatalogConfig(fsync=False))
    odd = tmp_path / "prices.csv"
    odd.write_text("a,b\n1,2\n")
    with pytest.raises(DataLoadError, match="cannot tell the format from the file name"):
        CatalogImporter(catalog, ImportSpec()).import_file(odd)
    with pytest.raises(DataLoadError, match="csv-trades files need an instrument id"):
        CatalogImporter(catalog, ImportSpec(format=DataFormat.CSV_TRADES)).import_file(odd)


def test_source_files_expand_directories(tmp_path: Path) -> None:
    trades_zip(tmp_path, 1)
    trades_zip(tmp_path, 0)
    (tmp_path / "notes.md").write_text("not data")
    files = source_files([tmp_path], DataFormat.BINANCE_TRADES)
    assert [f.name for f in files] == [
        "BTCUSDT-trades-2024-01-01.zip",
        "BTCUSDT-trades-2024-01-02.zip",
    ]
    with pytest.raises(DataLoadError, match="no data files"):
        source_files([tmp_path], DataFormat.KITE_CANDLES)
    with pytest.raises(DataLoadError, match="no such file or directory"):
        source_files([tmp_path / "missing"], None)
