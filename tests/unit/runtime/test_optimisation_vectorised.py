"""The vectorised backtest against independent computations of the same rules."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import fields
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.analysis import MetricsConfig, PerformanceReport, compute_performance
from shrivenquant.analysis.equity import period_returns
from shrivenquant.model.enums import PositionSide
from shrivenquant.runtime.optimisation import (
    FAST_METRICS,
    PriceSeries,
    SmaCross,
    VectorisedBacktest,
    VectorisedConfig,
    _worker,
    sma_cross,
    to_targets,
)
from shrivenquant.runtime.optimisation.vectorised import sample_indices
from shrivenquant.runtime.synthetic import GbmSpec, gbm_bars

Floats = npt.NDArray[np.float64]
NS_PER_MINUTE = 60_000_000_000


# -- independent references ---------------------------------------------------------------


def reference_loop(
    open_: Floats,
    close: Floats,
    raw: Floats,
    *,
    long_only: bool,
    quantity: float = 1.0,
    fee_rate: float = 0.0,
    cash: float = 100_000.0,
    first: int = 0,
    last: int | None = None,
    close_at_end: bool = False,
) -> tuple[list[tuple[int, float, float, float]], float]:
    """A plain loop over bars: the trades (side, entry, exit, net pnl) and the final PnL."""
    last = len(close) if last is None else last
    wanted = []
    state = 0
    for value in raw:
        if not math.isnan(value):
            state = int(value)
            if long_only and state == -1:
                state = 0
        wanted.append(state)
    position, entry, entry_fee = 0, 0.0, 0.0
    balance = cash
    trades = []
    for bar in range(first + 1, last):
        target = wanted[bar - 1]
        if target == position:
            continue
        price = open_[bar]
        if position:
            exit_fee = fee_rate * quantity * price
            gross = position * (price - entry) * quantity
            balance += gross - exit_fee
            trades.append((position, entry, price, gross - entry_fee - exit_fee))
            position = 0
        if target:
            entry_fee = fee_rate * quantity * price
            balance -= entry_fee
            position, entry = target, price
    final_close = close[last - 1]
    if position and close_at_end:
        exit_fee = fee_rate * quantity * final_close
        gross = position * (final_close - entry) * quantity
        trades.append((position, entry, final_close, gross - entry_fee - exit_fee))
        balance += gross - exit_fee
        position = 0
    final = balance + position * (final_close - entry) * quantity
    return trades, final - cash


def exact_sma_cross(ticks_close: npt.NDArray[np.int64], fast: int, slow: int) -> npt.NDArray:
    """Long-only crossover positions from exact integer sums (numpy, no floats)."""
    sums = np.concatenate(([0], np.cumsum(ticks_close)))
    n = len(ticks_close)
    fast_sum = np.zeros(n, dtype=np.int64)
    slow_sum = np.zeros(n, dtype=np.int64)
    fast_sum[fast - 1 :] = sums[fast:] - sums[:-fast]
    slow_sum[slow - 1 :] = sums[slow:] - sums[:-slow]
    # fast mean > slow mean  <=>  fast_sum * slow > slow_sum * fast
    diff = np.sign(fast_sum * slow - slow_sum * fast)
    diff[: slow - 1] = 0  # warming up: no opinion
    # hold the last non-zero opinion; long-only: below means flat
    index = np.where(diff != 0, np.arange(n), -1)
    index = np.maximum.accumulate(index)
    held = np.where(index >= 0, diff[np.maximum(index, 0)], 0)
    return (held > 0).astype(np.int64)


def series(open_: Floats, close: Floats) -> PriceSeries:
    return PriceSeries.from_arrays(open_, close)


def run_metrics(backtest: VectorisedBacktest, params: Mapping[str, Any]) -> dict[str, float]:
    return dict(backtest(params))


@pytest.fixture(scope="module")
def gbm() -> tuple[Any, PriceSeries]:
    bars = gbm_bars(GbmSpec(count=30_000))
    return bars, PriceSeries.from_bars(bars)


# -- the acceptance rule: SMA(10)/SMA(30), long-only, next open, no fees ------------------


def test_sma_crossover_matches_an_exact_numpy_computation(gbm: tuple[Any, PriceSeries]) -> None:
    bars, prices = gbm
    run = VectorisedBacktest(prices, sma_cross).run({"fast": 10, "slow": 30})

    position = exact_sma_cross(bars.close, 10, 30)
    held = np.concatenate(([0], position[:-1]))  # decided on a close, held from the next open
    fills = np.diff(np.concatenate(([0], held)))
    cash_ticks = -int(np.sum(fills * bars.open))
    pnl_ticks = cash_ticks + int(held[-1] * bars.close[-1])
    exits = int(np.sum(fills < 0))

    assert len(run.trades) == exits
    assert run.metrics["trade_count"] == exits
    assert round(run.pnl * 100) == pnl_ticks
    assert run.pnl == pytest.approx(pnl_ticks / 100, abs=1e-6)
    entries = np.flatnonzero(fills > 0)
    assert [t.entry_price for t in run.trades] == pytest.approx(
        (bars.open[entries[: len(run.trades)]] / 100).tolist()
    )
    np.testing.assert_array_equal(run.position, held)


def test_fills_use_the_next_open_not_the_signal_close(gbm: tuple[Any, PriceSeries]) -> None:
    _, prices = gbm
    run = VectorisedBacktest(prices, sma_cross).run({"fast": 10, "slow": 30})
    opens = set(prices.open.tolist())
    assert run.trades
    for trade in run.trades:
        assert trade.entry_price in opens
        assert trade.exit_price in opens
        assert trade.side is PositionSide.LONG
        # the fill happens at a bar's open time: one bar after the signal bar's close
        assert (trade.entry_time - prices.ts_open[0]) % NS_PER_MINUTE == 0


# -- against a plain loop ------------------------------------------------------------------


class RawSignal:
    """A signal returning fixed raw targets (ignores the parameters)."""

    def __init__(self, raw: Floats) -> None:
        self.raw = raw

    def __call__(self, prices: PriceSeries, params: Mapping[str, Any]) -> Floats:
        return self.raw * params.get("scale", 1.0)


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(2, 60))
    ints = st.integers(1, 500)
    open_ = np.array(draw(st.lists(ints, min_size=n, max_size=n)), dtype=np.float64)
    close = np.array(draw(st.lists(ints, min_size=n, max_size=n)), dtype=np.float64)
    raw = np.array(
        draw(st.lists(st.sampled_from([1.0, 0.0, -1.0, math.nan]), min_size=n, max_size=n))
    )
    first = draw(st.integers(0, n - 2))
    last = draw(st.integers(first + 2, n))
    return {
        "open": open_,
        "close": close,
        "raw": raw,
        "long_only": draw(st.booleans()),
        "fee_rate": draw(st.sampled_from([0.0, 0.001, 0.01])),
        "quantity": draw(st.sampled_from([1.0, 2.0, 0.5])),
        "close_at_end": draw(st.booleans()),
        "first": first,
        "last": last,
    }


@settings(max_examples=300)
@given(scenarios())
def test_trades_and_pnl_match_a_plain_loop(case: dict[str, Any]) -> None:
    config = VectorisedConfig(
        quantity=case["quantity"],
        fee_rate=case["fee_rate"],
        long_only=case["long_only"],
        close_at_end=case["close_at_end"],
    )
    backtest = VectorisedBacktest(
        series(case["open"], case["close"]),
        RawSignal(case["raw"]),
        config,
        first=case["first"],
        last=case["last"],
    )
    run = backtest.run({})
    expected, pnl = reference_loop(
        case["open"],
        case["close"],
        case["raw"],
        long_only=case["long_only"],
        quantity=case["quantity"],
        fee_rate=case["fee_rate"],
        first=case["first"],
        last=case["last"],
        close_at_end=case["close_at_end"],
    )
    actual = [
        (1 if t.side is PositionSide.LONG else -1, t.entry_price, t.exit_price, t.pnl)
        for t in run.trades
    ]
    assert len(actual) == len(expected)
    for got, want in zip(actual, expected, strict=True):
        assert got[:3] == want[:3]
        assert got[3] == pytest.approx(want[3], abs=1e-9)
    if case["fee_rate"] == 0.0:
        assert run.pnl == pnl  # integer prices: exact
    assert run.pnl == pytest.approx(pnl, abs=1e-9)
    assert run.metrics["trade_count"] == len(expected)
    assert len(run.equity) == case["last"] - case["first"]
    assert run.equity.iloc[0] == config.initial_cash
    if case["close_at_end"]:
        assert run.position[-1] == 0


def test_a_flip_closes_one_trade_and_opens_the_next_at_the_same_open() -> None:
    open_ = np.array([10.0, 11.0, 12.0, 13.0, 14.0, 15.0])
    close = np.array([10.5, 11.5, 12.5, 13.5, 14.5, 15.5])
    raw = np.array([1.0, math.nan, -1.0, math.nan, 0.0, math.nan])
    config = VectorisedConfig(long_only=False, fee_rate=0.01)
    run = VectorisedBacktest(series(open_, close), RawSignal(raw), config).run({})
    assert [(t.side, t.entry_price, t.exit_price) for t in run.trades] == [
        (PositionSide.LONG, 11.0, 13.0),
        (PositionSide.SHORT, 13.0, 15.0),
    ]
    assert run.trades[0].fees == pytest.approx(0.01 * (11.0 + 13.0))
    assert run.trades[0].pnl == pytest.approx(2.0 - 0.24)
    assert run.trades[1].pnl == pytest.approx(-2.0 - 0.28)
    np.testing.assert_array_equal(run.position, [0, 1, 1, -1, -1, 0])
    assert run.pnl == pytest.approx(sum(t.pnl for t in run.trades))


def test_long_only_treats_short_targets_as_flat() -> None:
    open_ = np.arange(1.0, 7.0)
    raw = np.array([1.0, -1.0, -1.0, 1.0, math.nan, math.nan])
    backtest = VectorisedBacktest(series(open_, open_), RawSignal(raw))
    run = backtest.run({})
    assert [t.side for t in run.trades] == [PositionSide.LONG]
    np.testing.assert_array_equal(run.position, [0, 1, 0, 0, 1, 1])


def test_open_position_at_the_end_is_marked_not_traded() -> None:
    open_ = np.array([10.0, 11.0, 12.0, 13.0])
    close = np.array([10.0, 11.5, 12.5, 20.0])
    run = VectorisedBacktest(series(open_, close), RawSignal(np.ones(4))).run({})
    assert run.trades == []
    assert run.pnl == 20.0 - 11.0
    assert run.metrics["trade_count"] == 0
    closed = VectorisedBacktest(
        series(open_, close), RawSignal(np.ones(4)), VectorisedConfig(close_at_end=True)
    ).run({})
    assert [(t.entry_price, t.exit_price) for t in closed.trades] == [(11.0, 20.0)]
    assert closed.pnl == run.pnl


# -- metrics ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "config",
    [
        VectorisedConfig(),
        VectorisedConfig(fee_rate=0.0005, long_only=False),
        VectorisedConfig(close_at_end=True, quantity=0.5, initial_cash=50_000.0),
        VectorisedConfig(metrics=MetricsConfig(periods_per_year=365 * 24, return_frequency="1h")),
        VectorisedConfig(metrics=MetricsConfig(return_frequency=None, risk_free_rate=0.05)),
    ],
)
def test_compiled_metrics_equal_compute_performance(
    gbm: tuple[Any, PriceSeries], config: VectorisedConfig
) -> None:
    _, prices = gbm
    run = VectorisedBacktest(prices, sma_cross, config, first=500).run({"fast": 8, "slow": 40})
    report = compute_performance(run.equity, run.trades, config.metrics)
    assert run.metrics["trade_count"] == report.trade_count > 0
    assert run.metrics["periods"] == report.periods
    for name in FAST_METRICS:
        if name in ("pnl", "trade_count", "periods"):
            continue
        expected = getattr(report, name)
        actual = run.metrics[name]
        if expected is None:
            assert math.isnan(actual), name
        else:
            assert actual == pytest.approx(expected, rel=1e-9, abs=1e-12), name
    assert run.metrics["pnl"] == pytest.approx(report.final_equity - report.initial_equity)


def test_full_report_gives_every_report_metric(gbm: tuple[Any, PriceSeries]) -> None:
    _, prices = gbm
    backtest = VectorisedBacktest(prices, sma_cross, VectorisedConfig(full_report=True))
    metrics = backtest({"fast": 10, "slow": 30})
    numeric = {f.name for f in fields(PerformanceReport)} - {
        "start",
        "end",
        "return_frequency",
        "notes",
    }
    assert numeric | {"pnl"} == set(metrics)
    fast = VectorisedBacktest(prices, sma_cross)({"fast": 10, "slow": 30})
    assert metrics["sharpe"] == pytest.approx(fast["sharpe"], rel=1e-9)
    assert metrics["max_drawdown_duration_s"] > 0
    assert backtest.evaluate_batch([{"fast": 10, "slow": 30}])[0]["sharpe"] == metrics["sharpe"]


def test_sample_indices_are_the_points_period_returns_uses() -> None:
    rng = np.random.default_rng(3)
    start = pd.Timestamp("2024-01-01T05:00Z").value
    ts = start + np.cumsum(rng.integers(1, 4 * 3600, 400)) * 1_000_000_000
    curve = pd.Series(
        100.0 + np.cumsum(rng.normal(0, 1, 400)), index=pd.to_datetime(ts, unit="ns", utc=True)
    )
    for frequency in ("1D", "1h", "W"):
        points = sample_indices(ts, frequency)
        values = curve.to_numpy()[points]
        expected = period_returns(curve, frequency).to_numpy()
        np.testing.assert_allclose(values[1:] / values[:-1] - 1.0, expected, rtol=1e-15)
    np.testing.assert_array_equal(sample_indices(ts, None), np.arange(400))


# -- batches ---------------------------------------------------------------------------------


PAIRS = [{"fast": f, "slow": s} for f in (3, 5, 8, 13) for s in (21, 34, 55)]


def _same(a: Mapping[str, float], b: Mapping[str, float]) -> None:
    assert a.keys() == b.keys()
    for key in a:
        assert (math.isnan(a[key]) and math.isnan(b[key])) or a[key] == b[key], key


def test_crossover_batch_equals_single_runs(gbm: tuple[Any, PriceSeries]) -> None:
    _, prices = gbm
    backtest = VectorisedBacktest(prices, sma_cross, VectorisedConfig(fee_rate=0.0002))
    batch = backtest.evaluate_batch(PAIRS)
    for params, metrics in zip(PAIRS, batch, strict=True):
        _same(metrics, backtest.run(params).metrics)


def test_crossover_batch_chunks_keep_the_order(
    gbm: tuple[Any, PriceSeries], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, prices = gbm
    backtest = VectorisedBacktest(prices, sma_cross)
    whole = backtest.evaluate_batch(PAIRS[::-1])
    monkeypatch.setattr("shrivenquant.runtime.optimisation.vectorised._MAX_AVERAGES_PER_CHUNK", 3)
    for a, b in zip(whole, backtest.evaluate_batch(PAIRS[::-1]), strict=True):
        _same(a, b)


def generic_cross(prices: PriceSeries, params: Mapping[str, Any]) -> Any:
    """The crossover as a plain signal function: takes the generic (unfused) path."""
    return SmaCross()(prices, params)


def test_generic_signal_batch_equals_single_runs_and_serial_equals_parallel(
    gbm: tuple[Any, PriceSeries], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, prices = gbm

    generic = VectorisedBacktest(prices, generic_cross)
    fused = VectorisedBacktest(prices, sma_cross)
    parallel = generic.evaluate_batch(PAIRS)
    for a, b in zip(parallel, fused.evaluate_batch(PAIRS), strict=True):
        _same(a, b)
    monkeypatch.setattr(_worker, "_IN_WORKER", True)
    for a, b in zip(parallel, generic.evaluate_batch(PAIRS), strict=True):
        _same(a, b)
    for a, b in zip(parallel, fused.evaluate_batch(PAIRS), strict=True):
        _same(a, b)


def test_windows_use_earlier_bars_to_warm_up(gbm: tuple[Any, PriceSeries]) -> None:
    _, prices = gbm
    whole = VectorisedBacktest(prices, sma_cross)
    part = whole.window(10_000, 20_000)
    run = part.run({"fast": 10, "slow": 30})
    assert run.equity.index[0].value == prices.ts_event[10_000]
    assert len(run.equity) == 10_000
    # warm indicators: a position can be taken at the very first open after the start
    targets = whole.targets({"fast": 10, "slow": 30})
    assert run.position[1] == targets[10_000]
    assert all(t.entry_time >= prices.ts_open[10_001] for t in run.trades)


# -- inputs ----------------------------------------------------------------------------------


def test_price_series_from_bars_converts_ticks_and_open_times(
    gbm: tuple[Any, PriceSeries],
) -> None:
    bars, prices = gbm
    np.testing.assert_array_equal(prices.close, bars.close / 100)
    np.testing.assert_array_equal(prices.ts_open, bars.ts_event - NS_PER_MINUTE)
    assert prices.high is not None
    assert len(prices) == 30_000


def test_price_series_defaults_to_one_minute_bars() -> None:
    prices = PriceSeries.from_arrays([1.0, 2.0, 3.0], [1.5, 2.5, 3.5])
    minutes = np.arange(4) * NS_PER_MINUTE
    np.testing.assert_array_equal(prices.ts_event, minutes[1:])
    np.testing.assert_array_equal(prices.ts_open, minutes[:-1])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"open": [1.0, 2.0], "close": [1.0, math.nan]}, r"close\[1\] is nan"),
        ({"open": [1.0], "close": [1.0, 2.0]}, "open has 1 values"),
        ({"open": [1.0, 2.0], "close": [1.0, 2.0], "ts_event": [5, 5]}, r"ts_event\[1\]=5"),
        ({"open": [1, 2], "close": [1, 2], "ts_event": [5, 6], "ts_open": [4, 7]}, "after"),
        ({"open": [1, 2], "close": [1, 2], "ts_event": [5, 9], "ts_open": [4, 3]}, "before"),
        ({"open": [1.0], "close": [1.0]}, "at least 2 bars"),
    ],
)
def test_price_series_rejects_bad_input(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PriceSeries.from_arrays(**kwargs)


def test_signals_are_validated() -> None:
    with pytest.raises(ValueError, match=r"bar 1 is 2.0"):
        to_targets([1.0, 2.0], 2, long_only=True)
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        to_targets([1.0, 0.0, 1.0], 2, long_only=True)
    np.testing.assert_array_equal(to_targets([math.nan, 1, math.nan, -1], 4, False), [0, 1, 1, -1])
    with pytest.raises(ValueError, match="fast < slow"):
        sma_cross.periods({"fast": 30, "slow": 10})
    with pytest.raises(ValueError, match="needs parameter 'slow'"):
        sma_cross.periods({"fast": 3})
    with pytest.raises(ValueError, match="positive int"):
        sma_cross.periods({"fast": 2.5, "slow": 10})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"quantity": 0.0}, "quantity"),
        ({"fee_rate": -0.1}, "fee_rate"),
        ({"initial_cash": math.inf}, "initial_cash"),
    ],
)
def test_config_rejects_bad_values(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        VectorisedConfig(**kwargs)


def test_window_bounds_are_checked() -> None:
    prices = series(np.ones(10), np.ones(10))
    with pytest.raises(ValueError, match="first=9, last=10"):
        VectorisedBacktest(prices, sma_cross, first=9)
    with pytest.raises(ValueError, match="last=11"):
        VectorisedBacktest(prices, sma_cross, last=11)
