"""Replay: catalog slices through the data engine, on a test clock or paced on the live clock."""

from __future__ import annotations

import asyncio
import time
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from shrivenquant.book import L2Book
from shrivenquant.bus import topics
from shrivenquant.core.clock import LiveClock, TimeEvent
from shrivenquant.data.replay import DataReplay
from shrivenquant.model.data import BarType, BookLevel, OrderBookSnapshot
from shrivenquant.model.data_commands import MarketDataType
from shrivenquant.model.values import Price, Quantity
from shrivenquant.persistence.catalog import CatalogConfig, ParquetDataCatalog
from shrivenquant.testkit.instruments import TestInstrumentProvider
from shrivenquant.testkit.stubs import TestDataStubs

from .engine_kit import BTC, ETH, MINUTE, SECOND, T0, Kit, subscribe, trade

ONE_MINUTE = BarType.from_str("BTCUSDT.BINANCE-1-MINUTE-LAST-INTERNAL")


@pytest.fixture
def catalog(tmp_path: Path) -> ParquetDataCatalog:
    catalog = ParquetDataCatalog(tmp_path, CatalogConfig(fsync=False))
    catalog.write([TestInstrumentProvider.btcusdt_binance()])
    catalog.write([trade(T0 + i * 10 * SECOND, f"{100 + i}.00") for i in range(12)])
    catalog.write([trade(T0 + i * 15 * SECOND + 1, "20.00", instrument_id=ETH) for i in range(8)])
    catalog.write([TestDataStubs.quote_tick("99.00", "101.00", ts=T0 + 5 * SECOND)])
    catalog.write(
        [
            OrderBookSnapshot(
                instrument_id=BTC,
                bids=[BookLevel(price=Price("99.00"), size=Quantity("1.00000"))],
                asks=[BookLevel(price=Price("101.00"), size=Quantity("1.00000"))],
                sequence=7,
                ts_event=T0 + 7 * SECOND,
                ts_init=T0 + 7 * SECOND,
            )
        ]
    )
    return catalog


def test_a_slice_goes_through_the_engine_in_time_order(catalog: ParquetDataCatalog) -> None:
    kit = Kit(start_ns=0)
    seen: list[tuple[int, int, bool]] = []

    def on_trade(tick: Any) -> None:
        # the clock stands at the record's time and the cache already has it
        seen.append((tick.ts_init, kit.clock.timestamp_ns(), kit.cache.trade(tick.instrument_id)
                     is tick))  # fmt: skip

    kit.bus.subscribe(topics.trades_all(), on_trade)
    replay = DataReplay.from_catalog(kit.bus, catalog, end=T0 + MINUTE)
    stats = replay.run(kit.clock)
    assert [ts for ts, _, _ in seen] == sorted(ts for ts, _, _ in seen)
    assert all(now == ts and cached for ts, now, cached in seen)
    assert len(seen) == 6 + 4  # BTC every 10 s, ETH every 15 s, in the first minute
    assert stats.records == 1 + 10 + 1 + 1  # instrument, trades, quote, snapshot
    assert stats.first_ts_init is not None
    assert stats.out_of_order == 0
    assert kit.cache.instrument(BTC) is not None
    assert kit.cache.quote(BTC) is not None
    book = kit.cache.book(BTC, L2Book)
    assert book is not None
    assert book.sequence == 7


def test_timers_fire_between_records_in_time_order(catalog: ParquetDataCatalog) -> None:
    kit = Kit(start_ns=T0)
    order: list[str] = []
    kit.bus.subscribe(topics.trades(BTC), lambda t: order.append(f"trade {t.ts_init - T0}"))

    def on_timer(event: TimeEvent) -> None:
        order.append(f"timer {event.ts_event - T0}")

    kit.clock.set_timer("every-25s", 25 * SECOND, on_timer, stop_time_ns=T0 + MINUTE)
    DataReplay.from_catalog(
        kit.bus, catalog, kinds=["trade_tick"], instrument_ids=[BTC], end=T0 + MINUTE
    ).run(kit.clock)
    s = SECOND
    assert order == [
        "trade 0", f"trade {10 * s}", f"trade {20 * s}", f"timer {25 * s}", f"trade {30 * s}",
        f"trade {40 * s}", f"timer {50 * s}", f"trade {50 * s}",
    ]  # fmt: skip


def test_internal_bars_from_a_replay_close_at_the_end(catalog: ParquetDataCatalog) -> None:
    kit = Kit(start_ns=T0)
    bars = kit.listen(topics.bars(ONE_MINUTE))
    kit.engine.execute(subscribe(MarketDataType.BARS, ONE_MINUTE))
    replay = DataReplay.from_catalog(kit.bus, catalog, kinds=["instrument", "trade_tick"])
    replay.run(kit.clock, end_ns=T0 + 3 * MINUTE)
    assert [(b.ts_event - T0, str(b.open), str(b.close)) for b in bars] == [
        (MINUTE, "100.00", "105.00"),
        (2 * MINUTE, "106.00", "111.00"),
    ]


def test_a_replay_can_be_stopped_from_a_handler(catalog: ParquetDataCatalog) -> None:
    kit = Kit(start_ns=0)
    replay = DataReplay.from_catalog(kit.bus, catalog, kinds=["trade_tick"])
    got = kit.listen(topics.trades_all())
    kit.bus.subscribe(topics.trades_all(), lambda t: len(got) == 3 and replay.stop())
    stats = replay.run(kit.clock)
    assert stats.stopped
    assert stats.records == 3


def test_out_of_order_records_are_sent_and_counted() -> None:
    kit = Kit(start_ns=0)
    got = kit.listen(topics.trades_all())
    records = [trade(T0 + 2), trade(T0 + 1), trade(T0 + 3)]
    stats = DataReplay(kit.bus, records).run(kit.clock)
    assert got == records
    assert stats.out_of_order == 1
    assert kit.clock.timestamp_ns() == T0 + 3


async def test_realtime_replay_paces_records_by_their_times() -> None:
    kit = Kit(start_ns=0)
    clock = LiveClock()
    arrivals: list[int] = []
    kit.bus.subscribe(topics.trades_all(), lambda t: arrivals.append(time.perf_counter_ns()))
    records = [trade(T0 + i * 100_000_000) for i in range(4)]  # 0.1 s apart
    started = time.perf_counter_ns()
    stats = await DataReplay(kit.bus, records).run_realtime(clock, speed=4.0)  # 25 ms apart
    assert stats.records == 4
    elapsed = arrivals[-1] - started
    assert 70_000_000 <= elapsed < 2 * SECOND
    gaps = [b - a for a, b in pairwise(arrivals)]
    assert all(g >= 15_000_000 for g in gaps)


async def test_realtime_replay_can_be_stopped() -> None:
    kit = Kit(start_ns=0)
    replay = DataReplay(kit.bus, [trade(T0), trade(T0 + 10 * SECOND)])

    async def stop_soon() -> None:
        await asyncio.sleep(0.02)
        replay.stop()

    stopper = asyncio.create_task(stop_soon())
    stats = await replay.run_realtime(LiveClock(), speed=1.0)
    await stopper
    assert stats.stopped
    assert stats.records == 1


async def test_realtime_speed_must_be_positive_and_finite() -> None:
    kit = Kit(start_ns=0)
    for speed in (0.0, -1.0, float("inf")):
        with pytest.raises(ValueError, match="speed"):
            await DataReplay(kit.bus, []).run_realtime(LiveClock(), speed)
