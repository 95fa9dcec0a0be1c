"""Publish/subscribe: matching, priority order, snapshot semantics, caching, error isolation."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from structlog.testing import capture_logs

from shrivenquant.bus import MessageBus
from shrivenquant.bus.subscriptions import MAX_CACHED_TOPICS
from shrivenquant.telemetry.metrics import MetricsRegistry

BTC = "data.quotes.BINANCE.BTCUSDT"
ETH = "data.quotes.BINANCE.ETHUSDT"


class Recorder:
    """Collects (name, msg) pairs into a shared list."""

    def __init__(self, name: str, log: list[tuple[str, Any]]) -> None:
        self.name = name
        self.log = log

    def on_msg(self, msg: Any) -> None:
        self.log.append((self.name, msg))


class Exploder:
    def on_msg(self, msg: Any) -> None:
        raise RuntimeError(f"cannot handle {msg}")


@pytest.fixture
def bus() -> MessageBus:
    return MessageBus()


def test_publish_delivers_to_exact_and_wildcard_subscribers(bus: MessageBus) -> None:
    got: list[tuple[str, Any]] = []
    bus.subscribe(BTC, Recorder("exact", got).on_msg)
    bus.subscribe("data.quotes.BINANCE.*", Recorder("venue", got).on_msg)
    bus.subscribe("data.quotes.NSE.*", Recorder("other", got).on_msg)
    bus.publish(BTC, 1)
    bus.publish(ETH, 2)
    assert got == [("exact", 1), ("venue", 1), ("venue", 2)]
    assert bus.published_count == 2


def test_publish_without_subscribers_is_counted_and_harmless(bus: MessageBus) -> None:
    bus.publish(BTC, "msg")
    assert bus.published_count == 1
    assert not bus.has_subscribers(BTC)


def test_higher_priority_first_then_subscription_order(bus: MessageBus) -> None:
    got: list[tuple[str, Any]] = []
    bus.subscribe(BTC, Recorder("low", got).on_msg, priority=-5)
    bus.subscribe("data.*", Recorder("wild-0", got).on_msg)
    bus.subscribe(BTC, Recorder("exact-0", got).on_msg)
    bus.subscribe("data.quotes.*", Recorder("high", got).on_msg, priority=10)
    bus.publish(BTC, "m")
    assert [name for name, _ in got] == ["high", "wild-0", "exact-0", "low"]
    assert [s.priority for s in bus.subscriptions(BTC)] == [10, 0, 0, -5]


@settings(max_examples=200)
@given(priorities=st.lists(st.integers(min_value=-3, max_value=3), max_size=8))
def test_delivery_order_is_priority_then_subscription(priorities: list[int]) -> None:
    bus = MessageBus()
    got: list[tuple[str, Any]] = []
    for i, priority in enumerate(priorities):
        topic = BTC if i % 2 else "data.quotes.*"
        bus.subscribe(topic, Recorder(str(i), got).on_msg, priority=priority)
    bus.publish(BTC, None)
    expected = sorted(range(len(priorities)), key=lambda i: (-priorities[i], i))
    assert [int(name) for name, _ in got] == expected


def test_subscribing_the_same_handler_twice_is_a_no_op(bus: MessageBus) -> None:
    got: list[tuple[str, Any]] = []
    rec = Recorder("r", got)
    assert bus.subscribe(BTC, rec.on_msg) is True
    assert bus.subscribe(BTC, rec.on_msg, priority=99) is False
    bus.publish(BTC, 1)
    assert got == [("r", 1)]
    assert [s.priority for s in bus.subscriptions()] == [0]


def test_same_handler_on_overlapping_patterns_receives_once_per_subscription(
    bus: MessageBus,
) -> None:
    got: list[tuple[str, Any]] = []
    rec = Recorder("r", got)
    assert bus.subscribe(BTC, rec.on_msg)
    assert bus.subscribe("data.*", rec.on_msg)
    bus.publish(BTC, 1)
    assert got == [("r", 1), ("r", 1)]


def test_unsubscribe(bus: MessageBus) -> None:
    got: list[tuple[str, Any]] = []
    rec = Recorder("r", got)
    bus.subscribe("data.*", rec.on_msg)
    assert bus.unsubscribe(BTC, rec.on_msg) is False  # must name the subscribed pattern
    assert bus.unsubscribe("data.*", rec.on_msg) is True
    assert bus.unsubscribe("data.*", rec.on_msg) is False
    bus.publish(BTC, 1)
    assert got == []
    assert bus.topics() == ()


def test_unsubscribe_during_publish_uses_snapshot_taken_at_start(bus: MessageBus) -> None:
    got: list[tuple[str, Any]] = []
    second = Recorder("second", got)

    def first(msg: Any) -> None:
        got.append(("first", msg))
        bus.unsubscribe(BTC, second.on_msg)

    bus.subscribe(BTC, first, priority=1)
    bus.subscribe(BTC, second.on_msg)
    bus.publish(BTC, 1)
    bus.publish(BTC, 2)
    assert got == [("first", 1), ("second", 1), ("first", 2)]


def test_subscribe_within_handler_takes_effect_on_next_publish(bus: MessageBus) -> None:
    got: list[tuple[str, Any]] = []
    late = Recorder("late", got)

    def first(msg: Any) -> None:
        got.append(("first", msg))
        bus.subscribe("data.quotes.*", late.on_msg)

    bus.subscribe(BTC, first)
    bus.publish(BTC, 1)
    bus.publish(BTC, 2)
    assert got == [("first", 1), ("first", 2), ("late", 2)]


def test_publish_from_within_handler_is_delivered_depth_first(bus: MessageBus) -> None:
    got: list[tuple[str, Any]] = []

    def relay(msg: Any) -> None:
        got.append(("relay", msg))
        bus.publish(ETH, msg + 1)

    bus.subscribe(BTC, relay, priority=1)
    bus.subscribe(BTC, Recorder("btc", got).on_msg)
    bus.subscribe(ETH, Recorder("eth", got).on_msg)
    bus.publish(BTC, 1)
    assert got == [("relay", 1), ("eth", 2), ("btc", 1)]


def test_cache_is_invalidated_by_wildcard_subscribe_and_unsubscribe(bus: MessageBus) -> None:
    got: list[tuple[str, Any]] = []
    bus.publish(BTC, 0)  # resolves and caches "no handlers"
    bus.publish(ETH, 0)
    assert not bus.has_subscribers(BTC)
    rec = Recorder("wild", got)
    bus.subscribe("data.quotes.*.BTC*", rec.on_msg)
    assert bus.has_subscribers(BTC)
    assert not bus.has_subscribers(ETH)
    bus.publish(BTC, 1)
    bus.publish(ETH, 2)
    bus.unsubscribe("data.quotes.*.BTC*", rec.on_msg)
    bus.publish(BTC, 3)
    assert got == [("wild", 1)]


def test_cache_is_invalidated_by_exact_subscribe_and_unsubscribe(bus: MessageBus) -> None:
    got: list[tuple[str, Any]] = []
    rec = Recorder("r", got)
    bus.publish(BTC, 0)
    bus.subscribe(BTC, rec.on_msg)
    bus.publish(BTC, 1)
    bus.unsubscribe(BTC, rec.on_msg)
    bus.publish(BTC, 2)
    assert got == [("r", 1)]


def test_resolved_cache_is_bounded(bus: MessageBus, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shrivenquant.bus.subscriptions.MAX_CACHED_TOPICS", 4)
    got: list[tuple[str, Any]] = []
    bus.subscribe("data.*", Recorder("r", got).on_msg)
    for i in range(10):
        bus.publish(f"data.t{i}", i)
    assert len(got) == 10
    assert len(bus._resolved) <= 4
    assert MAX_CACHED_TOPICS > 1_000


@pytest.mark.parametrize("bad", ["", "data.quotes.*", "data.quotes.?", "a b"])
def test_publish_rejects_invalid_topics(bus: MessageBus, bad: str) -> None:
    with pytest.raises(ValueError, match="topic"):
        bus.publish(bad, 1)


def test_subscribe_validates_its_arguments(bus: MessageBus) -> None:
    with pytest.raises(ValueError, match="whitespace"):
        bus.subscribe("data. quotes", print)
    with pytest.raises(TypeError, match="callable"):
        bus.subscribe(BTC, "not a handler")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="priority"):
        bus.subscribe(BTC, print, priority=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="wildcards"):
        bus.subscriptions("data.*")


def test_subscriptions_and_topics(bus: MessageBus) -> None:
    got: list[tuple[str, Any]] = []
    a, b = Recorder("a", got).on_msg, Recorder("b", got).on_msg
    bus.subscribe("events.order.*", a)
    bus.subscribe(BTC, b, priority=3)
    assert bus.topics() == (BTC, "events.order.*")
    assert [(s.topic, s.handler) for s in bus.subscriptions()] == [
        ("events.order.*", a),
        (BTC, b),
    ]
    assert [s.handler for s in bus.subscriptions("events.order.S-1")] == [a]
    assert bus.subscriptions(ETH) == ()


def test_raising_handler_is_isolated_logged_and_counted() -> None:
    metrics = MetricsRegistry()
    bus = MessageBus(metrics=metrics)
    got: list[tuple[str, Any]] = []
    bus.subscribe(BTC, Recorder("before", got).on_msg, priority=1)
    bus.subscribe(BTC, Exploder().on_msg)
    bus.subscribe(BTC, Recorder("after", got).on_msg, priority=-1)
    with capture_logs() as logs:
        bus.publish(BTC, 1)
        bus.publish(BTC, 2)
    assert got == [("before", 1), ("after", 1), ("before", 2), ("after", 2)]
    assert bus.handler_error_count == 2
    assert metrics.value("bus_handler_errors", {"handler": "Exploder.on_msg"}) == 2
    errors = [e for e in logs if e["log_level"] == "error"]
    assert len(errors) == 2
    assert errors[0]["topic"] == BTC
    assert errors[0]["handler"] == "Exploder.on_msg"
    assert errors[0]["exc_info"] is True


def test_published_and_sent_counts_are_exported_as_metrics() -> None:
    metrics = MetricsRegistry()
    bus = MessageBus(metrics=metrics)
    bus.publish(BTC, 1)
    bus.publish(BTC, 2)
    bus.register("Engine.execute", print)
    assert metrics.value("bus_published_messages") == 2
    assert metrics.value("bus_sent_messages") == 0
    assert b"sq_bus_published_messages 2.0" in metrics.render()
