"""Command endpoints, dead letters and request/response."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from structlog.testing import capture_logs

from shrivenquant.bus import DeadLetter, MessageBus
from shrivenquant.core.uuid import UUID4
from shrivenquant.telemetry.metrics import MetricsRegistry

EXECUTE = "ExecEngine.execute"
REQUEST = "DataEngine.request"


@dataclass(frozen=True)
class RequestBars:
    count: int
    request_id: UUID4 = field(default_factory=UUID4)


@pytest.fixture
def metrics() -> MetricsRegistry:
    return MetricsRegistry()


@pytest.fixture
def bus(metrics: MetricsRegistry) -> MessageBus:
    return MessageBus(metrics=metrics)


def test_send_delivers_to_the_registered_handler(bus: MessageBus) -> None:
    got: list[Any] = []
    bus.register(EXECUTE, got.append)
    bus.send(EXECUTE, "submit")
    assert got == ["submit"]
    assert bus.sent_count == 1
    assert bus.endpoints() == (EXECUTE,)


def test_register_a_taken_endpoint_raises(bus: MessageBus) -> None:
    bus.register(EXECUTE, print)
    with pytest.raises(ValueError, match=r"ExecEngine\.execute.*already registered"):
        bus.register(EXECUTE, lambda msg: None)


def test_register_validates_its_arguments(bus: MessageBus) -> None:
    with pytest.raises(ValueError, match="endpoint"):
        bus.register("Exec Engine", print)
    with pytest.raises(ValueError, match="endpoint"):
        bus.register("ExecEngine.*", print)
    with pytest.raises(TypeError, match="callable"):
        bus.register(EXECUTE, None)  # type: ignore[arg-type]


def test_deregister(bus: MessageBus) -> None:
    got: list[Any] = []
    bus.register(EXECUTE, got.append)
    bus.deregister(EXECUTE)
    with pytest.raises(ValueError, match="not registered"):
        bus.deregister(EXECUTE)
    bus.register(EXECUTE, got.append)  # the name is free again
    bus.send(EXECUTE, 1)
    assert got == [1]


def test_send_to_unknown_endpoint_becomes_a_dead_letter(
    bus: MessageBus, metrics: MetricsRegistry
) -> None:
    with capture_logs() as logs:
        bus.send("Nobody.home", "cmd")
    assert bus.dead_letters == (DeadLetter("Nobody.home", "cmd"),)
    assert bus.dead_letter_count == 1
    assert metrics.value("bus_dead_letters", {"endpoint": "Nobody.home"}) == 1
    assert logs[0]["log_level"] == "error"
    assert logs[0]["endpoint"] == "Nobody.home"
    assert logs[0]["msg_type"] == "str"


def test_dead_letters_are_bounded_keeping_the_newest() -> None:
    bus = MessageBus(dead_letter_capacity=3)
    with capture_logs():
        for i in range(5):
            bus.send("Nobody.home", i)
    assert [d.msg for d in bus.dead_letters] == [2, 3, 4]
    assert bus.dead_letter_count == 5


def test_dead_letter_capacity_must_be_positive() -> None:
    with pytest.raises(ValueError, match="dead_letter_capacity"):
        MessageBus(dead_letter_capacity=0)


def test_endpoint_handler_errors_are_isolated(bus: MessageBus, metrics: MetricsRegistry) -> None:
    def reject(msg: Any) -> None:
        raise ValueError("bad command")

    bus.register(EXECUTE, reject)
    with capture_logs() as logs:
        bus.send(EXECUTE, "cmd")
    name = "test_endpoint_handler_errors_are_isolated.<locals>.reject"
    assert metrics.value("bus_handler_errors", {"handler": name}) == 1
    assert logs[0]["endpoint"] == EXECUTE
    assert logs[0]["exc_info"] is True


def test_request_response_calls_callback_once(bus: MessageBus) -> None:
    responses: list[Any] = []

    def answer(req: RequestBars) -> None:
        bus.respond(req.request_id, list(range(req.count)))

    bus.register(REQUEST, answer)
    req = RequestBars(3)
    correlation_id = bus.request(REQUEST, req, responses.append)
    assert correlation_id == req.request_id
    assert responses == [[0, 1, 2]]
    assert bus.pending_requests == 0
    with capture_logs():
        assert bus.respond(correlation_id, "again") is False
    assert responses == [[0, 1, 2]]


def test_deferred_response(bus: MessageBus) -> None:
    inbox: list[RequestBars] = []
    responses: list[Any] = []
    bus.register(REQUEST, inbox.append)
    correlation_id = bus.request(REQUEST, RequestBars(1), responses.append)
    assert bus.pending_requests == 1
    assert responses == []
    assert bus.respond(inbox[0].request_id, "bars") is True
    assert responses == ["bars"]
    assert bus.pending_requests == 0
    assert correlation_id == inbox[0].request_id


def test_response_with_unknown_correlation_id_is_logged_and_counted(
    bus: MessageBus, metrics: MetricsRegistry
) -> None:
    unknown = UUID4()
    with capture_logs() as logs:
        assert bus.respond(unknown, "orphan") is False
    assert bus.unknown_response_count == 1
    assert metrics.value("bus_unknown_responses") == 1
    assert logs[0]["correlation_id"] == str(unknown)
    assert logs[0]["log_level"] == "warning"


def test_request_needs_a_uuid4_request_id(bus: MessageBus) -> None:
    bus.register(REQUEST, print)
    with pytest.raises(TypeError, match="request_id"):
        bus.request(REQUEST, "no id", print)  # type: ignore[arg-type]


def test_request_with_an_id_already_pending_raises(bus: MessageBus) -> None:
    bus.register(REQUEST, lambda req: None)
    req = RequestBars(1)
    bus.request(REQUEST, req, print)
    with pytest.raises(ValueError, match="already pending"):
        bus.request(REQUEST, req, print)


def test_request_to_unknown_endpoint_is_a_dead_letter_not_pending(bus: MessageBus) -> None:
    req = RequestBars(1)
    with capture_logs():
        bus.request("Nobody.home", req, print)
    assert bus.pending_requests == 0
    assert bus.dead_letters == (DeadLetter("Nobody.home", req),)


def test_request_dropped_when_handler_raises_before_responding(bus: MessageBus) -> None:
    def fail(req: RequestBars) -> None:
        raise RuntimeError("no data")

    bus.register(REQUEST, fail)
    with capture_logs() as logs:
        bus.request(REQUEST, RequestBars(1), print)
    assert bus.pending_requests == 0
    assert bus.handler_error_count == 1
    assert [e["event"] for e in logs] == [
        "handler raised",
        "request dropped: endpoint handler raised before responding",
    ]


def test_callback_errors_are_isolated(bus: MessageBus) -> None:
    def broken(response: Any) -> None:
        raise KeyError("oops")

    inbox: list[RequestBars] = []
    bus.register(REQUEST, inbox.append)
    bus.request(REQUEST, RequestBars(1), broken)
    with capture_logs() as logs:
        assert bus.respond(inbox[0].request_id, "x") is True
    assert bus.handler_error_count == 1
    assert logs[0]["correlation_id"] == str(inbox[0].request_id)


def test_cancel_request(bus: MessageBus) -> None:
    responses: list[Any] = []
    bus.register(REQUEST, lambda req: None)
    correlation_id = bus.request(REQUEST, RequestBars(1), responses.append)
    assert bus.cancel_request(correlation_id) is True
    assert bus.cancel_request(correlation_id) is False
    with capture_logs():
        assert bus.respond(correlation_id, "late") is False
    assert responses == []
