"""The Ray backend, on a local single-CPU Ray instance (skipped without Ray)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pandas as pd
import pytest

from shrivenquant.runtime.optimisation import (
    IntRange,
    ParameterSpace,
    PriceSeries,
    TrialError,
    VectorisedBacktest,
    grid_search,
    optuna_search,
    sma_cross,
)
from shrivenquant.runtime.synthetic import GbmSpec, gbm_bars

ray = pytest.importorskip(
    "ray", reason="Ray is not installed (pip install 'shrivenquant[distributed]')"
)


def score(params: Mapping[str, Any]) -> dict[str, float]:
    if params["x"] == 5:
        raise ArithmeticError("five")
    return {"score": -float((params["x"] - 3) ** 2)}


def test_ray_starts_and_stops_its_own_instance() -> None:
    # First in the file: the module's shared instance below is not started yet.
    if ray.is_initialized():
        pytest.skip("a Ray instance is already running in this process")
    space = ParameterSpace({"x": IntRange(0, 4)})
    result = grid_search(score, space, "score", backend="ray", max_workers=1)
    assert result.best_params == {"x": 3}
    assert not ray.is_initialized()


@pytest.fixture(scope="module")
def ray_local() -> Iterator[None]:
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


def comparable(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=["seconds"])


@pytest.mark.usefixtures("ray_local")
def test_ray_gives_the_same_results_as_processes() -> None:
    prices = PriceSeries.from_bars(gbm_bars(GbmSpec(count=10_000)))
    backtest = VectorisedBacktest(prices, sma_cross)
    space = ParameterSpace({"fast": IntRange(5, 15, step=5), "slow": IntRange(20, 60, step=20)})
    on_ray = grid_search(backtest, space, "sharpe", backend="ray", chunk_size=2)
    local = grid_search(backtest, space, "sharpe", backend="serial")
    pd.testing.assert_frame_equal(comparable(on_ray.frame), comparable(local.frame))
    tuned = optuna_search(backtest, space, 8, "sharpe", seed=1, backend="ray")
    serial = optuna_search(backtest, space, 8, "sharpe", seed=1, backend="serial")
    pd.testing.assert_frame_equal(comparable(tuned.frame), comparable(serial.frame))


@pytest.mark.usefixtures("ray_local")
def test_ray_reports_and_records_failing_trials() -> None:
    space = ParameterSpace({"x": IntRange(0, 6)})
    with pytest.raises(TrialError, match=r"(?s)'x': 5.*ArithmeticError: five"):
        grid_search(score, space, "score", backend="ray")
    result = grid_search(score, space, "score", backend="ray", on_error="record")
    assert result.best_params == {"x": 3}
    assert result.frame.iloc[-1]["status"] == "error"
