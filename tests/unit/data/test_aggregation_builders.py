"""Bar builders: boundaries, timers, empty intervals, thresholds and input checks."""

from __future__ import annotations

import pytest

from shrivenquant.data.aggregation import (
    ThresholdBarBuilder,
    TimeBarBuilder,
    bar_builder,
    bar_builder_for,
)
from shrivenquant.model.data import Bar, BarType, TradeTick
from shrivenquant.model.enums import AggressorSide
from shrivenquant.model.identifiers import InstrumentId, TradeId
from shrivenquant.model.values import Price, Quantity
from shrivenquant.testkit.instruments import TestInstrumentProvider

BTC = InstrumentId("BTCUSDT.BINANCE")
SECOND = 1_000_000_000
MINUTE = 60 * SECOND
T0 = 1_704_153_600_000_000_000  # a whole minute


def bar_type(spec: str) -> BarType:
    return BarType.from_str(f"BTCUSDT.BINANCE-{spec}-LAST-INTERNAL")


def tick(ts: int, price: str, size: str = "1.000", ts_init: int | None = None) -> TradeTick:
    return TradeTick(
        instrument_id=BTC,
        price=Price(price),
        size=Quantity(size),
        aggressor_side=AggressorSide.BUYER,
        trade_id=TradeId(f"T{ts}"),
        ts_event=ts,
        ts_init=ts if ts_init is None else ts_init,
    )


def feed(builder: TimeBarBuilder | ThresholdBarBuilder, ticks: list[TradeTick]) -> list[Bar]:
    return [bar for t in ticks for bar in builder.update(t)]


def ohlcv(bar: Bar) -> tuple[str, str, str, str, str]:
    return (str(bar.open), str(bar.high), str(bar.low), str(bar.close), str(bar.volume))


def test_a_time_bar_closes_when_a_trade_arrives_at_its_end() -> None:
    builder = TimeBarBuilder(bar_type("1-MINUTE"), 2, 3)

    assert builder.update(tick(T0 + 1, "10.00")) == ()
    assert builder.update(tick(T0 + 30 * SECOND, "12.00", "2.000")) == ()
    assert builder.update(tick(T0 + MINUTE - 1, "9.00")) == ()
    [bar] = builder.update(tick(T0 + MINUTE, "11.00", ts_init=T0 + MINUTE + 5))

    assert ohlcv(bar) == ("10.00", "12.00", "9.00", "9.00", "4.000")
    assert (bar.ts_event, bar.ts_init) == (T0 + MINUTE, T0 + MINUTE + 5)
    assert builder.next_close_ns == T0 + 2 * MINUTE


def test_a_timer_closes_the_bar_at_or_after_its_end() -> None:
    builder = TimeBarBuilder(bar_type("1-MINUTE"), 2, 3)
    builder.update(tick(T0 + 5, "10.00"))

    assert builder.on_timer(T0 + MINUTE - 1) == ()
    [bar] = builder.on_timer(T0 + MINUTE)

    assert (bar.ts_event, bar.ts_init) == (T0 + MINUTE, T0 + MINUTE)
    assert builder.partial is None
    assert builder.on_timer(T0 + 5 * MINUTE) == ()  # nothing to close, no empty bars asked for


def test_empty_intervals_give_flat_bars_when_asked() -> None:
    builder = TimeBarBuilder(bar_type("1-MINUTE"), 2, 3, emit_empty=True)
    builder.update(tick(T0 + 5, "10.00"))

    bars = builder.update(tick(T0 + 3 * MINUTE + 1, "11.00"))

    assert [b.ts_event for b in bars] == [T0 + MINUTE, T0 + 2 * MINUTE, T0 + 3 * MINUTE]
    assert [ohlcv(b) for b in bars[1:]] == [("10.00", "10.00", "10.00", "10.00", "0.000")] * 2
    timer_bars = builder.on_timer(T0 + 6 * MINUTE)
    assert [b.ts_event for b in timer_bars] == [T0 + m * MINUTE for m in (4, 5, 6)]
    assert str(timer_bars[-1].close) == "11.00"


def test_a_late_trade_joins_the_current_bar() -> None:
    builder = TimeBarBuilder(bar_type("1-MINUTE"), 2, 3)
    builder.update(tick(T0 + MINUTE + 1, "10.00"))

    assert builder.update(tick(T0 + 5, "20.00")) == ()  # stamped in the previous minute
    [bar] = builder.update(tick(T0 + 2 * MINUTE, "1.00"))

    assert bar.ts_event == T0 + 2 * MINUTE
    assert str(bar.high) == "20.00"


def test_origin_aligns_buckets_to_a_session_start() -> None:
    ist_open = T0 + 3 * 3600 * SECOND + 45 * MINUTE  # 09:15 IST that day
    builder = TimeBarBuilder(bar_type("1-HOUR"), 2, 3, origin_ns=ist_open)

    builder.update(tick(ist_open + 1, "10.00"))
    [bar] = builder.update(tick(ist_open + 3600 * SECOND, "11.00"))

    assert bar.ts_event == ist_open + 3600 * SECOND


def test_tick_bars_close_every_step_trades() -> None:
    builder = ThresholdBarBuilder(bar_type("3-TICK"), 2, 3)

    bars = feed(builder, [tick(T0 + i, f"{10 + i}.00") for i in range(7)])

    assert [ohlcv(b) for b in bars] == [
        ("10.00", "12.00", "10.00", "12.00", "3.000"),
        ("13.00", "15.00", "13.00", "15.00", "3.000"),
    ]
    assert [b.ts_event for b in bars] == [T0 + 2, T0 + 5]
    assert builder.partial is not None
    assert builder.partial.count == 1


def test_volume_bars_hold_whole_trades_and_may_exceed_the_step() -> None:
    builder = ThresholdBarBuilder(bar_type("5-VOLUME"), 2, 3)

    bars = feed(
        builder,
        [tick(T0, "1.00", "2.000"), tick(T0 + 1, "2.00", "2.999"), tick(T0 + 2, "3.00", "0.001"),
         tick(T0 + 3, "4.00", "7.500")],
    )  # fmt: skip

    assert [str(b.volume) for b in bars] == ["5.000", "7.500"]
    assert [str(b.close) for b in bars] == ["3.00", "4.00"]


def test_value_bars_close_on_notional() -> None:
    builder = ThresholdBarBuilder(bar_type("100-VALUE"), 2, 3)

    bars = feed(builder, [tick(T0, "10.00", "4.000"), tick(T0 + 1, "20.00", "3.000")])

    assert len(bars) == 1  # 40 + 60 = 100 reaches the step
    assert builder.partial is None
    assert feed(builder, [tick(T0 + 2, "99.99", "1.000")]) == []


def test_factory_picks_the_builder_and_reads_instrument_precisions() -> None:
    instrument = TestInstrumentProvider.btcusdt_binance()

    time_builder = bar_builder_for(bar_type("5-MINUTE"), instrument)
    volume_builder = bar_builder(bar_type("10-VOLUME"), 2, 5)

    assert isinstance(time_builder, TimeBarBuilder)
    assert (time_builder.price_precision, time_builder.size_precision) == (2, 5)
    assert isinstance(volume_builder, ThresholdBarBuilder)
    with pytest.raises(ValueError, match=r"instrument ETHUSDT\.BINANCE given"):
        bar_builder_for(bar_type("5-MINUTE"), TestInstrumentProvider.ethusdt_binance())


def test_bad_configuration_and_input_are_refused() -> None:
    with pytest.raises(ValueError, match="price type LAST"):
        bar_builder(BarType.from_str("BTCUSDT.BINANCE-1-MINUTE-BID-INTERNAL"), 2, 3)
    with pytest.raises(ValueError, match="no fixed length"):
        bar_builder(bar_type("1-MONTH"), 2, 3)
    with pytest.raises(ValueError, match="price_precision must be an int"):
        bar_builder(bar_type("1-MINUTE"), 10, 3)
    builder = bar_builder(bar_type("1-MINUTE"), 2, 3)
    with pytest.raises(ValueError, match="more decimal places"):
        builder.update(tick(T0, "10.001"))
    other = TradeTick(
        instrument_id=InstrumentId("ETHUSDT.BINANCE"), price=Price("1.00"), size=Quantity("1"),
        aggressor_side=AggressorSide.BUYER, trade_id=TradeId("x"), ts_event=T0, ts_init=T0,
    )  # fmt: skip
    with pytest.raises(ValueError, match=r"trade of ETHUSDT\.BINANCE"):
        builder.update(other)


def test_reset_forgets_the_partial_bar() -> None:
    builder = TimeBarBuilder(bar_type("1-MINUTE"), 2, 3, emit_empty=True)
    builder.update(tick(T0, "10.00"))
    builder.on_timer(T0 + MINUTE)

    builder.reset()

    assert builder.partial is None
    assert builder.update(tick(T0 + 10 * MINUTE, "1.00")) == ()  # no empty bars after reset
