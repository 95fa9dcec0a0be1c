"""Whether this process is a search worker (set by the worker initialisers).

Worker processes run compiled loops on one thread: the process pool already uses the cores,
and numba's OpenMP threads are not safe to use in a process forked after they started.
"""

from __future__ import annotations

_IN_WORKER = False


def mark_worker() -> None:
    """Record that this process evaluates trials for a search."""
    global _IN_WORKER  # noqa: PLW0603 - one flag per process, set once by the initialiser
    _IN_WORKER = True


def in_worker() -> bool:
    """True inside a search worker process."""
    return _IN_WORKER
