"""Typed parameter spaces: integer and float ranges and choices, with an optional constraint.

```python
space = ParameterSpace(
    {"fast": IntRange(5, 50, step=5), "slow": IntRange(20, 200, step=10), "fee": 0.001},
    constraint=lambda p: p["fast"] < p["slow"],
)
space.grid()                 # every combination that meets the constraint
space.sample_many(100, seed=7)
```

Values that are not ranges or choices (``"fee": 0.001`` above) are fixed: passed to every
trial unchanged.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from optuna.distributions import BaseDistribution

MAX_GRID = 10_000_000
"""The largest grid `ParameterSpace.grid` builds; beyond it, sample instead."""


def _is_int(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True)
class IntRange:
    """Integers ``low, low + step, ..., <= high``; ``log`` samples uniformly in log space.

    Raises:
        ValueError: bounds or step are not ints, ``low > high``, ``step < 1``, or ``log``
            with ``low < 1`` or ``step != 1``.
    """

    low: int
    high: int
    step: int = 1
    log: bool = False

    def __post_init__(self) -> None:
        if not (_is_int(self.low) and _is_int(self.high) and _is_int(self.step)):
            raise ValueError(f"IntRange bounds and step must be ints, got {self!r}")
        if self.low > self.high or self.step < 1:
            raise ValueError(f"IntRange needs low <= high and step >= 1, got {self!r}")
        if self.log and (self.low < 1 or self.step != 1):
            raise ValueError(f"IntRange with log=True needs low >= 1 and step 1, got {self!r}")

    def grid_values(self) -> list[int]:
        """Every value of the range."""
        return list(range(int(self.low), int(self.high) + 1, int(self.step)))

    def sample(self, rng: np.random.Generator) -> int:
        """One value drawn with ``rng``."""
        if self.log:
            drawn = math.exp(rng.uniform(math.log(self.low - 0.5), math.log(self.high + 0.5)))
            return min(max(round(drawn), int(self.low)), int(self.high))
        count = (int(self.high) - int(self.low)) // int(self.step) + 1
        return int(self.low) + int(self.step) * int(rng.integers(0, count))

    def distribution(self) -> BaseDistribution:
        """The Optuna distribution of the range."""
        from optuna.distributions import IntDistribution  # noqa: PLC0415

        return IntDistribution(int(self.low), int(self.high), log=self.log, step=int(self.step))


@dataclass(frozen=True, slots=True)
class FloatRange:
    """Floats in ``[low, high]``; ``step`` makes them discrete, ``log`` samples in log space.

    A grid search needs ``step`` (``low, low + step, ...``) or ``grid_points`` (evenly, or
    geometrically with ``log``, spaced points including both bounds).

    Raises:
        ValueError: bounds not finite or ``low > high``, ``step <= 0``, ``grid_points < 2``,
            or ``log`` with ``low <= 0`` or with a ``step``.
    """

    low: float
    high: float
    step: float | None = None
    log: bool = False
    grid_points: int | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high) and self.low <= self.high):
            raise ValueError(f"FloatRange needs finite low <= high, got {self!r}")
        if self.step is not None and not (math.isfinite(self.step) and self.step > 0):
            raise ValueError(f"FloatRange step must be positive, got {self!r}")
        if self.grid_points is not None and (not _is_int(self.grid_points) or self.grid_points < 2):
            raise ValueError(f"FloatRange grid_points must be an int >= 2, got {self!r}")
        if self.log and (self.low <= 0 or self.step is not None):
            raise ValueError(f"FloatRange with log=True needs low > 0 and no step, got {self!r}")

    def _steps(self) -> int:
        assert self.step is not None
        span = Decimal(str(self.high)) - Decimal(str(self.low))
        return int(span / Decimal(str(self.step)))

    def grid_values(self) -> list[float]:
        """The grid's values.

        Raises:
            ValueError: neither ``step`` nor ``grid_points`` is set.
        """
        if self.step is not None:
            low, step = Decimal(str(self.low)), Decimal(str(self.step))
            return [float(low + k * step) for k in range(self._steps() + 1)]
        if self.grid_points is None:
            raise ValueError(f"a grid over {self!r} needs step or grid_points")
        spaced = np.geomspace if self.log else np.linspace
        return [float(v) for v in spaced(self.low, self.high, int(self.grid_points))]

    def sample(self, rng: np.random.Generator) -> float:
        """One value drawn with ``rng``."""
        if self.step is not None:
            low, step = Decimal(str(self.low)), Decimal(str(self.step))
            return float(low + int(rng.integers(0, self._steps() + 1)) * step)
        if self.log:
            drawn = math.exp(rng.uniform(math.log(self.low), math.log(self.high)))
        else:
            drawn = rng.uniform(self.low, self.high)
        return float(min(max(drawn, self.low), self.high))  # exp/log may round past a bound

    def distribution(self) -> BaseDistribution:
        """The Optuna distribution of the range."""
        from optuna.distributions import FloatDistribution  # noqa: PLC0415

        return FloatDistribution(float(self.low), float(self.high), log=self.log, step=self.step)


@dataclass(frozen=True, slots=True, init=False)
class Choice:
    """One of a fixed set of values (None, bool, int, float or str).

    Raises:
        ValueError: no values, repeated values, or a value of another type.
    """

    values: tuple[Any, ...]

    def __init__(self, *values: Any) -> None:
        if len(values) == 1 and isinstance(values[0], list | tuple):
            values = tuple(values[0])
        plain = []
        for given in values:
            value = given.item() if isinstance(given, np.generic) else given
            if value is not None and not isinstance(value, bool | int | float | str):
                raise ValueError(f"Choice values must be None, bool, int, float or str: {value!r}")
            plain.append(value)
        if not plain or len(set(plain)) != len(plain):
            raise ValueError(f"Choice needs distinct values, got {values!r}")
        object.__setattr__(self, "values", tuple(plain))

    def grid_values(self) -> list[Any]:
        """Every value."""
        return list(self.values)

    def sample(self, rng: np.random.Generator) -> Any:
        """One value drawn with ``rng``."""
        return self.values[int(rng.integers(0, len(self.values)))]

    def distribution(self) -> BaseDistribution:
        """The Optuna distribution of the choice."""
        from optuna.distributions import CategoricalDistribution  # noqa: PLC0415

        return CategoricalDistribution(self.values)


Dimension = IntRange | FloatRange | Choice


class ParameterSpace:
    """Named dimensions to search, fixed values, and an optional feasibility constraint.

    Args:
        dimensions: parameter name to `IntRange`, `FloatRange`, `Choice`, or a fixed value.
        constraint: ``constraint(params) -> bool``; False excludes a combination (from the
            grid; random sampling draws again; Optuna records the trial as infeasible).
            It runs in the calling process only, so a lambda is fine.

    Raises:
        ValueError: no dimension to search, or a name that is not a non-empty str.
    """

    def __init__(
        self,
        dimensions: Mapping[str, Dimension | Any],
        constraint: Callable[[dict[str, Any]], bool] | None = None,
    ) -> None:
        self.dimensions: dict[str, Dimension] = {}
        self.fixed: dict[str, Any] = {}
        for name, value in dimensions.items():
            if not isinstance(name, str) or not name:
                raise ValueError(f"parameter names must be non-empty str, got {name!r}")
            if isinstance(value, IntRange | FloatRange | Choice):
                self.dimensions[name] = value
            else:
                self.fixed[name] = value
        if not self.dimensions:
            raise ValueError("a ParameterSpace needs at least one IntRange, FloatRange or Choice")
        self.constraint = constraint

    def __repr__(self) -> str:
        return f"ParameterSpace({self.dimensions!r}, fixed={self.fixed!r})"

    @property
    def names(self) -> list[str]:
        """Names of the searched parameters, in declaration order."""
        return list(self.dimensions)

    def feasible(self, params: Mapping[str, Any]) -> bool:
        """Whether ``params`` meets the constraint (always, without one)."""
        return self.constraint is None or bool(self.constraint(dict(params)))

    def complete(self, searched: Mapping[str, Any]) -> dict[str, Any]:
        """The searched values plus the fixed ones, as one trial's parameters."""
        return {**searched, **self.fixed}

    def grid_size(self) -> int:
        """Combinations in the full grid, before the constraint."""
        return math.prod(len(d.grid_values()) for d in self.dimensions.values())

    def grid(self) -> list[dict[str, Any]]:
        """Every feasible combination, the last dimension varying fastest.

        Raises:
            ValueError: the grid has more than `MAX_GRID` combinations, or a float range
                has neither step nor grid_points.
        """
        size = self.grid_size()
        if size > MAX_GRID:
            raise ValueError(f"the grid has {size} combinations (> {MAX_GRID}); sample instead")
        axes = [d.grid_values() for d in self.dimensions.values()]
        combos = (dict(zip(self.names, values, strict=True)) for values in itertools.product(*axes))
        return [self.complete(c) for c in combos if self.feasible(self.complete(c))]

    def sample(self, rng: np.random.Generator) -> dict[str, Any]:
        """One combination drawn with ``rng`` (the constraint is not applied)."""
        return self.complete({name: d.sample(rng) for name, d in self.dimensions.items()})

    def sample_many(
        self, count: int, seed: int, max_draws_per_trial: int = 100
    ) -> list[dict[str, Any]]:
        """``count`` feasible combinations drawn from a generator seeded with ``seed``.

        Raises:
            ValueError: ``count`` is negative, or the constraint rejected
                ``max_draws_per_trial`` draws in a row.
        """
        if count < 0:
            raise ValueError(f"count must not be negative, got {count}")
        rng = np.random.default_rng(seed)
        out: list[dict[str, Any]] = []
        while len(out) < count:
            for _ in range(max_draws_per_trial):
                params = self.sample(rng)
                if self.feasible(params):
                    out.append(params)
                    break
            else:
                raise ValueError(
                    f"the constraint rejected {max_draws_per_trial} draws in a row; "
                    "the feasible part of the space is too small to sample"
                )
        return out

    def distributions(self) -> dict[str, BaseDistribution]:
        """The Optuna distribution of each searched parameter."""
        return {name: d.distribution() for name, d in self.dimensions.items()}
