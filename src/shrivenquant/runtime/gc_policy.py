"""How a running node uses Python's cyclic garbage collector (the ``[gc]`` config section).

The order path allocates and keeps objects (orders, events, positions) at a steady rate. With the
interpreter's default thresholds (700, 10, 10) a young collection runs every few dozen orders and
a full collection rescans every object the process has ever kept (instruments, modules, the
replayed journal, the order history), which takes tens of milliseconds in a long session.

`apply_gc_policy` is what the `Kernel` calls once every component has started (instruments
loaded, journal replayed): it collects once, freezes what exists (`gc.freeze`: those objects are
never scanned again) and raises the thresholds, so young collections are rarer and full ones
only scan what the session itself kept. With ``freeze_survivors`` it also freezes, after every
collection, what that collection found alive: the objects the session keeps (orders, events,
positions) are then scanned once instead of again by every middle and full collection, which is
what makes those take tens of milliseconds. `GcPolicy.restore` (called by `Kernel.dispose`) puts
the thresholds back, removes that hook and unfreezes. All of this is process-wide: two kernels
running in one process share it, and the first one disposed restores the state it found.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any, Final

from shrivenquant.core.errors import InvalidInputError

_MAX_THRESHOLD: Final = 10_000_000


@dataclass(frozen=True, slots=True, kw_only=True)
class GcConfig:
    """The garbage collection policy of a running node (``[gc]``).

    Attributes:
        enabled: apply the policy when the kernel starts; False leaves the collector as the
            process configured it.
        freeze_on_start: collect once, then freeze every object that exists when the kernel
            has started, so later collections never scan them.
        gen0_threshold: net allocations of tracked objects that trigger a young collection
            (the interpreter's default is 700).
        gen1_threshold: young collections per middle-generation collection (default 10).
        gen2_threshold: middle-generation collections per full collection (default 10; the
            interpreter also waits until the objects awaiting a full collection are a quarter
            of those already in the oldest generation).
        freeze_survivors: after every collection, freeze what it found alive, so no later
            collection scans it again. Objects freed by reference counting are still freed;
            only garbage in reference cycles that outlives a collection stays until the kernel
            is disposed (the order path makes none; strategy code might).
    """

    enabled: bool = True
    freeze_on_start: bool = True
    freeze_survivors: bool = False
    gen0_threshold: int = 50_000
    gen1_threshold: int = 20
    gen2_threshold: int = 100

    def __post_init__(self) -> None:
        for name in ("enabled", "freeze_on_start", "freeze_survivors"):
            value = getattr(self, name)
            if type(value) is not bool:
                raise InvalidInputError(f"gc.{name}: expected true or false, got {value!r}")
        for name in ("gen0_threshold", "gen1_threshold", "gen2_threshold"):
            value = getattr(self, name)
            if type(value) is not int or not 1 <= value <= _MAX_THRESHOLD:
                raise InvalidInputError(
                    f"gc.{name}: expected an integer from 1 to {_MAX_THRESHOLD:,}, got {value!r}"
                )

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> GcConfig:
        """Build from the ``[gc]`` table, rejecting unknown keys.

        Raises:
            InvalidInputError: the message names the field.
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(str(k) for k in values if k not in known)
        if unknown:
            raise InvalidInputError(
                f"gc: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        return cls(**values)

    @property
    def thresholds(self) -> tuple[int, int, int]:
        """The three thresholds, in the order `gc.set_threshold` takes them."""
        return (self.gen0_threshold, self.gen1_threshold, self.gen2_threshold)


class GcPolicy:
    """A policy in force: what `apply_gc_policy` changed, and how to put it back."""

    __slots__ = ("_froze", "_hook", "_previous", "_restored")

    def __init__(
        self,
        previous: tuple[int, int, int] | None,
        froze: bool,
        hook: Callable[[str, dict[str, int]], None] | None = None,
    ) -> None:
        self._previous = previous
        self._froze = froze
        self._hook = hook
        self._restored = False

    @property
    def active(self) -> bool:
        """Whether the policy changed anything and has not been restored."""
        return not self._restored and (self._previous is not None or self._froze)

    def restore(self) -> None:
        """Put the thresholds back and unfreeze what was frozen (idempotent)."""
        if self._restored:
            return
        self._restored = True
        if self._hook is not None and self._hook in gc.callbacks:
            gc.callbacks.remove(self._hook)
        if self._froze or self._hook is not None:
            gc.unfreeze()
        if self._previous is not None:
            gc.set_threshold(*self._previous)


def apply_gc_policy(config: GcConfig) -> GcPolicy:
    """Apply ``config`` to the collector; call once everything long-lived has been built.

    Returns:
        The policy in force; its `GcPolicy.restore` undoes it.
    """
    if not config.enabled:
        return GcPolicy(None, froze=False)
    if config.freeze_on_start:
        gc.collect()  # garbage made while starting must not be frozen with the live objects
        gc.freeze()
    previous = gc.get_threshold()
    gc.set_threshold(*config.thresholds)
    hook = None
    if config.freeze_survivors:
        hook = _freeze_survivors
        gc.callbacks.append(hook)
    return GcPolicy(previous, froze=config.freeze_on_start, hook=hook)


def _freeze_survivors(phase: str, info: dict[str, int]) -> None:
    # Called by the collector when a collection ends: what it did not free is alive.
    if phase == "stop":
        gc.freeze()
