"""The data engine's L2 books: built from snapshots and deltas, cached, checked."""

from __future__ import annotations

from shrivenquant.book import L2Book
from shrivenquant.bus import topics
from shrivenquant.data.counters import DataAnomaly
from shrivenquant.data.engine_config import DataEngineConfig
from shrivenquant.model.data import (
    F_LAST,
    F_SNAPSHOT,
    BookLevel,
    BookOrder,
    OrderBookDelta,
    OrderBookDeltas,
    OrderBookSnapshot,
)
from shrivenquant.model.data_commands import MarketDataType
from shrivenquant.model.enums import BookAction, OrderSide
from shrivenquant.model.values import Price, Quantity
from shrivenquant.testkit.instruments import TestInstrumentProvider

from .engine_kit import BTC, Kit, subscribe

BUY, SELL = OrderSide.BUY, OrderSide.SELL


def snapshot(sequence: int = 100) -> OrderBookSnapshot:
    return OrderBookSnapshot(
        instrument_id=BTC,
        bids=[BookLevel(price=Price("100.00"), size=Quantity("1.00000"))],
        asks=[BookLevel(price=Price("101.00"), size=Quantity("2.00000"))],
        sequence=sequence,
        ts_event=1,
        ts_init=1,
    )


def delta(
    side: OrderSide,
    price: str,
    size: str,
    sequence: int,
    action: BookAction = BookAction.UPDATE,
    flags: int = F_LAST,
) -> OrderBookDelta:
    return OrderBookDelta(
        instrument_id=BTC,
        action=action,
        order=BookOrder(side=side, price=Price(price), size=Quantity(size)),
        flags=flags,
        sequence=sequence,
        ts_event=sequence,
        ts_init=sequence,
    )


def batch(*deltas: OrderBookDelta) -> OrderBookDeltas:
    return OrderBookDeltas(instrument_id=BTC, deltas=list(deltas), ts_event=0, ts_init=0)


def cached_book(kit: Kit) -> L2Book:
    book = kit.cache.book(BTC, L2Book)
    assert book is not None
    return book


def test_subscribing_makes_a_cached_book_at_the_instruments_precision() -> None:
    kit = Kit()
    kit.engine.process(TestInstrumentProvider.btcusdt_binance())
    kit.engine.execute(subscribe(MarketDataType.BOOK_DELTAS, BTC))
    book = cached_book(kit)
    assert (book.price_precision, book.size_precision) == (2, 5)


def test_snapshot_then_deltas_build_the_book_and_are_published() -> None:
    kit = Kit()
    kit.engine.process(TestInstrumentProvider.btcusdt_binance())
    snapshots = kit.listen(topics.book_snapshots(BTC))
    deltas = kit.listen(topics.book_deltas(BTC))
    kit.engine.process(snapshot())
    update = batch(
        delta(BUY, "100.50", "3.00000", 101, BookAction.ADD, flags=0),
        delta(SELL, "101.00", "0", 101, BookAction.DELETE),
    )
    kit.engine.process(update)
    book = cached_book(kit)
    assert book.bids_raw() == [(100_500_000_000, 3_000_000_000), (100_000_000_000, 1_000_000_000)]
    assert book.asks_raw() == []
    assert book.sequence == 101
    assert snapshots == [snapshot()]
    assert deltas == [update]


def test_stale_deltas_are_dropped_unless_they_rebuild_the_book() -> None:
    kit = Kit()
    deltas = kit.listen(topics.book_deltas(BTC))
    kit.engine.process(snapshot(100))
    kit.engine.process(batch(delta(BUY, "99.00", "1.00000", 99)))
    assert deltas == []
    assert kit.engine.counters[DataAnomaly.STALE_BOOK_UPDATE] == 1
    rebuild = batch(
        OrderBookDelta(instrument_id=BTC, action=BookAction.CLEAR, flags=F_SNAPSHOT,
                       sequence=50, ts_event=0, ts_init=0),
        delta(BUY, "98.00", "1.00000", 50, BookAction.ADD, flags=F_SNAPSHOT | F_LAST),
    )  # fmt: skip
    kit.engine.process(rebuild)
    assert deltas == [rebuild]
    assert cached_book(kit).bids_raw() == [(98_000_000_000, 1_000_000_000)]


def test_a_crossed_book_is_counted_once_per_episode() -> None:
    kit = Kit()
    kit.engine.process(snapshot())
    kit.engine.process(batch(delta(BUY, "102.00", "1.00000", 101)))
    kit.engine.process(batch(delta(BUY, "103.00", "1.00000", 102)))
    assert kit.engine.counters[DataAnomaly.BOOK_CROSSED] == 1
    kit.engine.process(batch(
        delta(BUY, "102.00", "0", 103, BookAction.DELETE, flags=0),
        delta(BUY, "103.00", "0", 103, BookAction.DELETE),
    ))  # fmt: skip
    kit.engine.process(batch(delta(BUY, "104.00", "1.00000", 104)))
    assert kit.engine.counters[DataAnomaly.BOOK_CROSSED] == 2


def test_a_book_made_before_its_instrument_is_rebuilt_at_its_precision() -> None:
    kit = Kit()
    kit.engine.process(snapshot())
    assert cached_book(kit).price_precision == 9
    kit.engine.process(TestInstrumentProvider.btcusdt_binance())
    book = cached_book(kit)
    assert (book.price_precision, book.size_precision) == (2, 5)
    assert book.best_bid() == BookLevel(price=Price("100.00"), size=Quantity("1.00000"))
    assert book.sequence == 100


def test_flat_deltas_from_a_replay_update_the_book() -> None:
    kit = Kit()
    got = kit.listen(topics.book_deltas(BTC))
    kit.engine.process(snapshot())
    first = delta(BUY, "100.10", "1.00000", 101, BookAction.ADD, flags=0)
    last = delta(SELL, "100.90", "1.00000", 101, BookAction.ADD)
    kit.engine.process(first)
    kit.engine.process(last)
    kit.engine.process(delta(BUY, "100.00", "1.00000", 90))  # stale
    assert got == [first, last]
    assert cached_book(kit).best_ask() == BookLevel(price=Price("100.90"), size=Quantity("1"))


def test_updates_the_book_refuses_are_not_published() -> None:
    kit = Kit()
    kit.engine.process(TestInstrumentProvider.btcusdt_binance())
    got = kit.listen(topics.book_deltas(BTC))
    kit.engine.process(snapshot())
    kit.engine.process(batch(delta(BUY, "100.001", "1.00000", 101)))  # finer than the tick
    kit.engine.process(OrderBookDeltas(instrument_id=BTC, deltas=[], ts_event=0, ts_init=0))
    assert got == []
    assert kit.engine.counters[DataAnomaly.INVALID_DATA] == 2


def test_an_invalid_snapshot_is_dropped() -> None:
    kit = Kit()
    got = kit.listen(topics.book_snapshots(BTC))
    crossed = OrderBookSnapshot(
        instrument_id=BTC,
        bids=[BookLevel(price=Price("102.00"), size=Quantity("1"))],
        asks=[BookLevel(price=Price("101.00"), size=Quantity("1"))],
        ts_event=0,
        ts_init=0,
    )
    kit.engine.process(crossed)
    assert got == []
    assert not kit.cache.has_book(BTC)


def test_books_can_be_left_to_subscribers() -> None:
    kit = Kit(DataEngineConfig(maintain_books=False))
    got = kit.listen(topics.book_snapshots(BTC))
    kit.engine.process(snapshot())
    assert got == [snapshot()]
    assert not kit.cache.has_book(BTC)
