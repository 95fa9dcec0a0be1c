"""The subscription table of the bus, with its cache of resolved handlers per concrete topic.

Publishing looks handlers up in `SubscriptionTable.resolved`, a dict from concrete topic to the
tuple of handlers in delivery order. A topic is resolved (matched against every subscription)
the first time it is seen; subscribing or unsubscribing drops only the cached topics the changed
pattern matches, so the next publish on them resolves afresh. The tuples are never mutated, which
is what gives a publish under way a stable snapshot.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from shrivenquant.bus.matching import check_topic, is_pattern, matches

Handler = Callable[[Any], None]
"""A subscriber, endpoint or response callback: called with one message, result ignored."""

# Concrete topics whose resolved handlers are cached; past this the cache starts afresh, so
# publishing on ever-new topic names cannot grow memory without bound.
MAX_CACHED_TOPICS: Final = 65_536


@dataclass(frozen=True, slots=True)
class Subscription:
    """One handler subscribed to a topic or wildcard pattern."""

    topic: str
    handler: Handler
    priority: int
    sequence: int

    def delivery_key(self) -> tuple[int, int]:
        """Sort key: higher priority first, then earlier subscription first."""
        return (-self.priority, self.sequence)


class SubscriptionTable:
    """Subscriptions by topic or pattern, and the resolved handlers of each concrete topic."""

    __slots__ = ("_by_topic", "_patterns", "_sequence", "resolved")

    def __init__(self) -> None:
        self._by_topic: dict[str, list[Subscription]] = {}
        self._patterns: set[str] = set()  # the keys of _by_topic that hold wildcards
        self._sequence = 0
        # Mutated in place only (never rebound): the bus keeps a direct reference to it.
        self.resolved: dict[str, tuple[Handler, ...]] = {}

    def add(self, topic: str, handler: Handler, priority: int) -> bool:
        """Add a subscription; return False (and change nothing) if it already exists.

        Raises:
            TypeError: if ``handler`` is not callable or ``priority`` is not an int.
            ValueError: if ``topic`` is empty or contains whitespace.
        """
        check_topic(topic, allow_wildcards=True)
        if not callable(handler):
            raise TypeError(f"handler for {topic!r} must be callable, got {handler!r}")
        if not isinstance(priority, int) or isinstance(priority, bool):
            raise TypeError(f"priority must be int, got {type(priority).__name__}")
        subs = self._by_topic.setdefault(topic, [])
        if any(s.handler == handler for s in subs):
            return False
        self._sequence += 1
        subs.append(Subscription(topic, handler, priority, self._sequence))
        if is_pattern(topic):
            self._patterns.add(topic)
        self._invalidate(topic)
        return True

    def remove(self, topic: str, handler: Handler) -> bool:
        """Remove a subscription; return False if there was none."""
        subs = self._by_topic.get(topic)
        if subs is None:
            return False
        kept = [s for s in subs if s.handler != handler]
        if len(kept) == len(subs):
            return False
        if kept:
            self._by_topic[topic] = kept
        else:
            del self._by_topic[topic]
            self._patterns.discard(topic)
        self._invalidate(topic)
        return True

    def resolve(self, topic: str) -> tuple[Handler, ...]:
        """Return (and cache) the handlers for the concrete ``topic``, in delivery order.

        Raises:
            ValueError: if ``topic`` is empty or contains whitespace or a wildcard.
        """
        check_topic(topic, allow_wildcards=False)
        handlers = tuple(s.handler for s in self.matching(topic))
        if len(self.resolved) >= MAX_CACHED_TOPICS:
            self.resolved.clear()
        self.resolved[topic] = handlers
        return handlers

    def matching(self, topic: str) -> tuple[Subscription, ...]:
        """Return the subscriptions matching the concrete ``topic``, in delivery order."""
        found = list(self._by_topic.get(topic, ()))
        for pattern in self._patterns:
            if matches(pattern, topic):
                found.extend(self._by_topic[pattern])
        found.sort(key=Subscription.delivery_key)
        return tuple(found)

    def all(self) -> tuple[Subscription, ...]:
        """Return every subscription, in subscription order."""
        everything = [s for subs in self._by_topic.values() for s in subs]
        return tuple(sorted(everything, key=lambda s: s.sequence))

    def topics(self) -> tuple[str, ...]:
        """Return the topics and patterns with at least one subscription, sorted."""
        return tuple(sorted(self._by_topic))

    def _invalidate(self, topic: str) -> None:
        if not is_pattern(topic):
            self.resolved.pop(topic, None)
            return
        stale = [t for t in self.resolved if matches(topic, t)]
        for t in stale:
            del self.resolved[t]
