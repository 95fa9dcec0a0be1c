"""ParquetDataCatalog: exact round trips of every data kind, time ranges, layout and tools."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.core.time import NANOS_PER_DAY, NANOS_PER_HOUR
from shrivenquant.model.data import (
    F_LAST,
    F_SNAPSHOT,
    Bar,
    BarType,
    BookLevel,
    BookOrder,
    OrderBookDelta,
    OrderBookDeltas,
    OrderBookSnapshot,
    QuoteTick,
    TradeTick,
)
from shrivenquant.model.enums import AggressorSide, BookAction, OrderSide
from shrivenquant.model.identifiers import InstrumentId, TradeId
from shrivenquant.model.values import Price, Quantity
from shrivenquant.persistence.catalog import (
    BarArrays,
    CatalogConfig,
    CatalogError,
    CatalogSchemaError,
    DataKind,
    ParquetDataCatalog,
    SeriesKey,
    TradeTickArrays,
)
from shrivenquant.persistence.catalog.decode import iter_trade_ticks, shared_values
from shrivenquant.testkit.instruments import TestInstrumentProvider

BTC = InstrumentId("BTCUSDT.BINANCE")
ETH = InstrumentId("ETHUSDT.BINANCE")
DAY0 = 1_704_153_600_000_000_000  # 2024-01-02 00:00 UTC
MINUTE_BARS = BarType.from_str("BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL")
HOUR_BARS = BarType.from_str("BTCUSDT.BINANCE-1-HOUR-LAST-INTERNAL")


@pytest.fixture
def catalog(tmp_path: Path) -> ParquetDataCatalog:
    return ParquetDataCatalog(tmp_path / "catalog", CatalogConfig(fsync=False))


def trade(
    instrument_id: InstrumentId, ts: int, price: str = "50000.05", size: str = "0.25000"
) -> TradeTick:
    return TradeTick(
        instrument_id=instrument_id,
        price=Price(price),
        size=Quantity(size),
        aggressor_side=AggressorSide.SELLER if ts % 2 else AggressorSide.BUYER,
        trade_id=TradeId(f"{instrument_id.symbol}-{ts}"),
        ts_event=ts - 5,
        ts_init=ts,
    )


def quote(ts: int, bid: str = "50000.00", ask: str = "50000.10") -> QuoteTick:
    return QuoteTick(
        instrument_id=BTC,
        bid_price=Price(bid),
        ask_price=Price(ask),
        bid_size=Quantity("1.500"),
        ask_size=Quantity("0.001"),
        ts_event=ts,
        ts_init=ts + 1,
    )


def bar(bar_type: BarType, ts: int, close: str = "50050.00") -> Bar:
    return Bar(
        bar_type=bar_type,
        open=Price("50000.00"),
        high=Price("50100.00"),
        low=Price("49900.00"),
        close=Price(close),
        volume=Quantity("12.50000"),
        ts_event=ts,
        ts_init=ts,
    )


def deltas(ts: int) -> OrderBookDeltas:
    clear = OrderBookDelta(
        instrument_id=BTC, action=BookAction.CLEAR, flags=F_SNAPSHOT, sequence=10,
        ts_event=ts, ts_init=ts,
    )  # fmt: skip
    add = OrderBookDelta(
        instrument_id=BTC,
        action=BookAction.ADD,
        order=BookOrder(
            side=OrderSide.BUY, price=Price("49999.50"), size=Quantity("2.5"), order_id=2**63 + 7
        ),
        flags=F_SNAPSHOT,
        sequence=2**64 - 1,
        ts_event=ts,
        ts_init=ts,
    )
    delete = OrderBookDelta(
        instrument_id=BTC,
        action=BookAction.DELETE,
        order=BookOrder(side=OrderSide.SELL, price=Price("50001.00"), size=Quantity("0.0")),
        flags=F_LAST,
        sequence=11,
        ts_event=ts,
        ts_init=ts,
    )
    return OrderBookDeltas(instrument_id=BTC, deltas=[clear, add, delete], ts_event=ts, ts_init=ts)


def snapshot(ts: int, levels: int) -> OrderBookSnapshot:
    bid, ask = Quantity("1.25"), Quantity("3")
    return OrderBookSnapshot(
        instrument_id=BTC,
        bids=[BookLevel(price=Price(f"{50000 - i}.5"), size=bid) for i in range(levels)],
        asks=[BookLevel(price=Price(f"{50001 + i}.25"), size=ask) for i in range(levels // 2)],
        sequence=ts,
        ts_event=ts,
        ts_init=ts,
    )  # fmt: skip


# --- round trips ---------------------------------------------------------------------------------


def test_trade_ticks_round_trip_exactly(catalog: ParquetDataCatalog) -> None:
    trades = [trade(BTC, DAY0 + i * 1_000) for i in range(50)]
    catalog.write(trades)

    back = catalog.trade_ticks([BTC])

    assert back == trades
    assert [str(t.price) for t in back] == [str(t.price) for t in trades]
    assert [str(t.size) for t in back] == [str(t.size) for t in trades]


def test_quote_ticks_round_trip_exactly(catalog: ParquetDataCatalog) -> None:
    quotes = [quote(DAY0 + i) for i in range(20)]
    catalog.write(quotes)

    back = catalog.quote_ticks([BTC])

    assert back == quotes
    assert [str(q.ask_size) for q in back] == ["0.001"] * 20


def test_bars_round_trip_by_bar_type(catalog: ParquetDataCatalog) -> None:
    minute = [bar(MINUTE_BARS, DAY0 + (i + 1) * 60_000_000_000) for i in range(30)]
    hour = [bar(HOUR_BARS, DAY0 + (i + 1) * NANOS_PER_HOUR, "50000.01") for i in range(3)]
    catalog.write(minute + hour)

    assert catalog.bars([MINUTE_BARS]) == minute
    assert catalog.bars([HOUR_BARS]) == hour
    assert {key.bar_type for key in catalog.series(DataKind.BAR)} == {
        str(MINUTE_BARS),
        str(HOUR_BARS),
    }


def test_book_deltas_round_trip_as_flat_rows_including_clear(catalog: ParquetDataCatalog) -> None:
    batch = deltas(DAY0)
    catalog.write([batch])

    back = catalog.book_deltas([BTC])

    assert back == batch.deltas
    assert back[0].order is None
    assert back[1].order is not None
    assert back[1].order.order_id == 2**63 + 7
    assert back[1].sequence == 2**64 - 1
    assert [d.flags for d in back] == [F_SNAPSHOT, F_SNAPSHOT, F_LAST]


def test_book_snapshots_round_trip_with_levels_and_empty_sides(
    catalog: ParquetDataCatalog,
) -> None:
    snapshots = [snapshot(DAY0 + i, levels=i) for i in range(5)]  # the first has no levels
    catalog.write(snapshots)

    assert catalog.book_snapshots([BTC]) == snapshots


def test_instruments_round_trip_and_latest_version_wins(catalog: ParquetDataCatalog) -> None:
    provider = TestInstrumentProvider
    instruments = [
        provider.btcusdt_binance(),
        provider.ethusdt_binance(),
        provider.btcusdt_perp_binance(),
        provider.nifty_option(),
        provider.nifty_future(),
        provider.reliance_nse(),
    ]
    catalog.write(instruments)

    assert sorted(catalog.instruments(), key=lambda i: i.id.value) == sorted(
        instruments, key=lambda i: i.id.value
    )
    updated = provider.btcusdt_binance().__class__(
        **{
            **{f: getattr(instruments[0], f) for f in instruments[0].__struct_fields__},
            "ts_init": 5,
            "taker_fee": Decimal("0.0009"),
        }
    )
    catalog.write([updated])

    [latest] = catalog.instruments([BTC])
    assert latest.taker_fee == Decimal("0.0009")
    assert len(catalog.instruments([BTC], latest=False)) == 2


@settings(max_examples=40, deadline=None)
@given(
    data=st.data(),
    price_precision=st.integers(0, 9),
    size_precision=st.integers(0, 9),
    count=st.integers(1, 30),
)
def test_any_representable_value_round_trips(
    tmp_path_factory: pytest.TempPathFactory,
    data: st.DataObject,
    price_precision: int,
    size_precision: int,
    count: int,
) -> None:
    """Every value the model allows, up to the magnitude bound, comes back exactly."""
    price_bound = 10 ** (18 + price_precision)
    size_bound = 10 ** (18 + size_precision)
    prices = data.draw(
        st.lists(st.integers(-price_bound, price_bound), min_size=count, max_size=count)
    )
    sizes = data.draw(st.lists(st.integers(0, size_bound), min_size=count, max_size=count))
    trades = [
        TradeTick(
            instrument_id=BTC,
            price=Price.from_raw(p * 10 ** (9 - price_precision), price_precision),
            size=Quantity.from_raw(s * 10 ** (9 - size_precision), size_precision),
            aggressor_side=AggressorSide.NO_AGGRESSOR,
            trade_id=TradeId(f"id-{row}"),
            ts_event=DAY0 + row,
            ts_init=DAY0 + row,
        )
        for row, (p, s) in enumerate(zip(prices, sizes, strict=True))
    ]
    catalog = ParquetDataCatalog(tmp_path_factory.mktemp("values"), CatalogConfig(fsync=False))
    catalog.write(trades)

    back = catalog.trade_ticks()

    assert back == trades
    assert [(t.price.precision, t.size.precision) for t in back] == [
        (price_precision, size_precision)
    ] * count


def test_large_values_use_decimal128_and_small_ones_decimal64(catalog: ParquetDataCatalog) -> None:
    small = [trade(BTC, DAY0, "1.5")]
    huge = [trade(ETH, DAY0, "999999999999999999.5")]  # 19 digits at scale 1
    paths = catalog.write(small + huge)

    types = {pq.read_schema(path).field("price").type for path in paths}

    assert types == {pa.decimal64(18, 1), pa.decimal128(38, 1)}
    assert catalog.trade_ticks([ETH]) == huge


def test_mixed_precisions_in_one_batch_come_back_equal_at_the_largest(
    catalog: ParquetDataCatalog,
) -> None:
    trades = [trade(BTC, DAY0, "1.5"), trade(BTC, DAY0 + 1, "1.25")]
    catalog.write(trades)

    back = catalog.trade_ticks()

    assert back == trades
    assert [str(t.price) for t in back] == ["1.50", "1.25"]


def test_columnar_arrays_round_trip_without_objects(catalog: ParquetDataCatalog) -> None:
    count = 1_000
    rng = np.random.default_rng(5)
    arrays = TradeTickArrays.create(
        BTC,
        ts_event=DAY0 + np.arange(count, dtype=np.int64) * 3 * NANOS_PER_HOUR // 100,
        price=rng.integers(1, 10**9, count),
        price_precision=2,
        size=rng.integers(0, 10**12, count),
        size_precision=8,
        aggressor_side=rng.integers(0, 3, count),
        trade_id=np.arange(count),
    )
    paths = catalog.write_arrays(arrays)

    back = catalog.read_arrays(DataKind.TRADE_TICK, BTC)

    assert len(paths) == 2  # 30 hours span two UTC dates
    for name in ("ts_event", "ts_init", "price", "size", "aggressor_side"):
        assert np.array_equal(getattr(back, name), getattr(arrays, name)), name
    assert back.trade_id.equals(arrays.trade_id)
    assert (back.price_precision, back.size_precision) == (2, 8)


def test_bar_arrays_and_tables_round_trip(catalog: ParquetDataCatalog) -> None:
    arrays = BarArrays.create(
        MINUTE_BARS,
        ts_event=[60, 120],
        open=[100, 101],
        high=[102, 103],
        low=[99, 100],
        close=[101, 102],
        price_precision=1,
        volume=[5, 0],
        size_precision=0,
    )
    catalog.write_table(DataKind.BAR, MINUTE_BARS, arrays.to_table())

    table = catalog.read_table("bar", str(MINUTE_BARS))

    assert table.column("close").to_pylist() == [Decimal("10.1"), Decimal("10.2")]
    assert catalog.bars()[1].close == Price("10.2")


# --- layout and time ranges --------------------------------------------------------------------


def test_files_are_partitioned_by_kind_venue_instrument_and_date(
    catalog: ParquetDataCatalog,
) -> None:
    paths = catalog.write([trade(BTC, DAY0 + 5), trade(BTC, DAY0 + NANOS_PER_DAY + 5)])

    relative = sorted(str(p.relative_to(catalog.root).parent) for p in paths)

    assert relative == [
        "trade_tick/venue=BINANCE/instrument=BTCUSDT.BINANCE/date=2024-01-02",
        "trade_tick/venue=BINANCE/instrument=BTCUSDT.BINANCE/date=2024-01-03",
    ]
    assert all(p.name.startswith("part-") and p.suffix == ".parquet" for p in paths)


def test_unsafe_characters_in_ids_are_encoded_in_paths(catalog: ParquetDataCatalog) -> None:
    odd = InstrumentId("BTC/USDT=X.VENUE%1")
    catalog.write([trade(odd, DAY0)])

    [key] = catalog.series(DataKind.TRADE_TICK)

    assert key.instrument_id == odd
    assert catalog.trade_ticks([odd])[0].instrument_id == odd


@pytest.mark.parametrize("compression", ["zstd", "snappy", "lz4", "none"])
def test_every_compression_codec_round_trips(tmp_path: Path, compression: str) -> None:
    catalog = ParquetDataCatalog(tmp_path, CatalogConfig(compression=compression, fsync=False))
    trades = [trade(BTC, DAY0 + i) for i in range(5)]
    catalog.write(trades)

    assert catalog.trade_ticks() == trades


@pytest.mark.parametrize("row_group_size", [3, 1_000])
def test_time_range_reads_are_half_open_on_ts_init(tmp_path: Path, row_group_size: int) -> None:
    catalog = ParquetDataCatalog(
        tmp_path, CatalogConfig(fsync=False, row_group_size=row_group_size)
    )
    step = 7 * NANOS_PER_HOUR  # rows over six UTC dates
    trades = [trade(BTC, DAY0 + i * step) for i in range(20)]
    catalog.write(trades)

    for start, end in [(3, 11), (0, 20), (5, 6), (19, 20), (4, 4)]:
        expected = trades[start:end]
        got = catalog.trade_ticks(start=DAY0 + start * step, end=DAY0 + end * step)
        assert got == expected, (start, end)
    assert catalog.trade_ticks(start=DAY0 + 3 * step + 1, end=DAY0 + 5 * step + 1) == trades[4:6]


def test_time_arguments_accept_datetimes_and_iso_strings(catalog: ParquetDataCatalog) -> None:
    trades = [trade(BTC, DAY0 + i * NANOS_PER_HOUR) for i in range(5)]
    catalog.write(trades)

    by_iso = catalog.trade_ticks(start="2024-01-02T01:00:00Z", end="2024-01-02T03:00:00Z")
    by_ts = catalog.trade_ticks(start=pd.Timestamp("2024-01-02 01:00", tz="UTC"))

    assert by_iso == trades[1:3]
    assert by_ts == trades[1:]
    with pytest.raises(CatalogError, match="timezone-aware"):
        catalog.trade_ticks(start=pd.Timestamp("2024-01-02"))


def test_overlapping_writes_read_back_in_ts_init_order(catalog: ParquetDataCatalog) -> None:
    first = [trade(BTC, DAY0 + i * 10) for i in range(10)]
    second = [trade(BTC, DAY0 + i * 10 + 5) for i in range(10)]
    catalog.write(first)
    catalog.write(second)

    back = catalog.trade_ticks()

    assert [t.ts_init for t in back] == sorted(t.ts_init for t in first + second)
    assert len(catalog.read_arrays("trade_tick", BTC)) == 20


def test_unsorted_input_is_written_sorted(catalog: ParquetDataCatalog) -> None:
    trades = [trade(BTC, DAY0 + i) for i in (5, 1, 4, 2, 3)]
    catalog.write(trades)

    assert [t.ts_init for t in catalog.trade_ticks()] == [DAY0 + i for i in (1, 2, 3, 4, 5)]


# --- errors --------------------------------------------------------------------------------------


def test_bad_input_is_refused_with_a_clear_error(catalog: ParquetDataCatalog) -> None:
    with pytest.raises(CatalogError, match="cannot store str"):
        catalog.write(["not data"])
    with pytest.raises(CatalogError, match="ts_init must be between"):
        catalog.write([trade(BTC, -10)])
    with pytest.raises(CatalogError, match="must not be negative"):
        TradeTickArrays.create(
            BTC, ts_event=[1], price=[1], price_precision=0, size=[-1], size_precision=0,
            trade_id=["a"],
        )  # fmt: skip
    with pytest.raises(CatalogError, match="must be integers"):
        TradeTickArrays.create(
            BTC, ts_event=[1], price=[1.5], price_precision=0, size=[1], size_precision=0,
            trade_id=["a"],
        )  # fmt: skip
    with pytest.raises(CatalogError, match="no trade_tick data"):
        catalog.read_arrays(DataKind.TRADE_TICK, BTC)


def test_files_of_unknown_schema_versions_are_refused(catalog: ParquetDataCatalog) -> None:
    [path] = catalog.write([trade(BTC, DAY0)])
    table = pq.read_table(path)
    newer = table.replace_schema_metadata(
        {**table.schema.metadata, b"shrivenquant.schema_version": b"99"}
    )
    pq.write_table(newer, path)

    with pytest.raises(CatalogSchemaError, match="schema version 99 is not supported"):
        catalog.trade_ticks()

    pq.write_table(table.replace_schema_metadata({}), path)
    with pytest.raises(CatalogSchemaError, match="not a ShrivenQuant catalog file"):
        catalog.trade_ticks()


def test_invalid_trade_ids_in_a_file_are_reported(catalog: ParquetDataCatalog) -> None:
    [path] = catalog.write([trade(BTC, DAY0)])
    table = pq.read_table(path)
    bad = table.set_column(5, "trade_id", pa.array(["has space"]))
    pq.write_table(bad, path)

    with pytest.raises(CatalogError, match="trade_id row 0"):
        catalog.trade_ticks()


# --- other tools ---------------------------------------------------------------------------------


def test_to_pandas_gives_human_units(catalog: ParquetDataCatalog) -> None:
    catalog.write([trade(BTC, DAY0, "50000.05"), trade(ETH, DAY0 + 1, "2500.5", "1.5")])

    frame = catalog.to_pandas("trade_tick", BTC)
    exact = catalog.to_pandas("trade_tick", BTC, exact=True)
    every = catalog.to_pandas("trade_tick")

    assert frame["price"].tolist() == [50000.05]
    assert exact["price"].tolist() == [Decimal("50000.05")]
    assert frame["ts_init"].iloc[0] == pd.Timestamp(DAY0, unit="ns", tz="UTC")
    assert str(frame["aggressor_side"].iloc[0]) == "BUYER"
    assert every["series"].tolist() == ["BTCUSDT.BINANCE", "ETHUSDT.BINANCE"]


def test_duckdb_views_read_exact_decimals_with_partitions(catalog: ParquetDataCatalog) -> None:
    catalog.write([trade(BTC, DAY0 + i, f"100.{i:02d}") for i in range(10)])
    catalog.write([trade(ETH, DAY0, "7.5")])

    con = catalog.duckdb()
    rows = con.sql(
        "SELECT instrument, count(*), sum(price) FROM trade_tick GROUP BY instrument "
        "ORDER BY instrument"
    ).fetchall()

    assert rows == [
        ("BTCUSDT.BINANCE", 10, Decimal("1000.45")),
        ("ETHUSDT.BINANCE", 1, Decimal("7.50")),
    ]


def test_pyarrow_dataset_pushes_filters_down(catalog: ParquetDataCatalog) -> None:
    catalog.write([trade(BTC, DAY0 + i) for i in range(10)] + [trade(ETH, DAY0)])

    dataset = catalog.dataset("trade_tick")
    table = dataset.to_table(
        filter=(ds.field("instrument") == "BTCUSDT.BINANCE") & (ds.field("ts_init") >= DAY0 + 7)
    )

    assert table.num_rows == 3


def test_info_summarises_each_series(catalog: ParquetDataCatalog) -> None:
    catalog.write([trade(BTC, DAY0 + i * NANOS_PER_DAY) for i in range(3)])
    catalog.write([quote(DAY0)])

    info = {entry.key: entry for entry in catalog.info()}

    trades = info[SeriesKey.for_instrument(DataKind.TRADE_TICK, BTC)]
    assert (trades.files, trades.rows) == (3, 3)
    assert (trades.first_ts, trades.last_ts) == (DAY0, DAY0 + 2 * NANOS_PER_DAY)
    assert info[SeriesKey.for_instrument(DataKind.QUOTE_TICK, BTC)].rows == 1


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(-(10**12), 10**12), min_size=1, max_size=6),
    st.lists(st.integers(0, 10**12), min_size=1, max_size=400),
    st.lists(st.integers(0, 10**12), min_size=1, max_size=400),
)
def test_decoded_values_equal_the_columns_whether_shared_or_not(
    palette: list[int], picks: list[int], sizes: list[int]
) -> None:
    """Prices drawn from a few values (shared objects) and sizes mostly distinct (built one
    by one) decode to exactly the values of the columns."""
    count = min(len(picks), len(sizes))
    prices = [palette[p % len(palette)] for p in picks[:count]]
    arrays = TradeTickArrays.create(
        BTC,
        ts_event=DAY0 + np.arange(count, dtype=np.int64),
        price=np.array(prices, dtype=np.int64),
        price_precision=2,
        size=np.array(sizes[:count], dtype=np.int64),
        size_precision=3,
        aggressor_side=np.ones(count, dtype=np.int8),
        trade_id=np.arange(count),
    )
    ticks = list(iter_trade_ticks(arrays))
    assert [t.price for t in ticks] == [Price.from_raw(p * 10**7, 2) for p in prices]
    assert [t.size for t in ticks] == [Quantity.from_raw(s * 10**6, 3) for s in sizes[:count]]
    assert {t.price.precision for t in ticks} == {2}


def test_a_repeating_column_shares_its_values_and_keeps_the_magnitude_check() -> None:
    count = 1_000
    arrays = TradeTickArrays.create(
        BTC,
        ts_event=DAY0 + np.arange(count, dtype=np.int64),
        price=np.full(count, 5_000_000, dtype=np.int64),
        price_precision=2,
        size=np.arange(1, count + 1, dtype=np.int64),
        size_precision=3,
        aggressor_side=np.ones(count, dtype=np.int8),
        trade_id=np.arange(count),
    )
    ticks = list(iter_trade_ticks(arrays))
    assert ticks[0].price is ticks[-1].price  # one immutable object for the repeated price
    assert ticks[0].size is not ticks[1].size
    assert [str(t.size) for t in ticks[:2]] == ["0.001", "0.002"]
    too_big = np.full(count, 2 * 10**18, dtype=np.int64)  # beyond the model's bound
    with pytest.raises(CatalogError, match="magnitude"):
        shared_values(Price, too_big, 0, "price")
