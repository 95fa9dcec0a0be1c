"""Timers and time alerts of strategies on the kernel's (test) clock."""

from __future__ import annotations

from typing import Any

import pytest

from shrivenquant.bus import MessageBus
from shrivenquant.cache import Cache
from shrivenquant.core.clock import TestClock, TimeEvent
from shrivenquant.core.lifecycle import ComponentState
from shrivenquant.model.identifiers import TraderId
from shrivenquant.strategy import Strategy, StrategyConfig

T0 = 1_704_164_645_000_000_000
MINUTE = 60_000_000_000


class Timed(Strategy):
    """Sets a repeating timer and a one-shot alert; records on_timer and on_event calls."""

    def __init__(self, config: StrategyConfig | None = None) -> None:
        super().__init__(config)
        self.calls: list[tuple[str, TimeEvent]] = []

    def on_start(self) -> None:
        self.set_timer("tick", MINUTE)
        self.set_time_alert("once", T0 + 90_000_000_000)

    def on_timer(self, event: TimeEvent) -> None:
        self.calls.append(("on_timer", event))

    def on_event(self, event: Any) -> None:
        self.calls.append(("on_event", event))


def started(strategy: Strategy, clock: TestClock) -> Any:
    strategy.register(TraderId("TRADER-001"), MessageBus(), clock, Cache())
    strategy.start()
    return strategy


def test_timers_and_alerts_fire_on_timer_with_their_own_names() -> None:
    clock = TestClock(T0)
    strategy = started(Timed(), clock)
    assert strategy.timer_names == ["once", "tick"]
    assert clock.timer_names == ["Timed-000:once", "Timed-000:tick"]
    clock.advance_time(T0 + 3 * MINUTE)

    fired = [(e.name, e.ts_event) for hook, e in strategy.calls if hook == "on_timer"]
    assert fired == [
        ("tick", T0 + MINUTE),
        ("once", T0 + 90_000_000_000),
        ("tick", T0 + 2 * MINUTE),
        ("tick", T0 + 3 * MINUTE),
    ]
    first, second = strategy.calls[:2]
    assert (first[0], second[0]) == ("on_timer", "on_event")
    assert first[1] is second[1]
    assert strategy.timer_names == ["tick"]  # the alert is spent


def test_cancel_and_stop_remove_timers() -> None:
    clock = TestClock(T0)
    strategy = started(Timed(), clock)
    strategy.cancel_timer("tick")
    with pytest.raises(KeyError, match="no timer named 'tick'"):
        strategy.cancel_timer("tick")
    strategy.set_timer("tick", MINUTE)  # the name is free again
    strategy.stop()
    assert clock.timer_names == []
    assert strategy.timer_names == []
    clock.advance_time(T0 + 5 * MINUTE)
    assert strategy.calls == []


def test_timers_with_a_stop_time_end_by_themselves() -> None:
    clock = TestClock(T0)
    strategy = started(Timed(), clock)
    strategy.set_timer("short", MINUTE, stop_time_ns=T0 + 2 * MINUTE)
    clock.advance_time(T0 + 4 * MINUTE)
    short = [e.ts_event for hook, e in strategy.calls if hook == "on_timer" and e.name == "short"]
    assert short == [T0 + MINUTE, T0 + 2 * MINUTE]
    assert "short" not in strategy.timer_names
    strategy.cancel_timer("short")  # gone from the clock already: forgotten quietly


def test_a_timer_callback_that_raises_faults_with_the_timer_time() -> None:
    clock = TestClock(T0)
    strategy = started(Timed(), clock)
    got: list[str] = []

    def callback(event: TimeEvent) -> None:
        got.append(event.name)
        raise ArithmeticError("bad timer")

    strategy.set_timer("risky", 30_000_000_000, callback=callback)
    clock.advance_time(T0 + 5 * MINUTE)

    assert got == ["risky"]  # faulted at the first firing, before any other timer
    assert strategy.calls == []
    assert strategy.state is ComponentState.FAULTED
    assert clock.timer_names == []
    error = strategy.last_hook_error
    assert error is not None
    assert (error.hook, error.ts_event, error.message_type) == (
        "callback",
        T0 + 30_000_000_000,
        "TimeEvent",
    )


def test_isolated_timer_errors_keep_the_timer_going() -> None:
    class Flaky(Timed):
        def on_timer(self, event: TimeEvent) -> None:
            super().on_timer(event)
            if event.name == "tick":
                raise ValueError("flaky")

    clock = TestClock(T0)
    strategy = started(Flaky(StrategyConfig(on_hook_error="ISOLATE")), clock)  # type: ignore[arg-type]
    clock.advance_time(T0 + 3 * MINUTE)
    assert strategy.state is ComponentState.RUNNING
    assert strategy.hook_error_count == 3
    assert [e.name for hook, e in strategy.calls if hook == "on_timer"].count("tick") == 3
