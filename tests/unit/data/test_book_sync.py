"""Order-book sync: snapshot + diffs with update ids, gaps, resyncs and integrity checks.

A reference venue numbers its depth messages like Binance (``U``/``u``, and ``pu`` for the
futures rule) and remembers its book after every message, so each test can compare the synced
book with the venue's book at the same update id.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.book import L2Book
from shrivenquant.core.lifecycle import ComponentState
from shrivenquant.data.book_sync import (
    BookDiff,
    BookSyncState,
    BookUpdate,
    ConsecutiveUpdateIds,
    LinkedUpdateIds,
    OrderBookSync,
    SequenceRule,
)
from shrivenquant.model.data import (
    F_LAST,
    BookLevel,
    BookOrder,
    OrderBookDelta,
    OrderBookDeltas,
    OrderBookSnapshot,
)
from shrivenquant.model.enums import BookAction, OrderSide
from shrivenquant.model.values import Price, Quantity

from .engine_kit import BTC, FakeDataClient, Kit

BUY, SELL = OrderSide.BUY, OrderSide.SELL
Levels = tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]


@dataclass
class RefVenue:
    """A venue's book with numbered depth messages (bids below 100.00, asks above)."""

    seed: int
    bids: dict[int, int] = field(default_factory=dict)  # price cents -> size units (1e-5)
    asks: dict[int, int] = field(default_factory=dict)
    last_id: int = 1_000
    states: dict[int, Levels] = field(default_factory=dict)
    diffs: list[BookDiff] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        for i in range(5):
            self.bids[9_990 - i] = 100_000
            self.asks[10_010 + i] = 100_000
        self.states[self.last_id] = self.levels()

    def levels(self) -> Levels:
        bids = tuple(sorted(((p * 10**7, s * 10**4) for p, s in self.bids.items()), reverse=True))
        asks = tuple(sorted((p * 10**7, s * 10**4) for p, s in self.asks.items()))
        return bids, asks

    def step(self) -> BookDiff:
        rng = self.rng
        first = self.last_id + 1
        updates = rng.randint(1, 4)
        self.last_id += updates + rng.randint(0, 2)  # ids of updates we never see
        deltas = []
        for index in range(updates):
            side = rng.choice([BUY, SELL])
            book = self.bids if side is BUY else self.asks
            price = rng.randint(9_900, 9_999) if side is BUY else rng.randint(10_001, 10_100)
            size = rng.choice([0, rng.randint(1, 500_000)])
            if size:
                book[price] = size
            else:
                book.pop(price, None)
            deltas.append(
                OrderBookDelta(
                    instrument_id=BTC,
                    action=BookAction.UPDATE if size else BookAction.DELETE,
                    order=BookOrder(
                        side=side,
                        price=Price.from_raw(price * 10**7, 2),
                        size=Quantity.from_raw(size * 10**4, 5),
                    ),
                    flags=F_LAST if index == updates - 1 else 0,
                    sequence=self.last_id,
                    ts_event=self.last_id,
                    ts_init=self.last_id,
                )
            )
        previous = self.diffs[-1].last_id if self.diffs else first - 1
        diff = BookDiff(
            OrderBookDeltas(instrument_id=BTC, deltas=deltas, ts_event=0, ts_init=0),
            first,
            self.last_id,
            previous,
        )
        self.diffs.append(diff)
        self.states[self.last_id] = self.levels()
        return diff

    def snapshot(self, last_id: int | None = None) -> OrderBookSnapshot:
        sequence = self.last_id if last_id is None else last_id
        bids, asks = self.states[sequence]
        return OrderBookSnapshot(
            instrument_id=BTC,
            bids=[BookLevel(price=Price.from_raw(p, 2), size=Quantity.from_raw(s, 5))
                  for p, s in bids],
            asks=[BookLevel(price=Price.from_raw(p, 2), size=Quantity.from_raw(s, 5))
                  for p, s in asks],
            sequence=sequence,
            ts_event=sequence,
            ts_init=sequence,
        )  # fmt: skip


def book_levels(book: L2Book) -> Levels:
    return tuple(book.bids_raw()), tuple(book.asks_raw())


class Harness:
    """A sync over a fresh book, recording snapshot requests, states and emitted updates."""

    def __init__(self, rule: SequenceRule | None = None, max_buffer: int = 10_000) -> None:
        self.requests = 0
        self.states: list[tuple[BookSyncState, str]] = []
        self.downstream = L2Book(BTC, 2, 5)
        self.emitted: list[BookUpdate] = []
        self.sync = OrderBookSync(
            L2Book(BTC, 2, 5),
            rule or ConsecutiveUpdateIds(),
            self._request,
            on_update=self._update,
            on_state=lambda state, reason: self.states.append((state, reason)),
            max_buffer=max_buffer,
        )

    def _request(self) -> None:
        self.requests += 1

    def _update(self, update: BookUpdate) -> None:
        self.emitted.append(update)
        if isinstance(update, OrderBookSnapshot):
            self.downstream.apply_snapshot(update)
        else:
            self.downstream.apply_deltas(update)

    def assert_matches(self, venue: RefVenue) -> None:
        assert self.sync.is_synced
        expected = venue.states[self.sync.last_update_id]
        assert book_levels(self.sync.book) == expected
        assert book_levels(self.downstream) == expected


def synced(venue: RefVenue, harness: Harness, messages: int = 3) -> None:
    """Start, buffer a few diffs, answer with a snapshot from the middle of them."""
    harness.sync.start()
    diffs = [venue.step() for _ in range(messages)]
    snapshot = venue.snapshot(diffs[0].last_id)
    for diff in diffs:
        harness.sync.on_diff(diff)
    harness.sync.on_snapshot(snapshot)


@pytest.mark.parametrize("rule", [ConsecutiveUpdateIds(), LinkedUpdateIds()])
def test_buffered_diffs_older_than_the_snapshot_are_dropped(rule: SequenceRule) -> None:
    venue, harness = RefVenue(1), Harness(rule)
    harness.sync.start()
    assert harness.requests == 1
    assert harness.sync.state is BookSyncState.AWAITING_SNAPSHOT
    diffs = [venue.step() for _ in range(4)]
    for diff in diffs:
        harness.sync.on_diff(diff)
    assert harness.sync.buffered == 4
    harness.sync.on_snapshot(venue.snapshot(diffs[1].last_id))
    harness.assert_matches(venue)
    assert harness.sync.last_update_id == diffs[3].last_id
    stale = 2 if isinstance(rule, ConsecutiveUpdateIds) else 1  # futures re-apply u == S
    assert harness.sync.stale_dropped == stale
    assert harness.emitted[0] == venue.snapshot(diffs[1].last_id)
    assert [s for s, _ in harness.states] == [
        BookSyncState.AWAITING_SNAPSHOT,
        BookSyncState.SYNCED,
    ]


@pytest.mark.parametrize("rule", [ConsecutiveUpdateIds(), LinkedUpdateIds()])
def test_a_dropped_diff_is_detected_and_the_book_resynced(rule: SequenceRule) -> None:
    venue, harness = RefVenue(2), Harness(rule)
    synced(venue, harness)
    harness.sync.on_diff(venue.step())
    venue.step()  # lost on the way
    harness.sync.on_diff(venue.step())
    assert harness.sync.gaps == 1
    assert harness.sync.resyncs == 1
    assert harness.requests == 2
    assert harness.sync.state is BookSyncState.AWAITING_SNAPSHOT
    assert harness.states[-1][0] is BookSyncState.AWAITING_SNAPSHOT
    assert "gap" in harness.states[-1][1]
    harness.sync.on_diff(venue.step())
    harness.sync.on_snapshot(venue.snapshot())  # fresher than every buffered diff
    harness.assert_matches(venue)
    harness.sync.on_diff(venue.step())
    harness.assert_matches(venue)
    assert harness.sync.last_update_id == venue.last_id


def test_out_of_order_diffs_resync_and_end_correct() -> None:
    venue, harness = RefVenue(3), Harness()
    synced(venue, harness)
    first, second, third = venue.step(), venue.step(), venue.step()
    harness.sync.on_diff(second)  # before first
    assert harness.sync.resyncs == 1
    harness.sync.on_diff(first)
    harness.sync.on_diff(third)
    harness.sync.on_snapshot(venue.snapshot(first.last_id))  # bridged by `second`
    harness.assert_matches(venue)
    assert harness.sync.last_update_id == third.last_id


def test_a_late_duplicate_is_dropped_without_a_resync() -> None:
    venue, harness = RefVenue(4), Harness()
    synced(venue, harness)
    diff = venue.step()
    harness.sync.on_diff(diff)
    harness.sync.on_diff(diff)
    assert harness.sync.resyncs == 0
    assert harness.sync.stale_dropped >= 1
    harness.assert_matches(venue)


def test_a_snapshot_older_than_the_buffer_is_refused_and_asked_again() -> None:
    venue, harness = RefVenue(5), Harness()
    harness.sync.start()
    old = venue.snapshot()
    venue.step()  # never seen: the stream was joined after it
    for _ in range(2):
        harness.sync.on_diff(venue.step())
    harness.sync.on_snapshot(old)
    assert harness.sync.state is BookSyncState.AWAITING_SNAPSHOT
    assert harness.requests == 2
    assert harness.sync.buffered == 2
    harness.sync.on_snapshot(venue.snapshot(venue.diffs[-2].last_id))
    harness.assert_matches(venue)


def test_a_first_diff_that_does_not_bridge_the_snapshot_resyncs() -> None:
    venue, harness = RefVenue(6), Harness()
    harness.sync.start()
    harness.sync.on_snapshot(venue.snapshot())
    assert harness.sync.is_synced
    venue.step()
    harness.sync.on_diff(venue.step())
    assert harness.sync.resyncs == 1


def test_a_crossed_book_after_a_diff_resyncs() -> None:
    harness = Harness()
    harness.sync.start()
    venue = RefVenue(7)
    harness.sync.on_snapshot(venue.snapshot())
    crossing = OrderBookDelta(
        instrument_id=BTC,
        action=BookAction.UPDATE,
        order=BookOrder(side=BUY, price=Price("101.00"), size=Quantity("1.00000")),
        flags=F_LAST,
        sequence=venue.last_id + 1,
        ts_event=0,
        ts_init=0,
    )
    deltas = OrderBookDeltas(instrument_id=BTC, deltas=[crossing], ts_event=0, ts_init=0)
    harness.sync.on_diff(BookDiff(deltas, venue.last_id + 1, venue.last_id + 1))
    assert harness.sync.crossed == 1
    assert harness.sync.state is BookSyncState.AWAITING_SNAPSHOT
    assert "crossed" in harness.states[-1][1]
    assert deltas not in harness.emitted


def test_a_diff_the_book_refuses_resyncs() -> None:
    venue, harness = RefVenue(8), Harness()
    harness.sync.start()
    harness.sync.on_snapshot(venue.snapshot())
    bad = OrderBookDelta(
        instrument_id=BTC,
        action=BookAction.UPDATE,
        order=BookOrder(side=BUY, price=Price("99.001"), size=Quantity("1")),
        flags=F_LAST,
        ts_event=0,
        ts_init=0,
    )
    deltas = OrderBookDeltas(instrument_id=BTC, deltas=[bad], ts_event=0, ts_init=0)
    harness.sync.on_diff(BookDiff(deltas, venue.last_id + 1, venue.last_id + 1))
    assert harness.sync.refused == 1
    assert harness.sync.resyncs == 1


def test_an_invalid_or_unasked_snapshot_is_not_applied() -> None:
    venue, harness = RefVenue(9), Harness()
    harness.sync.on_snapshot(venue.snapshot())  # not started
    assert harness.sync.snapshots_ignored == 1
    harness.sync.start()
    crossed = OrderBookSnapshot(
        instrument_id=BTC,
        bids=[BookLevel(price=Price("102.00"), size=Quantity("1"))],
        asks=[BookLevel(price=Price("101.00"), size=Quantity("1"))],
        sequence=5,
        ts_event=0,
        ts_init=0,
    )
    harness.sync.on_snapshot(crossed)
    assert harness.sync.refused == 1
    assert harness.requests == 2
    assert not harness.sync.is_synced


def test_the_buffer_drops_its_oldest_diffs_when_full() -> None:
    venue, harness = RefVenue(10), Harness(max_buffer=3)
    harness.sync.start()
    for _ in range(5):
        harness.sync.on_diff(venue.step())
    assert harness.sync.buffered == 3
    assert harness.sync.buffer_overflows == 2
    harness.sync.on_snapshot(venue.snapshot(venue.diffs[0].last_id))  # needs a dropped diff
    assert not harness.sync.is_synced
    harness.sync.on_snapshot(venue.snapshot(venue.diffs[2].last_id))
    harness.assert_matches(venue)


def test_the_futures_rule_needs_the_previous_id() -> None:
    venue, harness = RefVenue(11), Harness(LinkedUpdateIds())
    synced(venue, harness)
    diff = venue.step()
    harness.sync.on_diff(BookDiff(diff.deltas, diff.first_id, diff.last_id, None))
    assert harness.sync.refused == 1
    assert harness.sync.is_synced  # the diff was refused, the book left alone


def test_a_failing_snapshot_request_is_counted() -> None:
    def fail() -> None:
        raise ConnectionError("down")

    sync = OrderBookSync(L2Book(BTC, 2, 5), ConsecutiveUpdateIds(), fail)
    sync.start()
    assert sync.snapshot_request_failures == 1
    assert sync.state is BookSyncState.AWAITING_SNAPSHOT
    sync.stop()
    assert sync.state is BookSyncState.IDLE


def test_bad_diff_ids_and_buffer_sizes_are_refused() -> None:
    deltas = OrderBookDeltas(instrument_id=BTC, deltas=[], ts_event=0, ts_init=0)
    with pytest.raises(ValueError, match="first_id <= last_id"):
        BookDiff(deltas, 5, 4)
    with pytest.raises(ValueError, match="max_buffer"):
        OrderBookSync(L2Book(BTC, 2, 5), ConsecutiveUpdateIds(), lambda: None, max_buffer=0)


def test_a_data_client_is_degraded_while_a_synced_book_resyncs() -> None:
    kit = Kit()
    client = FakeDataClient(kit.bus, kit.clock)
    client.start()
    venue = RefVenue(12)

    def on_state(state: BookSyncState, reason: str) -> None:
        client.book_sync_changed(BTC, state is BookSyncState.SYNCED, reason)

    sync = OrderBookSync(L2Book(BTC, 2, 5), ConsecutiveUpdateIds(), lambda: None, on_state=on_state)
    sync.start()
    assert client.state is ComponentState.RUNNING  # the first sync is not a degradation
    sync.on_snapshot(venue.snapshot())
    venue.step()
    sync.on_diff(venue.step())  # gap
    assert client.state is ComponentState.DEGRADED
    assert BTC in client.books_out_of_sync
    sync.on_snapshot(venue.snapshot())
    assert client.state is ComponentState.RUNNING
    assert client.books_out_of_sync == {}


@dataclass(frozen=True)
class Delivery:
    drop: bool
    duplicate: bool
    swap: bool
    snapshot_offset: int | None  # answer a pending snapshot request now, at this age


deliveries_st = st.lists(
    st.builds(
        Delivery,
        drop=st.sampled_from([False, False, False, True]),
        duplicate=st.booleans(),
        swap=st.booleans(),
        snapshot_offset=st.one_of(st.none(), st.integers(min_value=-3, max_value=3)),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(
    plan=deliveries_st,
    seed=st.integers(min_value=0, max_value=10_000),
    linked=st.booleans(),
)
def test_whenever_synced_the_book_is_the_venues_book(
    plan: list[Delivery], seed: int, linked: bool
) -> None:
    venue = RefVenue(seed)
    harness = Harness(LinkedUpdateIds() if linked else ConsecutiveUpdateIds())
    diffs = [venue.step() for _ in range(2 * len(plan) + 4)]
    harness.sync.start()
    answered = 0
    index = 0
    for step in plan:
        batch = [diffs[index]]
        if step.swap and index + 1 < len(diffs):
            batch = [diffs[index + 1], diffs[index]]
            index += 1
        index += 1
        for diff in batch:
            if step.drop:
                continue
            harness.sync.on_diff(diff)
            if step.duplicate:
                harness.sync.on_diff(diff)
            if harness.sync.is_synced:
                harness.assert_matches(venue)
        if step.snapshot_offset is not None and harness.requests > answered:
            answered = harness.requests
            at = min(max(index - 1 + step.snapshot_offset, 0), len(diffs) - 1)
            harness.sync.on_snapshot(venue.snapshot(diffs[at].last_id))
            if harness.sync.is_synced:
                harness.assert_matches(venue)
    # a clean end: the rest of the stream and, if needed, a fresh snapshot
    for diff in diffs[index:]:
        harness.sync.on_diff(diff)
    if not harness.sync.is_synced:
        harness.sync.on_snapshot(venue.snapshot(diffs[-1].last_id))
    harness.assert_matches(venue)
    assert harness.sync.last_update_id == diffs[-1].last_id
