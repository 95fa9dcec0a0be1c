"""The data a backtest replays: many sources merged into one stream in ``ts_init`` order.

A source is a list of model records (bars, trades, quotes, book deltas or snapshots,
instruments), a columnar container of the catalog (`BarArrays`, `TradeTickArrays`,
`QuoteTickArrays`, `BookDeltaArrays`), a loader's `LoadResult`, or a catalog `DataStream`.
Each source must be in ``ts_init`` order (lists and containers that are not are sorted,
stably); the sources are merged with ties broken by kind (instruments, book snapshots,
book deltas, quotes, trades, bars: the catalog's order), then by the order the sources were
added, so a run is deterministic.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, Final

import numpy as np

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.data.loaders import LoadResult
from shrivenquant.model.data import (
    Bar,
    BarType,
    OrderBookDelta,
    OrderBookDeltas,
    OrderBookSnapshot,
    QuoteTick,
    TradeTick,
)
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.model.instruments import Instrument
from shrivenquant.persistence.catalog import (
    BarArrays,
    BookDeltaArrays,
    DataKind,
    DataStream,
    QuoteTickArrays,
    SeriesKey,
    TradeTickArrays,
)
from shrivenquant.persistence.catalog.decode import (
    iter_bars,
    iter_book_deltas,
    iter_quote_ticks,
    iter_trade_ticks,
)

Columnar = BarArrays | TradeTickArrays | QuoteTickArrays | BookDeltaArrays
DataSource = Sequence[Any] | Columnar | LoadResult[Any] | DataStream

_RANK: Final[dict[type, int]] = {
    OrderBookSnapshot: 1,
    OrderBookDeltas: 2,
    OrderBookDelta: 2,
    QuoteTick: 3,
    TradeTick: 4,
    Bar: 5,
}
_KINDS: Final = (OrderBookSnapshot, OrderBookDeltas, OrderBookDelta, QuoteTick, TradeTick, Bar)
_RECORD: Final = itemgetter(4)
DECODE_CHUNK: Final = 65_536
"""Rows of a columnar source turned into records at a time."""
_DECODERS: Final[dict[type, Any]] = {
    BarArrays: iter_bars,
    TradeTickArrays: iter_trade_ticks,
    QuoteTickArrays: iter_quote_ticks,
    BookDeltaArrays: iter_book_deltas,
}
_ARRAY_TYPES: Final[dict[type, type]] = {
    TradeTickArrays: TradeTick,
    QuoteTickArrays: QuoteTick,
    BookDeltaArrays: OrderBookDelta,
}
_CATALOG_TYPES: Final[dict[DataKind, type]] = {
    DataKind.BOOK_SNAPSHOT: OrderBookSnapshot,
    DataKind.BOOK_DELTA: OrderBookDelta,
    DataKind.QUOTE_TICK: QuoteTick,
    DataKind.TRADE_TICK: TradeTick,
    DataKind.BAR: Bar,
}


def kind_rank(record: object) -> int:
    """The tie-break rank of a record's kind (instruments first, bars last)."""
    rank = _RANK.get(type(record))
    if rank is not None:
        return rank
    if isinstance(record, Instrument):
        return 0
    raise InvalidInputError(
        f"a backtest cannot replay {type(record).__name__} records; give bars, trades, "
        f"quotes, book deltas or snapshots, or instruments"
    )


@dataclass(slots=True)
class Source:
    """One source of records and what is known about it before reading it.

    Attributes:
        records: the records, in ``ts_init`` order.
        count: how many (None for a stream of unknown length).
        first_ts: ``ts_init`` of the first record, if known.
        last_ts: ``ts_init`` of the last record, if known.
        contents: the market data types each instrument has in it (None: unknown).
        bar_types: the bar types it holds (None: unknown).
        checked: every record passes the data engine's per-record checks (established once,
            on the columns), so the replay need not check them again one by one.
        rank: the `kind_rank` of every record, when they are all of one kind (None: look at
            each record).
    """

    records: Iterable[Any]
    count: int | None
    first_ts: int | None
    last_ts: int | None
    contents: Mapping[InstrumentId, frozenset[type]] | None
    bar_types: frozenset[BarType] | None
    checked: bool = False
    rank: int | None = None

    @property
    def kinds(self) -> frozenset[type] | None:
        """Every market data type in the source (None: unknown)."""
        if self.contents is None:
            return None
        return frozenset().union(*self.contents.values())

    @property
    def instrument_ids(self) -> frozenset[InstrumentId] | None:
        """The instruments with data in the source (None: unknown)."""
        return None if self.contents is None else frozenset(self.contents)


def make_source(
    data: DataSource, *, start: int | None = None, end: int | None = None, name: str = "data"
) -> Source:
    """Wrap ``data`` as a `Source`, keeping ``start <= ts_init < end``.

    Raises:
        InvalidInputError: an unsupported kind of data (the message names ``name``).
    """
    if isinstance(data, LoadResult):
        data = data.data
    if isinstance(data, DataStream):
        return Source(_window(data, start, end), None, start, None, None, None)
    if isinstance(data, BarArrays | TradeTickArrays | QuoteTickArrays | BookDeltaArrays):
        return _columnar(data, start, end, name)
    if isinstance(data, Sequence) and not isinstance(data, str | bytes):
        return _records(data, start, end, name)
    raise InvalidInputError(
        f"{name}: cannot replay a {type(data).__name__}; give model records, catalog arrays, "
        f"a LoadResult or a catalog stream"
    )


def merge(sources: Sequence[Source]) -> Iterator[Any]:
    """Every source's records in one ``(ts_init, kind, source order)`` ordered stream."""
    if not sources:
        return iter(())
    if len(sources) == 1:
        return iter(sources[0].records)
    # Keys are unique tuples (the last int counts the source's records), so the heap compares
    # them natively, with no key function and never reaching the record.
    keyed = [_keyed(source, index) for index, source in enumerate(sources)]
    return map(_RECORD, heapq.merge(*keyed))


def _keyed(source: Source, index: int) -> Iterator[tuple[int, int, int, int, Any]]:
    """``(ts_init, kind rank, source index, row, record)`` of each record of ``source``."""
    rank = source.rank
    if rank is not None:
        return ((r.ts_init, rank, index, row, r) for row, r in enumerate(source.records))
    return ((r.ts_init, kind_rank(r), index, row, r) for row, r in enumerate(source.records))


def _window(records: Iterable[Any], start: int | None, end: int | None) -> Iterator[Any]:
    it: Iterator[Any] = iter(records)
    if start is not None:
        it = itertools.dropwhile(lambda r: r.ts_init < start, it)
    if end is not None:
        it = itertools.takewhile(lambda r: r.ts_init < end, it)
    return it


def _records(data: Sequence[Any], start: int | None, end: int | None, name: str) -> Source:
    records = list(data)
    ranks = [kind_rank(r) for r in records]
    keys = [(r.ts_init, rank) for r, rank in zip(records, ranks, strict=True)]
    if any(keys[i] > keys[i + 1] for i in range(len(keys) - 1)):
        order = sorted(range(len(records)), key=keys.__getitem__)
        records = [records[i] for i in order]
    if start is not None or end is not None:
        records = [
            r
            for r in records
            if (start is None or r.ts_init >= start) and (end is None or r.ts_init < end)
        ]
    contents: dict[InstrumentId, set[type]] = {}
    for record in records:
        if not isinstance(record, Instrument):
            contents.setdefault(_instrument_of(record), set()).add(type(record))
    bar_types = frozenset(r.bar_type for r in records if type(r) is Bar)
    return Source(
        records,
        len(records),
        records[0].ts_init if records else None,
        records[-1].ts_init if records else None,
        {key: frozenset(kinds) for key, kinds in contents.items()},
        bar_types,
    )


def _columnar(data: Columnar, start: int | None, end: int | None, name: str) -> Source:
    ts = data.ts_init
    if len(ts) > 1 and bool((np.diff(ts) < 0).any()):
        data = data.take(np.argsort(ts, kind="stable"))
        ts = data.ts_init
    lo = 0 if start is None else int(np.searchsorted(ts, start, side="left"))
    hi = len(ts) if end is None else int(np.searchsorted(ts, end, side="left"))
    if lo or hi < len(ts):
        data = data.slice(lo, hi)
        ts = data.ts_init
    count = len(ts)
    first = int(ts[0]) if count else None
    last = int(ts[-1]) if count else None
    if isinstance(data, BarArrays):
        kind: type = Bar
        bar_types: frozenset[BarType] | None = frozenset({data.bar_type})
    else:
        kind = _ARRAY_TYPES[type(data)]
        bar_types = frozenset()
    records = _decoded(data, name)
    contents = {data.instrument_id: frozenset({kind})}
    return Source(
        records, count, first, last, contents, bar_types, _passes_checks(data), _RANK[kind]
    )


def _passes_checks(data: Columnar) -> bool:
    """Whether every row passes the check the data engine makes on such a record (bars: OHLC
    consistent; trades: size > 0; quotes: not crossed; single book deltas: none)."""
    if isinstance(data, BarArrays):
        high, low = data.high, data.low
        return bool(
            (high >= data.open).all()
            and (high >= data.close).all()
            and (low <= data.open).all()
            and (low <= data.close).all()
        )
    if isinstance(data, TradeTickArrays):
        return bool((data.size > 0).all())
    if isinstance(data, QuoteTickArrays):
        return bool((data.bid_price <= data.ask_price).all())
    return True


def _decoded(data: Columnar, name: str) -> Iterator[Any]:
    """The records of ``data``, decoded a chunk at a time (memory stays bounded); chained
    in C, so no generator of ours sits between each record and the loop."""
    decode: Any = _DECODERS[type(data)]
    chunks = (
        decode(data.slice(start, start + DECODE_CHUNK), name)
        for start in range(0, len(data), DECODE_CHUNK)
    )
    return itertools.chain.from_iterable(chunks)


def catalog_source(
    stream: DataStream,
    keys: Iterable[SeriesKey],
    *,
    start: int | None,
    end: int | None,
) -> Source:
    """A catalog stream, described by the series it reads (``keys``)."""
    contents: dict[InstrumentId, set[type]] = {}
    bar_types: set[BarType] = set()
    for key in keys:
        kind = _CATALOG_TYPES.get(key.kind)
        if kind is None:
            continue
        if key.kind is DataKind.BAR:
            bar_type = BarType.from_str(key.bar_type)
            bar_types.add(bar_type)
            instrument_id = bar_type.instrument_id
        else:
            instrument_id = InstrumentId(key.instrument)
        contents.setdefault(instrument_id, set()).add(kind)
    described = {key: frozenset(kinds) for key, kinds in contents.items()}
    return Source(_window(stream, start, end), None, start, None, described, frozenset(bar_types))


def _instrument_of(record: Any) -> InstrumentId:
    if type(record) is Bar:
        of_bar: InstrumentId = record.bar_type.instrument_id
        return of_bar
    if isinstance(record, Instrument):
        return record.id
    instrument_id = getattr(record, "instrument_id", None)
    if isinstance(record, _KINDS) and isinstance(instrument_id, InstrumentId):
        return instrument_id
    raise InvalidInputError(f"a backtest cannot replay {type(record).__name__} records")
