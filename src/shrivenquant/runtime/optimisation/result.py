"""`SearchResult`: every trial of a search as a DataFrame, best first."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd  # type: ignore[import-untyped]
from rich.table import Table

from shrivenquant.runtime.optimisation.executors import TrialOutcome
from shrivenquant.runtime.optimisation.objective import Objective

RESERVED_COLUMNS = ("trial", "objective", "status", "error", "seconds")


class TrialStatus:
    """Values of the ``status`` column."""

    OK = "ok"
    """Evaluated; ``objective`` is a number (``nan`` when the metric was undefined)."""
    ERROR = "error"
    """The evaluator raised; ``error`` holds the traceback."""
    INFEASIBLE = "infeasible"
    """Proposed by Optuna but rejected by the space's constraint; not evaluated."""


def build_frame(
    outcomes: Sequence[TrialOutcome],
    objective: Objective,
    param_names: Sequence[str],
    infeasible: Sequence[tuple[int, dict[str, Any]]] = (),
) -> pd.DataFrame:
    """One row per trial: ``trial``, the parameters, ``objective``, the metrics, ``status``,
    ``error`` and ``seconds``; sorted best first (``nan`` last, ties by trial number).

    Raises:
        ValueError: a parameter or metric name clashes with another column.
    """
    rows: list[dict[str, Any]] = []
    metric_names: dict[str, None] = {}
    params_seen: dict[str, None] = dict.fromkeys(param_names)
    for outcome in outcomes:
        metrics = outcome.metrics or {}
        metric_names.update(dict.fromkeys(metrics))
        params_seen.update(dict.fromkeys(outcome.params))
        value = objective.value(metrics) if outcome.metrics is not None else math.nan
        rows.append(
            {
                "trial": outcome.index,
                **outcome.params,
                "objective": value,
                **metrics,
                "status": TrialStatus.OK if outcome.error is None else TrialStatus.ERROR,
                "error": outcome.error,
                "seconds": outcome.seconds,
            }
        )
    for index, params in infeasible:
        params_seen.update(dict.fromkeys(params))
        rows.append(
            {"trial": index, **params, "objective": math.nan, "status": TrialStatus.INFEASIBLE}
        )
    clashes = (set(params_seen) & set(metric_names)) | (
        (set(params_seen) | set(metric_names)) & set(RESERVED_COLUMNS)
    )
    if clashes:
        raise ValueError(
            f"parameter/metric names clash with other columns: {sorted(clashes)}; rename them"
        )
    columns = ["trial", *params_seen, "objective", *metric_names, "status", "error", "seconds"]
    frame = pd.DataFrame(rows, columns=columns)
    frame = frame.sort_values(
        ["objective", "trial"],
        ascending=[objective.ascending, True],
        na_position="last",
        kind="mergesort",
    )
    return frame.reset_index(drop=True)


@dataclass(frozen=True, slots=True)
class SearchResult:
    """The trials of one search.

    Attributes:
        frame: one row per trial, best first (see `build_frame`).
        objective: what was optimised.
        method: ``"grid"``, ``"random"`` or ``"optuna"``.
        param_names: the searched and fixed parameter names.
        seconds: wall time of the search.
    """

    frame: pd.DataFrame
    objective: Objective
    method: str
    param_names: tuple[str, ...]
    seconds: float

    def _best_label(self) -> Any:
        valid = (self.frame["status"] == TrialStatus.OK) & self.frame["objective"].notna()
        if not valid.any():
            raise ValueError(
                f"no trial of this {self.method} search produced a finite objective "
                f"{self.objective.name!r}; see the 'status' and 'error' columns"
            )
        return self.frame.index[valid.to_numpy().argmax()]

    @property
    def has_best(self) -> bool:
        """Whether some trial produced a finite objective."""
        return bool(
            ((self.frame["status"] == TrialStatus.OK) & self.frame["objective"].notna()).any()
        )

    @property
    def best_params(self) -> dict[str, Any]:
        """The parameters of the best trial (plain Python values)."""
        label = self._best_label()
        return {name: _plain(self.frame.at[label, name]) for name in self.param_names}

    @property
    def best_value(self) -> float:
        """The best objective value."""
        return float(self.frame.at[self._best_label(), "objective"])

    @property
    def best_trial(self) -> int:
        """The number of the best trial."""
        return int(self.frame.at[self._best_label(), "trial"])

    def best_metrics(self, names: Sequence[str] | None = None) -> dict[str, Any]:
        """The best trial's row (or just ``names`` of it) as a dict."""
        row = self.frame.loc[self._best_label()]
        keys = list(row.index) if names is None else list(names)
        return {key: _plain(row[key]) for key in keys}

    def table(self, rows: int = 10, metrics: Sequence[str] = ()) -> Table:
        """The best ``rows`` trials as a rich table: parameters, objective and ``metrics``."""
        table = Table(
            title=f"{self.method} search: {self.objective.name} ({self.objective.direction})"
        )
        columns = ["trial", *self.param_names, "objective", *metrics, "status"]
        for column in columns:
            table.add_column(column, justify="left" if column == "status" else "right")
        for _, row in self.frame.head(rows).iterrows():
            table.add_row(*(_cell(row.get(column)) for column in columns))
        return table


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.6g}"
    return str(value)
