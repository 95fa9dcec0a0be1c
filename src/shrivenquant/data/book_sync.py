"""Order-book synchronisation: a REST snapshot plus a stream of diffs with update ids.

A venue's depth stream sends diffs, each covering a range of update ids: the first ``U`` and
the last ``u`` (and, on some streams, the previous message's last id ``pu``). A REST snapshot
carries ``lastUpdateId``. `OrderBookSync` joins them:

1. On `start` (or after any gap) it asks for a snapshot through a callback and buffers the
   diffs that arrive meanwhile.
2. When the snapshot comes it drops the buffered diffs the snapshot already contains, checks
   that the first remaining one bridges it (else the snapshot is too old: it asks again),
   applies the snapshot and the remaining diffs, and is SYNCED.
3. While synced each diff must continue the previous one. A diff already contained in the book
   (its last id at or below the last applied) is dropped as stale; any other break is a gap:
   the book is resynchronised (back to 1). So is a book crossed after a diff (an integrity
   check) and a diff the book refuses.

How "contains", "bridges" and "continues" are decided is the venue's rule (`SequenceRule`):

| rule                     | stale (dropped)  | first applied diff     | then each diff       |
|--------------------------|------------------|------------------------|----------------------|
| `ConsecutiveUpdateIds`   | ``u <= last_id`` | ``U <= last+1 <= u``   | ``U == previous u + 1`` |
| `LinkedUpdateIds`        | ``u < last_id``  | ``U <= last <= u``     | ``pu == previous u`` |

The first is Binance spot's rule, the second Binance USD-M futures'. The venue adapter turns
its raw payloads into `BookDiff`s (normalised deltas plus the raw ids) and snapshots; this
module knows nothing else about the venue.

The sync emits what it applies (the snapshot, then each diff's deltas) to ``on_update`` (the
adapter sends them to the data engine) and reports its state to ``on_state``: anything but
SYNCED means the book is out of date (wire it to `DataClient.book_sync_changed`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum, unique
from typing import Final, Protocol

from shrivenquant.book import L2Book
from shrivenquant.core.fsm import FiniteStateMachine
from shrivenquant.model.data import OrderBookDeltas, OrderBookSnapshot
from shrivenquant.telemetry.logging import get_logger

DEFAULT_MAX_BUFFER: Final = 10_000


@dataclass(frozen=True, slots=True)
class BookDiff:
    """One venue depth message: its deltas and the update ids it covers.

    Attributes:
        deltas: the normalised deltas (absolute level sizes; 0 deletes a level).
        first_id: the first update id in the message (``U``).
        last_id: the last update id in the message (``u``).
        prev_last_id: the last update id of the venue's previous message (``pu``), for venues
            that link messages that way; None otherwise.
    """

    deltas: OrderBookDeltas
    first_id: int
    last_id: int
    prev_last_id: int | None = None

    def __post_init__(self) -> None:
        if self.first_id < 0 or self.last_id < self.first_id:
            raise ValueError(
                f"BookDiff {self.deltas.instrument_id}: update ids must satisfy "
                f"0 <= first_id <= last_id, got {self.first_id}..{self.last_id}"
            )


class SequenceRule(Protocol):
    """How a venue numbers its depth messages (see the module docstring)."""

    def is_stale(self, diff: BookDiff, snapshot_id: int) -> bool:
        """Whether a snapshot with ``lastUpdateId`` = ``snapshot_id`` already contains ``diff``."""
        ...

    def bridges(self, diff: BookDiff, snapshot_id: int) -> bool:
        """Whether ``diff`` may be the first one applied on top of that snapshot."""
        ...

    def continues(self, diff: BookDiff, previous_last_id: int) -> bool:
        """Whether ``diff`` directly follows a message whose last id was ``previous_last_id``."""
        ...


class ConsecutiveUpdateIds:
    """Each message's first id is the previous message's last id + 1 (Binance spot)."""

    def is_stale(self, diff: BookDiff, snapshot_id: int) -> bool:
        """``u <= lastUpdateId``."""
        return diff.last_id <= snapshot_id

    def bridges(self, diff: BookDiff, snapshot_id: int) -> bool:
        """``U <= lastUpdateId + 1 <= u``."""
        return diff.first_id <= snapshot_id + 1 <= diff.last_id

    def continues(self, diff: BookDiff, previous_last_id: int) -> bool:
        """``U == previous u + 1``."""
        return diff.first_id == previous_last_id + 1


class LinkedUpdateIds:
    """Each message names the previous message's last id (``pu``; Binance USD-M futures)."""

    def is_stale(self, diff: BookDiff, snapshot_id: int) -> bool:
        """``u < lastUpdateId``."""
        return diff.last_id < snapshot_id

    def bridges(self, diff: BookDiff, snapshot_id: int) -> bool:
        """``U <= lastUpdateId <= u``."""
        return diff.first_id <= snapshot_id <= diff.last_id

    def continues(self, diff: BookDiff, previous_last_id: int) -> bool:
        """``pu == previous u``.

        Raises:
            ValueError: the diff carries no ``prev_last_id``.
        """
        if diff.prev_last_id is None:
            raise ValueError(
                f"BookDiff {diff.deltas.instrument_id} {diff.first_id}..{diff.last_id}: "
                f"this venue's rule needs prev_last_id (pu)"
            )
        return diff.prev_last_id == previous_last_id


@unique
class BookSyncState(Enum):
    """Where the synchronisation stands."""

    IDLE = "IDLE"
    """Not started (or stopped): diffs are ignored."""
    AWAITING_SNAPSHOT = "AWAITING_SNAPSHOT"
    """A snapshot was asked for; diffs are buffered. The book is out of date."""
    SYNCED = "SYNCED"
    """The book is the venue's book as of the last applied update id."""


_TRANSITIONS: Final = {
    (BookSyncState.IDLE, "start"): BookSyncState.AWAITING_SNAPSHOT,
    (BookSyncState.AWAITING_SNAPSHOT, "resync"): BookSyncState.AWAITING_SNAPSHOT,
    (BookSyncState.AWAITING_SNAPSHOT, "synced"): BookSyncState.SYNCED,
    (BookSyncState.SYNCED, "resync"): BookSyncState.AWAITING_SNAPSHOT,
    (BookSyncState.IDLE, "stop"): BookSyncState.IDLE,
    (BookSyncState.AWAITING_SNAPSHOT, "stop"): BookSyncState.IDLE,
    (BookSyncState.SYNCED, "stop"): BookSyncState.IDLE,
}

BookUpdate = OrderBookSnapshot | OrderBookDeltas
"""What the sync emits: the snapshot it applied, or a diff's deltas."""


class OrderBookSync:
    """Keeps one L2 book in sync with a venue from a snapshot and diffs (module docstring).

    Args:
        book: the book to maintain (the sync owns its updates).
        rule: the venue's update-id rule.
        request_snapshot: asks the venue for a snapshot; the answer must come back through
            `on_snapshot` (now or later). Called on `start` and on every resync.
        on_update: receives the snapshot and each diff's deltas as they are applied.
        on_state: receives every state change and its reason.
        max_buffer: diffs kept while waiting for a snapshot; beyond it the oldest are dropped
            (the snapshot then fails to bridge and another is asked for).
        check_crossed: resynchronise when the book is crossed or locked after a diff.
    """

    def __init__(
        self,
        book: L2Book,
        rule: SequenceRule,
        request_snapshot: Callable[[], None],
        *,
        on_update: Callable[[BookUpdate], None] | None = None,
        on_state: Callable[[BookSyncState, str], None] | None = None,
        max_buffer: int = DEFAULT_MAX_BUFFER,
        check_crossed: bool = True,
    ) -> None:
        if type(max_buffer) is not int or max_buffer < 1:
            raise ValueError(f"max_buffer must be a positive int, got {max_buffer!r}")
        self.book = book
        self.rule = rule
        self._request_snapshot = request_snapshot
        self._on_update = on_update
        self._on_state = on_state
        self._check_crossed = check_crossed
        self._fsm: FiniteStateMachine[BookSyncState, str] = FiniteStateMachine(
            f"OrderBookSync {book.instrument_id}", _TRANSITIONS, BookSyncState.IDLE
        )
        self._buffer: deque[BookDiff] = deque(maxlen=max_buffer)
        self._snapshot_id = 0
        self._last_id: int | None = None  # None until the first diff after the snapshot
        self._log = get_logger("OrderBookSync", instrument_id=book.instrument_id.value)
        self.resyncs = 0
        self.gaps = 0
        self.stale_dropped = 0
        self.crossed = 0
        self.refused = 0
        self.buffer_overflows = 0
        self.snapshots_ignored = 0
        self.snapshot_request_failures = 0

    # -- state ---------------------------------------------------------------------------------

    @property
    def state(self) -> BookSyncState:
        """The current state."""
        return self._fsm.state

    @property
    def is_synced(self) -> bool:
        """Whether the book is the venue's book as of `last_update_id`."""
        return self._fsm.state is BookSyncState.SYNCED

    @property
    def last_update_id(self) -> int:
        """The last update id in the book (the snapshot's until a diff is applied)."""
        return self._snapshot_id if self._last_id is None else self._last_id

    @property
    def buffered(self) -> int:
        """Diffs buffered while waiting for a snapshot."""
        return len(self._buffer)

    # -- control -------------------------------------------------------------------------------

    def start(self) -> None:
        """Begin: ask for a snapshot and buffer diffs until it comes."""
        self._transition("start", "starting")
        self._ask_snapshot()

    def stop(self) -> None:
        """Stop: drop buffered diffs and ignore everything until `start`."""
        self._buffer.clear()
        self._transition("stop", "stopped")

    def resync(self, reason: str) -> None:
        """Throw the book's state away and start over from a new snapshot.

        Buffered diffs are kept (a new snapshot drops those it contains).
        """
        if self._fsm.state is BookSyncState.IDLE:
            return
        self.resyncs += 1
        self._log.warning("order book resync", reason=reason, resyncs=self.resyncs)
        self._last_id = None
        self._transition("resync", reason)
        self._ask_snapshot()

    # -- input ---------------------------------------------------------------------------------

    def on_diff(self, diff: BookDiff) -> None:
        """Take one depth message from the stream (in the order received)."""
        state = self._fsm.state
        if state is BookSyncState.SYNCED:
            self._accept(diff)
        elif state is BookSyncState.AWAITING_SNAPSHOT:
            self._buffer_diff(diff)

    def on_snapshot(self, snapshot: OrderBookSnapshot) -> None:
        """Take the snapshot asked for; ``snapshot.sequence`` is its ``lastUpdateId``."""
        if self._fsm.state is not BookSyncState.AWAITING_SNAPSHOT:
            self.snapshots_ignored += 1
            self._log.debug("snapshot not awaited; ignored", sequence=snapshot.sequence)
            return
        try:
            snapshot.validate()
        except ValueError as exc:
            self.refused += 1
            self._log.warning("invalid snapshot; asking again", reason=str(exc))
            self._ask_snapshot()
            return
        snapshot_id = snapshot.sequence
        rule = self.rule
        buffer = self._buffer
        while buffer and rule.is_stale(buffer[0], snapshot_id):
            buffer.popleft()
            self.stale_dropped += 1
        if buffer and not rule.bridges(buffer[0], snapshot_id):
            self.gaps += 1
            self._log.info(
                "snapshot older than the buffered diffs; asking again",
                snapshot_id=snapshot_id,
                first_buffered=buffer[0].first_id,
            )
            self._ask_snapshot()
            return
        try:
            self.book.apply_snapshot(snapshot)
        except ValueError as exc:
            self.refused += 1
            self._log.warning("snapshot refused by the book; asking again", reason=str(exc))
            self._ask_snapshot()
            return
        self._snapshot_id = snapshot_id
        self._last_id = None
        self._emit(snapshot)
        self._transition("synced", f"snapshot {snapshot_id}")
        pending = list(buffer)
        buffer.clear()
        for index, diff in enumerate(pending):
            self._accept(diff)
            if not self.is_synced:
                buffer.extend(pending[index + 1 :])  # the resync keeps the rest
                return

    # -- internals -----------------------------------------------------------------------------

    def _accept(self, diff: BookDiff) -> None:
        rule = self.rule
        last = self._last_id
        if last is None:
            if rule.is_stale(diff, self._snapshot_id):
                self.stale_dropped += 1
                return
            if not rule.bridges(diff, self._snapshot_id):
                span = f"{diff.first_id}..{diff.last_id}"
                self._gap(diff, f"diff {span} does not bridge snapshot {self._snapshot_id}")
                return
        else:
            if diff.last_id <= last:
                self.stale_dropped += 1
                return
            try:
                continues = rule.continues(diff, last)
            except ValueError as exc:
                self.refused += 1
                self._log.error("diff refused", reason=str(exc))
                return
            if not continues:
                self._gap(diff, f"diff {diff.first_id}..{diff.last_id} after update id {last}")
                return
        try:
            self.book.apply_deltas(diff.deltas)
        except ValueError as exc:
            self.refused += 1
            self._buffer.append(diff)
            self.resync(f"diff refused by the book: {exc}")
            return
        self._last_id = diff.last_id
        if self._check_crossed and self.book.is_crossed():
            self.crossed += 1
            self._buffer.append(diff)  # a newer snapshot drops it; an older one needs it
            self.resync(f"book crossed after update id {diff.last_id}")
            return
        self._emit(diff.deltas)

    def _gap(self, diff: BookDiff, reason: str) -> None:
        self.gaps += 1
        self._buffer.append(diff)  # newer than the book: a new snapshot may need it
        self.resync(f"gap: {reason}")

    def _buffer_diff(self, diff: BookDiff) -> None:
        buffer = self._buffer
        if len(buffer) == buffer.maxlen:
            self.buffer_overflows += 1
            if self.buffer_overflows == 1 or self.buffer_overflows % 1000 == 0:
                self._log.warning(
                    "diff buffer full while awaiting a snapshot; dropping the oldest",
                    max_buffer=buffer.maxlen,
                    overflows=self.buffer_overflows,
                )
        buffer.append(diff)

    def _ask_snapshot(self) -> None:
        try:
            self._request_snapshot()
        except Exception:  # noqa: BLE001 - the adapter's failure is logged, counted, retried
            self.snapshot_request_failures += 1
            self._log.exception("snapshot request failed; call resync() to retry")

    def _emit(self, update: BookUpdate) -> None:
        if self._on_update is not None:
            self._on_update(update)

    def _transition(self, trigger: str, reason: str) -> None:
        new = self._fsm.trigger(trigger)
        if self._on_state is not None:
            self._on_state(new, reason)
