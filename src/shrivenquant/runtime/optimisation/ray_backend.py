"""The Ray backend: chunks of trials as Ray tasks (the ``distributed`` extra).

A search with ``backend="ray"`` joins the Ray instance this process already initialised
(``ray.init(address="ray://head:10001")`` for a cluster) or starts a local one with
``max_workers`` CPUs and shuts it down afterwards. The evaluator is put in Ray's object store
once; tasks carry only parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from shrivenquant.runtime.optimisation._worker import mark_worker
from shrivenquant.runtime.optimisation.evaluation import Evaluator
from shrivenquant.runtime.optimisation.executors import Trial, TrialOutcome, evaluate_chunk

RAY_MISSING = (
    "backend='ray' needs Ray, which is not installed: pip install 'shrivenquant[distributed]'"
)


def ray_available() -> bool:
    """Whether Ray can be imported."""
    try:
        import ray  # noqa: F401, PLC0415
    except ImportError:
        return False
    return True


def _ray_chunk(evaluator: Evaluator, chunk: Sequence[Trial]) -> list[TrialOutcome]:
    mark_worker()
    return evaluate_chunk(evaluator, chunk)


class RayRunner:
    """Runs chunks of trials as Ray tasks; `close` shuts down a Ray instance it started.

    Raises:
        ImportError: Ray is not installed.
    """

    def __init__(self, evaluator: Evaluator, max_workers: int) -> None:
        try:
            import ray  # noqa: PLC0415
        except ImportError as exc:
            raise ImportError(RAY_MISSING) from exc
        self._ray = ray
        self._started = False
        if not ray.is_initialized():
            ray.init(
                num_cpus=max_workers,
                include_dashboard=False,
                log_to_driver=False,
                configure_logging=False,
            )
            self._started = True
        self._evaluator_ref: Any = ray.put(evaluator)
        self._task = ray.remote(num_cpus=1)(_ray_chunk)

    def run(self, chunks: list[list[Trial]], collect: Callable[[list[TrialOutcome]], None]) -> None:
        """Submit every chunk and hand each result to ``collect`` as it finishes."""
        pending: list[Any] = [self._task.remote(self._evaluator_ref, chunk) for chunk in chunks]
        try:
            while pending:
                finished, pending = self._ray.wait(pending, num_returns=1)
                for ref in finished:
                    collect(self._ray.get(ref))
        finally:
            for ref in pending:
                self._ray.cancel(ref)

    def close(self) -> None:
        """Release the evaluator and shut down the Ray instance if this runner started it."""
        self._evaluator_ref = None
        if self._started:
            self._ray.shutdown()
            self._started = False
