"""The backtest engine: venues, merging, fill timing, determinism, failures, results."""

from __future__ import annotations

from pathlib import Path

import pytest

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.data.counters import DataAnomaly
from shrivenquant.data.engine import DataEngine
from shrivenquant.model.data import Bar, BarType, BookOrder, OrderBookDelta
from shrivenquant.model.enums import BookAction, BookType, OrderSide
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.model.values import Price, Quantity
from shrivenquant.persistence.catalog import ParquetDataCatalog
from shrivenquant.risk import RiskConfig
from shrivenquant.runtime import (
    BacktestConfig,
    BacktestEngine,
    BarExecution,
    NodeConfig,
    StrategyError,
)
from shrivenquant.runtime.backtest.progress import wants_progress
from shrivenquant.runtime.synthetic import GbmSpec, gbm_bars
from shrivenquant.sim import SimulatedVenueConfig
from shrivenquant.testkit.instruments import TestInstrumentProvider
from shrivenquant.testkit.stubs import TestDataStubs

from .backtest_helpers import (
    MINUTE,
    T0,
    BookTaker,
    BookTakerConfig,
    Failing,
    FailingConfig,
    MalformedBarSender,
    MalformedBarSenderConfig,
    QuoteTaker,
    QuoteTakerConfig,
    RoundTrip,
    RoundTripConfig,
    TimerWatcher,
    TimerWatcherConfig,
    bars,
    pair,
)

BTC_BARS = "BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL"
ETH_BARS = "ETHUSDT.BYBIT-1-MINUTE-LAST-EXTERNAL"
CLOSES = ["100.00", "101.00", "102.00", "103.00", "104.00", "105.00"]


def engine_for(
    execution: BarExecution = BarExecution.NEXT_OPEN, **backtest: object
) -> BacktestEngine:
    config = NodeConfig(
        risk=RiskConfig(check_balance=True),
        backtest=BacktestConfig(bar_execution=execution, progress=False, **backtest),  # type: ignore[arg-type]
    )
    engine = BacktestEngine(config)
    engine.add_venue(SimulatedVenueConfig(venue="BINANCE", starting_balances=("100000 USDT",)))
    return engine


def test_orders_fill_at_the_next_bar_open_on_the_right_venue() -> None:
    engine = engine_for()
    engine.add_venue(SimulatedVenueConfig(venue="BYBIT", starting_balances=("50000 USDT",)))
    engine.add_instrument(pair("BTCUSDT.BINANCE"))
    engine.add_instrument(pair("ETHUSDT.BYBIT"))
    btc = bars(BTC_BARS, CLOSES)
    eth = bars(ETH_BARS, ["10.00", "11.00", "12.00", "13.00", "14.00", "15.00"])
    engine.add_data(btc)
    engine.add_data(eth)  # same timestamps: both instruments open together
    engine.add_strategy(
        RoundTrip(RoundTripConfig(strategy_id="RT-001", bar_type=BarType.from_str(BTC_BARS)))
    )
    engine.add_strategy(
        RoundTrip(
            RoundTripConfig(
                strategy_id="RT-002", bar_type=BarType.from_str(ETH_BARS), buy_on=2, sell_on=4
            )
        )
    )
    result = engine.run()

    fills = result.fills.set_index("client_order_id")
    assert len(fills) == 4
    btc_fills = fills[fills.instrument_id == "BTCUSDT.BINANCE"]
    eth_fills = fills[fills.instrument_id == "ETHUSDT.BYBIT"]
    assert set(btc_fills.account_id) == {"BINANCE-001"}
    assert set(eth_fills.account_id) == {"BYBIT-001"}
    # Sent on bar 1 and 3 (BTC), 2 and 4 (ETH): filled at the opens of bars 2, 4 and 3, 5.
    assert btc_fills.last_px.tolist() == [btc[1].open.as_double(), btc[3].open.as_double()]
    assert eth_fills.last_px.tolist() == [eth[2].open.as_double(), eth[4].open.as_double()]
    assert result.balances == {
        "BINANCE-001": {"BTC": "0.00000000 BTC", "USDT": "100002.00000000 USDT"},
        "BYBIT-001": {"ETH": "0.00000000 ETH", "USDT": "50002.00000000 USDT"},
    }
    assert [t.pnl for t in result.trades] == [2.0, 2.0]


def test_close_execution_fills_at_the_signal_bar_close() -> None:
    engine = engine_for(BarExecution.CLOSE)
    engine.add_instrument(pair("BTCUSDT.BINANCE"))
    data = bars(BTC_BARS, CLOSES)
    engine.add_data(data)
    engine.add_strategy(RoundTrip(RoundTripConfig(bar_type=BarType.from_str(BTC_BARS))))
    result = engine.run()
    assert result.fills.last_px.tolist() == [data[0].close.as_double(), data[2].close.as_double()]


def test_market_orders_on_quotes_take_the_quote_they_reacted_to() -> None:
    engine = engine_for()
    engine.add_instrument(TestInstrumentProvider.btcusdt_binance())
    quotes = [
        TestDataStubs.quote_tick("50000.00", "50000.10", ts=T0 + MINUTE),
        TestDataStubs.quote_tick("50100.00", "50100.10", ts=T0 + 2 * MINUTE),
    ]
    engine.add_data(quotes)
    strategy = QuoteTaker(QuoteTakerConfig(instrument_id=InstrumentId("BTCUSDT.BINANCE")))
    engine.add_strategy(strategy)
    result = engine.run()
    assert result.fills.last_px.tolist() == [50000.10]


def test_book_snapshots_and_single_deltas_reach_the_l2_venue() -> None:
    # The risk engine values orders at quotes and trades; a book-only run bypasses it.
    engine = BacktestEngine(
        NodeConfig(risk=RiskConfig(bypass=True), backtest=BacktestConfig(progress=False))
    )
    engine.add_venue(
        SimulatedVenueConfig(
            venue="BINANCE", starting_balances=("1000000 USDT",), book_type=BookType.L2_MBP
        )
    )
    engine.add_instrument(TestInstrumentProvider.btcusdt_binance())
    snapshot = TestDataStubs.book_snapshot(ts=T0 + MINUTE)  # asks 50001, 50002, 50003
    delete_best_ask = OrderBookDelta(
        instrument_id=snapshot.instrument_id,
        action=BookAction.DELETE,
        order=BookOrder(side=OrderSide.SELL, price=Price("50001.00"), size=Quantity("0")),
        sequence=2,
        ts_event=T0 + 2 * MINUTE,
        ts_init=T0 + 2 * MINUTE,
    )
    later = TestDataStubs.trade_tick("50000.50", ts=T0 + 3 * MINUTE)
    engine.add_data([later, delete_best_ask, snapshot])  # sorted by the engine
    engine.add_strategy(BookTaker(BookTakerConfig(instrument_id=snapshot.instrument_id)))
    result = engine.run()
    # The first buy took the snapshot's best ask; the second, after the delete, the next one.
    assert result.fills.last_px.tolist() == [50001.00, 50002.00]


def test_timers_fire_in_time_order_between_the_data() -> None:
    engine = engine_for()
    engine.add_instrument(pair("BTCUSDT.BINANCE"))
    engine.add_data(bars(BTC_BARS, CLOSES[:3]))
    watcher = TimerWatcher(TimerWatcherConfig(bar_type=BarType.from_str(BTC_BARS)))
    engine.add_strategy(watcher)
    engine.run()
    half = MINUTE // 2
    # The clock starts at the first bar; a timer due at a bar's time fires before the bar.
    assert watcher.seen == [
        ("bar", T0 + MINUTE),
        ("timer", T0 + MINUTE + half),
        ("timer", T0 + 2 * MINUTE),
        ("bar", T0 + 2 * MINUTE),
        ("timer", T0 + 2 * MINUTE + half),
        ("timer", T0 + 3 * MINUTE),
        ("bar", T0 + 3 * MINUTE),
    ]


def test_a_strategy_that_raises_stops_the_run_with_its_traceback_and_bar_time() -> None:
    engine = engine_for()
    engine.add_instrument(pair("BTCUSDT.BINANCE"))
    data = bars(BTC_BARS, CLOSES)
    engine.add_data(data)
    engine.add_strategy(Failing(FailingConfig(strategy_id="Fail-001", bar_type=data[0].bar_type)))
    with pytest.raises(StrategyError) as caught:
        engine.run()
    error = caught.value
    assert error.hook_error.hook == "on_bar"
    assert error.hook_error.ts_event == data[2].ts_event
    assert "Fail-001.on_bar raised RuntimeError: boom" in str(error)
    assert "2024-01-01T00:03:00" in str(error)
    assert "Traceback" in str(error)
    assert error.result is not None
    assert error.result.stats.stopped_early
    assert error.result.stats.records == 3


def test_a_malformed_bar_sent_the_normal_way_is_refused_while_checked_arrays_replay() -> None:
    data = gbm_bars(GbmSpec(count=20))
    engine = engine_for()
    engine.add_instrument(pair("BTCUSDT.BINANCE"))
    engine.add_data(data)  # arrays: checked on their columns, replayed without checks
    sender = MalformedBarSender(MalformedBarSenderConfig(bar_type=data.bar_type, send_on=5))
    engine.add_strategy(sender)
    result = engine.run()
    data_engine = engine.kernel.data_engine
    assert data_engine.counters[DataAnomaly.INVALID_DATA] == 1
    assert sender.bars_seen == 20  # the malformed bar never reached the strategy
    assert result.stats.records == 20


def test_only_records_checked_before_the_run_skip_the_data_engine_checks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checked_one_by_one: list[object] = []
    check = DataEngine._handle_bar

    def spy(self: DataEngine, bar: Bar) -> None:
        checked_one_by_one.append(bar.bar_type)
        check(self, bar)

    monkeypatch.setattr(DataEngine, "_handle_bar", spy)
    arrays = gbm_bars(GbmSpec(count=30))
    listed = bars(ETH_BARS.replace("BYBIT", "BINANCE"), CLOSES)
    engine = engine_for()
    engine.add_instrument(pair("BTCUSDT.BINANCE"))
    engine.add_instrument(pair("ETHUSDT.BINANCE"))
    engine.add_data(arrays)  # checked on its columns
    engine.add_data(listed)  # records: checked one by one
    result = engine.run()
    assert result.stats.records == 30 + len(CLOSES)
    assert checked_one_by_one == [listed[0].bar_type] * len(CLOSES)


def _sma_run(seed: int | None) -> tuple[tuple[bytes, ...], object]:
    data = gbm_bars(GbmSpec(count=1_500))
    engine = engine_for(record_events=True, id_seed=seed)
    engine.add_instrument(pair("BTCUSDT.BINANCE"))
    engine.add_data(data)
    engine.add_strategy(RoundTrip(RoundTripConfig(bar_type=data.bar_type, buy_on=40, sell_on=900)))
    result = engine.run()
    return result.event_log, result


def test_runs_repeat_bit_for_bit() -> None:
    first, result_a = _sma_run(seed=7)
    second, result_b = _sma_run(seed=7)
    assert len(first) > 10
    assert first == second
    assert result_a.fills.equals(result_b.fills)  # type: ignore[attr-defined]
    unseeded, _ = _sma_run(seed=None)
    assert len(unseeded) == len(first)
    assert unseeded != first  # the ids differ; nothing else does


def test_catalog_replay_gives_the_same_result_as_the_arrays(tmp_path: Path) -> None:
    data = gbm_bars(GbmSpec(count=600))
    catalog = ParquetDataCatalog(tmp_path / "catalog")
    catalog.write_arrays(data)
    results = []
    for use_catalog in (False, True):
        engine = engine_for()
        engine.add_instrument(pair("BTCUSDT.BINANCE"))
        if use_catalog:
            engine.add_catalog(catalog)
        else:
            engine.add_data(data)
        engine.add_strategy(RoundTrip(RoundTripConfig(bar_type=data.bar_type, sell_on=300)))
        results.append(engine.run())
    arrays, streamed = results
    assert streamed.stats.records == arrays.stats.records == 600
    assert streamed.fills.equals(arrays.fills)
    assert streamed.balances == arrays.balances


def test_start_and_end_cut_the_data() -> None:
    data = bars(BTC_BARS, CLOSES)
    engine = engine_for(start=data[1].ts_init, end=data[4].ts_init)
    engine.add_instrument(pair("BTCUSDT.BINANCE"))
    engine.add_data(data)
    engine.add_strategy(RoundTrip(RoundTripConfig(bar_type=data[0].bar_type)))
    result = engine.run()
    assert result.stats.records == 3
    assert result.stats.first_ts == data[1].ts_init
    assert result.stats.last_ts == data[4].ts_init  # the clock ends at ``end``


def test_results_frames_report_and_files(tmp_path: Path) -> None:
    data = gbm_bars(GbmSpec(count=3_000))
    engine = engine_for()
    engine.add_instrument(pair("BTCUSDT.BINANCE"))
    engine.add_data(data)
    engine.add_strategy(RoundTrip(RoundTripConfig(bar_type=data.bar_type, sell_on=2_000)))
    result = engine.run()
    assert list(result.orders.status) == ["FILLED", "FILLED"]
    assert result.equity.index.is_monotonic_increasing
    assert result.equity.iloc[0] == 100_000.0
    assert result.report is not None
    assert result.report.trade_count == 1
    assert "BTCUSDT.BINANCE" in result.marks
    written = result.write(tmp_path / "out")
    assert {"orders", "fills", "positions", "trades", "equity", "summary", "tearsheet"} <= set(
        written
    )
    assert written["tearsheet"].read_text().count("<html") == 1


def test_bad_setups_are_refused() -> None:
    engine = engine_for()
    with pytest.raises(InvalidInputError, match="nothing to replay"):
        engine.run()
    engine.add_data(bars(BTC_BARS, CLOSES))
    with pytest.raises(InvalidInputError, match=r"no definition of BTCUSDT\.BINANCE"):
        engine.run()
    no_venue = BacktestEngine(NodeConfig(backtest=BacktestConfig(progress=False)))
    no_venue.add_data(bars(BTC_BARS, CLOSES))
    with pytest.raises(InvalidInputError, match="no venue"):
        no_venue.run()
    with pytest.raises(InvalidInputError, match="cannot replay a str"):
        engine.add_data("bars.csv")  # type: ignore[arg-type]


def test_an_engine_runs_once() -> None:
    engine = engine_for()
    engine.add_instrument(pair("BTCUSDT.BINANCE"))
    engine.add_data(bars(BTC_BARS, CLOSES))
    engine.add_strategy(RoundTrip(RoundTripConfig(bar_type=BarType.from_str(BTC_BARS))))
    engine.run()
    with pytest.raises(RuntimeError, match="runs once"):
        engine.run()
    assert engine.kernel.cache.positions_open() == []


def test_a_progress_bar_follows_simulated_time(capsys: pytest.CaptureFixture[str]) -> None:
    engine = BacktestEngine(NodeConfig(backtest=BacktestConfig(progress=True)))
    engine.add_venue(SimulatedVenueConfig(venue="BINANCE", starting_balances=("100000 USDT",)))
    engine.add_instrument(pair("BTCUSDT.BINANCE"))
    engine.add_data(gbm_bars(GbmSpec(count=5_000)))
    engine.add_strategy(RoundTrip(RoundTripConfig(bar_type=BarType.from_str(BTC_BARS))))
    engine.run()
    drawn = capsys.readouterr().err
    assert "backtest" in drawn
    assert "5,000 records" in drawn
    assert wants_progress(None, 10) is False
    assert wants_progress(True, 10) is True
