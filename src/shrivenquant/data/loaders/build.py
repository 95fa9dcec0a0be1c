"""From a source table and a column map to the catalog's columnar containers, exactly."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from shrivenquant.data.loaders.columns import (
    BarColumns,
    QuoteColumns,
    TradeColumns,
    aggressor_codes,
    buyer_maker_codes,
)
from shrivenquant.data.loaders.decimals import scaled_values
from shrivenquant.data.loaders.errors import DataLoadError, SourceRows
from shrivenquant.data.loaders.timestamps import TimeFormat, timestamps_ns
from shrivenquant.model.data import BarType
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.model.instruments import Instrument
from shrivenquant.persistence.catalog import (
    BarArrays,
    CatalogError,
    QuoteTickArrays,
    TradeTickArrays,
)
from shrivenquant.persistence.catalog.columns import IntArray, rescale

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Precisions:
    """The decimal places of prices and sizes; None infers them from the data."""

    price: int | None = None
    size: int | None = None

    @classmethod
    def resolve(
        cls,
        instrument_id: InstrumentId,
        price_precision: int | None = None,
        size_precision: int | None = None,
        instrument: Instrument | None = None,
    ) -> Precisions:
        """Explicit precisions, else the instrument's, else None (inferred).

        Raises:
            DataLoadError: the instrument is not ``instrument_id``, or an explicit precision
                disagrees with it.
        """
        if instrument is None:
            return cls(price_precision, size_precision)
        if instrument.id != instrument_id:
            raise DataLoadError(f"instrument {instrument.id} given for {instrument_id} data")
        for what, given, own in (
            ("price", price_precision, instrument.price_precision),
            ("size", size_precision, instrument.size_precision),
        ):
            if given is not None and given != own:
                raise DataLoadError(
                    f"{what}_precision {given} disagrees with {instrument.id}'s {own}"
                )
        return cls(instrument.price_precision, instrument.size_precision)


def same_precision(
    table: pa.Table, names: Sequence[str], precision: int | None, rows: SourceRows
) -> tuple[list[IntArray], int]:
    """Parse several columns (open/high/low/close, bid/ask) at one precision.

    With ``precision`` None each column is inferred and all are widened to the largest.
    """
    parsed = [scaled_values(table.column(name), precision, name, rows) for name in names]
    places = max(p for _, p in parsed)
    try:
        values = [rescale(v, p, places, name) for (v, p), name in zip(parsed, names, strict=True)]
    except CatalogError as exc:  # pragma: no cover - widening is always exact
        raise DataLoadError(f"{rows.name}: {exc}") from exc
    return values, places


def sizes(
    table: pa.Table, name: str, precision: int | None, rows: SourceRows
) -> tuple[IntArray, int]:
    """Parse a size column and refuse negative values (a `Quantity` never is negative)."""
    values, places = scaled_values(table.column(name), precision, name, rows)
    negative = (
        np.array([v < 0 for v in values.tolist()], dtype=bool)
        if values.dtype == object
        else values < 0
    )
    if negative.any():
        row = int(np.flatnonzero(negative)[0])
        raise DataLoadError(f"{rows.at(row)}: {name} is negative")
    return values, places


def bars_from_table(
    table: pa.Table,
    columns: BarColumns,
    bar_type: BarType,
    *,
    time: TimeFormat,
    precisions: Precisions,
    rows: SourceRows,
) -> BarArrays:
    """Bars from a table; open-labelled times are moved to the bar's close."""
    ts = timestamps_ns(table.column(columns.ts), time, columns.ts, rows)
    if columns.label == "open":
        try:
            ts = ts + bar_type.spec.timedelta_ns()
        except ValueError as exc:
            raise DataLoadError(
                f"{rows.name}: {bar_type} bars have no fixed length, so open times cannot be "
                f"moved to close times; give close times (label='close')"
            ) from exc
    names = (columns.open, columns.high, columns.low, columns.close)
    (o, h, lo, c), price_precision = same_precision(table, names, precisions.price, rows)
    if columns.volume is None:
        volume, size_precision = np.zeros(len(ts), dtype=np.int64), precisions.size or 0
    else:
        volume, size_precision = sizes(table, columns.volume, precisions.size, rows)
    return _checked(
        rows,
        lambda: BarArrays.create(
            bar_type,
            ts_event=ts,
            open=o,
            high=h,
            low=lo,
            close=c,
            price_precision=price_precision,
            volume=volume,
            size_precision=size_precision,
        ),
    )


def trades_from_table(
    table: pa.Table,
    columns: TradeColumns,
    instrument_id: InstrumentId,
    *,
    time: TimeFormat,
    precisions: Precisions,
    rows: SourceRows,
) -> TradeTickArrays:
    """Trades from a table."""
    ts = timestamps_ns(table.column(columns.ts), time, columns.ts, rows)
    price, price_precision = scaled_values(
        table.column(columns.price), precisions.price, columns.price, rows
    )
    size, size_precision = sizes(table, columns.size, precisions.size, rows)
    if columns.side is not None:
        side = aggressor_codes(table.column(columns.side).combine_chunks(), columns.side, rows)
    elif columns.buyer_maker is not None:
        flags = table.column(columns.buyer_maker).combine_chunks()
        side = buyer_maker_codes(flags, columns.buyer_maker, rows)
    else:
        side = np.zeros(len(ts), dtype=np.int8)
    if columns.trade_id is None:
        trade_id = synthetic_trade_ids(ts)
    else:
        trade_id = trade_id_strings(table.column(columns.trade_id), columns.trade_id, rows)
    return _checked(
        rows,
        lambda: TradeTickArrays.create(
            instrument_id,
            ts_event=ts,
            price=price,
            price_precision=price_precision,
            size=size,
            size_precision=size_precision,
            trade_id=trade_id,
            aggressor_side=side,
        ),
    )


def quotes_from_table(
    table: pa.Table,
    columns: QuoteColumns,
    instrument_id: InstrumentId,
    *,
    time: TimeFormat,
    precisions: Precisions,
    rows: SourceRows,
) -> QuoteTickArrays:
    """Best bid/ask quotes from a table."""
    ts = timestamps_ns(table.column(columns.ts), time, columns.ts, rows)
    names = (columns.bid_price, columns.ask_price)
    (bid, ask), price_precision = same_precision(table, names, precisions.price, rows)
    bid_size, bid_places = sizes(table, columns.bid_size, precisions.size, rows)
    ask_size, ask_places = sizes(table, columns.ask_size, precisions.size, rows)
    size_precision = max(bid_places, ask_places)
    bid_size = rescale(bid_size, bid_places, size_precision, columns.bid_size)
    ask_size = rescale(ask_size, ask_places, size_precision, columns.ask_size)
    return _checked(
        rows,
        lambda: QuoteTickArrays.create(
            instrument_id,
            ts_event=ts,
            bid_price=bid,
            ask_price=ask,
            price_precision=price_precision,
            bid_size=bid_size,
            ask_size=ask_size,
            size_precision=size_precision,
        ),
    )


def trade_id_strings(column: pa.Array | pa.ChunkedArray, what: str, rows: SourceRows) -> pa.Array:
    """Trade ids as trimmed strings; integer ids are written in decimal."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pa.types.is_integer(array.type) or pa.types.is_large_string(array.type):
        array = array.cast(pa.string())
    elif not pa.types.is_string(array.type):
        raise DataLoadError(f"{rows.name}: column {what} holds {array.type}, expected ids")
    array = pc.utf8_trim_whitespace(array)
    empty = np.asarray(
        pc.fill_null(pc.equal(pc.utf8_length(array), 0), True).to_numpy(zero_copy_only=False)
    )
    if empty.any():
        raise DataLoadError(f"{rows.at(int(np.flatnonzero(empty)[0]))}: {what} is empty")
    return array


def synthetic_trade_ids(ts: IntArray) -> pa.Array:
    """Ids ``<ts_event>-<n>`` where n counts the trades seen earlier at the same time."""
    occurrence = pd.Series(ts).groupby(ts, sort=False).cumcount().to_numpy()
    return pc.binary_join_element_wise(
        pa.array(ts).cast(pa.string()), pa.array(occurrence).cast(pa.string()), "-"
    )


def _checked(rows: SourceRows, build: Callable[[], T]) -> T:
    try:
        return build()
    except CatalogError as exc:
        raise DataLoadError(f"{rows.name}: {exc}") from exc
