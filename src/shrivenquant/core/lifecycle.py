"""The component lifecycle state machine.

```
PRE_INITIALIZED -> READY -> STARTING -> RUNNING -> STOPPING -> STOPPED -> DISPOSED
                                           |  ^
                                           v  |
                                         DEGRADED        (any live state) -> FAULTED
```
A component that loses a dependency moves RUNNING -> DEGRADED and back when it recovers; one
that cannot go on moves to FAULTED. Both are reported (event, log, metric) by the component;
the rest of the kernel keeps running. STOPPED and FAULTED components can be reset to READY.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum, unique

from shrivenquant.core.fsm import FiniteStateMachine


@unique
class ComponentState(Enum):
    """Every state a kernel component can be in."""

    PRE_INITIALIZED = "PRE_INITIALIZED"
    READY = "READY"
    STARTING = "STARTING"
    RUNNING = "RUNNING"
    STOPPING = "STOPPING"
    STOPPED = "STOPPED"
    DEGRADED = "DEGRADED"
    FAULTED = "FAULTED"
    DISPOSED = "DISPOSED"


S = ComponentState

#: The allowed transitions: state -> states it may move to.
LIFECYCLE_TRANSITIONS: dict[ComponentState, frozenset[ComponentState]] = {
    S.PRE_INITIALIZED: frozenset({S.READY, S.FAULTED, S.DISPOSED}),
    S.READY: frozenset({S.STARTING, S.FAULTED, S.DISPOSED}),
    S.STARTING: frozenset({S.RUNNING, S.STOPPING, S.FAULTED}),
    S.RUNNING: frozenset({S.DEGRADED, S.STOPPING, S.FAULTED}),
    S.DEGRADED: frozenset({S.RUNNING, S.STOPPING, S.FAULTED}),
    S.STOPPING: frozenset({S.STOPPED, S.FAULTED}),
    S.STOPPED: frozenset({S.STARTING, S.READY, S.DISPOSED, S.FAULTED}),
    S.FAULTED: frozenset({S.READY, S.DISPOSED}),
    S.DISPOSED: frozenset(),
}

StateListener = Callable[[ComponentState, ComponentState], None]


class Lifecycle:
    """A component's lifecycle: transitions checked against `LIFECYCLE_TRANSITIONS`.

    Invalid transitions raise `InvalidStateTransition` and leave the state unchanged.
    Listeners receive ``(old, new)`` after every transition.
    """

    __slots__ = ("_fsm", "_listeners", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        table = {(src, dst): dst for src, dsts in LIFECYCLE_TRANSITIONS.items() for dst in dsts}
        self._fsm: FiniteStateMachine[ComponentState, ComponentState] = FiniteStateMachine(
            name, table, S.PRE_INITIALIZED
        )
        self._listeners: list[StateListener] = []

    @property
    def state(self) -> ComponentState:
        """The current state."""
        return self._fsm.state

    @property
    def is_running(self) -> bool:
        """Whether the component is doing its work (fully or degraded)."""
        return self._fsm.state in (S.RUNNING, S.DEGRADED)

    def add_listener(self, listener: StateListener) -> None:
        """Call ``listener(old, new)`` after each transition."""
        self._listeners.append(listener)

    def can_transition(self, to: ComponentState) -> bool:
        """Whether moving to ``to`` is allowed now."""
        return self._fsm.can_trigger(to)

    def transition(self, to: ComponentState) -> None:
        """Move to ``to``; raise `InvalidStateTransition` when the table forbids it."""
        old = self._fsm.state
        self._fsm.trigger(to)
        for listener in self._listeners:
            listener(old, to)
