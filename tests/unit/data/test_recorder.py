"""The recorder: bus data into the catalog in batches, failures kept and retried, raw frames."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shrivenquant.bus import topics
from shrivenquant.core.errors import InvalidInputError, RetryableError
from shrivenquant.core.lifecycle import ComponentState
from shrivenquant.data.raw_frames import RawFrame, RawFrameStore
from shrivenquant.data.recorder import DataRecorder, RecorderConfig
from shrivenquant.model.data import BarType
from shrivenquant.model.data_commands import MarketDataType
from shrivenquant.persistence.catalog import CatalogConfig, CatalogError, ParquetDataCatalog
from shrivenquant.testkit.instruments import TestInstrumentProvider
from shrivenquant.testkit.stubs import TestDataStubs

from .engine_kit import BTC, ETH, SECOND, T0, TRADER, FakeDataClient, Kit, trade

DAY = 86_400 * SECOND


class FlakyCatalog(ParquetDataCatalog):
    """A catalog whose next ``failures`` writes raise an I/O error."""

    def __init__(self, root: Path) -> None:
        super().__init__(root, CatalogConfig(fsync=False))
        self.failures = 0
        self.attempts = 0

    def write(self, records: Any) -> list[Path]:
        self.attempts += 1
        if self.failures:
            self.failures -= 1
            raise OSError("disk full")
        return super().write(records)


def recorder(kit: Kit, catalog: ParquetDataCatalog, **config: Any) -> DataRecorder:
    rec = DataRecorder(TRADER, kit.bus, kit.clock, catalog, RecorderConfig(**config))
    rec.start()
    return rec


def test_records_are_written_when_a_batch_fills(tmp_path: Path) -> None:
    kit = Kit()
    catalog = FlakyCatalog(tmp_path)
    rec = recorder(kit, catalog, batch_size=3)
    ticks = [trade(T0 + i) for i in range(4)]
    for tick in ticks:
        kit.engine.process(tick)
    assert rec.written == 3
    assert rec.pending == 1
    assert catalog.trade_ticks([BTC]) == ticks[:3]


def test_the_clock_flushes_a_partial_batch(tmp_path: Path) -> None:
    kit = Kit()
    catalog = FlakyCatalog(tmp_path)
    rec = recorder(kit, catalog, flush_interval_ns=SECOND)
    kit.engine.process(trade(T0))
    kit.engine.process(TestDataStubs.quote_tick(ts=T0))
    assert rec.written == 0
    kit.clock.advance_time(T0 + SECOND)
    assert rec.written == 2
    assert len(catalog.quote_ticks([BTC])) == 1


def test_stopping_flushes_every_kind_and_day(tmp_path: Path) -> None:
    kit = Kit()
    catalog = FlakyCatalog(tmp_path)
    rec = recorder(kit, catalog)
    records: list[Any] = [
        TestInstrumentProvider.btcusdt_binance(),
        trade(T0),
        trade(T0 + DAY),
        TestDataStubs.quote_tick(ts=T0),
        TestDataStubs.bar(ts=T0),
        TestDataStubs.book_snapshot(ts=T0),
        TestDataStubs.book_deltas(),
    ]
    for record in records:
        kit.engine.process(record)
    rec.stop()
    assert rec.pending == 0
    assert catalog.attempts == 7  # one write per series and date
    assert catalog.trade_ticks([BTC]) == records[1:3]
    assert catalog.instruments() == [records[0]]
    assert len(catalog.book_deltas([BTC])) == 2
    assert len(catalog.bars()) == 1
    kit.engine.process(trade(T0 + 5))
    assert rec.pending == 0  # unsubscribed


def test_only_the_configured_instruments_and_types_are_recorded(tmp_path: Path) -> None:
    kit = Kit()
    catalog = FlakyCatalog(tmp_path)
    rec = recorder(
        kit, catalog, instrument_ids=(BTC,),
        data_types=(MarketDataType.TRADES, MarketDataType.BARS),
    )  # fmt: skip
    eth_bar = TestDataStubs.bar()
    eth_bar = type(eth_bar)(
        bar_type=BarType.from_str("ETHUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL"),
        open=eth_bar.open, high=eth_bar.high, low=eth_bar.low, close=eth_bar.close,
        volume=eth_bar.volume, ts_event=0, ts_init=0,
    )  # fmt: skip
    for record in (trade(T0), trade(T0, instrument_id=ETH), TestDataStubs.quote_tick(),
                   TestDataStubs.bar(), eth_bar):  # fmt: skip
        kit.engine.process(record)
    assert rec.pending == 2  # the BTC trade and the BTC bar


def test_a_failed_write_is_kept_retried_and_the_recorder_recovers(tmp_path: Path) -> None:
    kit = Kit()
    catalog = FlakyCatalog(tmp_path)
    catalog.failures = 2
    rec = recorder(
        kit, catalog, batch_size=2, flush_interval_ns=10 * SECOND, retry_backoff_ns=SECOND
    )
    ticks = [trade(T0 + i) for i in range(6)]
    kit.engine.process(ticks[0])
    kit.engine.process(ticks[1])  # batch full: the write fails
    assert rec.state is ComponentState.DEGRADED
    assert rec.write_failures == 1
    assert rec.pending == 2
    kit.engine.process(ticks[2])  # within the back-off: no new attempt
    assert catalog.attempts == 1
    kit.clock.advance_time(T0 + SECOND)
    kit.engine.process(ticks[3])  # due again: fails again, back-off doubles
    assert catalog.attempts == 2
    assert rec.pending == 4
    kit.clock.advance_time(T0 + 2 * SECOND)
    kit.engine.process(ticks[4])  # still inside the doubled back-off
    assert catalog.attempts == 2
    kit.clock.advance_time(T0 + 3 * SECOND)
    kit.engine.process(ticks[5])
    assert rec.state is ComponentState.RUNNING
    assert rec.pending == 0
    assert catalog.trade_ticks([BTC]) == ticks  # every record exactly once
    assert kit.bus.metrics.value("recorder_write_failures", {"recorder": "DataRecorder"}) == 2


def test_records_the_catalog_cannot_store_are_set_aside(tmp_path: Path) -> None:
    kit = Kit()

    class Refusing(FlakyCatalog):
        def write(self, records: Any) -> list[Path]:
            raise CatalogError("value out of range")

    rec = recorder(kit, Refusing(tmp_path))
    kit.engine.process(trade(T0))
    rec.flush()
    assert rec.rejected == [trade(T0)]
    assert rec.pending == 0
    assert rec.state is ComponentState.RUNNING


def test_the_buffer_bound_drops_the_oldest_loudly(tmp_path: Path) -> None:
    kit = Kit()
    catalog = FlakyCatalog(tmp_path)
    catalog.failures = 100
    rec = recorder(kit, catalog, batch_size=2, max_buffered=3)
    for i in range(4):
        kit.clock.advance_time(T0 + i * 100 * SECOND)
        kit.engine.process(trade(T0 + i))
    assert rec.pending == 3
    assert rec.dropped == 1


def test_stopping_with_writes_still_failing_faults_and_keeps_the_data(tmp_path: Path) -> None:
    kit = Kit()
    catalog = FlakyCatalog(tmp_path)
    catalog.failures = 100
    rec = recorder(kit, catalog, stop_attempts=2)
    kit.engine.process(trade(T0))
    with pytest.raises(RetryableError, match="1 records"):
        rec.stop()
    assert rec.state is ComponentState.FAULTED
    assert rec.pending == 1
    catalog.failures = 0
    rec.flush()
    assert catalog.trade_ticks([BTC]) == [trade(T0)]


def test_raw_frames_are_kept_beside_the_records(tmp_path: Path) -> None:
    kit = Kit()
    store = RawFrameStore(tmp_path / "raw", fsync=False)
    rec = DataRecorder(
        TRADER, kit.bus, kit.clock, FlakyCatalog(tmp_path / "catalog"), raw_store=store
    )
    rec.start()
    client = FakeDataClient(kit.bus, kit.clock)
    client.attach_raw_sink(rec.record_raw_frame)
    client.record_raw("btcusdt@trade", b'{"e":"trade","p":"1"}')
    kit.clock.advance_time(T0 + 1)
    client.record_raw("btcusdt@depth@100ms", b"\x00binary\xff")
    client.record_raw("btcusdt@trade", b'{"e":"trade","p":"2"}', ts_init=T0 + DAY)
    rec.stop()
    frames = list(store.read(venue="BINANCE"))
    assert frames == [
        RawFrame(T0, "BINANCE", "btcusdt@trade", b'{"e":"trade","p":"1"}'),
        RawFrame(T0 + 1, "BINANCE", "btcusdt@depth@100ms", b"\x00binary\xff"),
        RawFrame(T0 + DAY, "BINANCE", "btcusdt@trade", b'{"e":"trade","p":"2"}'),
    ]
    assert [f.payload for f in store.read(stream="btcusdt@trade", start=T0 + 1)] == [
        b'{"e":"trade","p":"2"}'
    ]
    assert len(store.files()) == 3
    client.attach_raw_sink(None)
    client.record_raw("btcusdt@trade", b"ignored")
    assert rec.raw_pending == 0


def test_config_is_checked() -> None:
    with pytest.raises(InvalidInputError, match="batch_size"):
        RecorderConfig(batch_size=0)
    with pytest.raises(InvalidInputError, match="max_buffered"):
        RecorderConfig(batch_size=10, max_buffered=5)
    with pytest.raises(InvalidInputError, match="data_types"):
        RecorderConfig(data_types=())


def test_records_published_without_an_engine_are_recorded_too(tmp_path: Path) -> None:
    kit = Kit()
    catalog = FlakyCatalog(tmp_path)
    rec = recorder(kit, catalog)
    kit.bus.publish(topics.trades(BTC), trade(T0))
    assert rec.pending == 1
