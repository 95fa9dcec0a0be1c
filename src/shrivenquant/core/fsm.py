"""A small table-driven finite state machine shared by lifecycles and orders."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Generic, TypeVar

from shrivenquant.core.errors import InvalidStateTransition

S = TypeVar("S")
T = TypeVar("T")


class FiniteStateMachine(Generic[S, T]):
    """A state machine driven by triggers through an explicit ``(state, trigger) -> state`` table.

    Any pair missing from the table is an invalid transition and raises
    `InvalidStateTransition`; the state is left unchanged.
    """

    __slots__ = ("_name", "_state", "_table")

    def __init__(self, name: str, table: Mapping[tuple[S, T], S], initial: S) -> None:
        self._name = name
        self._table = table
        self._state = initial

    @property
    def state(self) -> S:
        """The current state."""
        return self._state

    def can_trigger(self, trigger: T) -> bool:
        """Return whether ``trigger`` is valid in the current state."""
        return (self._state, trigger) in self._table

    def trigger(self, trigger: T) -> S:
        """Apply ``trigger`` and return the new state, or raise `InvalidStateTransition`."""
        try:
            self._state = self._table[(self._state, trigger)]
        except KeyError:
            raise InvalidStateTransition(self._name, self._state, trigger) from None
        return self._state

    def force(self, state: S) -> None:
        """Set the state without a transition (only for rebuilding state from a snapshot)."""
        self._state = state
