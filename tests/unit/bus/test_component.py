import pytest

from shrivenquant.bus import topics
from shrivenquant.bus.component import Component
from shrivenquant.bus.message_bus import MessageBus
from shrivenquant.core.clock import TestClock
from shrivenquant.core.errors import InvalidStateTransition
from shrivenquant.core.lifecycle import ComponentState
from shrivenquant.model.events import ComponentStateChanged
from shrivenquant.model.identifiers import TraderId


class Engine(Component):
    def __init__(self, bus: MessageBus, fail_on_start: bool = False) -> None:
        super().__init__("Engine", TraderId("TRADER-001"), bus, TestClock(42))
        self.fail_on_start = fail_on_start
        self.calls: list[str] = []

    def _on_start(self) -> None:
        self.calls.append("start")
        if self.fail_on_start:
            raise RuntimeError("venue unreachable")

    def _on_stop(self) -> None:
        self.calls.append("stop")


def _states(bus: MessageBus) -> list[ComponentStateChanged]:
    seen: list[ComponentStateChanged] = []
    bus.subscribe(topics.component_state(), seen.append)
    return seen


def test_lifecycle_runs_hooks_and_publishes_every_state() -> None:
    bus = MessageBus()
    seen = _states(bus)
    engine = Engine(bus)
    assert engine.state is ComponentState.READY
    engine.start()
    engine.degrade("feed lost")
    engine.recover()
    engine.stop()
    assert engine.calls == ["start", "stop"]
    assert [e.state for e in seen] == [
        "READY",
        "STARTING",
        "RUNNING",
        "DEGRADED",
        "RUNNING",
        "STOPPING",
        "STOPPED",
    ]
    assert seen[3].reason == "feed lost"
    assert seen[3].ts_event == 42
    assert (
        bus.metrics.value("component_failures", {"component": "Engine", "state": "DEGRADED"}) == 1
    )


def test_failing_hook_faults_the_component_and_reraises() -> None:
    bus = MessageBus()
    seen = _states(bus)
    engine = Engine(bus, fail_on_start=True)
    with pytest.raises(RuntimeError, match="venue unreachable"):
        engine.start()
    assert engine.state is ComponentState.FAULTED
    assert seen[-1].state == "FAULTED"
    assert seen[-1].reason is not None
    assert "venue unreachable" in seen[-1].reason
    engine.reset()
    assert engine.state is ComponentState.READY


def test_invalid_lifecycle_calls_raise() -> None:
    engine = Engine(MessageBus())
    with pytest.raises(InvalidStateTransition):
        engine.stop()
    engine.start()
    with pytest.raises(InvalidStateTransition):
        engine.start()
