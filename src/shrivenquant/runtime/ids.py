"""Deterministic message ids for reproducible runs.

Events and commands carry random `UUID4` ids. A backtest that must repeat bit for bit draws
them from a generator seeded for the run instead, and gives the process its random generator
back afterwards, so ids drawn outside the run stay unpredictable.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from shrivenquant.core import uuid as _uuid


@contextmanager
def seeded_ids(seed: int | None) -> Iterator[None]:
    """Draw message ids from a generator seeded with ``seed`` inside the block (None: leave
    them random)."""
    if seed is None:
        yield
        return
    rng = _uuid._rng
    saved = rng.getstate()
    rng.seed(seed)
    try:
        yield
    finally:
        rng.setstate(saved)
