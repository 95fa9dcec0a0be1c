"""Building bars from the trades in a catalog (what ``sq data aggregate`` runs)."""

from __future__ import annotations

from shrivenquant.data.aggregation.base import BarBuilder
from shrivenquant.data.aggregation.factory import bar_builder
from shrivenquant.data.aggregation.time_bars import TimeBarBuilder
from shrivenquant.model.data import BarType
from shrivenquant.persistence.catalog import (
    BarArrays,
    CatalogError,
    DataKind,
    ParquetDataCatalog,
    SeriesKey,
    TimeLike,
    TradeTickArrays,
    to_ns,
)
from shrivenquant.persistence.catalog.layout import list_files
from shrivenquant.persistence.catalog.reader import read_part, to_arrays


def aggregate_trades(
    catalog: ParquetDataCatalog,
    bar_type: BarType,
    *,
    start: TimeLike | None = None,
    end: TimeLike | None = None,
    emit_empty: bool = False,
    origin_ns: int = 0,
    write: bool = False,
) -> BarArrays:
    """Build ``bar_type`` bars from the catalog's trades of its instrument in ``[start, end)``.

    Trades are read one part file at a time, so memory stays bounded by the largest file. The
    precisions are the instrument's when the catalog holds its definition, else the trades'.
    When ``end`` is given, a time bar ending at or before it is closed as by a timer at
    ``end``; the last, unfinished bar is left out. With ``write`` the bars are also written
    to the catalog.

    Raises:
        CatalogError: the catalog has no trades of the instrument in the range.
        ValueError: the bar type cannot be built from trades.
    """
    instrument_id = bar_type.instrument_id
    start_ns, end_ns = to_ns(start, "start"), to_ns(end, "end")
    key = SeriesKey.for_instrument(DataKind.TRADE_TICK, instrument_id)
    parts: list[TradeTickArrays] = []
    for part in list_files(catalog.root, key, start_ns, end_ns):
        table = read_part(part.path, key.kind, start_ns, end_ns)
        if table.num_rows:
            arrays = to_arrays(key, table, str(part.path))
            assert isinstance(arrays, TradeTickArrays)
            parts.append(arrays)
    if not parts:
        raise CatalogError(f"no trades of {instrument_id} in the catalog for the range")
    definitions = catalog.instruments([instrument_id])
    if definitions:
        price_precision = definitions[0].price_precision
        size_precision = definitions[0].size_precision
    else:
        price_precision = max(p.price_precision for p in parts)
        size_precision = max(p.size_precision for p in parts)
    builder: BarBuilder = bar_builder(
        bar_type, price_precision, size_precision, origin_ns=origin_ns, emit_empty=emit_empty
    )
    outputs = [builder.process(arrays.sorted()) for arrays in parts]
    if end_ns is not None and isinstance(builder, TimeBarBuilder):
        outputs.append(builder.to_arrays(builder.on_timer(end_ns)))
    bars = BarArrays.concat([out for out in outputs if len(out)] or outputs[:1])
    if write and len(bars):
        catalog.write_arrays(bars)
    return bars
