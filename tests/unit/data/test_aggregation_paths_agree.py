"""The incremental and vectorised paths of every bar builder give exactly the same bars."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.data.aggregation import BarBuilder, TimeBarBuilder, bar_builder
from shrivenquant.model.data import Bar, BarType, TradeTick
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.persistence.catalog import TradeTickArrays
from shrivenquant.persistence.catalog.decode import iter_trade_ticks

BTC = InstrumentId("BTCUSDT.BINANCE")
SPECS = [
    "1-MINUTE",
    "7-SECOND",
    "250-MILLISECOND",
    "1-HOUR",
    "1-TICK",
    "4-TICK",
    "3-VOLUME",
    "40-VOLUME",
    "2000-VALUE",
    "90000-VALUE",
]


def random_trades(seed: int, count: int, *, max_gap_ns: int, late: bool) -> TradeTickArrays:
    rng = np.random.default_rng(seed)
    ts = 1_700_000_000_000_000_000 + np.cumsum(rng.integers(0, max_gap_ns, count))
    if late:  # some prints stamped before earlier ones
        ts = ts - rng.integers(0, max_gap_ns * 3, count) * (rng.random(count) < 0.1)
    return TradeTickArrays.create(
        BTC,
        ts_event=ts,
        ts_init=1_700_000_000_000_000_000 + np.arange(count, dtype=np.int64) * 1_000,
        price=rng.integers(-200, 20_000, count),
        price_precision=2,
        size=rng.integers(0, 5_000, count),
        size_precision=3,
        trade_id=np.arange(count),
    )


def incremental(builder: BarBuilder, ticks: list[TradeTick]) -> list[Bar]:
    return [bar for tick in ticks for bar in builder.update(tick)]


def vectorised(builder: BarBuilder, trades: TradeTickArrays, cuts: list[int]) -> list[Bar]:
    bounds = [0, *sorted(set(cuts)), len(trades)]
    bars: list[Bar] = []
    for low, high in pairwise(bounds):
        bars.extend(builder.process_bars(trades.slice(low, high)))
    return bars


@settings(max_examples=150, deadline=None)
@given(
    spec=st.sampled_from(SPECS),
    seed=st.integers(0, 2**32 - 1),
    count=st.integers(1, 400),
    max_gap_ns=st.sampled_from([1_000_000, 300_000_000, 20_000_000_000, 400_000_000_000]),
    late=st.booleans(),
    emit_empty=st.booleans(),
    cuts=st.lists(st.integers(0, 400), max_size=6),
)
def test_incremental_and_vectorised_paths_agree(
    spec: str,
    seed: int,
    count: int,
    max_gap_ns: int,
    late: bool,
    emit_empty: bool,
    cuts: list[int],
) -> None:
    bar_type = BarType.from_str(f"BTCUSDT.BINANCE-{spec}-LAST-INTERNAL")
    trades = random_trades(seed, count, max_gap_ns=max_gap_ns, late=late)
    ticks = list(iter_trade_ticks(trades))
    live = bar_builder(bar_type, 2, 3, emit_empty=emit_empty)
    bulk = bar_builder(bar_type, 2, 3, emit_empty=emit_empty)

    expected = incremental(live, ticks)
    got = vectorised(bulk, trades, [c for c in cuts if c < count])

    assert got == expected
    assert [str(b.volume) for b in got] == [str(b.volume) for b in expected]
    assert bulk.partial == live.partial


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    emit_empty=st.booleans(),
    timer_rows=st.lists(st.integers(0, 120), max_size=5),
)
def test_paths_agree_with_timers_between_batches(
    seed: int, emit_empty: bool, timer_rows: list[int]
) -> None:
    bar_type = BarType.from_str("BTCUSDT.BINANCE-10-SECOND-LAST-INTERNAL")
    trades = random_trades(seed, 120, max_gap_ns=8_000_000_000, late=True)
    ticks = list(iter_trade_ticks(trades))
    live = TimeBarBuilder(bar_type, 2, 3, emit_empty=emit_empty)
    bulk = TimeBarBuilder(bar_type, 2, 3, emit_empty=emit_empty)
    stops = sorted(set(timer_rows))

    expected: list[Bar] = []
    got: list[Bar] = []
    low = 0
    for stop in [*stops, len(ticks)]:
        expected.extend(incremental(live, ticks[low:stop]))
        got.extend(bulk.process_bars(trades.slice(low, stop)))
        if stop < len(ticks):  # a timer fires halfway to the next trade
            now = int((trades.ts_event[stop - 1] + trades.ts_event[stop]) // 2) if stop else 0
            expected.extend(live.on_timer(now))
            got.extend(bulk.on_timer(now))
        low = stop

    assert got == expected
    assert bulk.partial == live.partial


@pytest.mark.parametrize("spec", ["2-TICK", "1-MINUTE", "1-VOLUME", "1-VALUE"])
def test_sums_beyond_int64_stay_exact(spec: str) -> None:
    bar_type = BarType.from_str(f"BTCUSDT.BINANCE-{spec}-LAST-INTERNAL")
    big = 49 * 10**17  # 4.9e17 units at precision 1: two of them overflow int64 when scaled
    trades = TradeTickArrays.create(
        BTC,
        ts_event=[1, 2, 3, 61_000_000_000, 62_000_000_000],
        price=[3, 4, 5, 6, 7],
        price_precision=0,
        size=[big, big, 1, big, 2],
        size_precision=1,
        trade_id=[1, 2, 3, 4, 5],
    )
    ticks = list(iter_trade_ticks(trades))

    expected = incremental(bar_builder(bar_type, 0, 1), ticks)
    got = bar_builder(bar_type, 0, 1).process_bars(trades)

    assert got == expected
    first_volume = {"2-TICK": 2 * big, "1-MINUTE": 2 * big + 1}.get(spec)
    if first_volume is not None:  # the first bar holds both big trades
        assert expected[0].volume.as_decimal() == Decimal(first_volume).scaleb(-1)


def test_prices_beyond_int64_take_the_exact_row_path() -> None:
    bar_type = BarType.from_str("BTCUSDT.BINANCE-2-TICK-LAST-INTERNAL")
    trades = TradeTickArrays.create(
        BTC,
        ts_event=[1, 2, 3],
        price=[10**26, 10**26 + 1, 10**25],  # scaled at precision 9: beyond int64
        price_precision=9,
        size=[1, 2, 3],
        size_precision=0,
        trade_id=[1, 2, 3],
    )
    ticks = list(iter_trade_ticks(trades))

    live = bar_builder(bar_type, 9, 0)
    bulk = bar_builder(bar_type, 9, 0)
    expected = incremental(live, ticks)
    got = bulk.process_bars(trades)

    assert got == expected
    assert str(got[0].high) == "100000000000000000.000000001"
    assert bulk.partial == live.partial


@pytest.mark.parametrize("spec", ["1-MINUTE", "5-TICK", "10-VOLUME", "5000-VALUE"])
def test_process_leaves_a_partial_bar_that_update_continues(spec: str) -> None:
    bar_type = BarType.from_str(f"BTCUSDT.BINANCE-{spec}-LAST-INTERNAL")
    trades = random_trades(11, 300, max_gap_ns=2_000_000_000, late=False)
    ticks = list(iter_trade_ticks(trades))
    everything = incremental(bar_builder(bar_type, 2, 3), ticks)

    primed = bar_builder(bar_type, 2, 3)
    history = primed.process_bars(trades.slice(0, 150))
    live = incremental(primed, ticks[150:])

    assert history + live == everything
