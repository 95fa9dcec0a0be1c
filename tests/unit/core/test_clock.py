import asyncio
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.core.clock import LiveClock, TestClock, TimeEvent
from shrivenquant.core.time import NANOS_PER_MILLI, unix_nanos_now


def test_test_clock_set_and_advance_time() -> None:
    clock = TestClock(start_time_ns=100)
    assert clock.timestamp_ns() == 100
    clock.set_time(200)
    assert clock.timestamp_ns() == 200
    clock.advance_time(300)
    assert clock.timestamp_ns() == 300
    with pytest.raises(ValueError, match="backwards"):
        clock.set_time(299)
    with pytest.raises(ValueError, match="backwards"):
        clock.advance_time(10)


def test_repeating_timer_fires_each_interval_and_clock_reads_event_time() -> None:
    clock = TestClock(0)
    seen: list[tuple[int, int]] = []
    clock.set_timer("t", 10, lambda e: seen.append((e.ts_event, clock.timestamp_ns())))
    clock.advance_time(35)
    assert seen == [(10, 10), (20, 20), (30, 30)]
    assert clock.next_time_ns("t") == 40
    assert clock.timestamp_ns() == 35


def test_timer_stops_at_stop_time() -> None:
    clock = TestClock(0)
    seen: list[int] = []
    clock.set_timer("t", 10, lambda e: seen.append(e.ts_event), stop_time_ns=30)
    clock.advance_time(100)
    assert seen == [10, 20, 30]
    assert clock.timer_names == []


def test_alert_fires_once_and_past_alert_fires_now() -> None:
    clock = TestClock(50)
    seen: list[TimeEvent] = []
    clock.set_time_alert("a", 70, seen.append)
    clock.set_time_alert("late", 10, seen.append)
    clock.advance_time(100)
    assert [(e.name, e.ts_event) for e in seen] == [("late", 50), ("a", 70)]
    assert clock.timer_count == 0


def test_cancel_timer_and_duplicates_and_bad_args() -> None:
    clock = TestClock(0)
    seen: list[int] = []
    clock.set_timer("t", 10, lambda e: seen.append(e.ts_event))
    with pytest.raises(ValueError, match="already exists"):
        clock.set_timer("t", 10, lambda e: None)
    with pytest.raises(ValueError, match="positive"):
        clock.set_timer("u", 0, lambda e: None)
    clock.advance_time(15)
    clock.cancel_timer("t")
    clock.advance_time(100)
    assert seen == [10]
    with pytest.raises(KeyError):
        clock.cancel_timer("t")


def test_callback_can_cancel_and_set_timers_while_firing() -> None:
    clock = TestClock(0)
    seen: list[str] = []

    def first(e: TimeEvent) -> None:
        seen.append(f"first@{e.ts_event}")
        clock.cancel_timer("second")
        clock.set_time_alert(
            "third", e.ts_event + 1, lambda ev: seen.append(f"third@{ev.ts_event}")
        )

    clock.set_time_alert("first", 5, first)
    clock.set_time_alert("second", 6, lambda e: seen.append("second"))
    clock.advance_time(10)
    assert seen == ["first@5", "third@6"]


def test_advance_without_firing_returns_ordered_handlers() -> None:
    clock = TestClock(0)
    seen: list[int] = []
    clock.set_timer("a", 3, lambda e: seen.append(e.ts_event))
    clock.set_timer("b", 5, lambda e: seen.append(e.ts_event))
    due = clock.advance_time(10, fire=False)
    assert seen == []
    assert [(e.name, e.ts_event) for e, _ in due] == [
        ("a", 3), ("b", 5), ("a", 6), ("a", 9), ("b", 10),
    ]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    intervals=st.lists(st.integers(1, 50), min_size=1, max_size=6),
    steps=st.lists(st.integers(0, 40), min_size=1, max_size=10),
)
def test_events_fire_in_time_order_matching_a_reference(
    intervals: list[int], steps: list[int]
) -> None:
    clock = TestClock(0)
    fired: list[tuple[int, int]] = []
    for i, interval in enumerate(intervals):
        clock.set_timer(f"t{i}", interval, lambda e, i=i: fired.append((e.ts_event, i)))
    now = 0
    for step in steps:
        now += step
        clock.advance_time(now)
    expected = sorted(
        (k * interval, i)
        for i, interval in enumerate(intervals)
        for k in range(1, now // interval + 1)
    )
    assert fired == expected


async def test_live_clock_timer_and_alert_fire_on_the_loop() -> None:
    clock = LiveClock()
    ticks: list[TimeEvent] = []
    done = asyncio.Event()
    start = unix_nanos_now()
    clock.set_timer("tick", 5 * NANOS_PER_MILLI, ticks.append)
    clock.set_time_alert("stop", start + 40 * NANOS_PER_MILLI, lambda e: done.set())
    await asyncio.wait_for(done.wait(), timeout=5)
    clock.cancel_timer("tick")
    assert len(ticks) >= 3
    due_times = [e.ts_event for e in ticks]
    assert all(b - a == 5 * NANOS_PER_MILLI for a, b in itertools.pairwise(due_times))
    assert all(e.ts_init >= e.ts_event for e in ticks)
    assert clock.timer_names == []


def test_live_clock_needs_a_loop_for_timers() -> None:
    clock = LiveClock()
    assert abs(clock.timestamp_ns() - unix_nanos_now()) < 1_000_000_000
    with pytest.raises(RuntimeError, match="event loop"):
        clock.set_timer("t", 1000, lambda e: None)
