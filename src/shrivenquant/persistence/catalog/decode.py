"""The catalog's columnar form back to model records, fast.

Replay turns millions of rows into objects, so this module builds `Price`, `Quantity` and
identifier objects directly from values that the column readers have already checked, instead
of re-parsing each one:

- a price or size comes from a decimal column at scale ``p`` (0..9), so ``raw = v * 10**(9-p)``
  is a whole number of units at precision ``p``; `to_raw_list` checks the magnitude bound and
  the array readers check that sizes are not negative, which are exactly the invariants
  `Price.from_raw` and `Quantity.from_raw` would check row by row;
- trade ids are checked a batch at a time (`trade_id_strings`).

Row iterators are generators: each record is built when asked for, so a replay that drops
records after use keeps few objects alive.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import pairwise
from typing import Any, Final, TypeVar

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]

from shrivenquant.model.data import (
    Bar,
    BookLevel,
    BookOrder,
    OrderBookDelta,
    OrderBookSnapshot,
    QuoteTick,
    TradeTick,
)
from shrivenquant.model.fixed_point import STEP
from shrivenquant.model.identifiers import InstrumentId, TradeId, set_identifier_value
from shrivenquant.model.values import MAX_RAW, Price, Quantity
from shrivenquant.persistence.catalog.arrays import (
    BarArrays,
    BookDeltaArrays,
    QuoteTickArrays,
    TradeTickArrays,
)
from shrivenquant.persistence.catalog.columns import IntArray, decimal_values
from shrivenquant.persistence.catalog.errors import CatalogError
from shrivenquant.persistence.catalog.schema import AGGRESSOR_SIDES, BOOK_ACTIONS, ORDER_SIDES

T = TypeVar("T")

_new = object.__new__
_AGGRESSORS: Final = np.array(AGGRESSOR_SIDES, dtype=object)
_ORDER_SIDES: Final = np.array(ORDER_SIDES, dtype=object)
_ACTIONS: Final = np.array(BOOK_ACTIONS, dtype=object)
_INT64_MAX: Final = 2**63 - 1
_PROBE_ROWS: Final = 256  # rows looked at to decide whether a value column repeats itself
F = TypeVar("F", Price, Quantity)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many acyclic objects at once.

    Building a list of a million records would otherwise trigger hundreds of collections that
    scan the growing list and find nothing to free. The previous state is restored on exit.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def to_raw_list(scaled: IntArray, scale: int, what: str) -> list[int]:
    """Model raw values (units of 10**-9) of scaled integers, checked against the model bound.

    Raises:
        CatalogError: a magnitude exceeds `MAX_ABS_VALUE`.
    """
    step = STEP[scale]
    if not scaled.size:
        return []
    if scaled.dtype != object:
        low, high = int(scaled.min()), int(scaled.max())
        if max(-low, high) * step > MAX_RAW:
            raise CatalogError(f"{what}: a value exceeds the model's magnitude bound")
        if max(-low, high) <= _INT64_MAX // step:
            return (scaled * step).tolist()  # type: ignore[no-any-return]
        return [v * step for v in scaled.tolist()]
    raws = [v * step for v in scaled.tolist()]
    if max(abs(r) for r in raws) > MAX_RAW:
        raise CatalogError(f"{what}: a value exceeds the model's magnitude bound")
    return raws


def trade_id_strings(column: pa.Array, where: str) -> list[str]:
    """Trade ids as Python strings, each checked to be a valid `TradeId` value.

    Ids of 1 to 128 printable ASCII characters without spaces (the usual case) are checked in
    one vectorised pass over the column's bytes; anything else goes through the `TradeId`
    constructor row by row, which names the bad value.
    """
    count = len(column)
    if not count:
        return []
    if column.null_count or not pa.types.is_string(column.type):
        return _checked_trade_ids(column.to_pylist(), where)
    offsets = np.frombuffer(column.buffers()[1], np.int32, count + 1, column.offset * 4)
    lengths = offsets[1:] - offsets[:-1]
    data = np.frombuffer(
        column.buffers()[2], np.uint8, int(offsets[-1] - offsets[0]), int(offsets[0])
    )
    if (
        int(lengths.min()) < 1
        or int(lengths.max()) > 128
        or bool(((data < 0x21) | (data > 0x7E)).any())
    ):
        return _checked_trade_ids(column.to_pylist(), where)
    return column.to_pylist()  # type: ignore[no-any-return]


def _checked_trade_ids(values: list[Any], where: str) -> list[str]:
    for row, value in enumerate(values):
        try:
            TradeId(value)
        except (TypeError, ValueError) as exc:
            raise CatalogError(f"{where}: trade_id row {row}: {exc}") from exc
    return values


def iter_trade_ticks(arrays: TradeTickArrays, where: str = "trades") -> Iterator[TradeTick]:
    """Yield the trades of ``arrays`` one by one, in row order.

    Records are built as they are asked for (a consumer that drops each one keeps few objects
    alive, which spares the garbage collector). Prices (or sizes) of a column that repeats
    itself, as prices on a tick grid do, share one immutable value object per distinct value.
    """
    instrument_id = arrays.instrument_id
    pp, sp = arrays.price_precision, arrays.size_precision
    prices, prices_made = _values_or_raws(Price, arrays.price, pp, f"{where}:price")
    sizes, sizes_made = _values_or_raws(Quantity, arrays.size, sp, f"{where}:size")
    sides = _AGGRESSORS[arrays.aggressor_side].tolist()
    trade_ids = trade_id_strings(arrays.trade_id, where)
    new, set_id = _new, set_identifier_value
    # Values and ids are built inline, as in `iter_bars`: this loop runs once per record.
    for p, s, side, tid, ts_event, ts_init in zip(
        prices,
        sizes,
        sides,
        trade_ids,
        arrays.ts_event.tolist(),
        arrays.ts_init.tolist(),
        strict=True,
    ):
        if prices_made:
            price = p
        else:
            price = new(Price)
            price._raw = p
            price._precision = pp
        if sizes_made:
            size = s
        else:
            size = new(Quantity)
            size._raw = s
            size._precision = sp
        trade_id = new(TradeId)
        set_id(trade_id, tid)
        yield TradeTick(
            instrument_id=instrument_id,
            price=price,
            size=size,
            aggressor_side=side,
            trade_id=trade_id,
            ts_event=ts_event,
            ts_init=ts_init,
        )


def shared_values(cls: type[F], scaled: IntArray, precision: int, what: str) -> list[F] | None:
    """``cls`` values (Price or Quantity) of a column of integers scaled by
    ``10**precision``, one object per distinct value, when the column repeats itself (judged
    on its first rows); else None (build the values one by one).

    Values are immutable, so equal ones can be shared, and picking a built one out of an
    array costs a fraction of building it.

    Raises:
        CatalogError: a magnitude exceeds `MAX_ABS_VALUE`.
    """
    if scaled.dtype == object or not scaled.size:
        return None
    probe = scaled[:_PROBE_ROWS]
    if np.unique(probe).size * 2 > probe.size:
        return None
    distinct, inverse = np.unique(scaled, return_inverse=True)
    made = np.empty(distinct.size, dtype=object)
    new = _new
    for index, raw in enumerate(to_raw_list(distinct, precision, what)):
        value = new(cls)
        value._raw = raw
        value._precision = precision
        made[index] = value
    return made[inverse].tolist()  # type: ignore[no-any-return]


def iter_quote_ticks(arrays: QuoteTickArrays, where: str = "quotes") -> Iterator[QuoteTick]:
    """Yield the quotes of ``arrays`` one by one, in row order (values of columns that repeat
    themselves are shared, as in `iter_trade_ticks`)."""
    instrument_id = arrays.instrument_id
    pp, sp = arrays.price_precision, arrays.size_precision
    bids, bids_made = _values_or_raws(Price, arrays.bid_price, pp, f"{where}:bid_price")
    asks, asks_made = _values_or_raws(Price, arrays.ask_price, pp, f"{where}:ask_price")
    bid_sizes, bid_sizes_made = _values_or_raws(Quantity, arrays.bid_size, sp, f"{where}:bid_size")
    ask_sizes, ask_sizes_made = _values_or_raws(Quantity, arrays.ask_size, sp, f"{where}:ask_size")
    new = _new
    for b, a, bs, as_, ts_event, ts_init in zip(
        bids,
        asks,
        bid_sizes,
        ask_sizes,
        arrays.ts_event.tolist(),
        arrays.ts_init.tolist(),
        strict=True,
    ):
        if bids_made:
            bid = b
        else:
            bid = new(Price)
            bid._raw = b
            bid._precision = pp
        if asks_made:
            ask = a
        else:
            ask = new(Price)
            ask._raw = a
            ask._precision = pp
        if bid_sizes_made:
            bid_size = bs
        else:
            bid_size = new(Quantity)
            bid_size._raw = bs
            bid_size._precision = sp
        if ask_sizes_made:
            ask_size = as_
        else:
            ask_size = new(Quantity)
            ask_size._raw = as_
            ask_size._precision = sp
        yield QuoteTick(
            instrument_id=instrument_id,
            bid_price=bid,
            ask_price=ask,
            bid_size=bid_size,
            ask_size=ask_size,
            ts_event=ts_event,
            ts_init=ts_init,
        )


def _values_or_raws(
    cls: type[F], scaled: IntArray, precision: int, what: str
) -> tuple[list[Any], bool]:
    """`shared_values` and True, or the raws (to build values from one by one) and False."""
    shared = shared_values(cls, scaled, precision, what)
    if shared is None:
        return to_raw_list(scaled, precision, what), False
    return shared, True


def iter_bars(arrays: BarArrays, where: str = "bars") -> Iterator[Bar]:
    """Yield the bars of ``arrays`` one by one, in row order."""
    bar_type = arrays.bar_type
    pp, sp = arrays.price_precision, arrays.size_precision
    columns = [
        to_raw_list(getattr(arrays, name), pp, f"{where}:{name}")
        for name in ("open", "high", "low", "close")
    ]
    volumes = to_raw_list(arrays.volume, sp, f"{where}:volume")
    new = _new
    # The values are built inline (not through `_price`): this loop runs once per bar of a
    # backtest, and five calls per bar are a good part of its cost.
    for o, h, lo, c, v, ts_event, ts_init in zip(
        *columns, volumes, arrays.ts_event.tolist(), arrays.ts_init.tolist(), strict=True
    ):
        open_ = new(Price)
        open_._raw = o
        open_._precision = pp
        high = new(Price)
        high._raw = h
        high._precision = pp
        low = new(Price)
        low._raw = lo
        low._precision = pp
        close = new(Price)
        close._raw = c
        close._precision = pp
        volume = new(Quantity)
        volume._raw = v
        volume._precision = sp
        yield Bar(
            bar_type=bar_type,
            open=open_,
            high=high,
            low=low,
            close=close,
            volume=volume,
            ts_event=ts_event,
            ts_init=ts_init,
        )


def iter_book_deltas(arrays: BookDeltaArrays, where: str = "deltas") -> Iterator[OrderBookDelta]:
    """Yield the deltas of ``arrays`` one by one, in row order."""
    instrument_id = arrays.instrument_id
    pp, sp = arrays.price_precision, arrays.size_precision
    prices = to_raw_list(arrays.price, pp, f"{where}:price")
    sizes = to_raw_list(arrays.size, sp, f"{where}:size")
    actions = _ACTIONS[arrays.action].tolist()
    side_codes = arrays.side.tolist()
    sides = _ORDER_SIDES[np.maximum(arrays.side, 0)].tolist()
    for action, code, side, p, s, order_id, flags, sequence, ts_event, ts_init in zip(
        actions,
        side_codes,
        sides,
        prices,
        sizes,
        arrays.order_id.tolist(),
        arrays.flags.tolist(),
        arrays.sequence.tolist(),
        arrays.ts_event.tolist(),
        arrays.ts_init.tolist(),
        strict=True,
    ):
        order = (
            None
            if code < 0
            else BookOrder(side=side, price=_price(p, pp), size=_quantity(s, sp), order_id=order_id)
        )
        yield OrderBookDelta(
            instrument_id=instrument_id,
            action=action,
            order=order,
            flags=flags,
            sequence=sequence,
            ts_event=ts_event,
            ts_init=ts_init,
        )


def iter_book_snapshots(
    instrument_id: InstrumentId, table: pa.Table, where: str = "snapshots"
) -> Iterator[OrderBookSnapshot]:
    """Yield the snapshots of a table in the catalog's snapshot schema."""
    sides = {}
    for side in ("bid", "ask"):
        prices = table.column(f"{side}_price").combine_chunks()
        sizes = table.column(f"{side}_size").combine_chunks()
        offsets = prices.offsets.to_numpy().tolist()
        if offsets != sizes.offsets.to_numpy().tolist():
            raise CatalogError(f"{where}: {side}_price and {side}_size lists differ in length")
        price_values, pp = decimal_values(prices.flatten(), f"{where}:{side}_price")
        size_values, sp = decimal_values(sizes.flatten(), f"{where}:{side}_size")
        if size_values.size and int(size_values.min()) < 0:
            raise CatalogError(f"{where}: {side}_size must not be negative")
        raw_prices = to_raw_list(price_values, pp, f"{where}:{side}_price")
        raw_sizes = to_raw_list(size_values, sp, f"{where}:{side}_size")
        levels = [
            BookLevel(price=_price(p, pp), size=_quantity(s, sp))
            for p, s in zip(raw_prices, raw_sizes, strict=True)
        ]
        sides[side] = [levels[a:b] for a, b in pairwise(offsets)]
    for bids, asks, sequence, ts_event, ts_init in zip(
        sides["bid"],
        sides["ask"],
        table.column("sequence").to_pylist(),
        table.column("ts_event").to_pylist(),
        table.column("ts_init").to_pylist(),
        strict=True,
    ):
        yield OrderBookSnapshot(
            instrument_id=instrument_id,
            bids=bids,
            asks=asks,
            sequence=sequence,
            ts_event=ts_event,
            ts_init=ts_init,
        )


def build_list(rows: Iterator[T]) -> list[T]:
    """Collect an iterator of records into a list with the garbage collector paused."""
    with gc_paused():
        return list(rows)


def _price(raw: int, precision: int) -> Price:
    price = _new(Price)
    price._raw = raw
    price._precision = precision
    return price


def _quantity(raw: int, precision: int) -> Quantity:
    quantity = _new(Quantity)
    quantity._raw = raw
    quantity._precision = precision
    return quantity
