"""The data engine's L2 books: one per instrument receiving book data, kept in the cache.

Snapshots replace a book; deltas update it. Deltas older than the book's last sequence are
stale and dropped (unless they rebuild the book, flagged `F_SNAPSHOT`). After each complete
venue message the book is checked for crossing; a crossed book is counted and logged once per
episode (the feed's snapshot+diff sync is what repairs it). A book is made at the instrument's
precisions; before the instrument is known it is made at full precision (9 places, which
accepts every value) and rebuilt at the instrument's precisions when its definition arrives.
"""

from __future__ import annotations

from typing import Final

from shrivenquant.book import L2Book
from shrivenquant.cache import Cache
from shrivenquant.data.counters import DataAnomaly, DataEngineCounters
from shrivenquant.model.data import (
    F_LAST,
    F_SNAPSHOT,
    OrderBookDelta,
    OrderBookDeltas,
    OrderBookSnapshot,
)
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.model.instruments import Instrument
from shrivenquant.telemetry.logging import get_logger

_FULL_PRECISION: Final = 9


class BookKeeper:
    """Maintains the engine's L2 books (see the module docstring)."""

    __slots__ = ("_cache", "_counters", "_crossed", "_log", "_provisional", "books")

    def __init__(self, cache: Cache, counters: DataEngineCounters, component: str) -> None:
        self._cache = cache
        self._counters = counters
        self._log = get_logger(component)
        self.books: dict[InstrumentId, L2Book] = {}
        self._provisional: set[InstrumentId] = set()  # made before the instrument was known
        self._crossed: set[InstrumentId] = set()

    def ensure(self, instrument_id: InstrumentId) -> L2Book:
        """The book of ``instrument_id``, made (and cached) if there is none yet."""
        book = self.books.get(instrument_id)
        if book is not None:
            return book
        instrument = self._cache.instrument(instrument_id)
        if instrument is None:
            book = L2Book(instrument_id, _FULL_PRECISION, _FULL_PRECISION)
            self._provisional.add(instrument_id)
        else:
            book = L2Book(instrument_id, instrument.price_precision, instrument.size_precision)
        self.books[instrument_id] = book
        self._cache.add_book(instrument_id, book)
        return book

    def on_instrument(self, instrument: Instrument) -> None:
        """Rebuild a book made before its instrument was known, at the right precisions."""
        instrument_id = instrument.id
        if instrument_id not in self._provisional:
            return
        self._provisional.discard(instrument_id)
        old = self.books[instrument_id]
        book = L2Book(instrument_id, instrument.price_precision, instrument.size_precision)
        try:
            book.apply_snapshot(old.to_snapshot(ts_init=old.ts_last))
        except ValueError:
            self._log.warning(
                "book levels are off the instrument's precision; book cleared",
                instrument_id=instrument_id.value,
            )
        self.books[instrument_id] = book
        self._cache.add_book(instrument_id, book)

    def apply_snapshot(self, snapshot: OrderBookSnapshot) -> bool:
        """Replace the book with ``snapshot``; False (counted, logged) if it was refused."""
        book = self.ensure(snapshot.instrument_id)
        try:
            book.apply_snapshot(snapshot)
        except ValueError as exc:
            self._refuse(snapshot.instrument_id, str(exc))
            return False
        self._check_crossed(book)
        return True

    def apply_deltas(self, deltas: OrderBookDeltas) -> bool:
        """Apply one venue message; False (counted, logged) if stale or refused."""
        book = self.ensure(deltas.instrument_id)
        sequence = deltas.sequence
        if sequence and sequence < book.sequence and not deltas.is_snapshot:
            self._stale(book, sequence)
            return False
        try:
            book.apply_deltas(deltas)
        except ValueError as exc:
            self._refuse(deltas.instrument_id, str(exc))
            return False
        self._check_crossed(book)
        return True

    def apply_delta(self, delta: OrderBookDelta) -> bool:
        """Apply one delta (a flat record, as replayed from the catalog)."""
        book = self.ensure(delta.instrument_id)
        sequence = delta.sequence
        flags = delta.flags
        if sequence and sequence < book.sequence and not flags & F_SNAPSHOT:
            self._stale(book, sequence)
            return False
        try:
            book.apply_delta(delta)
        except ValueError as exc:
            self._refuse(delta.instrument_id, str(exc))
            return False
        if flags & F_LAST:
            self._check_crossed(book)
        return True

    def clear(self) -> None:
        """Forget every book (the cache keeps the last objects)."""
        self.books.clear()
        self._provisional.clear()
        self._crossed.clear()

    def _check_crossed(self, book: L2Book) -> None:
        instrument_id = book.instrument_id
        if book.is_crossed():
            if instrument_id not in self._crossed:
                self._crossed.add(instrument_id)
                self._counters.anomaly(DataAnomaly.BOOK_CROSSED)
                self._log.warning(
                    "order book crossed",
                    instrument_id=instrument_id.value,
                    sequence=book.sequence,
                    best_bid=str(book.best_bid()),
                    best_ask=str(book.best_ask()),
                )
        elif instrument_id in self._crossed:
            self._crossed.discard(instrument_id)
            self._log.info("order book uncrossed", instrument_id=instrument_id.value)

    def _stale(self, book: L2Book, sequence: int) -> None:
        self._counters.anomaly(DataAnomaly.STALE_BOOK_UPDATE)
        self._log.debug(
            "stale book update dropped",
            instrument_id=book.instrument_id.value,
            sequence=sequence,
            book_sequence=book.sequence,
        )

    def _refuse(self, instrument_id: InstrumentId, reason: str) -> None:
        self._counters.anomaly(DataAnomaly.INVALID_DATA)
        self._log.error("book update refused", instrument_id=instrument_id.value, reason=reason)
