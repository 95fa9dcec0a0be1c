"""Clocks: `TestClock` (simulated time for backtests and tests) and `LiveClock` (wall time with
asyncio timers). Both fire named timers and one-shot time alerts as `TimeEvent`s."""

from __future__ import annotations

import asyncio
import heapq
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from shrivenquant.core.time import unix_nanos_now, unix_nanos_to_dt
from shrivenquant.core.uuid import UUID4


@dataclass(frozen=True, slots=True)
class TimeEvent:
    """A timer or alert firing: ``ts_event`` is when it was due, ``ts_init`` when it was made."""

    name: str
    ts_event: int
    ts_init: int
    event_id: UUID4 = field(default_factory=UUID4)


TimeEventCallback = Callable[[TimeEvent], None]


@dataclass(slots=True)
class _Timer:
    name: str
    callback: TimeEventCallback
    next_time_ns: int
    interval_ns: int  # 0 for a one-shot alert
    stop_time_ns: int | None
    generation: int


class Clock(ABC):
    """The time source and timer service of every component (never read the wall clock directly)."""

    def __init__(self) -> None:
        self._timers: dict[str, _Timer] = {}
        self._generation = 0

    @abstractmethod
    def timestamp_ns(self) -> int:
        """The current time in UNIX nanoseconds."""

    def utc_now(self) -> datetime:
        """The current time as an aware UTC `datetime`."""
        return unix_nanos_to_dt(self.timestamp_ns())

    @property
    def timer_names(self) -> list[str]:
        """Names of the active timers and alerts, sorted."""
        return sorted(self._timers)

    @property
    def timer_count(self) -> int:
        """How many timers and alerts are active."""
        return len(self._timers)

    def next_time_ns(self, name: str) -> int:
        """When the timer ``name`` fires next; `KeyError` if there is no such timer."""
        return self._timers[name].next_time_ns

    def set_time_alert(self, name: str, alert_time_ns: int, callback: TimeEventCallback) -> None:
        """Fire ``callback`` once at ``alert_time_ns`` (at once if that is already past)."""
        self._add(name, callback, max(alert_time_ns, self.timestamp_ns()), 0, None)

    def set_timer(
        self,
        name: str,
        interval_ns: int,
        callback: TimeEventCallback,
        start_time_ns: int | None = None,
        stop_time_ns: int | None = None,
    ) -> None:
        """Fire ``callback`` every ``interval_ns``, first at ``start + interval``.

        Args:
            name: unique among this clock's timers.
            interval_ns: period, > 0.
            callback: receives a `TimeEvent` each time.
            start_time_ns: the reference start (default: now).
            stop_time_ns: no firing after this time (default: never stop).
        """
        if interval_ns <= 0:
            raise ValueError(f"timer {name!r}: interval_ns must be positive, got {interval_ns}")
        start = self.timestamp_ns() if start_time_ns is None else start_time_ns
        if stop_time_ns is not None and stop_time_ns < start:
            raise ValueError(f"timer {name!r}: stop_time_ns {stop_time_ns} before start {start}")
        self._add(name, callback, start + interval_ns, interval_ns, stop_time_ns)

    def cancel_timer(self, name: str) -> None:
        """Cancel the timer or alert ``name``; `KeyError` if there is none."""
        if name not in self._timers:
            raise KeyError(f"no timer named {name!r}")
        self._on_cancel(self._timers.pop(name))

    def cancel_timers(self) -> None:
        """Cancel every timer and alert."""
        for name in list(self._timers):
            self.cancel_timer(name)

    def _add(
        self,
        name: str,
        callback: TimeEventCallback,
        first_ns: int,
        interval_ns: int,
        stop_ns: int | None,
    ) -> None:
        if not name:
            raise ValueError("timer name must not be empty")
        if name in self._timers:
            raise ValueError(f"a timer named {name!r} already exists")
        if not callable(callback):
            raise TypeError(f"timer {name!r}: callback must be callable")
        self._generation += 1
        timer = _Timer(name, callback, first_ns, interval_ns, stop_ns, self._generation)
        self._timers[name] = timer
        self._on_schedule(timer)

    def _advance_timer(self, timer: _Timer) -> bool:
        """Move a timer past its firing; return whether it stays active."""
        if timer.interval_ns == 0:
            self._timers.pop(timer.name, None)
            return False
        timer.next_time_ns += timer.interval_ns
        if timer.stop_time_ns is not None and timer.next_time_ns > timer.stop_time_ns:
            self._timers.pop(timer.name, None)
            return False
        return True

    @abstractmethod
    def _on_schedule(self, timer: _Timer) -> None: ...

    @abstractmethod
    def _on_cancel(self, timer: _Timer) -> None: ...


class TestClock(Clock):
    """Simulated time that moves only when told; timers fire in time order as it advances.

    Events due at the same time fire in the order their timers were set.
    """

    __test__ = False  # not a pytest test class

    def __init__(self, start_time_ns: int = 0) -> None:
        super().__init__()
        self._now = start_time_ns
        self._heap: list[tuple[int, int, str]] = []

    def timestamp_ns(self) -> int:
        """The simulated time."""
        return self._now

    def set_time(self, to_time_ns: int) -> None:
        """Jump to ``to_time_ns`` without firing anything; time never goes backwards."""
        if to_time_ns < self._now:
            raise ValueError(f"time cannot go backwards: {to_time_ns} < {self._now}")
        self._now = to_time_ns

    def advance_time(
        self, to_time_ns: int, fire: bool = True
    ) -> list[tuple[TimeEvent, TimeEventCallback]]:
        """Advance to ``to_time_ns``, firing due timers in time order.

        While a callback runs, the clock reads the event's own time. With ``fire=False`` the
        due events are returned (in order) for the caller to dispatch instead.
        """
        if to_time_ns < self._now:
            raise ValueError(f"time cannot go backwards: {to_time_ns} < {self._now}")
        due: list[tuple[TimeEvent, TimeEventCallback]] = []
        heap = self._heap
        while heap and heap[0][0] <= to_time_ns:
            when, generation, name = heapq.heappop(heap)
            timer = self._timers.get(name)
            if timer is None or timer.generation != generation or timer.next_time_ns != when:
                continue  # cancelled or replaced
            self._now = max(self._now, when)
            event = TimeEvent(name=name, ts_event=when, ts_init=self._now)
            if self._advance_timer(timer):
                heapq.heappush(heap, (timer.next_time_ns, timer.generation, name))
            if fire:
                timer.callback(event)
            due.append((event, timer.callback))
        self._now = to_time_ns
        return due

    def _on_schedule(self, timer: _Timer) -> None:
        heapq.heappush(self._heap, (timer.next_time_ns, timer.generation, timer.name))

    def _on_cancel(self, timer: _Timer) -> None:
        pass  # heap entries of cancelled timers are skipped lazily


class LiveClock(Clock):
    """Wall-clock time; timers run on the asyncio event loop (the kernel's one thread).

    Repeating timers are scheduled from their due times, not from when the last one ran, so
    they do not drift.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        super().__init__()
        self._loop = loop
        self._handles: dict[str, asyncio.TimerHandle] = {}

    def timestamp_ns(self) -> int:
        """The wall-clock time."""
        return unix_nanos_now()

    def _get_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            try:
                self._loop = asyncio.get_running_loop()
            except RuntimeError:
                raise RuntimeError("LiveClock timers need a running asyncio event loop") from None
        return self._loop

    def _on_schedule(self, timer: _Timer) -> None:
        loop = self._get_loop()
        delay = max(0.0, (timer.next_time_ns - unix_nanos_now()) / 1e9)
        self._handles[timer.name] = loop.call_later(delay, self._fire, timer.name, timer.generation)

    def _on_cancel(self, timer: _Timer) -> None:
        handle = self._handles.pop(timer.name, None)
        if handle is not None:
            handle.cancel()

    def _fire(self, name: str, generation: int) -> None:
        timer = self._timers.get(name)
        if timer is None or timer.generation != generation:
            return
        event = TimeEvent(name=name, ts_event=timer.next_time_ns, ts_init=unix_nanos_now())
        if self._advance_timer(timer):
            self._on_schedule(timer)
        else:
            self._handles.pop(name, None)
        timer.callback(event)
