"""Walk-forward analysis: windows, per-window optimisation and the stitched curve."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pytest

from shrivenquant.analysis import MetricsConfig
from shrivenquant.runtime.optimisation import (
    IntRange,
    ParameterSpace,
    PriceSeries,
    VectorisedBacktest,
    VectorisedConfig,
    WalkForwardWindow,
    WindowRun,
    grid_search,
    sma_cross,
    walk_forward,
    walk_forward_windows,
)
from shrivenquant.runtime.synthetic import GbmSpec, gbm_bars

SPACE = ParameterSpace(
    {"fast": IntRange(5, 20, step=5), "slow": IntRange(30, 90, step=30)},
    constraint=lambda p: p["fast"] < p["slow"],
)


@pytest.fixture(scope="module")
def backtest() -> VectorisedBacktest:
    prices = PriceSeries.from_bars(gbm_bars(GbmSpec(count=24_000)))
    return VectorisedBacktest(prices, sma_cross, VectorisedConfig(fee_rate=0.0001))


def test_rolling_windows_tile_the_out_of_sample_bars() -> None:
    windows = walk_forward_windows(100, in_sample=40, out_of_sample=20)
    assert [(w.in_sample, w.out_of_sample) for w in windows] == [
        (range(0, 40), range(40, 60)),
        (range(20, 60), range(60, 80)),
        (range(40, 80), range(80, 100)),
    ]
    assert [w.index for w in windows] == [0, 1, 2]


def test_anchored_windows_grow_from_the_start() -> None:
    windows = walk_forward_windows(110, 40, 20, anchored=True, start=5)
    assert [(w.in_sample, w.out_of_sample) for w in windows] == [
        (range(5, 45), range(45, 65)),
        (range(5, 65), range(65, 85)),
        (range(5, 85), range(85, 105)),
    ]


def test_a_longer_step_leaves_gaps() -> None:
    windows = walk_forward_windows(100, 30, 10, step=25)
    assert [w.out_of_sample for w in windows] == [range(30, 40), range(55, 65), range(80, 90)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((100, 40, 20, 10), "would overlap"),
        ((100, 1, 20, None), ">= 2 bars"),
        ((50, 40, 20, None), "no walk-forward window fits"),
    ],
)
def test_bad_windows_are_refused(args: tuple[int, int, int, int | None], message: str) -> None:
    n, ins, oos, step = args
    with pytest.raises(ValueError, match=message):
        walk_forward_windows(n, ins, oos, step=step)


def test_each_window_trades_its_in_sample_winner(backtest: VectorisedBacktest) -> None:
    windows = walk_forward_windows(len(backtest.prices), 8_000, 4_000)
    result = walk_forward(backtest, windows, SPACE, "sharpe", backend="serial")
    assert len(result.windows) == len(windows) == 4
    assert (result.windows["status"] == "ok").all()
    equity = backtest.initial_equity
    rows = result.windows.to_dict("records")
    for window, row, search in zip(windows, rows, result.searches, strict=True):
        alone = grid_search(backtest.in_sample_evaluator(window), SPACE, "sharpe", backend="serial")
        assert alone.best_params == search.best_params
        assert {"fast": row["param_fast"], "slow": row["param_slow"]} == alone.best_params
        assert row["is_objective"] == alone.best_value
        start, stop = window.out_of_sample.start, window.out_of_sample.stop
        rerun = backtest.window(start - 1, stop, initial_cash=equity, close_at_end=True).run(
            alone.best_params
        )
        assert row["oos_pnl"] == pytest.approx(rerun.pnl, abs=1e-9)
        assert row["oos_trade_count"] == len(rerun.trades)
        equity = float(rerun.equity.iloc[-1])
    assert result.equity.iloc[-1] == pytest.approx(equity)
    assert result.equity.iloc[0] == backtest.initial_equity


def test_the_stitched_curve_is_continuous_and_holds_only_out_of_sample_trades(
    backtest: VectorisedBacktest,
) -> None:
    windows = walk_forward_windows(len(backtest.prices), 6_000, 3_000)
    result = walk_forward(backtest, windows, SPACE, "total_return", backend="serial")
    curve = result.equity
    assert curve.index.is_monotonic_increasing
    assert curve.index.is_unique
    ts = backtest.prices.ts_event
    assert curve.index[0].value == ts[windows[0].out_of_sample.start - 1]
    assert curve.index[-1].value == ts[windows[-1].out_of_sample.stop - 1]
    assert len(curve) == 1 + sum(len(w.out_of_sample) for w in windows)
    total = result.windows["oos_pnl"].sum()
    assert curve.iloc[-1] - curve.iloc[0] == pytest.approx(total, abs=1e-6)
    first_open = backtest.prices.ts_open[windows[0].out_of_sample.start]
    assert all(t.entry_time >= first_open for t in result.trades)
    report = result.report()
    assert report.trade_count == len(result.trades) == result.windows["oos_trade_count"].sum()
    assert report.total_return == pytest.approx(curve.iloc[-1] / curve.iloc[0] - 1.0)
    assert result.table().row_count == len(windows)


def test_random_and_optuna_windows_are_seeded(backtest: VectorisedBacktest) -> None:
    windows = walk_forward_windows(len(backtest.prices), 8_000, 8_000)
    for method in ("random", "optuna"):
        one = walk_forward(
            backtest, windows, SPACE, "sharpe", method=method, n_trials=6, seed=2,
            backend="serial",
        )  # fmt: skip
        two = walk_forward(
            backtest, windows, SPACE, "sharpe", method=method, n_trials=6, seed=2,
            backend="process", max_workers=2,
        )  # fmt: skip
        pd.testing.assert_frame_equal(one.windows, two.windows)
        pd.testing.assert_series_equal(one.equity, two.equity)
    with pytest.raises(ValueError, match="needs a positive n_trials"):
        walk_forward(backtest, windows, SPACE, method="random")
    with pytest.raises(ValueError, match="method must be one of"):
        walk_forward(backtest, windows, SPACE, method="annealing")


class Scripted:
    """A walk-forward subject that is not a vectorised backtest: a fake with a known answer."""

    initial_equity = 1_000.0
    metrics_config = MetricsConfig(return_frequency=None)

    def __init__(self) -> None:
        self.runs: list[tuple[int, dict[str, Any], float]] = []

    def in_sample_evaluator(self, window: WalkForwardWindow) -> Any:
        best = 10 * (window.index + 1)

        def evaluate(params: Mapping[str, Any]) -> dict[str, float]:
            if window.index == 1:
                return {"score": float("nan")}  # nothing finite in this window
            return {"score": -abs(params["n"] - best)}

        return evaluate

    def out_of_sample_run(
        self, window: WalkForwardWindow, params: Mapping[str, Any], initial_equity: float
    ) -> WindowRun:
        self.runs.append((window.index, dict(params), initial_equity))
        bars = window.out_of_sample
        index = pd.to_datetime(np.arange(bars.start - 1, bars.stop) * 60_000_000_000, utc=True)
        values = initial_equity + np.arange(len(index), dtype=float) * params["n"]
        return WindowRun({"score": 1.0, "pnl": values[-1] - values[0]}, pd.Series(values, index))


def test_any_subject_can_be_walked_forward() -> None:
    subject = Scripted()
    windows = walk_forward_windows(100, 20, 20)
    space = ParameterSpace({"n": IntRange(0, 50, step=10)})
    result = walk_forward(subject, windows, space, "score", backend="serial")
    assert [(i, p["n"]) for i, p, _ in subject.runs] == [(0, 10), (2, 30), (3, 40)]
    assert result.windows["status"].tolist() == ["ok", "no finite in-sample objective", "ok", "ok"]
    # window 2 starts from the equity window 0 ended with: window 1 was not traded
    assert subject.runs[1][2] == subject.runs[0][2] + 20 * 10
    assert result.equity.iloc[-1] == 1_000.0 + 20 * (10 + 30 + 40)
    assert result.equity.index.is_unique
