"""Binance public data files (data.binance.vision) exactly as they are downloaded.

Daily and monthly zip archives, each holding one CSV, read in memory without extracting:

- klines, ``BTCUSDT-1m-2024-01-01.zip``: open time, open, high, low, close, volume, close
  time, quote volume, trade count, taker buy volume, taker buy quote volume, ignore;
- trades, ``BTCUSDT-trades-2024-01-01.zip``: id, price, qty, quote qty, time, is buyer maker,
  is best match;
- aggTrades, ``BTCUSDT-aggTrades-2024-01.zip``: aggregate trade id, price, qty, first trade
  id, last trade id, time, is buyer maker, is best match.

Spot archives have no header; USD-M futures archives have a header line and lack the last
"is best match" column; both are read. Times are milliseconds, except spot files from 2025 on,
which use microseconds: the unit is told from the magnitude. A kline's ``ts_event`` is its
close time plus one unit (the end of its interval, as for bars built from trades); a trade
whose buyer was the maker was a sell by the aggressor.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

import pyarrow as pa  # type: ignore[import-untyped]

from shrivenquant.data.loaders.build import Precisions, bars_from_table, trades_from_table
from shrivenquant.data.loaders.columns import BarColumns, CsvFormat, TradeColumns
from shrivenquant.data.loaders.errors import DataLoadError, SourceRows
from shrivenquant.data.loaders.result import LoadResult, validated
from shrivenquant.data.loaders.tables import (
    Opener,
    first_line,
    open_zip,
    read_csv,
    single_csv_member,
)
from shrivenquant.data.loaders.timestamps import (
    NANOS_PER_UNIT,
    TimeFormat,
    epoch_unit,
    timestamps_ns,
)
from shrivenquant.data.validation import ValidationConfig
from shrivenquant.model.data import BarSpecification, BarType
from shrivenquant.model.enums import AggregationSource, BarAggregation, PriceType
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.model.instruments import Instrument
from shrivenquant.persistence.catalog import BarArrays, TradeTickArrays

KLINE_COLUMNS: Final = (
    "open_time", "open", "high", "low", "close", "volume", "close_time", "quote_volume",
    "count", "taker_buy_volume", "taker_buy_quote_volume", "ignore",
)  # fmt: skip
TRADE_COLUMNS: Final = (
    "id", "price", "qty", "quote_qty", "time", "is_buyer_maker", "is_best_match",
)  # fmt: skip
AGG_TRADE_COLUMNS: Final = (
    "agg_trade_id", "price", "quantity", "first_trade_id", "last_trade_id", "transact_time",
    "is_buyer_maker", "is_best_match",
)  # fmt: skip
_NAME: Final = re.compile(
    r"^(?P<symbol>[A-Z0-9]+)-(?P<kind>trades|aggTrades|\d+(?:s|m|h|d|w|mo))-\d{4}-\d{2}(?:-\d{2})?$"
)
_INTERVAL: Final = re.compile(r"^(\d+)(s|m|h|d|w|mo)$")
_AGGREGATIONS: Final = {
    "s": BarAggregation.SECOND,
    "m": BarAggregation.MINUTE,
    "h": BarAggregation.HOUR,
    "d": BarAggregation.DAY,
    "w": BarAggregation.WEEK,
    "mo": BarAggregation.MONTH,
}
_SPANS_NS: Final = (  # largest first: a span is named in the largest unit dividing it
    (BarAggregation.WEEK, 604_800 * 10**9),
    (BarAggregation.DAY, 86_400 * 10**9),
    (BarAggregation.HOUR, 3_600 * 10**9),
    (BarAggregation.MINUTE, 60 * 10**9),
    (BarAggregation.SECOND, 10**9),
    (BarAggregation.MILLISECOND, 10**6),
)


def load_binance_klines(
    path: str | Path,
    instrument_id: InstrumentId | str | None = None,
    *,
    bar_type: BarType | str | None = None,
    price_precision: int | None = None,
    size_precision: int | None = None,
    instrument: Instrument | None = None,
    repair: bool = False,
    validation: ValidationConfig | None = None,
) -> LoadResult[BarArrays]:
    """Load a Binance klines archive (``BTCUSDT-1m-2024-01-01.zip``) as EXTERNAL bars.

    Args:
        path: the zip archive (or its extracted CSV).
        instrument_id: the instrument; by default ``<SYMBOL>.BINANCE`` from the file name
            (pass it for futures, e.g. ``BTCUSDT-PERP.BINANCE``).
        bar_type: the bar type; by default the file name's interval (or, for a renamed file,
            the span of the first kline), last prices, EXTERNAL.
        price_precision: decimal places of prices; None takes the instrument's or infers them.
        size_precision: decimal places of volumes, likewise.
        instrument: the instrument, whose precisions apply.
        repair: drop rows validation refuses instead of raising.
        validation: thresholds for validation (24/7 sessions by default).

    Raises:
        DataLoadError: the file cannot be read or parsed, naming the file and line;
            `LoadValidationError` for unsorted, duplicated or inconsistent klines.
    """
    path = Path(path)
    table, rows = _read(path, KLINE_COLUMNS, 12)
    time = _time_format(table.column("open_time"), rows)
    if bar_type is None:
        symbol_id = _instrument_id(path, instrument_id)
        spec = _spec_from_name(path) or _spec_from_data(table, time, rows)
        resolved = BarType(symbol_id, spec, AggregationSource.EXTERNAL)
    else:
        resolved = _bar_type(bar_type)
        if instrument_id is not None and InstrumentId(str(instrument_id)) != resolved.instrument_id:
            raise DataLoadError(f"bar type {resolved} is not of instrument {instrument_id}")
    precisions = Precisions.resolve(
        resolved.instrument_id, price_precision, size_precision, instrument
    )
    # Close times end one unit before the interval does: ts_event is close time + 1 unit.
    unit_ns = NANOS_PER_UNIT[time.unit]
    columns = BarColumns(ts="close_time", label="close")
    data = bars_from_table(table, columns, resolved, time=time, precisions=precisions, rows=rows)
    data = BarArrays.create(
        resolved,
        ts_event=data.ts_event + unit_ns,
        open=data.open,
        high=data.high,
        low=data.low,
        close=data.close,
        price_precision=data.price_precision,
        volume=data.volume,
        size_precision=data.size_precision,
    )
    return validated(data, rows, repair=repair, config=validation)


def load_binance_trades(
    path: str | Path,
    instrument_id: InstrumentId | str | None = None,
    *,
    price_precision: int | None = None,
    size_precision: int | None = None,
    instrument: Instrument | None = None,
    repair: bool = False,
    validation: ValidationConfig | None = None,
) -> LoadResult[TradeTickArrays]:
    """Load a Binance trades archive (``BTCUSDT-trades-2024-01-01.zip``); arguments as
    `load_binance_klines`. Trade ids are Binance's trade ids."""
    path = Path(path)
    table, rows = _read(path, TRADE_COLUMNS, 6)
    columns = TradeColumns(
        ts="time", price="price", size="qty", trade_id="id", buyer_maker="is_buyer_maker"
    )
    return _trades(
        path,
        table,
        rows,
        columns,
        instrument_id=instrument_id,
        precisions=(price_precision, size_precision),
        instrument=instrument,
        repair=repair,
        validation=validation,
    )


def load_binance_agg_trades(
    path: str | Path,
    instrument_id: InstrumentId | str | None = None,
    *,
    price_precision: int | None = None,
    size_precision: int | None = None,
    instrument: Instrument | None = None,
    repair: bool = False,
    validation: ValidationConfig | None = None,
) -> LoadResult[TradeTickArrays]:
    """Load a Binance aggTrades archive (``BTCUSDT-aggTrades-2024-01-01.zip``); arguments as
    `load_binance_klines`. Each aggregate trade becomes one trade whose id is the aggregate
    trade id."""
    path = Path(path)
    table, rows = _read(path, AGG_TRADE_COLUMNS, 7)
    columns = TradeColumns(
        ts="transact_time",
        price="price",
        size="quantity",
        trade_id="agg_trade_id",
        buyer_maker="is_buyer_maker",
    )
    return _trades(
        path,
        table,
        rows,
        columns,
        instrument_id=instrument_id,
        precisions=(price_precision, size_precision),
        instrument=instrument,
        repair=repair,
        validation=validation,
    )


def parse_file_name(path: str | Path) -> tuple[str, str] | None:
    """``(symbol, kind)`` of a Binance archive name: kind is ``trades``, ``aggTrades`` or a
    kline interval (``1m``); None for other names."""
    name = Path(path).name
    for suffix in (".zip", ".csv"):
        name = name.removesuffix(suffix)
    match = _NAME.match(name)
    return None if match is None else (match["symbol"], match["kind"])


def _trades(
    path: Path,
    table: pa.Table,
    rows: SourceRows,
    columns: TradeColumns,
    *,
    instrument_id: InstrumentId | str | None,
    precisions: tuple[int | None, int | None],
    instrument: Instrument | None,
    repair: bool,
    validation: ValidationConfig | None,
) -> LoadResult[TradeTickArrays]:
    symbol_id = _instrument_id(path, instrument_id)
    time = _time_format(table.column(columns.ts), rows)
    resolved = Precisions.resolve(symbol_id, *precisions, instrument)
    data = trades_from_table(table, columns, symbol_id, time=time, precisions=resolved, rows=rows)
    return validated(data, rows, repair=repair, config=validation)


def _read(path: Path, names: tuple[str, ...], least: int) -> tuple[pa.Table, SourceRows]:
    """Read a Binance CSV (zipped or not) with positional names; header line or none."""
    if path.suffix.lower() == ".zip":
        with open_zip(path) as archive:
            member = single_csv_member(archive, path)
            return _read_csv(lambda: archive.open(member), f"{path}:{member}", names, least)
    if not path.is_file():
        raise DataLoadError(f"{path}: no such file")
    return _read_csv(lambda: path.open("rb"), str(path), names, least)


def _read_csv(
    opener: Opener, name: str, names: tuple[str, ...], least: int
) -> tuple[pa.Table, SourceRows]:
    line = first_line(opener, name)
    if not line:
        raise DataLoadError(f"{name}: the file is empty")
    fields = line.split(",")
    header = not fields[0].strip().lstrip("-").isdigit()
    count = len(fields)
    if not least <= count <= len(names):
        raise DataLoadError(
            f"{name}: {count} columns, expected {least} to {len(names)} (is this the right "
            f"kind of Binance file?)"
        )
    table, rows = read_csv(opener, name, None, CsvFormat(header=header, names=names[:count]))
    # Columns are named by position, whatever a header calls them.
    return table.rename_columns(list(names[:count])), rows


def _time_format(column: pa.ChunkedArray, rows: SourceRows) -> TimeFormat:
    """Milliseconds or (spot files from 2025) microseconds, told by the first row's size."""
    if not len(column):
        return TimeFormat(unit="ms")
    first = timestamps_ns(column[:1], TimeFormat(unit="ns"), "time", rows)
    unit = epoch_unit(abs(int(first[0])))
    if unit not in ("ms", "us"):
        raise DataLoadError(f"{rows.at(0)}: times are neither milliseconds nor microseconds")
    return TimeFormat(unit=unit)


def _instrument_id(path: Path, given: InstrumentId | str | None) -> InstrumentId:
    if given is not None:
        try:
            return given if isinstance(given, InstrumentId) else InstrumentId(given)
        except (TypeError, ValueError) as exc:
            raise DataLoadError(f"invalid instrument id {given!r}: {exc}") from exc
    parsed = parse_file_name(path)
    if parsed is None:
        raise DataLoadError(
            f"{path}: cannot tell the symbol from the file name; pass the instrument id"
        )
    return InstrumentId(f"{parsed[0]}.BINANCE")


def _spec_from_name(path: Path) -> BarSpecification | None:
    parsed = parse_file_name(path)
    if parsed is None:
        return None
    match = _INTERVAL.match(parsed[1])
    if match is None:
        raise DataLoadError(f"{path}: a {parsed[1]} file, not klines")
    return BarSpecification(int(match[1]), _AGGREGATIONS[match[2]], PriceType.LAST)


def _spec_from_data(table: pa.Table, time: TimeFormat, rows: SourceRows) -> BarSpecification:
    if not table.num_rows:
        raise DataLoadError(f"{rows.name}: no klines to tell the interval from; pass bar_type")
    opened = timestamps_ns(table.column("open_time")[:1], time, "open_time", rows)
    closed = timestamps_ns(table.column("close_time")[:1], time, "close_time", rows)
    span = int(closed[0] - opened[0]) + NANOS_PER_UNIT[time.unit]
    if span >= 28 * 86_400 * 10**9 and span % (86_400 * 10**9) == 0 and span < 32 * 86_400 * 10**9:
        return BarSpecification(1, BarAggregation.MONTH, PriceType.LAST)
    for aggregation, unit_ns in _SPANS_NS:
        if span > 0 and span % unit_ns == 0:
            return BarSpecification(span // unit_ns, aggregation, PriceType.LAST)
    raise DataLoadError(f"{rows.name}: cannot tell the kline interval; pass bar_type")


def _bar_type(value: BarType | str) -> BarType:
    if isinstance(value, BarType):
        return value
    try:
        return BarType.from_str(value)
    except (TypeError, ValueError) as exc:
        raise DataLoadError(str(exc)) from exc
