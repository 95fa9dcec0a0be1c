"""Backtest data sources: sorted, windowed and merged deterministically."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.model.data import Bar, QuoteTick, TradeTick
from shrivenquant.persistence.catalog import BarArrays
from shrivenquant.runtime.backtest import data as data_module
from shrivenquant.runtime.backtest.data import kind_rank, make_source, merge
from shrivenquant.runtime.backtest.plan import checked_routes
from shrivenquant.runtime.synthetic import GbmSpec, gbm_bars
from shrivenquant.testkit.instruments import TestInstrumentProvider
from shrivenquant.testkit.stubs import TestDataStubs


def test_records_at_one_time_come_quotes_then_trades_then_bars() -> None:
    ts = 60_000_000_000
    bar = TestDataStubs.bar(ts=ts)
    trade = TestDataStubs.trade_tick(ts=ts)
    quote = TestDataStubs.quote_tick(ts=ts)
    early = TestDataStubs.trade_tick(ts=ts - 1)
    merged = list(merge([make_source([bar, trade]), make_source([quote, early])]))
    assert merged == [early, quote, trade, bar]
    assert [type(r) for r in merged] == [TradeTick, QuoteTick, TradeTick, Bar]


def test_a_list_is_sorted_and_described() -> None:
    records = [TestDataStubs.trade_tick(ts=t) for t in (5, 3, 4)]
    source = make_source(records)
    assert [r.ts_init for r in source.records] == [3, 4, 5]
    assert (source.count, source.first_ts, source.last_ts) == (3, 3, 5)
    assert source.kinds == {TradeTick}
    assert [str(i) for i in source.instrument_ids or ()] == ["BTCUSDT.BINANCE"]


def test_arrays_are_windowed_by_start_and_end() -> None:
    bars = gbm_bars(GbmSpec(count=100))
    start, end = int(bars.ts_init[10]), int(bars.ts_init[20])
    source = make_source(bars, start=start, end=end)
    records = list(source.records)
    assert len(records) == source.count == 10
    assert records[0].ts_init == start
    assert records[-1].ts_init < end
    assert source.bar_types == {bars.bar_type}


@settings(max_examples=200)
@given(st.lists(st.lists(st.integers(0, 20), max_size=15), min_size=1, max_size=4))
def test_merge_is_ordered_stable_and_complete(times: list[list[int]]) -> None:
    sources = [
        make_source([TestDataStubs.trade_tick(ts=t) for t in sorted(ts_list)]) for ts_list in times
    ]
    origin = {id(r): index for index, source in enumerate(sources) for r in source.records}
    merged = list(merge(sources))
    assert len(merged) == sum(len(ts_list) for ts_list in times)
    keys = [(r.ts_init, kind_rank(r), origin[id(r)]) for r in merged]
    assert keys == sorted(keys)  # time, then kind, then the order the sources were added


def test_arrays_decode_a_chunk_at_a_time_without_losing_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(data_module, "DECODE_CHUNK", 7)
    bars = gbm_bars(GbmSpec(count=50))
    records = list(make_source(bars).records)
    assert [r.ts_init for r in records] == bars.ts_init.tolist()
    assert [r.close.raw for r in records] == [c * 10**7 for c in bars.close.tolist()]


def _with_high(bars: BarArrays, row: int, high: int) -> BarArrays:
    highs = bars.high.copy()
    highs[row] = high
    return BarArrays.create(
        bars.bar_type,
        ts_event=bars.ts_event,
        open=bars.open,
        high=highs,
        low=bars.low,
        close=bars.close,
        price_precision=bars.price_precision,
        volume=bars.volume,
        size_precision=bars.size_precision,
    )


def test_columns_that_pass_the_record_checks_are_marked_checked() -> None:
    bars = gbm_bars(GbmSpec(count=50))
    assert make_source(bars).checked
    assert not make_source(_with_high(bars, 7, int(bars.low[7]) - 1)).checked
    assert not make_source([TestDataStubs.trade_tick(ts=1)]).checked  # records: not known


def test_only_series_that_every_source_checked_are_trusted() -> None:
    bars = gbm_bars(GbmSpec(count=50))
    bad = _with_high(bars, 3, int(bars.close[3]) - 1)
    trade = TestDataStubs.trade_tick(ts=1)
    trade_key = (TradeTick, trade.instrument_id)
    assert checked_routes([make_source(bars)]) == {bars.bar_type}
    # The same series also in an unchecked source: its records are checked one by one.
    assert checked_routes([make_source(bars), make_source(bad)]) == frozenset()
    assert checked_routes([make_source(bars), make_source([trade])]) == {bars.bar_type}
    assert trade_key not in checked_routes([make_source([trade])])
    # A source that does not say what it holds may hold anything.
    stream = data_module.Source(iter(()), None, None, None, None, None)
    assert checked_routes([make_source(bars), stream]) == frozenset()


def test_columns_and_records_merge_by_time_then_kind_then_source() -> None:
    bars = gbm_bars(GbmSpec(count=20))
    times = bars.ts_init.tolist()
    instrument = TestInstrumentProvider.btcusdt_binance()
    listed = [instrument, *(TestDataStubs.trade_tick(ts=t) for t in times[::3])]
    sources = [make_source(bars), make_source(listed)]
    assert sources[0].rank == kind_rank(next(iter(make_source(bars).records)))
    assert sources[1].rank is None  # records of several kinds: ranked one by one
    merged = list(merge(sources))
    assert len(merged) == 20 + len(listed)
    assert merged[0] is instrument  # a definition (ts_init 0) comes first of all
    keys = [(r.ts_init, kind_rank(r), 0 if type(r) is Bar else 1) for r in merged]
    assert keys == sorted(keys)
    # At a shared time the trade (rank 4) comes before the bar (rank 5), whatever the source.
    first_trade = next(i for i, r in enumerate(merged) if type(r) is TradeTick)
    assert type(merged[first_trade + 1]) is Bar
    assert merged[first_trade].ts_init == merged[first_trade + 1].ts_init
