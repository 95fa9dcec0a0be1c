"""The catalog's merged stream: ts_init order, deterministic ties, batches, ranges."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.model.data import Bar, BarType, QuoteTick, TradeTick
from shrivenquant.model.enums import AggressorSide
from shrivenquant.model.identifiers import InstrumentId, TradeId
from shrivenquant.model.values import Price, Quantity
from shrivenquant.persistence.catalog import CatalogConfig, DataKind, ParquetDataCatalog
from shrivenquant.persistence.catalog.layout import PartFile
from shrivenquant.persistence.catalog.stream import chain_files
from shrivenquant.persistence.catalog.writer import series_key_of
from shrivenquant.testkit.instruments import TestInstrumentProvider

BTC = InstrumentId("BTCUSDT.BINANCE")
ETH = InstrumentId("ETHUSDT.BINANCE")
DAY0 = 1_704_153_600_000_000_000
BARS = BarType.from_str("BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL")


def trade(instrument_id: InstrumentId, ts: int, n: int) -> TradeTick:
    return TradeTick(
        instrument_id=instrument_id, price=Price("10.5"), size=Quantity("1"),
        aggressor_side=AggressorSide.BUYER, trade_id=TradeId(f"T{n}"), ts_event=ts, ts_init=ts,
    )  # fmt: skip


def quote(ts: int) -> QuoteTick:
    return QuoteTick(
        instrument_id=BTC, bid_price=Price("10.4"), ask_price=Price("10.6"),
        bid_size=Quantity("1"), ask_size=Quantity("1"), ts_event=ts, ts_init=ts,
    )  # fmt: skip


def bar(ts: int) -> Bar:
    p = Price("10.5")
    return Bar(
        bar_type=BARS, open=p, high=p, low=p, close=p, volume=Quantity("3"),
        ts_event=ts, ts_init=ts,
    )  # fmt: skip


def expected_order(records: list[Any]) -> list[Any]:
    """ts_init, then data kind, then series name, then position within the series."""
    return [
        r
        for _, r in sorted(
            enumerate(records),
            key=lambda item: (
                item[1].ts_init,
                series_key_of(item[1]).kind,
                series_key_of(item[1]),
                item[0],
            ),
        )
    ]


@pytest.fixture
def catalog(tmp_path: Path) -> ParquetDataCatalog:
    return ParquetDataCatalog(tmp_path, CatalogConfig(fsync=False, row_group_size=7))


@settings(max_examples=60, deadline=None)
@given(
    timestamps=st.lists(st.integers(0, 40), min_size=1, max_size=60),
    kinds=st.lists(st.sampled_from(["btc", "eth", "quote", "bar"]), min_size=60, max_size=60),
    batch_rows=st.integers(1, 9),
    read_ahead=st.booleans(),
)
def test_stream_merges_by_ts_init_with_deterministic_ties(
    tmp_path_factory: pytest.TempPathFactory,
    timestamps: list[int],
    kinds: list[str],
    batch_rows: int,
    read_ahead: bool,
) -> None:
    records: list[Any] = []
    for n, (offset, kind) in enumerate(zip(sorted(timestamps), kinds, strict=False)):
        ts = DAY0 + offset
        if kind == "btc":
            records.append(trade(BTC, ts, n))
        elif kind == "eth":
            records.append(trade(ETH, ts, n))
        elif kind == "quote":
            records.append(quote(ts))
        else:
            records.append(bar(ts))
    catalog = ParquetDataCatalog(
        tmp_path_factory.mktemp("stream"), CatalogConfig(fsync=False, row_group_size=4)
    )
    catalog.write(records)

    merged = list(catalog.stream(batch_rows=batch_rows, read_ahead=read_ahead))

    assert merged == expected_order(records)


def test_kinds_sharing_a_timestamp_come_in_kind_order(catalog: ParquetDataCatalog) -> None:
    instrument = TestInstrumentProvider.btcusdt_binance()
    records: list[Any] = [bar(DAY0), trade(BTC, DAY0, 1), quote(DAY0), instrument]
    catalog.write(records)

    kinds = [series_key_of(r).kind for r in catalog.stream()]

    assert kinds == [DataKind.INSTRUMENT, DataKind.QUOTE_TICK, DataKind.TRADE_TICK, DataKind.BAR]


def test_stream_selects_kinds_instruments_bar_types_and_range(catalog: ParquetDataCatalog) -> None:
    trades = [trade(BTC, DAY0 + i, i) for i in range(10)]
    eth = [trade(ETH, DAY0 + i, 100 + i) for i in range(10)]
    catalog.write([*trades, *eth, quote(DAY0 + 3), bar(DAY0 + 4)])

    only_btc_trades = list(catalog.stream(["trade_tick"], [BTC], start=DAY0 + 2, end=DAY0 + 6))
    bars = list(catalog.stream([DataKind.BAR], bar_types=[BARS]))
    none = list(
        catalog.stream([DataKind.BAR], bar_types=[BarType.from_str("X.Y-1-TICK-LAST-INTERNAL")])
    )

    assert only_btc_trades == trades[2:6]
    assert bars == [bar(DAY0 + 4)]
    assert none == []


def test_overlapping_files_of_one_series_are_merged(catalog: ParquetDataCatalog) -> None:
    evens = [trade(BTC, DAY0 + i, i) for i in range(0, 40, 2)]
    odds = [trade(BTC, DAY0 + i, i) for i in range(1, 40, 2)]
    catalog.write(evens)
    catalog.write(odds)

    merged = list(catalog.stream(batch_rows=3))

    assert [t.ts_init for t in merged] == [DAY0 + i for i in range(40)]


def test_an_abandoned_stream_does_not_disturb_the_next(catalog: ParquetDataCatalog) -> None:
    catalog.write([trade(BTC, DAY0 + i, i) for i in range(100)] + [quote(DAY0 + 50)])

    first = iter(catalog.stream(batch_rows=5))
    assert [next(first).ts_init for _ in range(3)] == [DAY0, DAY0 + 1, DAY0 + 2]
    del first

    assert len(list(catalog.stream(batch_rows=5))) == 101


def test_chain_files_splits_only_overlapping_files() -> None:
    spans = ((0, 10), (10, 20), (5, 15), (21, 30))
    a, b, c, d = (PartFile(first, last, Path(str(first))) for first, last in spans)

    chains = chain_files([d, c, b, a])

    assert chains == [[a, b, d], [c]]
