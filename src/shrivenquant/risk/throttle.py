"""Rate throttles: a token bucket in integer nanoseconds, and a queue for QUEUE mode.

The bucket holds up to ``limit`` tokens and refills ``limit`` per ``interval_ns``, continuously.
To stay in integers, the level is kept in "token-nanoseconds": one token is ``interval_ns``
units and each nanosecond adds ``limit`` units.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any, Final, Generic, TypeVar

from shrivenquant.core.clock import Clock, TimeEvent
from shrivenquant.risk.config_sections import ThrottleConfig

T = TypeVar("T")
_CANCEL_ALERT: Final = "RiskEngine-cancel-throttle"


class TokenBucket:
    """At most ``limit`` acquisitions per ``interval_ns``, bursts of up to ``limit``."""

    __slots__ = ("_capacity", "_interval", "_last", "_level", "_limit")

    def __init__(self, limit: int, interval_ns: int, now_ns: int = 0) -> None:
        if limit < 1 or interval_ns < 1:
            raise ValueError(f"a token bucket needs limit >= 1 and interval_ns >= 1, got "
                             f"{limit}, {interval_ns}")  # fmt: skip
        self._limit = limit
        self._interval = interval_ns
        self._capacity = limit * interval_ns
        self._level = self._capacity
        self._last = now_ns

    def _refill(self, now_ns: int) -> None:
        elapsed = now_ns - self._last
        if elapsed > 0:
            level = self._level + elapsed * self._limit
            self._level = level if level < self._capacity else self._capacity
            self._last = now_ns

    def try_acquire(self, now_ns: int, count: int = 1) -> bool:
        """Take ``count`` tokens if that many are available at ``now_ns`` (all or none)."""
        # The refill of `_refill`, inlined: this runs once per order.
        level = self._level
        elapsed = now_ns - self._last
        if elapsed > 0:
            level += elapsed * self._limit
            if level > self._capacity:  # noqa: PLR1730 - a compare is cheaper than min()
                level = self._capacity
            self._last = now_ns
        needed = self._interval * count
        if level >= needed:
            self._level = level - needed
            return True
        self._level = level
        return False

    def next_available_ns(self, now_ns: int) -> int:
        """When the next token will be available (``now_ns`` if one is)."""
        self._refill(now_ns)
        missing = self._interval - self._level
        if missing <= 0:
            return now_ns
        return now_ns + -(-missing // self._limit)

    def release_time_ns(self, now_ns: int) -> int:
        """When to wake up to release a queued command (strictly after ``now_ns``)."""
        return max(self.next_available_ns(now_ns), now_ns + 1)

    @property
    def tokens(self) -> int:
        """Whole tokens in the bucket at the last refill."""
        return self._level // self._interval


class ThrottleQueue(Generic[T]):
    """Commands held until the bucket has a token again (first in, first out)."""

    __slots__ = ("_items", "max_size")

    def __init__(self, max_size: int) -> None:
        self.max_size = max_size
        self._items: deque[T] = deque()

    def push(self, item: T) -> bool:
        """Hold ``item``; False when the queue is full."""
        if len(self._items) >= self.max_size:
            return False
        self._items.append(item)
        return True

    def peek(self) -> T:
        """The oldest held item, left in place (``IndexError`` when empty)."""
        return self._items[0]

    def pop(self) -> T:
        """The oldest held item (``IndexError`` when empty)."""
        return self._items.popleft()

    def drain(self) -> list[T]:
        """Remove and return every held item."""
        items = list(self._items)
        self._items.clear()
        return items

    def __len__(self) -> int:
        return len(self._items)


class CancelThrottle:
    """Paces cancels: over the rate they wait in arrival order; they are never refused (a full
    queue sends over the rate rather than drop a cancel).

    Args:
        config: the cancel throttle (None: cancels go at once).
        clock: wakes the queue up when tokens come back.
        send: forwards a cancel to the execution engine.
        log: where a full queue is reported.
    """

    __slots__ = ("_bucket", "_clock", "_log", "_queue", "_send")

    def __init__(
        self, config: ThrottleConfig | None, clock: Clock, send: Callable[[Any], None], log: Any
    ) -> None:
        self._clock = clock
        self._send = send
        self._log = log
        now = clock.timestamp_ns()
        self._bucket = (
            None if config is None else TokenBucket(config.limit, config.interval_ns, now)
        )
        self._queue: ThrottleQueue[Any] | None = (
            None if config is None else ThrottleQueue(config.max_queue)
        )

    def admit(self, command: Any) -> bool:
        """Send ``command`` now, or queue it; True when it was queued."""
        bucket, queue = self._bucket, self._queue
        if bucket is None or queue is None:
            self._send(command)
            return False
        now = self._clock.timestamp_ns()
        if not len(queue) and bucket.try_acquire(now):
            self._send(command)
            return False
        if queue.push(command):
            self._schedule(now)
            return True
        self._log.warning("cancel queue full: sending over the rate")
        self._send(command)
        return False

    @property
    def queued(self) -> int:
        """Cancels waiting for a token."""
        return 0 if self._queue is None else len(self._queue)

    def stop(self) -> None:
        """Cancel the wake-up (queued cancels stay queued)."""
        if _CANCEL_ALERT in self._clock.timer_names:
            self._clock.cancel_timer(_CANCEL_ALERT)

    def _release(self, event: TimeEvent) -> None:
        bucket, queue = self._bucket, self._queue
        assert bucket is not None
        assert queue is not None
        now = self._clock.timestamp_ns()
        while len(queue) and bucket.try_acquire(now):
            self._send(queue.pop())
        if len(queue):
            self._schedule(now)

    def _schedule(self, now: int) -> None:
        assert self._bucket is not None
        if _CANCEL_ALERT not in self._clock.timer_names:
            self._clock.set_time_alert(
                _CANCEL_ALERT, self._bucket.release_time_ns(now), self._release
            )
