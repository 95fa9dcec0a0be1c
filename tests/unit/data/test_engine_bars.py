"""Internal bars: built by the engine from trades, closed by trades or by the clock."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.bus import topics
from shrivenquant.data.aggregation import bar_builder_for
from shrivenquant.data.engine_config import DataEngineConfig
from shrivenquant.model.data import Bar, BarType
from shrivenquant.model.data_commands import MarketDataType
from shrivenquant.model.values import Price, Quantity
from shrivenquant.testkit.instruments import TestInstrumentProvider

from .engine_kit import BTC, MINUTE, SECOND, T0, Kit, subscribe, trade, unsubscribe

BARS = MarketDataType.BARS
ONE_MINUTE = BarType.from_str("BTCUSDT.BINANCE-1-MINUTE-LAST-INTERNAL")
THREE_TICKS = BarType.from_str("BTCUSDT.BINANCE-3-TICK-LAST-INTERNAL")


def kit_with_instrument(config: DataEngineConfig | None = None) -> Kit:
    kit = Kit(config)
    kit.engine.process(TestInstrumentProvider.btcusdt_binance())
    return kit


def feed(kit: Kit, ts: int, price: str, size: str = "1.00000") -> None:
    """Deliver a trade the way a replay does: the clock first, then the engine."""
    kit.clock.advance_time(ts)
    kit.engine.process(trade(ts, price, size))


def ohlcv(bar: Bar) -> tuple[str, str, str, str, str, int, int]:
    return (
        str(bar.open), str(bar.high), str(bar.low), str(bar.close), str(bar.volume),
        bar.ts_event, bar.ts_init,
    )  # fmt: skip


def test_subscribing_internal_bars_subscribes_trades_for_them() -> None:
    kit = kit_with_instrument()
    client = kit.client()
    kit.engine.execute(subscribe(BARS, ONE_MINUTE, "S-1"))
    kit.engine.execute(subscribe(MarketDataType.TRADES, BTC, "S-2"))
    assert client.names() == ["subscribe_trades"]
    assert ONE_MINUTE in kit.engine.bars.builders
    kit.engine.execute(unsubscribe(BARS, ONE_MINUTE, "S-1"))
    assert client.names() == ["subscribe_trades"]  # S-2 still wants the trades
    assert kit.engine.bars.builders == {}
    assert kit.clock.timer_count == 0
    kit.engine.execute(unsubscribe(MarketDataType.TRADES, BTC, "S-2"))
    assert client.names() == ["subscribe_trades", "unsubscribe_trades"]


def test_the_clock_closes_a_time_bar_at_its_end() -> None:
    kit = kit_with_instrument()
    got = kit.listen(topics.bars(ONE_MINUTE))
    kit.engine.execute(subscribe(BARS, ONE_MINUTE))
    feed(kit, T0 + 1 * SECOND, "100.00")
    feed(kit, T0 + 20 * SECOND, "102.00", "2.00000")
    feed(kit, T0 + 40 * SECOND, "99.00")
    assert kit.clock.next_time_ns(kit.clock.timer_names[0]) == T0 + MINUTE
    kit.clock.advance_time(T0 + MINUTE)
    assert [ohlcv(b) for b in got] == [
        ("100.00", "102.00", "99.00", "99.00", "4.00000", T0 + MINUTE, T0 + MINUTE)
    ]
    assert kit.cache.bar(ONE_MINUTE) is got[0]
    kit.clock.advance_time(T0 + 5 * MINUTE)
    assert len(got) == 1  # no trades, no bars
    assert kit.clock.timer_count == 0


def test_a_trade_after_the_end_closes_the_bar_before_the_timer() -> None:
    kit = kit_with_instrument()
    got = kit.listen(topics.bars(ONE_MINUTE))
    kit.engine.execute(subscribe(BARS, ONE_MINUTE))
    kit.engine.process(trade(T0 + SECOND, "100.00"))
    kit.engine.process(trade(T0 + MINUTE + SECOND, "101.00"))  # the clock has not moved
    assert [b.ts_event for b in got] == [T0 + MINUTE]
    assert kit.clock.next_time_ns(kit.clock.timer_names[0]) == T0 + 2 * MINUTE


def test_a_close_time_already_past_on_the_clock_sets_no_timer() -> None:
    kit = Kit(start_ns=T0 + 10 * MINUTE)  # a wall clock ahead of historical data
    kit.engine.process(TestInstrumentProvider.btcusdt_binance())
    got = kit.listen(topics.bars(ONE_MINUTE))
    kit.engine.execute(subscribe(BARS, ONE_MINUTE))
    kit.engine.process(trade(T0 + SECOND, "100.00"))
    kit.clock.advance_time(T0 + 11 * MINUTE)
    assert got == []  # not closed early by the clock
    kit.engine.process(trade(T0 + MINUTE, "101.00"))
    assert len(got) == 1


def test_a_close_delay_lets_late_prints_join_the_bar() -> None:
    kit = kit_with_instrument(DataEngineConfig(time_bar_close_delay_ns=SECOND))
    got = kit.listen(topics.bars(ONE_MINUTE))
    kit.engine.execute(subscribe(BARS, ONE_MINUTE))
    feed(kit, T0 + 30 * SECOND, "100.00")
    kit.clock.advance_time(T0 + MINUTE + SECOND // 2)
    kit.engine.process(trade(T0 + 59 * SECOND, "98.00", ts_init=kit.clock.timestamp_ns()))
    kit.clock.advance_time(T0 + MINUTE + SECOND)
    assert [(str(b.low), str(b.volume), b.ts_init) for b in got] == [
        ("98.00", "1.10000", T0 + MINUTE + SECOND)
    ]


def test_empty_intervals_give_flat_bars_on_the_clock_when_asked() -> None:
    kit = kit_with_instrument(DataEngineConfig(time_bars_emit_empty=True))
    got = kit.listen(topics.bars(ONE_MINUTE))
    kit.engine.execute(subscribe(BARS, ONE_MINUTE))
    feed(kit, T0 + SECOND, "100.00")
    kit.clock.advance_time(T0 + 3 * MINUTE)
    assert [(b.ts_event, str(b.close), str(b.volume)) for b in got] == [
        (T0 + MINUTE, "100.00", "1.00000"),
        (T0 + 2 * MINUTE, "100.00", "0.00000"),
        (T0 + 3 * MINUTE, "100.00", "0.00000"),
    ]


def test_tick_bars_close_on_their_count() -> None:
    kit = kit_with_instrument()
    got = kit.listen(topics.bars(THREE_TICKS))
    kit.engine.execute(subscribe(BARS, THREE_TICKS))
    for i, price in enumerate(["10.00", "12.00", "11.00", "13.00"]):
        kit.engine.process(trade(T0 + i, price))
    assert [ohlcv(b)[:5] for b in got] == [("10.00", "12.00", "10.00", "11.00", "0.30000")]
    assert kit.clock.timer_count == 0


def test_bars_wait_for_their_instrument() -> None:
    kit = Kit()
    got = kit.listen(topics.bars(THREE_TICKS))
    kit.engine.execute(subscribe(BARS, THREE_TICKS))
    assert kit.engine.bars.pending == {THREE_TICKS}
    kit.engine.process(TestInstrumentProvider.btcusdt_binance())
    assert kit.engine.bars.pending == frozenset()
    for i in range(3):
        kit.engine.process(trade(T0 + i, "10.00"))
    assert len(got) == 1


def test_a_bar_type_that_cannot_be_built_is_refused() -> None:
    kit = kit_with_instrument()
    monthly = BarType.from_str("BTCUSDT.BINANCE-1-MONTH-LAST-INTERNAL")
    kit.engine.execute(subscribe(BARS, monthly))
    assert (BARS, monthly) not in kit.engine.subscriptions
    assert (MarketDataType.TRADES, BTC) not in kit.engine.subscriptions


trades_st = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=20 * SECOND),  # gap to the previous trade
        st.integers(min_value=1, max_value=99_999),  # price in cents
        st.integers(min_value=1, max_value=500_000),  # size in 1e-5
    ),
    min_size=1,
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(rows=trades_st)
def test_engine_bars_equal_the_builders_bars_from_history(
    rows: list[tuple[int, int, int]],
) -> None:
    kit = kit_with_instrument()
    got = kit.listen(topics.bars(ONE_MINUTE))
    kit.engine.execute(subscribe(BARS, ONE_MINUTE))
    offline = bar_builder_for(ONE_MINUTE, TestInstrumentProvider.btcusdt_binance())
    expected: list[Bar] = []
    ts = T0
    for gap, cents, units in rows:
        ts += gap
        tick = trade(ts, str(Price.from_raw(cents * 10_000_000, 2)),
                     str(Quantity.from_raw(units * 10_000, 5)))  # fmt: skip
        expected.extend(offline.update(tick))
        kit.clock.advance_time(ts)
        kit.engine.process(tick)
    end = ts + MINUTE
    expected.extend(offline.on_timer(end))  # type: ignore[attr-defined]
    kit.clock.advance_time(end)
    # The same bars; only ts_init differs (the engine's timer closes a bar at its end).
    assert [ohlcv(b)[:6] for b in got] == [ohlcv(b)[:6] for b in expected]
    assert all(b.ts_init <= max(b.ts_event, ts) for b in got)
