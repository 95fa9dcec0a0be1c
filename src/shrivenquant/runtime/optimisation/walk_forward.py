"""Walk-forward analysis: optimise in sample, trade the winner out of sample, roll on.

```python
windows = walk_forward_windows(len(prices), in_sample=200_000, out_of_sample=50_000)
result = walk_forward(backtest, windows, space, "sharpe", method="grid", max_workers=2)
result.windows               # one row per window: best parameters, in- and out-of-sample
result.equity                # the out-of-sample equity curves, stitched
result.report()              # the PerformanceReport of the stitched curve
```

Windows are bar ranges. Rolling windows keep the in-sample length fixed; anchored windows
all start at the first bar and grow. Each window's out-of-sample run starts with the equity
the previous one ended with, so the stitched curve compounds PnL window after window.

Any backtest can be walked forward by implementing `WalkForwardSubject`;
`VectorisedBacktest` does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd  # type: ignore[import-untyped]
from rich.table import Table

from shrivenquant.analysis import MetricsConfig, PerformanceReport, TradeRecord, compute_performance
from shrivenquant.runtime.optimisation.evaluation import Evaluator, Params
from shrivenquant.runtime.optimisation.executors import Backend
from shrivenquant.runtime.optimisation.objective import Direction, Objective
from shrivenquant.runtime.optimisation.result import SearchResult
from shrivenquant.runtime.optimisation.search import (
    ObjectiveLike,
    grid_search,
    optuna_search,
    random_search,
)
from shrivenquant.runtime.optimisation.space import ParameterSpace

METHODS = ("grid", "random", "optuna")
SUMMARY_METRICS = ("pnl", "total_return", "sharpe", "max_drawdown", "trade_count")


@dataclass(frozen=True, slots=True)
class WalkForwardWindow:
    """One step of a walk-forward: bar index ranges.

    Attributes:
        index: the window's number, from 0.
        in_sample: the bars the parameters are optimised on.
        out_of_sample: the bars the best parameters are then traded on.
    """

    index: int
    in_sample: range
    out_of_sample: range


def walk_forward_windows(
    n_bars: int,
    in_sample: int,
    out_of_sample: int,
    *,
    step: int | None = None,
    anchored: bool = False,
    start: int = 0,
) -> list[WalkForwardWindow]:
    """Windows over ``n_bars`` bars; only complete out-of-sample windows are made.

    Args:
        n_bars: bars in the data.
        in_sample: in-sample bars (the first window's, when anchored).
        out_of_sample: out-of-sample bars per window.
        step: bars between window starts; None (the usual) is ``out_of_sample``, so the
            out-of-sample windows tile the data. Larger steps leave gaps.
        anchored: in-sample windows all start at ``start`` and grow.
        start: the first bar used.

    Raises:
        ValueError: lengths below 2, ``step < out_of_sample`` (out-of-sample windows would
            overlap), or no complete window fits.
    """
    step = out_of_sample if step is None else step
    if in_sample < 2 or out_of_sample < 2:
        raise ValueError(
            f"in_sample and out_of_sample need >= 2 bars: {in_sample}, {out_of_sample}"
        )
    if step < out_of_sample:
        raise ValueError(f"step {step} < out_of_sample {out_of_sample}: windows would overlap")
    if start < 0:
        raise ValueError(f"start must not be negative, got {start}")
    windows: list[WalkForwardWindow] = []
    oos_start = start + in_sample
    while oos_start + out_of_sample <= n_bars:
        is_start = start if anchored else oos_start - in_sample
        windows.append(
            WalkForwardWindow(
                len(windows),
                range(is_start, oos_start),
                range(oos_start, oos_start + out_of_sample),
            )
        )
        oos_start += step
    if not windows:
        raise ValueError(
            f"no walk-forward window fits {n_bars} bars with start {start}, in_sample "
            f"{in_sample} and out_of_sample {out_of_sample}"
        )
    return windows


@dataclass(frozen=True, slots=True)
class WindowRun:
    """One out-of-sample run.

    Attributes:
        metrics: its metrics.
        equity: its equity curve (UTC timestamps), starting at the equity it was given.
        trades: its closed trades (positions are closed at the window's end).
    """

    metrics: dict[str, float]
    equity: pd.Series
    trades: list[TradeRecord] = field(default_factory=list)


class WalkForwardSubject(Protocol):
    """A backtest that can be optimised and run on windows of its data."""

    @property
    def initial_equity(self) -> float:
        """Equity of the first out-of-sample run."""
        ...

    @property
    def metrics_config(self) -> MetricsConfig:
        """Sampling and annualisation of the stitched report."""
        ...

    def in_sample_evaluator(self, window: WalkForwardWindow) -> Evaluator:
        """An evaluator over the window's in-sample bars."""
        ...

    def out_of_sample_run(
        self, window: WalkForwardWindow, params: Params, initial_equity: float
    ) -> WindowRun:
        """Trade ``params`` over the window's out-of-sample bars from ``initial_equity``."""
        ...


@dataclass(frozen=True, slots=True)
class WalkForwardResult:
    """The outcome of a walk-forward analysis.

    Attributes:
        windows: one row per window: bar ranges, best parameters, ``is_objective``,
            ``oos_objective``, ``oos_<metric>`` for the summary metrics, and ``status``
            (``"ok"``, or why the window was not traded).
        equity: the out-of-sample curves stitched (each starts where the previous ended).
        trades: every out-of-sample trade.
        searches: the in-sample search of each window.
        objective: what was optimised.
        metrics_config: how the stitched report samples and annualises.
    """

    windows: pd.DataFrame
    equity: pd.Series
    trades: list[TradeRecord]
    searches: list[SearchResult]
    objective: Objective
    metrics_config: MetricsConfig

    def report(self) -> PerformanceReport:
        """The `PerformanceReport` of the stitched out-of-sample curve and trades."""
        return compute_performance(self.equity, self.trades, self.metrics_config)

    def table(self) -> Table:
        """The per-window summary as a rich table (out-of-sample bars, parameters, scores)."""
        table = Table(title=f"walk-forward: {self.objective.name} ({self.objective.direction})")
        params = [c for c in self.windows.columns if str(c).startswith("param_")]
        scores = ["is_objective", "oos_objective", "oos_pnl", "oos_trade_count"]
        columns = [c for c in [*params, *scores] if c in self.windows.columns]
        table.add_column("window", justify="right")
        table.add_column("oos bars", justify="right")
        for column in columns:
            table.add_column(str(column).removeprefix("param_"), justify="right")
        table.add_column("status")
        for _, row in self.windows.iterrows():
            bars = f"{row['oos_first']}..{row['oos_last']}"
            cells = [_cell(row.get(c)) for c in columns]
            table.add_row(str(row["window"]), bars, *cells, str(row["status"]))
        return table


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.6g}"
    return str(value)


def walk_forward(
    subject: WalkForwardSubject,
    windows: Sequence[WalkForwardWindow],
    space: ParameterSpace,
    objective: ObjectiveLike = "sharpe",
    *,
    method: str = "grid",
    n_trials: int | None = None,
    seed: int = 0,
    direction: str | Direction | None = None,
    backend: Backend | str = Backend.AUTO,
    max_workers: int | None = None,
    chunk_size: int | None = None,
    on_error: str = "raise",
    progress: bool | None = None,
) -> WalkForwardResult:
    """Optimise each window in sample, run its best parameters out of sample, stitch.

    Args:
        subject: the backtest (`WalkForwardSubject`).
        windows: from `walk_forward_windows`.
        space: the parameters.
        objective: as in `grid_search`; also scored out of sample.
        method: ``"grid"``, ``"random"`` or ``"optuna"``.
        n_trials: trials per window for ``random`` and ``optuna``.
        seed: window ``k`` searches with seed ``seed + k``.
        Others: as `grid_search`.

    A window whose in-sample search finds no finite objective is not traded: its row says
    so and the next window starts from the same equity.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    if method != "grid" and (n_trials is None or n_trials < 1):
        raise ValueError(f"method {method!r} needs a positive n_trials, got {n_trials!r}")
    if not windows:
        raise ValueError("walk_forward needs at least one window")
    goal = Objective.make(objective, direction)
    options: dict[str, Any] = {
        "backend": backend,
        "max_workers": max_workers,
        "chunk_size": chunk_size,
        "on_error": on_error,
        "progress": progress,
    }
    equity = float(subject.initial_equity)
    curves: list[pd.Series] = []
    trades: list[TradeRecord] = []
    searches: list[SearchResult] = []
    rows: list[dict[str, Any]] = []
    for window in windows:
        evaluator = subject.in_sample_evaluator(window)
        window_seed = seed + window.index
        if method == "grid":
            search = grid_search(evaluator, space, goal, **options)
        elif method == "random":
            assert n_trials is not None
            search = random_search(evaluator, space, n_trials, goal, seed=window_seed, **options)
        else:
            assert n_trials is not None
            search = optuna_search(evaluator, space, n_trials, goal, seed=window_seed, **options)
        searches.append(search)
        row: dict[str, Any] = {
            "window": window.index,
            "is_first": window.in_sample.start,
            "is_last": window.in_sample.stop - 1,
            "oos_first": window.out_of_sample.start,
            "oos_last": window.out_of_sample.stop - 1,
        }
        if not search.has_best:
            rows.append({**row, "status": "no finite in-sample objective"})
            continue
        params = search.best_params
        run = subject.out_of_sample_run(window, params, equity)
        curve = run.equity
        if curves and len(curve) and curve.index[0] <= curves[-1].index[-1]:
            curve = curve[curve.index > curves[-1].index[-1]]
        curves.append(curve)
        trades.extend(run.trades)
        equity = float(run.equity.iloc[-1])
        summary = {f"oos_{name}": run.metrics.get(name, math.nan) for name in SUMMARY_METRICS}
        rows.append(
            {
                **row,
                **{f"param_{name}": value for name, value in params.items()},
                "is_objective": search.best_value,
                "oos_objective": goal.value(run.metrics),
                **summary,
                "status": "ok",
            }
        )
    if not curves:
        raise ValueError("no walk-forward window found a finite in-sample objective")
    stitched = pd.concat(curves)
    stitched.name = "equity"
    return WalkForwardResult(
        pd.DataFrame(rows), stitched, trades, searches, goal, subject.metrics_config
    )
