"""`Objective`: the number a search optimises, read from each trial's metrics."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum, unique
from typing import Literal

from shrivenquant.runtime.optimisation.evaluation import Metrics

LOWER_IS_BETTER = frozenset(
    {"max_drawdown", "max_drawdown_duration_s", "longest_underwater_s", "volatility", "fees"}
)
"""Metrics an objective named after them minimises unless told otherwise."""


@unique
class Direction(StrEnum):
    """Whether larger or smaller objective values are better."""

    MAXIMISE = "maximise"
    MINIMISE = "minimise"

    @classmethod
    def parse(cls, value: str | Direction) -> Direction:
        """``"maximise"``/``"maximize"``/``"max"`` or the minimising forms.

        Raises:
            ValueError: any other text.
        """
        if isinstance(value, Direction):
            return value
        text = str(value).strip().lower()
        if text in ("maximise", "maximize", "max"):
            return cls.MAXIMISE
        if text in ("minimise", "minimize", "min"):
            return cls.MINIMISE
        raise ValueError(f"direction must be 'maximise' or 'minimise', got {value!r}")

    @property
    def optuna(self) -> Literal["maximize", "minimize"]:
        """Optuna's name of the direction."""
        return "maximize" if self is Direction.MAXIMISE else "minimize"


@dataclass(frozen=True, slots=True)
class Objective:
    """What a search optimises.

    Attributes:
        name: the metric read (or the label of ``function``).
        direction: maximise or minimise.
        function: ``function(metrics) -> float`` computing the objective; None reads the
            metric ``name``.
    """

    name: str
    direction: Direction = Direction.MAXIMISE
    function: Callable[[Metrics], float] | None = None

    @classmethod
    def make(
        cls,
        objective: str | Callable[[Metrics], float] | Objective,
        direction: str | Direction | None = None,
    ) -> Objective:
        """An objective from a metric name, a function of the metrics, or an `Objective`.

        Without a ``direction``, metrics in `LOWER_IS_BETTER` are minimised and everything
        else (functions included) maximised.
        """
        if isinstance(objective, Objective):
            if direction is None:
                return objective
            return cls(objective.name, Direction.parse(direction), objective.function)
        if isinstance(objective, str):
            if not objective:
                raise ValueError("the objective metric name is empty")
            default = Direction.MINIMISE if objective in LOWER_IS_BETTER else Direction.MAXIMISE
            chosen = default if direction is None else Direction.parse(direction)
            return cls(objective, chosen)
        if callable(objective):
            name = getattr(objective, "__name__", "objective")
            chosen = Direction.MAXIMISE if direction is None else Direction.parse(direction)
            return cls(name if name != "<lambda>" else "objective", chosen, objective)
        raise TypeError(f"objective must be a metric name or a function, got {objective!r}")

    def value(self, metrics: Mapping[str, float]) -> float:
        """The objective of one trial; ``nan`` when undefined.

        Raises:
            KeyError: the metric is not among ``metrics`` (the message lists those that are).
        """
        if self.function is not None:
            result = self.function(metrics)
            return math.nan if result is None else float(result)
        if self.name not in metrics:
            raise KeyError(
                f"objective metric {self.name!r} is not among the trial's metrics: "
                f"{', '.join(sorted(metrics))}"
            )
        value = metrics[self.name]
        return math.nan if value is None else float(value)

    @property
    def ascending(self) -> bool:
        """Whether the best value sorts first in ascending order."""
        return self.direction is Direction.MINIMISE
