"""Model records to the catalog's columnar form.

Each function takes records of ONE series (one instrument, or one bar type) in any order and
returns a columnar container or an Arrow table; the catalog groups mixed input by series first.
Values keep their exact raw integers; a column's scale is the largest precision in the batch.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]

from shrivenquant.model.codec import MessageCodec
from shrivenquant.model.data import (
    Bar,
    BookLevel,
    OrderBookDelta,
    OrderBookSnapshot,
    QuoteTick,
    TradeTick,
)
from shrivenquant.model.instruments import INSTRUMENT_TYPES, Instrument
from shrivenquant.persistence.catalog.arrays import (
    BarArrays,
    BookDeltaArrays,
    QuoteTickArrays,
    TradeTickArrays,
)
from shrivenquant.persistence.catalog.columns import (
    decimal_column,
    from_raw_list,
    rescale,
)
from shrivenquant.persistence.catalog.errors import CatalogError
from shrivenquant.persistence.catalog.schema import (
    AGGRESSOR_CODE,
    BOOK_ACTION_CODE,
    ORDER_SIDE_CODE,
)

_instrument_codec: MessageCodec | None = None


def _codec() -> MessageCodec:
    global _instrument_codec  # noqa: PLW0603 - one lazily built codec per process
    if _instrument_codec is None:
        _instrument_codec = MessageCodec(types=INSTRUMENT_TYPES)
    return _instrument_codec


def _check_one_series(records: Sequence[object], key: str, expected: object) -> None:
    for row, record in enumerate(records):
        if getattr(record, key) != expected:
            raise CatalogError(
                f"row {row}: {key} {getattr(record, key)} differs from the series' {expected}"
            )


def trade_ticks_to_arrays(ticks: Sequence[TradeTick]) -> TradeTickArrays:
    """Trades of one instrument as columns.

    Raises:
        CatalogError: empty input or trades of several instruments.
    """
    if not ticks:
        raise CatalogError("no trade ticks to encode")
    instrument_id = ticks[0].instrument_id
    _check_one_series(ticks, "instrument_id", instrument_id)
    prices = [t.price for t in ticks]
    sizes = [t.size for t in ticks]
    price, price_scale = from_raw_list([p.raw for p in prices], [p.precision for p in prices])
    size, size_scale = from_raw_list([s.raw for s in sizes], [s.precision for s in sizes])
    return TradeTickArrays(
        instrument_id=instrument_id,
        ts_event=np.array([t.ts_event for t in ticks], dtype=np.int64),
        ts_init=np.array([t.ts_init for t in ticks], dtype=np.int64),
        price=price,
        size=size,
        aggressor_side=np.array([AGGRESSOR_CODE[t.aggressor_side] for t in ticks], np.int8),
        trade_id=pa.array([t.trade_id.value for t in ticks], pa.string()),
        price_precision=price_scale,
        size_precision=size_scale,
    )


def quote_ticks_to_arrays(quotes: Sequence[QuoteTick]) -> QuoteTickArrays:
    """Quotes of one instrument as columns."""
    if not quotes:
        raise CatalogError("no quote ticks to encode")
    instrument_id = quotes[0].instrument_id
    _check_one_series(quotes, "instrument_id", instrument_id)
    bid, bid_scale = from_raw_list(
        [q.bid_price.raw for q in quotes], [q.bid_price.precision for q in quotes]
    )
    ask, ask_scale = from_raw_list(
        [q.ask_price.raw for q in quotes], [q.ask_price.precision for q in quotes]
    )
    bid_size, bid_size_scale = from_raw_list(
        [q.bid_size.raw for q in quotes], [q.bid_size.precision for q in quotes]
    )
    ask_size, ask_size_scale = from_raw_list(
        [q.ask_size.raw for q in quotes], [q.ask_size.precision for q in quotes]
    )
    p = max(bid_scale, ask_scale)
    s = max(bid_size_scale, ask_size_scale)
    return QuoteTickArrays(
        instrument_id=instrument_id,
        ts_event=np.array([q.ts_event for q in quotes], dtype=np.int64),
        ts_init=np.array([q.ts_init for q in quotes], dtype=np.int64),
        bid_price=rescale(bid, bid_scale, p, "bid_price"),
        ask_price=rescale(ask, ask_scale, p, "ask_price"),
        bid_size=rescale(bid_size, bid_size_scale, s, "bid_size"),
        ask_size=rescale(ask_size, ask_size_scale, s, "ask_size"),
        price_precision=p,
        size_precision=s,
    )


def bars_to_arrays(bars: Sequence[Bar]) -> BarArrays:
    """Bars of one bar type as columns."""
    if not bars:
        raise CatalogError("no bars to encode")
    bar_type = bars[0].bar_type
    _check_one_series(bars, "bar_type", bar_type)
    columns = {}
    scales = {}
    for name in ("open", "high", "low", "close", "volume"):
        values = [getattr(b, name) for b in bars]
        columns[name], scales[name] = from_raw_list(
            [v.raw for v in values], [v.precision for v in values]
        )
    p = max(scales[name] for name in ("open", "high", "low", "close"))
    prices = {n: rescale(columns[n], scales[n], p, n) for n in ("open", "high", "low", "close")}
    return BarArrays(
        bar_type=bar_type,
        ts_event=np.array([b.ts_event for b in bars], dtype=np.int64),
        ts_init=np.array([b.ts_init for b in bars], dtype=np.int64),
        open=prices["open"],
        high=prices["high"],
        low=prices["low"],
        close=prices["close"],
        volume=columns["volume"],
        price_precision=p,
        size_precision=scales["volume"],
    )


def book_deltas_to_arrays(deltas: Sequence[OrderBookDelta]) -> BookDeltaArrays:
    """Deltas of one instrument as flat rows (a delta without an order gets side -1)."""
    if not deltas:
        raise CatalogError("no book deltas to encode")
    instrument_id = deltas[0].instrument_id
    _check_one_series(deltas, "instrument_id", instrument_id)
    orders = [d.order for d in deltas]
    price_raw = [0 if o is None else o.price.raw for o in orders]
    price_prec = [0 if o is None else o.price.precision for o in orders]
    size_raw = [0 if o is None else o.size.raw for o in orders]
    size_prec = [0 if o is None else o.size.precision for o in orders]
    price, p = from_raw_list(price_raw, price_prec)
    size, s = from_raw_list(size_raw, size_prec)
    return BookDeltaArrays.create(
        instrument_id,
        ts_event=np.array([d.ts_event for d in deltas], dtype=np.int64),
        ts_init=np.array([d.ts_init for d in deltas], dtype=np.int64),
        action=np.array([BOOK_ACTION_CODE[d.action] for d in deltas], np.int8),
        side=np.array([-1 if o is None else ORDER_SIDE_CODE[o.side] for o in orders], np.int8),
        price=price,
        price_precision=p,
        size=size,
        size_precision=s,
        order_id=np.array([0 if o is None else o.order_id for o in orders], dtype=object),
        flags=np.array([d.flags for d in deltas], dtype=np.int64),
        sequence=np.array([d.sequence for d in deltas], dtype=object),
    )


def _level_lists(sides: list[list[BookLevel]], what: str) -> tuple[pa.Array, pa.Array]:
    offsets = np.zeros(len(sides) + 1, dtype=np.int32)
    np.cumsum([len(levels) for levels in sides], out=offsets[1:])
    prices = [level.price for levels in sides for level in levels]
    sizes = [level.size for levels in sides for level in levels]
    price, p = from_raw_list([x.raw for x in prices], [x.precision for x in prices])
    size, s = from_raw_list([x.raw for x in sizes], [x.precision for x in sizes])
    offset_array = pa.array(offsets)
    return (
        pa.ListArray.from_arrays(offset_array, decimal_column(price, p, f"{what}_price")),
        pa.ListArray.from_arrays(offset_array, decimal_column(size, s, f"{what}_size")),
    )


def book_snapshots_to_table(snapshots: Sequence[OrderBookSnapshot]) -> pa.Table:
    """Snapshots of one instrument: one row each, levels in list columns, best level first."""
    if not snapshots:
        raise CatalogError("no book snapshots to encode")
    _check_one_series(snapshots, "instrument_id", snapshots[0].instrument_id)
    bid_price, bid_size = _level_lists([s.bids for s in snapshots], "bid")
    ask_price, ask_size = _level_lists([s.asks for s in snapshots], "ask")
    return pa.table(
        {
            "ts_event": pa.array([s.ts_event for s in snapshots], pa.int64()),
            "ts_init": pa.array([s.ts_init for s in snapshots], pa.int64()),
            "sequence": pa.array([s.sequence for s in snapshots], pa.uint64()),
            "bid_price": bid_price,
            "bid_size": bid_size,
            "ask_price": ask_price,
            "ask_size": ask_size,
        }
    )


def instruments_to_table(instruments: Sequence[Instrument]) -> pa.Table:
    """Instrument definitions of one venue: key fields as columns plus the exact JSON form."""
    if not instruments:
        raise CatalogError("no instruments to encode")
    venue = instruments[0].id.venue
    for row, instrument in enumerate(instruments):
        if instrument.id.venue != venue:
            raise CatalogError(f"row {row}: venue {instrument.id.venue} differs from {venue}")
    codec = _codec()
    return pa.table(
        {
            "ts_event": pa.array([i.ts_event for i in instruments], pa.int64()),
            "ts_init": pa.array([i.ts_init for i in instruments], pa.int64()),
            "instrument_id": pa.array([i.id.value for i in instruments], pa.string()),
            "instrument_type": pa.array([type(i).__name__ for i in instruments], pa.string()),
            "price_precision": pa.array([i.price_precision for i in instruments], pa.uint8()),
            "size_precision": pa.array([i.size_precision for i in instruments], pa.uint8()),
            "price_increment": pa.array([str(i.price_increment) for i in instruments]),
            "size_increment": pa.array([str(i.size_increment) for i in instruments]),
            "quote_currency": pa.array([i.quote_currency.code for i in instruments]),
            "definition": pa.array(
                [codec.encode_json(i).decode() for i in instruments], pa.string()
            ),
        }
    )


def decode_instrument(text: str, where: str) -> Instrument:
    """Decode one JSON instrument definition written by `instruments_to_table`."""
    try:
        instrument = _codec().decode_json(text)
    except ValueError as exc:  # msgspec errors derive from ValueError
        raise CatalogError(f"{where}: invalid instrument definition: {exc}") from exc
    if not isinstance(instrument, Instrument):
        raise CatalogError(f"{where}: definition decodes to {type(instrument).__name__}")
    return instrument
