"""Generic loaders: OHLCV bars, trades and quotes from any CSV or Parquet file.

```python
result = load_bars(
    "nifty_1m.csv",
    "NIFTY24JANFUT.NSE-1-MINUTE-LAST-EXTERNAL",
    columns={"ts": "date", "volume": "vol"},
    time=TimeFormat(unit="datetime", timezone="Asia/Kolkata"),
)
catalog.write_arrays(result.data)
```

The file type follows the suffix: ``.parquet``/``.pq`` is Parquet, ``.zip`` a zip archive
holding one CSV, anything else CSV (``.gz``, ``.bz2`` and ``.zst`` are decompressed on the fly).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from shrivenquant.data.loaders.build import (
    Precisions,
    bars_from_table,
    quotes_from_table,
    trades_from_table,
)
from shrivenquant.data.loaders.columns import (
    BarColumns,
    CsvFormat,
    QuoteColumns,
    TradeColumns,
    column_map,
)
from shrivenquant.data.loaders.errors import DataLoadError
from shrivenquant.data.loaders.result import LoadResult, validated
from shrivenquant.data.loaders.tables import read_source
from shrivenquant.data.loaders.timestamps import TimeFormat
from shrivenquant.data.validation import ValidationConfig
from shrivenquant.model.data import BarType
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.model.instruments import Instrument
from shrivenquant.persistence.catalog import BarArrays, QuoteTickArrays, TradeTickArrays


def load_bars(
    path: str | Path,
    bar_type: BarType | str,
    *,
    columns: BarColumns | Mapping[str, Any] | None = None,
    time: TimeFormat | None = None,
    price_precision: int | None = None,
    size_precision: int | None = None,
    instrument: Instrument | None = None,
    csv: CsvFormat | None = None,
    repair: bool = False,
    validation: ValidationConfig | None = None,
) -> LoadResult[BarArrays]:
    """Load OHLCV bars of ``bar_type`` from a CSV or Parquet file.

    Args:
        path: the file.
        bar_type: the series the bars belong to (``BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL``).
        columns: which column holds what (`BarColumns` or a mapping of its fields).
        time: how timestamps are written (unit or format, and the zone of naive times).
        price_precision: decimal places of prices (every value must be exact at it);
            None takes the instrument's, or infers the fewest that hold every value.
        size_precision: decimal places of volumes, likewise.
        instrument: the instrument, whose precisions apply.
        csv: the CSV layout (delimiter, header, names).
        repair: drop rows validation refuses instead of raising.
        validation: thresholds and trading sessions for validation.

    Raises:
        DataLoadError: the file cannot be read or a value cannot be parsed; the message names
            the file and row. `LoadValidationError` (a subclass) when rows are unsorted,
            duplicated or inconsistent and ``repair`` is false.
    """
    bar_type = _bar_type(bar_type)
    mapping = column_map(columns, BarColumns)
    needed = [mapping.ts, mapping.open, mapping.high, mapping.low, mapping.close]
    if mapping.volume is not None:
        needed.append(mapping.volume)
    table, rows = read_source(Path(path), needed, csv)
    precisions = Precisions.resolve(
        bar_type.instrument_id, price_precision, size_precision, instrument
    )
    data = bars_from_table(
        table, mapping, bar_type, time=time or TimeFormat(), precisions=precisions, rows=rows
    )
    return validated(data, rows, repair=repair, config=validation)


def load_trades(
    path: str | Path,
    instrument_id: InstrumentId | str,
    *,
    columns: TradeColumns | Mapping[str, Any] | None = None,
    time: TimeFormat | None = None,
    price_precision: int | None = None,
    size_precision: int | None = None,
    instrument: Instrument | None = None,
    csv: CsvFormat | None = None,
    repair: bool = False,
    validation: ValidationConfig | None = None,
) -> LoadResult[TradeTickArrays]:
    """Load trades of ``instrument_id`` from a CSV or Parquet file (arguments as `load_bars`).

    ``columns`` is a `TradeColumns` (or a mapping of its fields); the aggressor side comes
    from a side column or a buyer-is-maker flag, and trade ids are made up when the file has
    none.
    """
    instrument_id = _instrument_id(instrument_id)
    mapping = column_map(columns, TradeColumns)
    optional = (mapping.trade_id, mapping.side if mapping.side else mapping.buyer_maker)
    needed = [mapping.ts, mapping.price, mapping.size, *(c for c in optional if c)]
    table, rows = read_source(Path(path), needed, csv)
    precisions = Precisions.resolve(instrument_id, price_precision, size_precision, instrument)
    data = trades_from_table(
        table, mapping, instrument_id, time=time or TimeFormat(), precisions=precisions, rows=rows
    )
    return validated(data, rows, repair=repair, config=validation)


def load_quotes(
    path: str | Path,
    instrument_id: InstrumentId | str,
    *,
    columns: QuoteColumns | Mapping[str, Any] | None = None,
    time: TimeFormat | None = None,
    price_precision: int | None = None,
    size_precision: int | None = None,
    instrument: Instrument | None = None,
    csv: CsvFormat | None = None,
    repair: bool = False,
    validation: ValidationConfig | None = None,
) -> LoadResult[QuoteTickArrays]:
    """Load best bid/ask quotes of ``instrument_id`` from a CSV or Parquet file (arguments as
    `load_bars`; ``columns`` is a `QuoteColumns` or a mapping of its fields)."""
    instrument_id = _instrument_id(instrument_id)
    mapping = column_map(columns, QuoteColumns)
    needed = [mapping.ts, mapping.bid_price, mapping.ask_price, mapping.bid_size, mapping.ask_size]
    table, rows = read_source(Path(path), needed, csv)
    precisions = Precisions.resolve(instrument_id, price_precision, size_precision, instrument)
    data = quotes_from_table(
        table, mapping, instrument_id, time=time or TimeFormat(), precisions=precisions, rows=rows
    )
    return validated(data, rows, repair=repair, config=validation)


def _bar_type(value: BarType | str) -> BarType:
    if isinstance(value, BarType):
        return value
    try:
        return BarType.from_str(value)
    except (TypeError, ValueError) as exc:
        raise DataLoadError(str(exc)) from exc


def _instrument_id(value: InstrumentId | str) -> InstrumentId:
    if isinstance(value, InstrumentId):
        return value
    try:
        return InstrumentId(value)
    except (TypeError, ValueError) as exc:
        raise DataLoadError(f"invalid instrument id {value!r}: {exc}") from exc
