"""The in-process message bus: publish/subscribe, command endpoints and request/response.

The bus is synchronous: `publish`, `send`, `request` and `respond` call the handlers before they
return. It is not thread-safe; the kernel runs on one thread (one asyncio loop live, a simulated
clock in backtest) and every call must come from that thread. See ``docs/concepts/message-bus.md``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any, Final, Protocol

from shrivenquant.bus.matching import check_topic
from shrivenquant.bus.subscriptions import Handler, Subscription, SubscriptionTable
from shrivenquant.core.uuid import UUID4
from shrivenquant.telemetry.logging import get_logger
from shrivenquant.telemetry.metrics import MetricsRegistry

DEFAULT_DEAD_LETTER_CAPACITY: Final = 1_000


class SupportsRequestId(Protocol):
    """A request message: it carries the id its response will be correlated by."""

    @property
    def request_id(self) -> UUID4:
        """The correlation id of this request."""
        ...


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A message sent to an endpoint that nobody had registered."""

    endpoint: str
    msg: Any


def handler_name(handler: object) -> str:
    """Return a readable name for ``handler`` (its qualified name where it has one)."""
    name = getattr(handler, "__qualname__", None)
    if isinstance(name, str):
        return name
    return type(handler).__qualname__


class MessageBus:
    """Publish/subscribe on topics, commands to named endpoints, and request/response.

    Delivery is synchronous and in priority order (higher first; equal priority in subscription
    order). A handler that raises is isolated: the error is logged and counted and delivery goes
    on. Not thread-safe: use it only from the kernel's thread.

    Args:
        name: the bus's name in logs.
        metrics: registry for the bus's metrics; a private one when None.
        dead_letter_capacity: how many undeliverable commands `dead_letters` keeps (the oldest
            are dropped first).
    """

    __slots__ = (
        "_dead_letter_count",
        "_dead_letters",
        "_dead_letters_total",
        "_endpoints",
        "_handler_error_count",
        "_handler_errors_total",
        "_log",
        "_pending",
        "_published",
        "_resolved",
        "_sent",
        "_subscriptions",
        "_unknown_response_count",
        "_unknown_responses_total",
        "metrics",
        "name",
    )

    def __init__(
        self,
        name: str = "MessageBus",
        metrics: MetricsRegistry | None = None,
        *,
        dead_letter_capacity: int = DEFAULT_DEAD_LETTER_CAPACITY,
    ) -> None:
        if dead_letter_capacity < 1:
            raise ValueError(f"dead_letter_capacity must be >= 1, got {dead_letter_capacity}")
        self.name = name
        self.metrics = metrics if metrics is not None else MetricsRegistry()
        self._log = get_logger(name)
        self._subscriptions = SubscriptionTable()
        self._resolved = self._subscriptions.resolved  # the publish fast path reads it directly
        self._endpoints: dict[str, Handler] = {}
        self._pending: dict[UUID4, Handler] = {}
        self._dead_letters: deque[DeadLetter] = deque(maxlen=dead_letter_capacity)
        self._published = 0
        self._sent = 0
        self._dead_letter_count = 0
        self._handler_error_count = 0
        self._unknown_response_count = 0
        self._handler_errors_total = self.metrics.counter(
            "bus_handler_errors", "Exceptions raised by bus handlers.", labels=("handler",)
        )
        self._dead_letters_total = self.metrics.counter(
            "bus_dead_letters", "Messages sent to unregistered endpoints.", labels=("endpoint",)
        )
        self._unknown_responses_total = self.metrics.counter(
            "bus_unknown_responses", "Responses whose correlation id was not pending."
        )
        self.metrics.gauge(
            "bus_published_messages", "Messages published on the bus since start."
        ).set_function(lambda: self._published)
        self.metrics.gauge(
            "bus_sent_messages", "Messages sent to endpoints since start."
        ).set_function(lambda: self._sent)

    # --- publish/subscribe ---------------------------------------------------------------

    def subscribe(self, topic: str, handler: Handler, priority: int = 0) -> bool:
        """Subscribe ``handler`` to a topic or wildcard pattern (``*`` any run, ``?`` one char).

        Returns:
            True if subscribed; False if ``handler`` was already subscribed to exactly this
            ``topic`` (a no-op that keeps the first subscription and its priority).

        Raises:
            TypeError: if ``handler`` is not callable or ``priority`` is not an int.
            ValueError: if ``topic`` is empty or contains whitespace.
        """
        return self._subscriptions.add(topic, handler, priority)

    def unsubscribe(self, topic: str, handler: Handler) -> bool:
        """Remove ``handler`` from ``topic`` (the same pattern it was subscribed with).

        A publish already under way still delivers to it (see `publish`).

        Returns:
            True if removed; False if it was not subscribed to ``topic``.
        """
        return self._subscriptions.remove(topic, handler)

    def publish(self, topic: str, msg: Any) -> None:
        """Deliver ``msg`` to every handler whose subscription matches the concrete ``topic``.

        Handlers run in priority order on the set of subscriptions taken when the publish
        starts: a handler (un)subscribed by another handler during delivery takes effect from
        the next publish. An exception in a handler is logged and counted, and the remaining
        handlers still run.

        Raises:
            ValueError: if ``topic`` is empty or contains whitespace or a wildcard (checked the
                first time a topic is seen).
        """
        self._published += 1
        handlers = self._resolved.get(topic)
        if handlers is None:
            handlers = self._subscriptions.resolve(topic)
        for handler in handlers:
            try:
                handler(msg)
            except Exception:  # noqa: BLE001 - one failing handler must not starve the others
                self._handler_failed(handler, topic=topic)

    def has_subscribers(self, topic: str) -> bool:
        """Return whether a publish on the concrete ``topic`` would reach any handler."""
        handlers = self._resolved.get(topic)
        if handlers is None:
            handlers = self._subscriptions.resolve(topic)
        return bool(handlers)

    def subscriptions(self, topic: str | None = None) -> tuple[Subscription, ...]:
        """Return subscriptions: those a publish on the concrete ``topic`` would reach, in
        delivery order, or all of them in subscription order when ``topic`` is None."""
        if topic is None:
            return self._subscriptions.all()
        check_topic(topic, allow_wildcards=False)
        return self._subscriptions.matching(topic)

    def topics(self) -> tuple[str, ...]:
        """Return the topics and patterns that have at least one subscription, sorted."""
        return self._subscriptions.topics()

    @property
    def published_count(self) -> int:
        """How many times `publish` has been called."""
        return self._published

    # --- endpoints (commands) ------------------------------------------------------------

    def register(self, endpoint: str, handler: Handler) -> None:
        """Register ``handler`` as the one receiver of messages sent to ``endpoint``.

        Raises:
            ValueError: if ``endpoint`` is already registered, empty or contains whitespace.
            TypeError: if ``handler`` is not callable.
        """
        check_topic(endpoint, allow_wildcards=False, what="endpoint")
        if not callable(handler):
            raise TypeError(f"handler for endpoint {endpoint!r} must be callable, got {handler!r}")
        if endpoint in self._endpoints:
            existing = handler_name(self._endpoints[endpoint])
            raise ValueError(f"endpoint {endpoint!r} is already registered to {existing}")
        self._endpoints[endpoint] = handler

    def deregister(self, endpoint: str) -> None:
        """Remove the handler of ``endpoint``.

        Raises:
            ValueError: if ``endpoint`` is not registered.
        """
        if self._endpoints.pop(endpoint, None) is None:
            raise ValueError(f"endpoint {endpoint!r} is not registered")

    def endpoints(self) -> tuple[str, ...]:
        """Return the registered endpoint names, sorted."""
        return tuple(sorted(self._endpoints))

    def send(self, endpoint: str, msg: Any) -> None:
        """Deliver ``msg`` to the handler registered at ``endpoint``.

        With no handler there, the message becomes a dead letter: logged, counted and kept in
        `dead_letters`. An exception in the handler is logged and counted, not raised.
        """
        self._sent += 1
        handler = self._endpoints.get(endpoint)
        if handler is None:
            self._dead_letter(endpoint, msg)
            return
        try:
            handler(msg)
        except Exception:  # noqa: BLE001 - the sender must not fail for the receiver's error
            self._handler_failed(handler, endpoint=endpoint)

    @property
    def sent_count(self) -> int:
        """How many messages have been sent to endpoints (requests included)."""
        return self._sent

    @property
    def dead_letters(self) -> tuple[DeadLetter, ...]:
        """The most recent undeliverable messages, oldest first (bounded)."""
        return tuple(self._dead_letters)

    @property
    def dead_letter_count(self) -> int:
        """How many messages found no endpoint since start (including ones since dropped)."""
        return self._dead_letter_count

    # --- request/response ----------------------------------------------------------------

    def request(self, endpoint: str, request: SupportsRequestId, callback: Handler) -> UUID4:
        """Send ``request`` to ``endpoint``; ``callback`` gets the response, once.

        The correlation id is ``request.request_id``. The endpoint's handler answers by calling
        ``bus.respond(request.request_id, response)``, now or later. If no handler is
        registered, the request becomes a dead letter and is not kept pending; if the handler
        raises before responding, the request is dropped from the pending set. Either way the
        callback is never called.

        Returns:
            The correlation id.

        Raises:
            TypeError: if ``request`` has no `UUID4` ``request_id`` or ``callback`` is not
                callable.
            ValueError: if a request with the same id is already pending.
        """
        correlation_id = getattr(request, "request_id", None)
        if not isinstance(correlation_id, UUID4):
            raise TypeError(
                f"request must have a UUID4 request_id, got {type(request).__name__}"
                f" with request_id={correlation_id!r}"
            )
        if not callable(callback):
            raise TypeError(f"callback must be callable, got {callback!r}")
        if correlation_id in self._pending:
            raise ValueError(f"request {correlation_id} is already pending")
        self._sent += 1
        handler = self._endpoints.get(endpoint)
        if handler is None:
            self._dead_letter(endpoint, request)
            return correlation_id
        self._pending[correlation_id] = callback
        try:
            handler(request)
        except Exception:  # noqa: BLE001 - isolate the endpoint's failure from the requester
            self._handler_failed(handler, endpoint=endpoint)
            if self._pending.pop(correlation_id, None) is not None:
                self._log.error(
                    "request dropped: endpoint handler raised before responding",
                    endpoint=endpoint,
                    correlation_id=str(correlation_id),
                )
        return correlation_id

    def respond(self, correlation_id: UUID4, response: Any) -> bool:
        """Deliver ``response`` to the callback of the pending request ``correlation_id``.

        Returns:
            True if delivered; False if no such request is pending (logged and counted).
        """
        callback = self._pending.pop(correlation_id, None)
        if callback is None:
            self._unknown_response_count += 1
            self._unknown_responses_total.inc()
            self._log.warning(
                "response for unknown request",
                correlation_id=str(correlation_id),
                response_type=type(response).__name__,
            )
            return False
        try:
            callback(response)
        except Exception:  # noqa: BLE001 - the responder must not fail for the callback's error
            self._handler_failed(callback, correlation_id=str(correlation_id))
        return True

    def cancel_request(self, correlation_id: UUID4) -> bool:
        """Forget a pending request (for example on timeout); return whether it was pending."""
        return self._pending.pop(correlation_id, None) is not None

    @property
    def pending_requests(self) -> int:
        """How many requests await a response."""
        return len(self._pending)

    @property
    def unknown_response_count(self) -> int:
        """How many responses arrived for requests that were not pending."""
        return self._unknown_response_count

    @property
    def handler_error_count(self) -> int:
        """How many exceptions handlers, endpoints and callbacks have raised."""
        return self._handler_error_count

    # --- internals -----------------------------------------------------------------------

    def _handler_failed(self, handler: object, **where: str) -> None:
        # Called inside an `except` block, so the log line carries the traceback.
        name = handler_name(handler)
        self._handler_error_count += 1
        self._handler_errors_total.labels(handler=name).inc()
        self._log.exception("handler raised", handler=name, **where)

    def _dead_letter(self, endpoint: str, msg: Any) -> None:
        self._dead_letter_count += 1
        self._dead_letters.append(DeadLetter(endpoint, msg))
        self._dead_letters_total.labels(endpoint=endpoint).inc()
        self._log.error(
            "no handler registered at endpoint", endpoint=endpoint, msg_type=type(msg).__name__
        )
