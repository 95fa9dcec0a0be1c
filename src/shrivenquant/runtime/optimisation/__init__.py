"""Parameter optimisation: grid, random and Optuna searches, walk-forward analysis, and a
vectorised fast path for sweeping simple signal strategies.

Searches call any evaluator ``params -> metrics`` (see `evaluation`), in this process, in
worker processes or on Ray; see docs/concepts/optimisation.md.
"""

from shrivenquant.runtime.optimisation.evaluation import (
    BatchEvaluator,
    Evaluator,
    Metrics,
    Params,
    ReportEvaluator,
    coerce_metrics,
    metrics_from_report,
)
from shrivenquant.runtime.optimisation.executors import (
    Backend,
    TrialError,
    TrialExecutor,
    TrialOutcome,
)
from shrivenquant.runtime.optimisation.objective import Direction, Objective
from shrivenquant.runtime.optimisation.prices import PriceSeries
from shrivenquant.runtime.optimisation.ray_backend import ray_available
from shrivenquant.runtime.optimisation.result import SearchResult, TrialStatus
from shrivenquant.runtime.optimisation.search import grid_search, optuna_search, random_search
from shrivenquant.runtime.optimisation.signals import Signal, SmaCross, sma_cross, to_targets
from shrivenquant.runtime.optimisation.space import Choice, FloatRange, IntRange, ParameterSpace
from shrivenquant.runtime.optimisation.vectorised import (
    FAST_METRICS,
    VectorisedBacktest,
    VectorisedConfig,
    VectorisedRun,
)
from shrivenquant.runtime.optimisation.walk_forward import (
    WalkForwardResult,
    WalkForwardSubject,
    WalkForwardWindow,
    WindowRun,
    walk_forward,
    walk_forward_windows,
)

__all__ = [
    "FAST_METRICS",
    "Backend",
    "BatchEvaluator",
    "Choice",
    "Direction",
    "Evaluator",
    "FloatRange",
    "IntRange",
    "Metrics",
    "Objective",
    "ParameterSpace",
    "Params",
    "PriceSeries",
    "ReportEvaluator",
    "SearchResult",
    "Signal",
    "SmaCross",
    "TrialError",
    "TrialExecutor",
    "TrialOutcome",
    "TrialStatus",
    "VectorisedBacktest",
    "VectorisedConfig",
    "VectorisedRun",
    "WalkForwardResult",
    "WalkForwardSubject",
    "WalkForwardWindow",
    "WindowRun",
    "coerce_metrics",
    "grid_search",
    "metrics_from_report",
    "optuna_search",
    "random_search",
    "ray_available",
    "sma_cross",
    "to_targets",
    "walk_forward",
    "walk_forward_windows",
]
