"""System events: a kernel component changed lifecycle state."""

from __future__ import annotations

from shrivenquant.model.identifiers import ComponentId, TraderId
from shrivenquant.model.messages import Event


class ComponentStateChanged(Event, frozen=True, kw_only=True):
    """A component moved to a new lifecycle state (e.g. RUNNING -> DEGRADED).

    ``state`` is the `shrivenquant.core.lifecycle.ComponentState` name; ``reason`` says why
    when the move was caused by a failure.
    """

    trader_id: TraderId
    component_id: ComponentId
    state: str
    previous_state: str
    reason: str | None = None


SYSTEM_EVENT_TYPES = (ComponentStateChanged,)
