"""Timers and time alerts of an actor, on the kernel's clock.

Each timer calls the actor's `on_timer` (or the callback it was set with) and then `on_event`,
wrapped like every other hook. Timer names are the actor's own: the clock sees them prefixed
with the actor's id, and the `TimeEvent` handed to the hook carries the name the timer was set
with. Every timer is cancelled when the actor stops, faults or resets. In a backtest the clock
is simulated, so timers fire in time order with the data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shrivenquant.core.clock import Clock, TimeEvent
from shrivenquant.model.identifiers import ComponentId
from shrivenquant.strategy.hooks import ActorHooks


@dataclass(frozen=True, slots=True)
class ActorTimer:
    """One timer or alert of an actor."""

    name: str
    callback: Callable[[TimeEvent], None] | None
    one_shot: bool


class ActorTimers(ActorHooks):
    """The timer methods of `Actor` (a mixin)."""

    # Provided by `Actor`.
    clock: Clock
    id: ComponentId
    _active: bool
    _timers: dict[str, ActorTimer]
    _event_hook: Callable[[Any], None] | None

    if TYPE_CHECKING:

        def _hook_failed(self, hook: str, exc: Exception, msg: object) -> None: ...

        def _require_registered(self, what: str) -> None: ...

    def set_timer(
        self,
        name: str,
        interval_ns: int,
        *,
        start_time_ns: int | None = None,
        stop_time_ns: int | None = None,
        callback: Callable[[TimeEvent], None] | None = None,
    ) -> None:
        """Call `on_timer` (or ``callback``) every ``interval_ns``, first at start + interval.

        Raises:
            ValueError: a timer of this actor is already called ``name``, or the times are
                invalid.
        """
        self._require_registered("set a timer")
        clock_name = self._clock_name(name)
        self.clock.set_timer(
            clock_name, interval_ns, self._handle_time_event, start_time_ns, stop_time_ns
        )
        self._timers[clock_name] = ActorTimer(name, callback, one_shot=False)

    def set_time_alert(
        self,
        name: str,
        alert_time_ns: int,
        *,
        callback: Callable[[TimeEvent], None] | None = None,
    ) -> None:
        """Call `on_timer` (or ``callback``) once at ``alert_time_ns`` (at once if past).

        Raises:
            ValueError: a timer of this actor is already called ``name``.
        """
        self._require_registered("set a time alert")
        clock_name = self._clock_name(name)
        self.clock.set_time_alert(clock_name, alert_time_ns, self._handle_time_event)
        self._timers[clock_name] = ActorTimer(name, callback, one_shot=True)

    def cancel_timer(self, name: str) -> None:
        """Cancel the timer or alert ``name``.

        Raises:
            KeyError: the actor has no timer called ``name``.
        """
        clock_name = self._clock_name(name)
        if self._timers.pop(clock_name, None) is None:
            raise KeyError(f"{self.id} has no timer named {name!r}")
        if clock_name in self.clock.timer_names:
            self.clock.cancel_timer(clock_name)

    @property
    def timer_names(self) -> list[str]:
        """The names of the actor's active timers and alerts, sorted."""
        active = set(self.clock.timer_names)
        return sorted(t.name for key, t in self._timers.items() if key in active)

    def _clock_name(self, name: str) -> str:
        if not isinstance(name, str) or not name:
            raise ValueError(f"timer name must be a non-empty str, got {name!r}")
        return f"{self.id}:{name}"

    def _handle_time_event(self, event: TimeEvent) -> None:
        timer = self._timers.get(event.name)
        if timer is None:
            return
        if timer.one_shot:
            del self._timers[event.name]
        if not self._active:
            return
        own = TimeEvent(timer.name, event.ts_event, event.ts_init, event.event_id)
        hook = timer.callback or self.on_timer
        try:
            hook(own)
            if self._event_hook is not None:
                self._event_hook(own)
        except Exception as exc:  # noqa: BLE001 - user code may raise anything
            self._hook_failed(getattr(hook, "__name__", "on_timer"), exc, own)

    def _cancel_all_timers(self) -> None:
        active = set(self.clock.timer_names)
        for clock_name in list(self._timers):
            if clock_name in active:
                self.clock.cancel_timer(clock_name)
        self._timers.clear()
