"""Running trials: in this process, in worker processes, or on Ray.

Trials are numbered; whatever the backend, the worker count or the order in which chunks
finish, outcomes come back sorted by trial number, so a search gives the same result on one
core or many.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from enum import StrEnum, unique
from types import TracebackType
from typing import Any

from shrivenquant.core.errors import ShrivenQuantError
from shrivenquant.runtime.optimisation._worker import mark_worker
from shrivenquant.runtime.optimisation.evaluation import Evaluator, coerce_metrics

Trial = tuple[int, dict[str, Any]]


@unique
class Backend(StrEnum):
    """Where trials run."""

    AUTO = "auto"
    """``serial`` for batch evaluators (they use every core themselves, as the vectorised
    backtest does), ``process`` for the others."""
    SERIAL = "serial"
    """In the calling process, one chunk after another."""
    PROCESS = "process"
    """In a pool of worker processes on this machine."""
    RAY = "ray"
    """As Ray tasks: a local Ray instance, or the cluster ``ray.init(address=...)`` joined."""


class TrialError(ShrivenQuantError):
    """An evaluator raised for a parameter set (the message carries its traceback)."""


@dataclass(frozen=True, slots=True)
class TrialOutcome:
    """What one trial produced.

    Attributes:
        index: the trial number.
        params: the parameters evaluated.
        metrics: the metrics, or None when the evaluator raised.
        error: the evaluator's traceback, or None.
        seconds: evaluation time (a share of the batch's time for batch evaluators).
    """

    index: int
    params: dict[str, Any]
    metrics: dict[str, float] | None
    error: str | None
    seconds: float


def evaluate_chunk(evaluator: Evaluator, chunk: Sequence[Trial]) -> list[TrialOutcome]:
    """Evaluate trials, as one batch when the evaluator has ``evaluate_batch``.

    A failing batch is evaluated again trial by trial, so the failure is pinned on the
    parameter sets that cause it; an evaluator's exception becomes that trial's ``error``.
    """
    batch = getattr(evaluator, "evaluate_batch", None)
    if batch is not None and len(chunk) > 1:
        start = time.perf_counter()
        try:
            results = list(batch([params for _, params in chunk]))
        except Exception:  # noqa: BLE001 - retried per trial below, which records the error
            results = None
        if results is not None:
            if len(results) != len(chunk):
                raise TypeError(
                    f"{type(evaluator).__name__}.evaluate_batch returned {len(results)} "
                    f"results for {len(chunk)} parameter sets"
                )
            try:
                metrics = [coerce_metrics(m) for m in results]
            except TypeError:
                pass  # retried per trial below, which records which result was malformed
            else:
                share = (time.perf_counter() - start) / len(chunk)
                return [
                    TrialOutcome(i, params, m, None, share)
                    for (i, params), m in zip(chunk, metrics, strict=True)
                ]
    outcomes = []
    for index, params in chunk:
        start = time.perf_counter()
        try:
            result: dict[str, float] | None = coerce_metrics(evaluator(params))
            error = None
        except Exception:  # noqa: BLE001 - the traceback travels with the outcome
            result, error = None, traceback.format_exc()
        outcomes.append(TrialOutcome(index, params, result, error, time.perf_counter() - start))
    return outcomes


_EVALUATOR: Evaluator | None = None


def _init_worker(evaluator: Evaluator) -> None:
    global _EVALUATOR  # noqa: PLW0603 - one evaluator per worker process
    mark_worker()
    _EVALUATOR = evaluator


def _ready() -> bool:
    return True


def _run_in_worker(chunk: list[Trial]) -> list[TrialOutcome]:
    assert _EVALUATOR is not None, "worker process was not initialised"
    return evaluate_chunk(_EVALUATOR, chunk)


def default_workers() -> int:
    """The CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class TrialExecutor:
    """Evaluates trials on a backend; a context manager that owns its workers.

    Args:
        evaluator: the evaluator (it must pickle for ``process`` and ``ray``).
        backend: `Backend` or its value (``auto``, ``serial``, ``process``, ``ray``).
        max_workers: worker processes (``process``) or CPUs of a local Ray instance;
            None uses every CPU available.
        chunk_size: trials per task; None chooses a tenth of the trials in this process,
            one task per worker for batch evaluators, about four per worker otherwise.
        mp_context: multiprocessing start method for ``process``; None uses ``"fork"``
            where available (workers inherit the evaluator without pickling it, and scripts
            need no ``__main__`` guard); ``"forkserver"`` and ``"spawn"`` need a picklable
            evaluator and the guard.
    """

    def __init__(
        self,
        evaluator: Evaluator,
        backend: Backend | str = Backend.AUTO,
        max_workers: int | None = None,
        chunk_size: int | None = None,
        mp_context: str | None = None,
    ) -> None:
        try:
            self.backend = Backend(str(backend).strip().lower())
        except ValueError:
            names = ", ".join(b.value for b in Backend)
            raise ValueError(f"backend must be one of {names}; got {backend!r}") from None
        if max_workers is not None and (isinstance(max_workers, bool) or max_workers < 1):
            raise ValueError(f"max_workers must be a positive int or None, got {max_workers!r}")
        if chunk_size is not None and (isinstance(chunk_size, bool) or chunk_size < 1):
            raise ValueError(f"chunk_size must be a positive int or None, got {chunk_size!r}")
        if self.backend is Backend.AUTO:
            batch = callable(getattr(evaluator, "evaluate_batch", None))
            self.backend = Backend.SERIAL if batch else Backend.PROCESS
        self.evaluator = evaluator
        self.max_workers = max_workers or default_workers()
        self.chunk_size = chunk_size
        self.mp_context = mp_context
        self._pool: ProcessPoolExecutor | None = None
        self._ray: Any = None

    def __enter__(self) -> TrialExecutor:
        if self.backend is Backend.PROCESS:
            methods = multiprocessing.get_all_start_methods()
            method = self.mp_context or ("fork" if "fork" in methods else None)
            self._pool = ProcessPoolExecutor(
                max_workers=self.max_workers,
                mp_context=multiprocessing.get_context(method),
                initializer=_init_worker,
                initargs=(self.evaluator,),
            )
            # Start every worker now, before a progress bar starts its refresh thread.
            for future in [self._pool.submit(_ready) for _ in range(self.max_workers)]:
                future.result()
        elif self.backend is Backend.RAY:
            from shrivenquant.runtime.optimisation.ray_backend import RayRunner  # noqa: PLC0415

            self._ray = RayRunner(self.evaluator, self.max_workers)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._ray is not None:
            self._ray.close()
            self._ray = None

    def _chunks(self, trials: Sequence[Trial]) -> list[list[Trial]]:
        if self.chunk_size is not None:
            size = self.chunk_size
        elif self.backend is Backend.SERIAL:
            size = max(1, math.ceil(len(trials) / 10))
        elif hasattr(self.evaluator, "evaluate_batch"):
            # batch evaluators share work within a batch (the crossover's moving averages)
            size = max(1, math.ceil(len(trials) / self.max_workers))
        else:
            size = max(1, math.ceil(len(trials) / (4 * self.max_workers)))
        return [list(trials[i : i + size]) for i in range(0, len(trials), size)]

    def run(
        self,
        trials: Sequence[Trial],
        on_done: Callable[[list[TrialOutcome]], None] | None = None,
    ) -> list[TrialOutcome]:
        """Evaluate ``trials``; ``on_done`` sees each finished chunk (in finishing order).

        Returns:
            the outcomes sorted by trial number.
        """
        chunks = self._chunks(trials)
        done: list[TrialOutcome] = []

        def collect(outcomes: list[TrialOutcome]) -> None:
            done.extend(outcomes)
            if on_done is not None:
                on_done(outcomes)

        if self.backend is Backend.SERIAL:
            for chunk in chunks:
                collect(evaluate_chunk(self.evaluator, chunk))
        elif self.backend is Backend.PROCESS:
            if self._pool is None:
                raise RuntimeError("TrialExecutor.run needs the executor entered (use `with`)")
            self._run_pool(self._pool, chunks, collect)
        else:
            if self._ray is None:
                raise RuntimeError("TrialExecutor.run needs the executor entered (use `with`)")
            self._ray.run(chunks, collect)
        return sorted(done, key=lambda o: o.index)

    @staticmethod
    def _run_pool(
        pool: ProcessPoolExecutor,
        chunks: list[list[Trial]],
        collect: Callable[[list[TrialOutcome]], None],
    ) -> None:
        pending: set[Future[list[TrialOutcome]]] = {
            pool.submit(_run_in_worker, chunk) for chunk in chunks
        }
        try:
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    collect(future.result())
        finally:
            for future in pending:
                future.cancel()
