"""Grid, random and Optuna searches: results, determinism across backends, errors."""

from __future__ import annotations

import io
import math
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from shrivenquant.analysis import PerformanceReport, compute_performance
from shrivenquant.runtime.optimisation import (
    Backend,
    Choice,
    Direction,
    FloatRange,
    IntRange,
    Objective,
    ParameterSpace,
    PriceSeries,
    ReportEvaluator,
    TrialError,
    TrialExecutor,
    TrialStatus,
    VectorisedBacktest,
    VectorisedConfig,
    coerce_metrics,
    grid_search,
    optuna_search,
    random_search,
    ray_available,
    sma_cross,
)
from shrivenquant.runtime.synthetic import GbmSpec, gbm_bars


def bowl(params: Mapping[str, Any]) -> dict[str, float]:
    """A smooth objective with its peak at x=3, y=7; ``kind`` "b" is worse."""
    x, y = params["x"], params["y"]
    penalty = 1.0 if params.get("kind") == "b" else 0.0
    score = -((x - 3) ** 2) - (y - 7) ** 2 - penalty
    return {"score": score, "distance": math.hypot(x - 3, y - 7), "undefined": None}


class BatchBowl:
    """`bowl` with a batch method that records how it was called."""

    def __init__(self) -> None:
        self.batches: list[int] = []

    def __call__(self, params: Mapping[str, Any]) -> dict[str, float]:
        return bowl(params)

    def evaluate_batch(self, params: Sequence[Mapping[str, Any]]) -> list[dict[str, float]]:
        self.batches.append(len(params))
        return [bowl(p) for p in params]


def fragile(params: Mapping[str, Any]) -> dict[str, float]:
    if params["x"] == 2:
        raise ValueError("x=2 is not allowed")
    return bowl(params)


SPACE = ParameterSpace({"x": IntRange(0, 6), "y": IntRange(4, 10)})


def comparable(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=["seconds"])


def test_grid_search_ranks_every_combination_best_first() -> None:
    result = grid_search(bowl, SPACE, "score", backend="serial", progress=False)
    frame = result.frame
    assert len(frame) == 49
    assert sorted(frame["trial"]) == list(range(49))
    assert result.best_params == {"x": 3, "y": 7}
    assert result.best_value == 0.0
    assert frame["objective"].is_monotonic_decreasing
    assert (frame["status"] == TrialStatus.OK).all()
    assert frame["undefined"].isna().all()
    assert result.best_metrics(["distance"]) == {"distance": 0.0}
    table = result.table(rows=3, metrics=["distance"])
    assert table.row_count == 3


@pytest.mark.parametrize("evaluator", [bowl, BatchBowl()])
def test_results_do_not_depend_on_backend_or_workers(evaluator: Any) -> None:
    frames = [
        comparable(grid_search(evaluator, SPACE, "score", backend=b, max_workers=w).frame)
        for b, w in (("serial", None), ("process", 1), ("process", 2))
    ]
    pd.testing.assert_frame_equal(frames[0], frames[1])
    pd.testing.assert_frame_equal(frames[0], frames[2])
    chunked = grid_search(evaluator, SPACE, "score", backend="process", chunk_size=5)
    pd.testing.assert_frame_equal(frames[0], comparable(chunked.frame))


def test_batch_evaluators_get_whole_chunks() -> None:
    evaluator = BatchBowl()
    grid_search(evaluator, SPACE, "score", backend="serial", chunk_size=20, progress=False)
    assert evaluator.batches == [20, 20, 9]


def test_random_search_is_seeded() -> None:
    space = ParameterSpace(
        {"x": FloatRange(0.0, 6.0), "y": IntRange(4, 10), "kind": Choice("a", "b")}
    )
    one = random_search(bowl, space, 25, "score", seed=5, backend="serial")
    two = random_search(bowl, space, 25, "score", seed=5, backend="process", max_workers=2)
    other = random_search(bowl, space, 25, "score", seed=6, backend="serial")
    pd.testing.assert_frame_equal(comparable(one.frame), comparable(two.frame))
    assert not comparable(one.frame).equals(comparable(other.frame))
    drawn = space.sample_many(25, seed=5)
    by_trial = one.frame.set_index("trial").sort_index()
    assert by_trial["x"].tolist() == [p["x"] for p in drawn]
    assert by_trial["kind"].tolist() == [p["kind"] for p in drawn]


def test_optuna_search_is_deterministic_across_workers_and_finds_the_peak() -> None:
    space = ParameterSpace({"x": IntRange(0, 12), "y": IntRange(0, 14)})
    runs = [
        optuna_search(bowl, space, 40, "score", seed=3, backend=b, max_workers=w)
        for b, w in (("serial", None), ("process", 1), ("process", 2))
    ]
    frames = [comparable(r.frame) for r in runs]
    pd.testing.assert_frame_equal(frames[0], frames[1])
    pd.testing.assert_frame_equal(frames[0], frames[2])
    assert len(frames[0]) == 40
    assert runs[0].best_value >= -2.0
    other = optuna_search(bowl, space, 40, "score", seed=4, backend="serial")
    assert not frames[0].equals(comparable(other.frame))
    by_random = optuna_search(bowl, space, 10, "score", seed=3, sampler="random")
    assert len(by_random.frame) == 10


def test_optuna_records_infeasible_proposals() -> None:
    space = ParameterSpace(
        {"x": IntRange(0, 6), "y": IntRange(0, 10)}, constraint=lambda p: p["x"] < p["y"]
    )
    result = optuna_search(bowl, space, 30, "score", seed=1, backend="serial", batch_size=4)
    frame = result.frame
    assert len(frame) == 30
    infeasible = frame[frame["status"] == TrialStatus.INFEASIBLE]
    assert len(infeasible) > 0
    assert (infeasible["x"] >= infeasible["y"]).all()
    assert infeasible["objective"].isna().all()
    ok = frame[frame["status"] == TrialStatus.OK]
    assert (ok["x"] < ok["y"]).all()
    assert frame.index[frame["status"] == TrialStatus.INFEASIBLE].min() >= len(ok)


def test_a_failing_trial_stops_the_search_with_its_params_and_traceback() -> None:
    with pytest.raises(TrialError, match=r"(?s)'x': 2.*ValueError: x=2 is not allowed"):
        grid_search(fragile, SPACE, "score", backend="process", max_workers=2)


def test_failing_trials_can_be_recorded() -> None:
    result = grid_search(fragile, SPACE, "score", backend="serial", on_error="record")
    frame = result.frame
    errors = frame[frame["status"] == TrialStatus.ERROR]
    assert len(errors) == 7
    assert (errors["x"] == 2).all()
    assert errors["error"].str.contains("x=2 is not allowed").all()
    assert frame.tail(7)["status"].eq(TrialStatus.ERROR).all()
    assert result.best_params == {"x": 3, "y": 7}


def test_a_failing_batch_is_retried_per_trial() -> None:
    class Picky(BatchBowl):
        def __call__(self, params: Mapping[str, Any]) -> dict[str, float]:
            return fragile(params)

        def evaluate_batch(self, params: Sequence[Mapping[str, Any]]) -> list[dict[str, float]]:
            return [fragile(p) for p in params]

    result = grid_search(Picky(), SPACE, "score", backend="serial", on_error="record")
    assert (result.frame["status"] == TrialStatus.ERROR).sum() == 7
    assert result.best_params == {"x": 3, "y": 7}


def test_a_batch_of_the_wrong_length_is_a_bug_not_a_trial_error() -> None:
    class Short(BatchBowl):
        def evaluate_batch(self, params: Sequence[Mapping[str, Any]]) -> list[dict[str, float]]:
            return [bowl(p) for p in params][1:]

    with pytest.raises(TypeError, match="returned 9 results for 10 parameter sets"):
        grid_search(Short(), SPACE, "score", backend="serial", chunk_size=10, on_error="record")


def test_objectives_by_function_and_direction() -> None:
    minimised = grid_search(bowl, SPACE, "distance", backend="serial")
    assert minimised.objective.direction is Direction.MAXIMISE
    assert minimised.best_params != {"x": 3, "y": 7}
    nearest = grid_search(bowl, SPACE, "distance", direction="minimize", backend="serial")
    assert nearest.best_params == {"x": 3, "y": 7}
    assert nearest.frame["objective"].is_monotonic_increasing

    def closeness(metrics: Mapping[str, float]) -> float:
        return -metrics["distance"]

    by_function = grid_search(bowl, SPACE, closeness, backend="serial")
    assert by_function.objective.name == "closeness"
    assert by_function.best_params == {"x": 3, "y": 7}
    assert Objective.make("max_drawdown").direction is Direction.MINIMISE
    assert Objective.make(Objective("x"), "min").direction is Direction.MINIMISE
    with pytest.raises(ValueError, match="direction"):
        Objective.make("sharpe", "up")


def test_an_unknown_objective_metric_names_the_available_ones() -> None:
    with pytest.raises(KeyError, match=r"'sharpe' is not among .*distance, score, undefined"):
        grid_search(bowl, SPACE, "sharpe", backend="serial")


def test_auto_runs_batch_evaluators_here_and_others_in_processes() -> None:
    assert TrialExecutor(BatchBowl()).backend is Backend.SERIAL
    assert TrialExecutor(bowl).backend is Backend.PROCESS
    assert TrialExecutor(bowl, "Ray").backend is Backend.RAY


def test_execution_options_are_validated() -> None:
    with pytest.raises(ValueError, match="backend must be one of auto, serial, process, ray"):
        grid_search(bowl, SPACE, "score", backend="threads")
    with pytest.raises(ValueError, match="max_workers"):
        TrialExecutor(bowl, "process", max_workers=0)
    with pytest.raises(ValueError, match="on_error"):
        grid_search(bowl, SPACE, "score", backend="serial", on_error="ignore")
    with pytest.raises(ValueError, match="n_trials"):
        random_search(bowl, SPACE, 0, "score")


def test_column_clashes_are_refused() -> None:
    space = ParameterSpace({"score": IntRange(0, 2), "x": 3, "y": 7})
    with pytest.raises(ValueError, match=r"clash.*\['score'\]"):
        grid_search(bowl, space, "distance", backend="serial")


def test_the_progress_bar_reports_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    result = grid_search(bowl, SPACE, "score", backend="serial", progress=True)
    assert result.best_params == {"x": 3, "y": 7}
    assert "grid search" in capsys.readouterr().err


# -- evaluators built on reports --------------------------------------------------------------


def report_for(params: dict[str, Any]) -> PerformanceReport:
    index = pd.date_range("2024-01-01", periods=30, freq="D", tz="UTC")
    growth = 1.0 + params["drift"] * np.arange(30)
    return compute_performance(pd.Series(100.0 * growth, index=index))


class Result:
    def __init__(self, report: PerformanceReport) -> None:
        self.report = report


def result_for(params: dict[str, Any]) -> Result:
    return Result(report_for(params))


def test_report_evaluators_plug_any_backtest_in() -> None:
    space = ParameterSpace({"drift": FloatRange(0.0, 0.02, step=0.005)})
    for run in (report_for, result_for):
        result = grid_search(ReportEvaluator(run), space, "total_return", backend="process")
        assert result.best_params == {"drift": 0.02}
        assert result.frame.loc[0, "total_return"] == pytest.approx(0.02 * 29)
        assert result.frame.loc[0, "pnl"] == pytest.approx(100.0 * 0.02 * 29)
        assert "max_drawdown_duration_s" in result.frame.columns


def test_coerce_metrics_accepts_reports_and_mappings_only() -> None:
    assert coerce_metrics({"a": 1, "b": None, "c": np.float64(2.5), "d": np.int64(3)}) == {
        "a": 1,
        "b": pytest.approx(math.nan, nan_ok=True),
        "c": 2.5,
        "d": 3,
    }
    assert type(coerce_metrics({"d": np.int64(3)})["d"]) is int
    with pytest.raises(TypeError, match="Result returned has no PerformanceReport"):
        coerce_metrics(Result(None))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="got list"):
        coerce_metrics([1.0])
    with pytest.raises(TypeError, match="metric 'a' must be a number"):
        coerce_metrics({"a": "high"})


# -- the vectorised path through the runners ------------------------------------------------


def test_vectorised_sweeps_agree_in_process_and_in_workers() -> None:
    prices = PriceSeries.from_bars(gbm_bars(GbmSpec(count=20_000)))
    backtest = VectorisedBacktest(prices, sma_cross, VectorisedConfig(fee_rate=0.0001))
    space = ParameterSpace(
        {"fast": IntRange(5, 25, step=5), "slow": IntRange(20, 80, step=20)},
        constraint=lambda p: p["fast"] < p["slow"],
    )
    here = grid_search(backtest, space, "sharpe", backend="serial")
    there = grid_search(backtest, space, "sharpe", backend="process", max_workers=2)
    pd.testing.assert_frame_equal(comparable(here.frame), comparable(there.frame))
    best = backtest.run(here.best_params)
    assert best.metrics["sharpe"] == here.best_value
    console = Console(record=True, width=120, file=io.StringIO())
    console.print(here.table(rows=3, metrics=["pnl"]))
    text = console.export_text()
    assert "grid search: sharpe (maximise)" in text
    assert f"{here.best_params['slow']}" in text


def test_the_ray_backend_explains_a_missing_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # makes `import ray` fail
    assert not ray_available()
    with pytest.raises(ImportError, match=r"pip install 'shrivenquant\[distributed\]'"):
        grid_search(bowl, SPACE, "score", backend="ray")
