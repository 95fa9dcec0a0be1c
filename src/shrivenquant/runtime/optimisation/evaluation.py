"""Evaluators: what a search calls to score one parameter set.

An evaluator is any picklable callable ``evaluator(params) -> metrics``: ``params`` a mapping
of parameter names to values, ``metrics`` a mapping of metric names to numbers (``None`` and
``nan`` mean undefined). Evaluators that can score many sets faster together also provide
``evaluate_batch(list_of_params) -> list_of_metrics`` (`BatchEvaluator`); the runners use it
when present.

Any backtest plugs in through `ReportEvaluator`: give it a module-level function that runs
one backtest for ``params`` and returns its `PerformanceReport` (or an object whose
``report`` attribute is one, or a metrics mapping)::

    def run_sma(params):
        result = run_my_backtest(fast=params["fast"], slow=params["slow"])
        return result.report

    evaluator = ReportEvaluator(run_sma)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields
from numbers import Integral, Real
from typing import Any, Protocol, runtime_checkable

from shrivenquant.analysis import PerformanceReport

Params = Mapping[str, Any]
Metrics = Mapping[str, float]

_TEXT_FIELDS = frozenset({"start", "end", "return_frequency", "notes"})


class Evaluator(Protocol):
    """Scores one parameter set."""

    def __call__(self, params: Params) -> Metrics:
        """The metrics of a run with ``params``."""
        ...


@runtime_checkable
class BatchEvaluator(Protocol):
    """An evaluator that also scores many parameter sets in one call."""

    def __call__(self, params: Params) -> Metrics:
        """The metrics of a run with ``params``."""
        ...

    def evaluate_batch(self, params: Sequence[Params]) -> list[Metrics]:
        """The metrics of each parameter set, in order."""
        ...


def metrics_from_report(report: PerformanceReport) -> dict[str, float]:
    """Every numeric field of a report (None as ``nan``), plus ``pnl`` (final - initial)."""
    metrics: dict[str, float] = {}
    for f in fields(report):
        if f.name in _TEXT_FIELDS:
            continue
        value = getattr(report, f.name)
        if isinstance(value, bool):
            metrics[f.name] = float(value)
        elif isinstance(value, int):
            metrics[f.name] = value
        else:
            metrics[f.name] = math.nan if value is None else float(value)
    metrics["pnl"] = report.final_equity - report.initial_equity
    return metrics


def coerce_metrics(result: object) -> dict[str, float]:
    """Plain ``{name: number}`` from a report, an object with a ``report``, or a mapping.

    Raises:
        TypeError: the result is none of those, or a metric is not a number.
    """
    if isinstance(result, PerformanceReport):
        return metrics_from_report(result)
    if hasattr(result, "report") and not isinstance(result, Mapping):
        report = result.report
        if isinstance(report, PerformanceReport):
            return metrics_from_report(report)
        raise TypeError(
            f"the {type(result).__name__} returned has no PerformanceReport in 'report' "
            f"(got {type(report).__name__}); a backtest without equity samples has no metrics"
        )
    if not isinstance(result, Mapping):
        raise TypeError(
            "an evaluator must return a metrics mapping or a PerformanceReport, "
            f"got {type(result).__name__}"
        )
    metrics: dict[str, float] = {}
    for name, value in result.items():
        if not isinstance(name, str):
            raise TypeError(f"metric names must be str, got {name!r}")
        if value is None:
            metrics[name] = math.nan
        elif isinstance(value, bool):
            metrics[name] = float(value)
        elif isinstance(value, Integral):
            metrics[name] = int(value)
        elif isinstance(value, Real):
            metrics[name] = float(value)
        else:
            raise TypeError(f"metric {name!r} must be a number or None, got {value!r}")
    return metrics


class ReportEvaluator:
    """An evaluator around a function that runs one backtest.

    Args:
        run: ``run(params)`` returns a `PerformanceReport`, an object with a ``report``
            attribute holding one (a backtest result), or a metrics mapping. It must pickle
            (a module-level function) to run in worker processes.
    """

    def __init__(self, run: Callable[[dict[str, Any]], object]) -> None:
        self.run = run

    def __repr__(self) -> str:
        return f"ReportEvaluator({getattr(self.run, '__qualname__', self.run)!r})"

    def __call__(self, params: Params) -> Metrics:
        """Run the backtest for ``params`` and return its metrics."""
        return coerce_metrics(self.run(dict(params)))
