"""The base of every kernel component: a lifecycle, the bus, the clock, a logger and metrics.

A component that fails does not take the kernel down: `degrade` and `fault` move it to
DEGRADED or FAULTED, publish a `ComponentStateChanged` event on `topics.component_state()`,
log the reason and count it; the rest of the kernel keeps running and the risk engine decides
whether trading continues.
"""

from __future__ import annotations

from collections.abc import Callable

from shrivenquant.bus import topics
from shrivenquant.bus.message_bus import MessageBus
from shrivenquant.core.clock import Clock
from shrivenquant.core.lifecycle import ComponentState, Lifecycle
from shrivenquant.core.uuid import UUID4
from shrivenquant.model.events.system import ComponentStateChanged
from shrivenquant.model.identifiers import ComponentId, TraderId
from shrivenquant.telemetry.logging import get_logger


class Component:
    """Lifecycle plumbing shared by engines, clients and actors.

    Subclasses override the ``_on_start``/``_on_stop``/``_on_reset``/``_on_dispose`` hooks;
    the public methods drive the lifecycle state machine around them. A hook that raises
    leaves the component FAULTED (and the error is re-raised to the caller).
    """

    def __init__(
        self,
        component_id: ComponentId | str,
        trader_id: TraderId,
        bus: MessageBus,
        clock: Clock,
    ) -> None:
        self.id = (
            component_id if isinstance(component_id, ComponentId) else ComponentId(component_id)
        )
        self.trader_id = trader_id
        self.bus = bus
        self.clock = clock
        self.log = get_logger(self.id.value, trader_id=trader_id.value)
        self._failures = bus.metrics.counter(
            "component_failures", "Components moved to DEGRADED or FAULTED.", ("component", "state")
        )
        self._lifecycle = Lifecycle(self.id.value)
        self._reason: str | None = None
        self._lifecycle.add_listener(self._publish_state)
        self._lifecycle.transition(ComponentState.READY)

    @property
    def state(self) -> ComponentState:
        """The current lifecycle state."""
        return self._lifecycle.state

    @property
    def is_running(self) -> bool:
        """Whether the component is RUNNING or DEGRADED."""
        return self._lifecycle.is_running

    def start(self) -> None:
        """READY/STOPPED -> STARTING -> RUNNING, running `_on_start` in between."""
        self._lifecycle.transition(ComponentState.STARTING)
        self._run_hook(self._on_start, "start")
        self._lifecycle.transition(ComponentState.RUNNING)

    def stop(self) -> None:
        """RUNNING/DEGRADED -> STOPPING -> STOPPED, running `_on_stop` in between."""
        self._lifecycle.transition(ComponentState.STOPPING)
        self._run_hook(self._on_stop, "stop")
        self._lifecycle.transition(ComponentState.STOPPED)

    def reset(self) -> None:
        """STOPPED/FAULTED -> READY, clearing state through `_on_reset`."""
        self._run_hook(self._on_reset, "reset")
        self._reason = None
        self._lifecycle.transition(ComponentState.READY)

    def dispose(self) -> None:
        """Release resources for good (terminal)."""
        self._run_hook(self._on_dispose, "dispose")
        self._lifecycle.transition(ComponentState.DISPOSED)

    def degrade(self, reason: str) -> None:
        """RUNNING -> DEGRADED: working with reduced capability (e.g. a feed lost)."""
        self._reason = reason
        self.log.warning("component degraded", reason=reason)
        self._failures.labels(component=self.id.value, state="DEGRADED").inc()
        self._lifecycle.transition(ComponentState.DEGRADED)

    def recover(self) -> None:
        """DEGRADED -> RUNNING."""
        self._reason = None
        self.log.info("component recovered")
        self._lifecycle.transition(ComponentState.RUNNING)

    def fault(self, reason: str) -> None:
        """Any live state -> FAULTED: the component cannot go on until reset."""
        self._reason = reason
        self.log.error("component faulted", reason=reason)
        self._failures.labels(component=self.id.value, state="FAULTED").inc()
        self._lifecycle.transition(ComponentState.FAULTED)

    # -- hooks -----------------------------------------------------------------------------
    def _on_start(self) -> None:
        """Subscribe, register endpoints, connect (override)."""

    def _on_stop(self) -> None:
        """Unsubscribe, disconnect (override)."""

    def _on_reset(self) -> None:
        """Clear state between runs (override)."""

    def _on_dispose(self) -> None:
        """Release resources (override)."""

    def _run_hook(self, hook: Callable[[], None], what: str) -> None:
        try:
            hook()
        except Exception as exc:
            self._reason = f"{what} failed: {type(exc).__name__}: {exc}"
            self.log.exception("component hook failed", hook=what)
            self._failures.labels(component=self.id.value, state="FAULTED").inc()
            if self._lifecycle.can_transition(ComponentState.FAULTED):
                self._lifecycle.transition(ComponentState.FAULTED)
            raise

    def _publish_state(self, old: ComponentState, new: ComponentState) -> None:
        now = self.clock.timestamp_ns()
        self.bus.publish(
            topics.component_state(),
            ComponentStateChanged(
                trader_id=self.trader_id,
                component_id=self.id,
                state=new.value,
                previous_state=old.value,
                reason=self._reason,
                event_id=UUID4(),
                ts_event=now,
                ts_init=now,
            ),
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.id}, {self.state.value})"
