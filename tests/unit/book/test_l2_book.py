"""L2Book: snapshots, deltas, raw fast paths, top-of-book and depth queries."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.book import SIDE_ASK, SIDE_BID, L2Book, L2BookView
from shrivenquant.model.data import (
    F_LAST,
    F_SNAPSHOT,
    BookLevel,
    BookOrder,
    OrderBookDelta,
    OrderBookDeltas,
    OrderBookSnapshot,
)
from shrivenquant.model.enums import BookAction, OrderSide
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.model.values import Price, Quantity

BTC = InstrumentId("BTCUSDT.BINANCE")
ETH = InstrumentId("ETHUSDT.BINANCE")
BUY, SELL = OrderSide.BUY, OrderSide.SELL
TICK = 10_000_000  # 0.01
LOT = 1_000_000  # 0.001


def level(price: str, size: str) -> BookLevel:
    return BookLevel(price=Price(price), size=Quantity(size))


def delta(
    action: BookAction,
    side: OrderSide = BUY,
    price: str = "100.00",
    size: str = "1.000",
    *,
    sequence: int = 0,
    instrument_id: InstrumentId = BTC,
    order_id: int = 0,
) -> OrderBookDelta:
    order = None
    if action is not BookAction.CLEAR:
        order = BookOrder(side=side, price=Price(price), size=Quantity(size), order_id=order_id)
    return OrderBookDelta(
        instrument_id=instrument_id,
        action=action,
        order=order,
        sequence=sequence,
        ts_event=1_000 + sequence,
        ts_init=2_000 + sequence,
    )


def snapshot(bids: list[BookLevel], asks: list[BookLevel], sequence: int = 7) -> OrderBookSnapshot:
    return OrderBookSnapshot(
        instrument_id=BTC, bids=bids, asks=asks, sequence=sequence, ts_event=50, ts_init=60
    )


@pytest.fixture
def book() -> L2Book:
    """Bids 100.00 x 1, 99.99 x 2, 99.95 x 3; asks 100.01 x 1, 100.02 x 2, 100.05 x 3."""
    book = L2Book(BTC, price_precision=2, size_precision=3)
    book.apply_snapshot(
        snapshot(
            bids=[level("100.00", "1"), level("99.99", "2"), level("99.95", "3")],
            asks=[level("100.01", "1"), level("100.02", "2"), level("100.05", "3")],
        )
    )
    return book


# --- construction ------------------------------------------------------------------------------


def test_new_book_is_empty() -> None:
    book = L2Book(BTC, 2, 3)
    assert isinstance(book, L2BookView)
    assert (book.best_bid(), book.best_ask(), book.spread(), book.mid()) == (None,) * 4
    assert (book.bid_depth, book.ask_depth, book.sequence, book.ts_last) == (0, 0, 0, 0)
    assert book.bids() == []
    assert book.asks() == []
    assert not book.is_crossed()


def test_construction_rejects_bad_arguments() -> None:
    with pytest.raises(TypeError, match="InstrumentId"):
        L2Book("BTCUSDT.BINANCE", 2, 3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="price_precision"):
        L2Book(BTC, 10, 3)
    with pytest.raises(ValueError, match="size_precision"):
        L2Book(BTC, 2, -1)


# --- snapshots ---------------------------------------------------------------------------------


def test_snapshot_orders_levels_best_first(book: L2Book) -> None:
    assert [str(lv.price) for lv in book.bids()] == ["100.00", "99.99", "99.95"]
    assert [str(lv.price) for lv in book.asks()] == ["100.01", "100.02", "100.05"]
    assert book.best_bid() == level("100.00", "1.000")
    assert book.best_ask() == level("100.01", "1.000")
    assert book.best_bid_raw() == (100_000_000_000, 1_000_000_000)
    assert (book.bid_depth, book.ask_depth) == (3, 3)
    assert (book.sequence, book.ts_last, book.update_count) == (7, 50, 1)


def test_snapshot_levels_may_come_in_any_order() -> None:
    book = L2Book(BTC, 2, 3)
    book.apply_snapshot(
        snapshot(
            bids=[level("99.95", "3"), level("100.00", "1"), level("99.99", "2")],
            asks=[level("100.05", "3"), level("100.01", "1")],
        )
    )
    assert [str(lv.price) for lv in book.bids()] == ["100.00", "99.99", "99.95"]
    assert [str(lv.price) for lv in book.asks()] == ["100.01", "100.05"]


def test_snapshot_replaces_the_book(book: L2Book) -> None:
    book.apply_snapshot(snapshot(bids=[level("90.00", "5")], asks=[], sequence=9))
    assert book.bids() == [level("90.00", "5.000")]
    assert book.asks() == []
    assert book.sequence == 9


def test_rejected_snapshot_leaves_the_book_untouched(book: L2Book) -> None:
    before = (book.bids(), book.asks(), book.sequence)
    with pytest.raises(ValueError, match="positive size"):
        book.apply_snapshot(snapshot(bids=[level("1.00", "0")], asks=[]))
    with pytest.raises(ValueError, match="precision"):
        book.apply_snapshot(snapshot(bids=[level("1.005", "1")], asks=[]))
    other = OrderBookSnapshot(instrument_id=ETH, bids=[], asks=[], ts_event=1, ts_init=1)
    with pytest.raises(ValueError, match=r"ETHUSDT\.BINANCE"):
        book.apply_snapshot(other)
    assert (book.bids(), book.asks(), book.sequence) == before


def test_to_snapshot_round_trips(book: L2Book) -> None:
    taken = book.to_snapshot(ts_init=99)
    taken.validate()
    copy = L2Book(BTC, 2, 3)
    copy.apply_snapshot(taken)
    assert (copy.bids(), copy.asks(), copy.sequence) == (book.bids(), book.asks(), 7)
    top = book.to_snapshot(depth=1, ts_init=99)
    assert (len(top.bids), len(top.asks), top.ts_event) == (1, 1, 50)


# --- deltas ------------------------------------------------------------------------------------


def test_add_update_and_delete_set_absolute_sizes(book: L2Book) -> None:
    book.apply_delta(delta(BookAction.ADD, BUY, "99.98", "4", sequence=8))
    assert book.size_at(BUY, Price("99.98")) == Quantity("4.000")
    book.apply_delta(delta(BookAction.UPDATE, BUY, "99.98", "1.5", sequence=9))
    assert book.size_at(BUY, Price("99.98")) == Quantity("1.500")
    book.apply_delta(delta(BookAction.ADD, BUY, "99.98", "2", sequence=10))  # ADD of a level: set
    assert book.size_at(BUY, Price("99.98")) == Quantity("2.000")
    book.apply_delta(delta(BookAction.DELETE, BUY, "99.98", "0", sequence=11))
    assert book.size_at(BUY, Price("99.98")) == Quantity("0.000")
    assert [str(lv.price) for lv in book.bids()] == ["100.00", "99.99", "99.95"]
    assert (book.sequence, book.ts_last, book.update_count) == (11, 1_011, 5)


def test_delete_deltas_remove_levels_on_both_sides(book: L2Book) -> None:
    book.apply_delta(delta(BookAction.DELETE, SELL, "100.02", "0"))
    book.apply_delta(delta(BookAction.DELETE, BUY, "99.99", "0"))
    book.apply_delta(delta(BookAction.DELETE, BUY, "12.34", "0"))  # unknown: counted
    assert [str(lv.price) for lv in book.asks()] == ["100.01", "100.05"]
    assert [str(lv.price) for lv in book.bids()] == ["100.00", "99.95"]
    assert book.unknown_deletes == 1


def test_update_of_an_unknown_level_adds_it(book: L2Book) -> None:
    book.apply_delta(delta(BookAction.UPDATE, SELL, "100.03", "7"))
    assert book.asks(3)[2] == level("100.03", "7.000")


def test_delete_of_an_unknown_level_is_counted_and_ignored(book: L2Book) -> None:
    before = (book.bids(), book.asks())
    book.apply_delta(delta(BookAction.DELETE, SELL, "123.45", "0", sequence=8))
    book.update_raw(BUY, 1_000 * TICK, 0)
    assert (book.bids(), book.asks()) == before
    assert book.unknown_deletes == 2
    assert book.sequence == 8


def test_clear_delta_empties_the_book(book: L2Book) -> None:
    book.apply_delta(delta(BookAction.CLEAR, sequence=8))
    assert (book.bid_depth, book.ask_depth, book.sequence) == (0, 0, 8)


def test_snapshot_as_deltas_rebuilds_the_book(book: L2Book) -> None:
    deltas = [delta(BookAction.CLEAR, sequence=20)]
    deltas += [
        delta(BookAction.ADD, side, price, "1", sequence=20)
        for side, price in ((BUY, "50.00"), (BUY, "49.00"), (SELL, "51.00"))
    ]
    deltas = [
        OrderBookDelta(
            instrument_id=d.instrument_id,
            action=d.action,
            order=d.order,
            flags=F_SNAPSHOT | (F_LAST if i == len(deltas) - 1 else 0),
            sequence=d.sequence,
            ts_event=d.ts_event,
            ts_init=d.ts_init,
        )
        for i, d in enumerate(deltas)
    ]
    message = OrderBookDeltas(instrument_id=BTC, deltas=deltas, ts_event=1, ts_init=1)
    message.validate()
    book.apply_deltas(message)
    assert [str(lv.price) for lv in book.bids()] == ["50.00", "49.00"]
    assert [str(lv.price) for lv in book.asks()] == ["51.00"]
    assert book.sequence == 20


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (delta(BookAction.UPDATE, instrument_id=ETH), "ETHUSDT"),
        (delta(BookAction.ADD, order_id=12), "market-by-price"),
        (delta(BookAction.UPDATE, size="0"), "size 0"),
        (delta(BookAction.ADD, price="100.001"), "precision"),
        (delta(BookAction.ADD, size="0.0001"), "precision"),
        (delta(BookAction.ADD, side=OrderSide.NO_ORDER_SIDE), "side"),
        (OrderBookDelta(instrument_id=BTC, action=BookAction.ADD, ts_event=1, ts_init=1), "order"),
    ],
)
def test_invalid_deltas_raise(book: L2Book, bad: OrderBookDelta, message: str) -> None:
    before = (book.bids(), book.asks())
    with pytest.raises(ValueError, match=message):
        book.apply_delta(bad)
    assert (book.bids(), book.asks()) == before


def test_deltas_stop_at_the_first_bad_one(book: L2Book) -> None:
    deltas = [
        delta(BookAction.ADD, BUY, "99.98", "1", sequence=8),
        delta(BookAction.ADD, BUY, "99.97", "1", sequence=9, order_id=3),
        delta(BookAction.ADD, BUY, "99.96", "1", sequence=10),
    ]
    message = OrderBookDeltas(instrument_id=BTC, deltas=deltas, ts_event=1, ts_init=1)
    with pytest.raises(ValueError, match="seq 9"):
        book.apply_deltas(message)
    assert [str(lv.price) for lv in book.bids()] == ["100.00", "99.99", "99.98", "99.95"]
    assert (book.sequence, book.ts_last, book.update_count) == (8, 1_008, 2)


def test_deltas_for_another_instrument_raise(book: L2Book) -> None:
    message = OrderBookDeltas(
        instrument_id=ETH, deltas=[delta(BookAction.ADD, instrument_id=ETH)], ts_event=1, ts_init=1
    )
    with pytest.raises(ValueError, match="ETHUSDT"):
        book.apply_deltas(message)


# --- raw paths ---------------------------------------------------------------------------------


def test_update_raw_rejects_bad_values(book: L2Book) -> None:
    with pytest.raises(ValueError, match="negative"):
        book.update_raw(BUY, 100 * TICK, -LOT)
    with pytest.raises(ValueError, match="precision"):
        book.update_raw(BUY, 100 * TICK + 1, LOT)
    with pytest.raises(ValueError, match="price_raw must be an int"):
        book.update_raw(BUY, 1.0e9, LOT)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="side"):
        book.update_raw(OrderSide.NO_ORDER_SIDE, 100 * TICK, LOT)


def test_raw_batch_from_lists_and_numpy_arrays() -> None:
    from_lists = L2Book(BTC, 2, 3)
    from_arrays = L2Book(BTC, 2, 3)
    sides = [SIDE_BID, SIDE_BID, SIDE_ASK, SIDE_BID, SIDE_ASK]
    prices = [100 * TICK, 99 * TICK, 101 * TICK, 100 * TICK, 102 * TICK]
    sizes = [5 * LOT, 3 * LOT, 2 * LOT, 0, 4 * LOT]
    from_lists.apply_raw_batch(sides, prices, sizes, sequence=3, ts_event=30)
    from_arrays.apply_raw_batch(
        np.array(sides, dtype=np.int8), np.array(prices), np.array(sizes, dtype=np.int64)
    )
    assert from_lists.bids_raw() == from_arrays.bids_raw() == [(99 * TICK, 3 * LOT)]
    assert (
        from_lists.asks_raw()
        == from_arrays.asks_raw()
        == [(101 * TICK, 2 * LOT), (102 * TICK, 4 * LOT)]
    )
    assert (from_lists.sequence, from_lists.ts_last, from_lists.update_count) == (3, 30, 5)
    assert from_arrays.sequence == 0
    mixed = L2Book(BTC, 2, 3)
    mixed.apply_raw_batch(sides, np.array(prices), sizes)
    assert mixed.asks_raw() == from_lists.asks_raw()


def test_raw_batch_stops_at_the_first_bad_update() -> None:
    book = L2Book(BTC, 2, 3)
    with pytest.raises(ValueError, match="side code"):
        book.apply_raw_batch([SIDE_BID, 3, SIDE_ASK], [TICK, 2 * TICK, 3 * TICK], [LOT] * 3)
    assert book.bids_raw() == [(TICK, LOT)]
    assert book.asks_raw() == []
    assert book.update_count == 1
    with pytest.raises(ValueError, match="must have one length"):
        book.apply_raw_batch([SIDE_BID], [TICK, TICK], [LOT])
    with pytest.raises(ValueError, match="integers"):
        book.apply_raw_batch(np.array([1]), np.array([1.0]), np.array([1]))


# --- queries -----------------------------------------------------------------------------------


def test_spread_and_exact_mid(book: L2Book) -> None:
    assert book.spread() == Price("0.01")
    assert book.mid() == Decimal("100.005")
    assert str(book.mid()) == "100.005"
    book.update_raw(SELL, 10_001 * TICK, 0)  # asks now start at 100.02
    assert book.mid() == Decimal("100.01")
    assert str(book.mid()) == "100.01"


def test_crossed_and_locked_books_are_detected(book: L2Book) -> None:
    assert not book.is_crossed()
    book.update_raw(BUY, 10_001 * TICK, LOT)  # bid 100.01 == best ask: locked
    assert book.is_crossed()
    book.update_raw(BUY, 10_003 * TICK, LOT)  # bid above the ask: crossed
    assert book.is_crossed()
    assert book.spread() == Price("-0.02")


def test_depth_limits_and_rejects_bad_depth(book: L2Book) -> None:
    assert [str(lv.price) for lv in book.bids(2)] == ["100.00", "99.99"]
    assert book.asks(0) == []
    assert len(book.asks(50)) == 3
    with pytest.raises(ValueError, match="depth"):
        book.bids(-1)


def test_avg_px_for_size_walks_the_opposite_side(book: L2Book) -> None:
    # Buy 4: 1 @ 100.01 + 2 @ 100.02 + 1 @ 100.05 = 400.10 / 4
    assert book.avg_px_for_size(BUY, Quantity("4")) == Decimal("100.025")
    # Buy 1.5: 1 @ 100.01 + 0.5 @ 100.02 = 150.02 / 1.5 = 100.01333... (28 significant digits)
    assert book.avg_px_for_size(BUY, Quantity("1.5")) == Decimal("100.0133333333333333333333333")
    assert book.avg_px_for_size(BUY, Quantity("1.5")) == Decimal("150.02") / Decimal("1.5")
    # Sell 3: 1 @ 100.00 + 2 @ 99.99 = 299.98 / 3 (28 significant digits)
    assert book.avg_px_for_size(SELL, Quantity("3")) == Decimal("299.98") / Decimal(3)
    assert book.avg_px_for_size(SELL, Quantity("0.5")) == Decimal("100.00")
    assert book.avg_px_for_size(BUY, Quantity("6")) == Decimal("600.20") / Decimal(6)
    assert book.avg_px_for_size(BUY, Quantity("6.001")) is None
    with pytest.raises(ValueError, match="quantity must be > 0"):
        book.avg_px_for_size(BUY, Quantity("0"))


def test_qty_for_price_counts_levels_within_the_limit(book: L2Book) -> None:
    assert book.qty_for_price(BUY, Price("100.02")) == Quantity("3.000")
    assert book.qty_for_price(BUY, Price("100.00")) == Quantity("0.000")
    assert book.qty_for_price(SELL, Price("99.95")) == Quantity("6.000")
    assert book.qty_for_price(SELL, Price("99.99")) == Quantity("3.000")


def test_clear_keeps_sequence(book: L2Book) -> None:
    book.clear()
    assert (book.bid_depth, book.ask_depth, book.sequence) == (0, 0, 7)
    assert "bids=0" in repr(book)


# --- properties --------------------------------------------------------------------------------

updates = st.lists(
    st.tuples(
        st.sampled_from((SIDE_BID, SIDE_ASK)),
        st.integers(1, 40),  # ticks
        st.integers(0, 5),  # lots; 0 deletes
    ),
    max_size=200,
)


@settings(max_examples=300)
@given(updates)
def test_book_matches_a_reference_dict_model(stream: list[tuple[int, int, int]]) -> None:
    one_by_one = L2Book(BTC, 2, 3)
    batched = L2Book(BTC, 2, 3)
    reference: dict[int, dict[int, int]] = {SIDE_BID: {}, SIDE_ASK: {}}
    unknown = 0
    for side, tick, lots in stream:
        one_by_one.update_raw(BUY if side == SIDE_BID else SELL, tick * TICK, lots * LOT)
        levels = reference[side]
        if lots:
            levels[tick * TICK] = lots * LOT
        elif levels.pop(tick * TICK, None) is None:
            unknown += 1
    batched.apply_raw_batch(
        [side for side, _, _ in stream],
        [tick * TICK for _, tick, _ in stream],
        [lots * LOT for _, _, lots in stream],
    )
    expected_bids = sorted(reference[SIDE_BID].items(), reverse=True)
    expected_asks = sorted(reference[SIDE_ASK].items())
    for book in (one_by_one, batched):
        assert book.bids_raw() == expected_bids
        assert book.asks_raw() == expected_asks
        assert book.unknown_deletes == unknown
        assert book.update_count == len(stream)
        assert book.best_bid_raw() == (expected_bids[0] if expected_bids else None)
        assert book.best_ask_raw() == (expected_asks[0] if expected_asks else None)
