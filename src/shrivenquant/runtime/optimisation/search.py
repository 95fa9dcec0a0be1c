"""Grid, random and Optuna searches over a `ParameterSpace`, on any evaluator.

```python
backtest = VectorisedBacktest(prices, sma_cross, VectorisedConfig(fee_rate=0.001))
space = ParameterSpace(
    {"fast": IntRange(5, 50, step=5), "slow": IntRange(20, 200, step=20)},
    constraint=lambda p: p["fast"] < p["slow"],
)
result = grid_search(backtest, space, "sharpe", max_workers=2)
result.frame.head()          # best first
result.best_params           # {"fast": 15, "slow": 120}
```

Every search takes the same execution options: ``backend`` (``"process"`` worker processes,
``"serial"`` this process, ``"ray"``; the default ``"auto"`` runs batch evaluators such as
`VectorisedBacktest` here, on numba's threads, and others in processes), ``max_workers``,
``chunk_size``, ``on_error``
(``"raise"`` stops at the first failing trial with its traceback; ``"record"`` keeps going and
marks it ``error``) and ``progress`` (a rich progress bar; None shows it on a terminal).
Results do not depend on the backend or the worker count.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from shrivenquant.runtime.optimisation.evaluation import Evaluator, Metrics
from shrivenquant.runtime.optimisation.executors import (
    Backend,
    Trial,
    TrialError,
    TrialExecutor,
    TrialOutcome,
)
from shrivenquant.runtime.optimisation.objective import Direction, Objective
from shrivenquant.runtime.optimisation.progress import SearchProgress
from shrivenquant.runtime.optimisation.result import SearchResult, build_frame
from shrivenquant.runtime.optimisation.space import ParameterSpace

if TYPE_CHECKING:
    import optuna

ObjectiveLike = str | Callable[[Metrics], float] | Objective
ON_ERROR = ("raise", "record")


class _Tracker:
    """Counts finished trials for the progress bar and enforces ``on_error``."""

    def __init__(self, objective: Objective, on_error: str, progress: SearchProgress) -> None:
        if on_error not in ON_ERROR:
            raise ValueError(f"on_error must be 'raise' or 'record', got {on_error!r}")
        self.objective = objective
        self.on_error = on_error
        self.progress = progress
        self.best = math.nan

    def __call__(self, outcomes: list[TrialOutcome]) -> None:
        for outcome in outcomes:
            if outcome.error is not None:
                if self.on_error == "raise":
                    raise TrialError(
                        f"trial {outcome.index} with params {outcome.params} failed:\n"
                        f"{outcome.error}"
                    )
                continue
            assert outcome.metrics is not None
            value = self.objective.value(outcome.metrics)
            if not math.isnan(value) and (math.isnan(self.best) or self._better(value)):
                self.best = value
        self.progress.advance(len(outcomes), self.best)

    def _better(self, value: float) -> bool:
        if self.objective.direction is Direction.MAXIMISE:
            return value > self.best
        return value < self.best


def _run_trials(
    evaluator: Evaluator,
    trials: Sequence[Trial],
    objective: Objective,
    method: str,
    space: ParameterSpace,
    *,
    backend: Backend | str,
    max_workers: int | None,
    chunk_size: int | None,
    on_error: str,
    progress: bool | None,
) -> SearchResult:
    start = time.perf_counter()
    with (
        TrialExecutor(evaluator, backend, max_workers, chunk_size) as executor,
        SearchProgress(len(trials), f"{method} search", progress) as bar,
    ):
        outcomes = executor.run(trials, _Tracker(objective, on_error, bar))
    names = (*space.names, *space.fixed)
    frame = build_frame(outcomes, objective, names)
    return SearchResult(frame, objective, method, names, time.perf_counter() - start)


def grid_search(
    evaluator: Evaluator,
    space: ParameterSpace,
    objective: ObjectiveLike = "sharpe",
    *,
    direction: str | Direction | None = None,
    backend: Backend | str = Backend.AUTO,
    max_workers: int | None = None,
    chunk_size: int | None = None,
    on_error: str = "raise",
    progress: bool | None = None,
) -> SearchResult:
    """Evaluate every feasible combination of ``space``.

    Args:
        evaluator: ``params -> metrics`` (see `shrivenquant.runtime.optimisation.evaluation`).
        space: the parameters.
        objective: a metric name, ``function(metrics) -> float`` or an `Objective`.
        direction: maximise or minimise; None picks by metric (see `Objective.make`).
        backend, max_workers, chunk_size, on_error, progress: see the module docstring.

    Raises:
        TrialError: a trial raised and ``on_error`` is ``"raise"``.
        KeyError: the objective metric is not among the evaluator's metrics.
    """
    trials = list(enumerate(space.grid()))
    if not trials:
        raise ValueError("the grid is empty: the constraint excludes every combination")
    return _run_trials(
        evaluator, trials, Objective.make(objective, direction), "grid", space,
        backend=backend, max_workers=max_workers, chunk_size=chunk_size, on_error=on_error,
        progress=progress,
    )  # fmt: skip


def random_search(
    evaluator: Evaluator,
    space: ParameterSpace,
    n_trials: int,
    objective: ObjectiveLike = "sharpe",
    *,
    seed: int = 0,
    direction: str | Direction | None = None,
    backend: Backend | str = Backend.AUTO,
    max_workers: int | None = None,
    chunk_size: int | None = None,
    on_error: str = "raise",
    progress: bool | None = None,
) -> SearchResult:
    """Evaluate ``n_trials`` feasible combinations drawn from ``space`` with ``seed``.

    The draws depend only on ``space`` and ``seed`` (a combination may repeat). Arguments
    and errors as `grid_search`.
    """
    if n_trials < 1:
        raise ValueError(f"n_trials must be positive, got {n_trials}")
    trials = list(enumerate(space.sample_many(n_trials, seed)))
    return _run_trials(
        evaluator, trials, Objective.make(objective, direction), "random", space,
        backend=backend, max_workers=max_workers, chunk_size=chunk_size, on_error=on_error,
        progress=progress,
    )  # fmt: skip


@contextlib.contextmanager
def _quiet_optuna() -> Iterator[None]:
    """Keep Optuna's per-trial log lines (and failed-trial warnings) out of the output."""
    import optuna  # noqa: PLC0415

    previous = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    try:
        yield
    finally:
        optuna.logging.set_verbosity(previous)


def _sampler(sampler: str | optuna.samplers.BaseSampler, seed: int) -> Any:
    import optuna  # noqa: PLC0415

    if isinstance(sampler, optuna.samplers.BaseSampler):
        return sampler
    if sampler == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if sampler == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    raise ValueError(f"sampler must be 'tpe', 'random' or an Optuna sampler, got {sampler!r}")


def optuna_search(
    evaluator: Evaluator,
    space: ParameterSpace,
    n_trials: int,
    objective: ObjectiveLike = "sharpe",
    *,
    seed: int = 0,
    sampler: str | optuna.samplers.BaseSampler = "tpe",
    batch_size: int = 8,
    direction: str | Direction | None = None,
    backend: Backend | str = Backend.AUTO,
    max_workers: int | None = None,
    chunk_size: int | None = None,
    on_error: str = "raise",
    progress: bool | None = None,
) -> SearchResult:
    """Let an Optuna sampler propose ``n_trials`` combinations, ``batch_size`` at a time.

    Each batch is asked for, evaluated in parallel, and told back in trial order, so with a
    seeded sampler the trials depend on ``seed`` and ``batch_size`` but not on the backend or
    the worker count. Combinations the constraint rejects are told as failed, kept in the
    frame as ``infeasible`` and count towards ``n_trials``; so do trials whose objective is
    ``nan`` or that raised (with ``on_error="record"``).

    Args:
        sampler: ``"tpe"`` (seeded with ``seed``), ``"random"``, or an Optuna sampler.
        batch_size: trials asked for before any is told.
        Others: as `grid_search`.
    """
    import optuna  # noqa: PLC0415

    if n_trials < 1 or batch_size < 1:
        raise ValueError(f"n_trials and batch_size must be positive: {n_trials}, {batch_size}")
    goal = Objective.make(objective, direction)
    distributions = space.distributions()
    outcomes: list[TrialOutcome] = []
    infeasible: list[tuple[int, dict[str, Any]]] = []
    start = time.perf_counter()
    with (
        _quiet_optuna(),
        TrialExecutor(evaluator, backend, max_workers, chunk_size) as executor,
        SearchProgress(n_trials, "optuna search", progress) as bar,
    ):
        study = optuna.create_study(
            direction=goal.direction.optuna, sampler=_sampler(sampler, seed)
        )
        tracker = _Tracker(goal, on_error, bar)
        while len(outcomes) + len(infeasible) < n_trials:
            count = min(batch_size, n_trials - len(outcomes) - len(infeasible))
            asked = {t.number: t for t in (study.ask(distributions) for _ in range(count))}
            batch: list[Trial] = []
            for number, trial in asked.items():
                params = space.complete(trial.params)
                if space.feasible(params):
                    batch.append((number, params))
                else:
                    infeasible.append((number, params))
                    study.tell(trial, state=optuna.trial.TrialState.FAIL)
            bar.advance(count - len(batch), tracker.best)
            for outcome in executor.run(batch, tracker):
                outcomes.append(outcome)
                value = math.nan if outcome.metrics is None else goal.value(outcome.metrics)
                if math.isnan(value):
                    study.tell(asked[outcome.index], state=optuna.trial.TrialState.FAIL)
                else:
                    study.tell(asked[outcome.index], value)
    names = (*space.names, *space.fixed)
    frame = build_frame(outcomes, goal, names, infeasible)
    return SearchResult(frame, goal, "optuna", names, time.perf_counter() - start)
