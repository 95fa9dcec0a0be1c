"""One entry point over every loader: pick a format by name (or from the file name) and load.

This is what ``sq data import`` runs for each file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum, unique
from pathlib import Path
from typing import Any, Final

from shrivenquant.adapters.binance.historical import (
    load_binance_agg_trades,
    load_binance_klines,
    load_binance_trades,
    parse_file_name,
)
from shrivenquant.adapters.zerodha.historical import load_kite_candles
from shrivenquant.data.loaders.columns import CsvFormat
from shrivenquant.data.loaders.errors import DataLoadError
from shrivenquant.data.loaders.generic import load_bars, load_quotes, load_trades
from shrivenquant.data.loaders.result import LoadResult
from shrivenquant.data.loaders.timestamps import TimeFormat
from shrivenquant.data.validation import ValidationConfig
from shrivenquant.model.instruments import Instrument


@unique
class DataFormat(StrEnum):
    """The file formats the loaders read."""

    BINANCE_KLINES = "binance-klines"
    BINANCE_TRADES = "binance-trades"
    BINANCE_AGG_TRADES = "binance-aggtrades"
    KITE_CANDLES = "kite-candles"
    CSV_BARS = "csv-bars"
    CSV_TRADES = "csv-trades"
    CSV_QUOTES = "csv-quotes"

    @property
    def is_binance(self) -> bool:
        """Whether the format is a Binance public data file."""
        return self.value.startswith("binance-")


_SUFFIXES: Final = {
    DataFormat.BINANCE_KLINES: (".zip", ".csv"),
    DataFormat.BINANCE_TRADES: (".zip", ".csv"),
    DataFormat.BINANCE_AGG_TRADES: (".zip", ".csv"),
    DataFormat.KITE_CANDLES: (".json",),
}
_TABLE_SUFFIXES: Final = (".csv", ".gz", ".bz2", ".zst", ".zip", ".parquet", ".pq", ".txt")


@dataclass(frozen=True, slots=True)
class ImportSpec:
    """Everything a load needs besides the file (the options of ``sq data import``).

    Args:
        format: the file format; None tells it from each file's name (Binance, Kite).
        instrument_id: the instrument (Binance formats default to ``<SYMBOL>.BINANCE``).
        bar_type: the bar type (required for csv-bars; overrides the Binance kline interval).
        interval: Kite's interval name (inferred when None).
        columns: column map fields for the csv formats (``{"ts": "Date"}``).
        time: timestamp unit and time zone for the csv formats.
        csv: CSV layout for the csv formats.
        price_precision: decimal places of prices (inferred when None and no instrument).
        size_precision: decimal places of sizes.
        instrument: the instrument definition, whose precisions apply.
        repair: drop rows validation refuses.
        validation: validation thresholds and sessions.
    """

    format: DataFormat | None = None
    instrument_id: str | None = None
    bar_type: str | None = None
    interval: str | None = None
    columns: Mapping[str, Any] = field(default_factory=dict)
    time: TimeFormat = field(default_factory=TimeFormat)
    csv: CsvFormat = field(default_factory=CsvFormat)
    price_precision: int | None = None
    size_precision: int | None = None
    instrument: Instrument | None = None
    repair: bool = False
    validation: ValidationConfig | None = None


def detect_format(path: str | Path) -> DataFormat | None:
    """The format of a Binance archive or Kite JSON file from its name; None if unknown."""
    path = Path(path)
    parsed = parse_file_name(path)
    if parsed is not None:
        kind = parsed[1]
        if kind == "trades":
            return DataFormat.BINANCE_TRADES
        if kind == "aggTrades":
            return DataFormat.BINANCE_AGG_TRADES
        return DataFormat.BINANCE_KLINES
    if path.suffix.lower() == ".json":
        return DataFormat.KITE_CANDLES
    return None


def resolve_format(path: Path, given: DataFormat | None) -> DataFormat:
    """``given``, or the format told from the file name.

    Raises:
        DataLoadError: no format given and the name does not tell it.
    """
    fmt = given or detect_format(path)
    if fmt is None:
        raise DataLoadError(
            f"{path}: cannot tell the format from the file name; pass the format "
            f"(sq data import --format)"
        )
    return fmt


def source_files(sources: Iterable[str | Path], data_format: DataFormat | None) -> list[Path]:
    """The files to import: files as given, and the data files inside directories (sorted).

    Raises:
        DataLoadError: a source does not exist, or a directory holds no data files.
    """
    suffixes = _SUFFIXES.get(data_format) if data_format is not None else None
    wanted = suffixes or (*_TABLE_SUFFIXES, ".json")
    files: list[Path] = []
    for source in sources:
        path = Path(source)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in wanted)
            if not found:
                raise DataLoadError(f"{path}: no data files ({', '.join(wanted)}) in the directory")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise DataLoadError(f"{path}: no such file or directory")
    return files


def load_file(path: str | Path, spec: ImportSpec) -> LoadResult[Any]:
    """Load one file as ``spec`` says.

    Raises:
        DataLoadError: an unknown format, missing options for it, or the file cannot be
            loaded (see the loaders).
    """
    path = Path(path)
    fmt = resolve_format(path, spec.format)
    common: dict[str, Any] = {
        "price_precision": spec.price_precision,
        "size_precision": spec.size_precision,
        "instrument": spec.instrument,
        "repair": spec.repair,
        "validation": spec.validation,
    }
    if fmt is DataFormat.BINANCE_KLINES:
        return load_binance_klines(path, spec.instrument_id, bar_type=spec.bar_type, **common)
    if fmt is DataFormat.BINANCE_TRADES:
        return load_binance_trades(path, spec.instrument_id, **common)
    if fmt is DataFormat.BINANCE_AGG_TRADES:
        return load_binance_agg_trades(path, spec.instrument_id, **common)
    if fmt is DataFormat.KITE_CANDLES:
        instrument_id = _required(spec.instrument_id, "an instrument id", fmt)
        return load_kite_candles(path, instrument_id, interval=spec.interval, **common)
    table = {"columns": dict(spec.columns), "time": spec.time, "csv": spec.csv, **common}
    if fmt is DataFormat.CSV_BARS:
        return load_bars(path, _required(spec.bar_type, "a bar type", fmt), **table)
    instrument_id = _required(spec.instrument_id, "an instrument id", fmt)
    if fmt is DataFormat.CSV_TRADES:
        return load_trades(path, instrument_id, **table)
    return load_quotes(path, instrument_id, **table)


def _required(value: str | None, what: str, fmt: DataFormat) -> str:
    if value is None:
        raise DataLoadError(f"{fmt.value} files need {what}")
    return value
