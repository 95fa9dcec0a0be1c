"""MatchingBook: price-time priority, cancels, modifies, and random order flow against a model."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.book import Fill, MatchingBook, MatchingBookView
from shrivenquant.model.data import BookLevel, BookOrder
from shrivenquant.model.enums import OrderSide
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.model.values import Price, Quantity

BTC = InstrumentId("BTCUSDT.BINANCE")
BUY, SELL = OrderSide.BUY, OrderSide.SELL
TICK = 10_000_000  # 0.01
LOT = 1_000_000_000  # 1 (size precision 0)


def px(ticks: int) -> int:
    return ticks * TICK


def new_book() -> MatchingBook:
    return MatchingBook(BTC, price_precision=2, size_precision=0)


@pytest.fixture
def book() -> MatchingBook:
    """Bids: 1 (5 @ 99), 2 (3 @ 99), 3 (4 @ 98). Asks: 10 (2 @ 101), 11 (6 @ 101), 12 (1 @ 103)."""
    book = new_book()
    for order_id, side, ticks, lots in (
        (1, BUY, 99, 5),
        (2, BUY, 99, 3),
        (3, BUY, 98, 4),
        (10, SELL, 101, 2),
        (11, SELL, 101, 6),
        (12, SELL, 103, 1),
    ):
        book.add(order_id, side, px(ticks), lots * LOT, ts=order_id)
    return book


# --- resting orders ----------------------------------------------------------------------------


def test_resting_orders_aggregate_into_levels(book: MatchingBook) -> None:
    assert isinstance(book, MatchingBookView)
    assert len(book) == 6
    assert 11 in book
    assert 99 not in book
    assert book.best_bid_raw() == (px(99), 8 * LOT)
    assert book.best_ask_raw() == (px(101), 8 * LOT)
    assert book.best_bid() == BookLevel(price=Price("0.99"), size=Quantity("8"))
    assert book.bids_raw() == [(px(99), 8 * LOT), (px(98), 4 * LOT)]
    assert book.asks_raw(1) == [(px(101), 8 * LOT)]
    assert [str(level.price) for level in book.asks()] == ["1.01", "1.03"]
    assert book.order(2) == BookOrder(side=BUY, price=Price("0.99"), size=Quantity("3"), order_id=2)
    assert book.order(99) is None
    assert book.orders_raw(BUY) == [
        (1, px(99), 5 * LOT, 1),
        (2, px(99), 3 * LOT, 2),
        (3, px(98), 4 * LOT, 3),
    ]
    assert not book.is_crossed()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((1, BUY, px(97), LOT), "already resting"),
        ((20, BUY, px(101), LOT), "would trade"),
        ((20, SELL, px(99), LOT), "would trade"),
        ((20, BUY, px(97), 0), "must be > 0"),
        ((20, BUY, px(97) + 1, LOT), "precision"),
        ((20, BUY, px(97), LOT // 2), "precision"),
        ((20, OrderSide.NO_ORDER_SIDE, px(97), LOT), "side"),
        (("20", BUY, px(97), LOT), "order_id must be an int"),
        ((20, BUY, 0.97, LOT), "price_raw must be an int"),
    ],
)
def test_add_rejects_bad_orders(book: MatchingBook, args: tuple[object, ...], message: str) -> None:
    before = (book.orders_raw(BUY), book.orders_raw(SELL))
    with pytest.raises(ValueError, match=message):
        book.add(*args)  # type: ignore[arg-type]
    assert (book.orders_raw(BUY), book.orders_raw(SELL)) == before


def test_cancel_returns_leaves_and_ignores_unknown_ids(book: MatchingBook) -> None:
    assert book.cancel(1) == 5 * LOT
    assert book.cancel(1) is None
    assert book.cancel(12345) is None
    assert book.best_bid_raw() == (px(99), 3 * LOT)
    assert book.cancel(2) == 3 * LOT
    assert book.best_bid_raw() == (px(98), 4 * LOT)  # the emptied level is gone
    assert len(book) == 4


def test_modify_down_keeps_priority(book: MatchingBook) -> None:
    assert book.modify(1, px(99), 2 * LOT) is True
    assert book.orders_raw(BUY)[:2] == [(1, px(99), 2 * LOT, 1), (2, px(99), 3 * LOT, 2)]
    assert book.best_bid_raw() == (px(99), 5 * LOT)


def test_modify_up_or_to_a_new_price_loses_priority(book: MatchingBook) -> None:
    assert book.modify(1, px(99), 6 * LOT, ts=50) is False
    assert book.orders_raw(BUY)[:2] == [(2, px(99), 3 * LOT, 2), (1, px(99), 6 * LOT, 50)]
    assert book.modify(2, px(98), 3 * LOT) is False
    assert book.orders_raw(BUY) == [
        (1, px(99), 6 * LOT, 50),
        (3, px(98), 4 * LOT, 3),
        (2, px(98), 3 * LOT, 2),
    ]


def test_modify_rejects_unknown_ids_crossing_prices_and_bad_sizes(book: MatchingBook) -> None:
    with pytest.raises(KeyError, match="no resting order 77"):
        book.modify(77, px(99), LOT)
    with pytest.raises(ValueError, match="would trade"):
        book.modify(1, px(101), LOT)
    with pytest.raises(ValueError, match="must be > 0"):
        book.modify(1, px(99), 0)
    assert book.orders_raw(BUY)[0] == (1, px(99), 5 * LOT, 1)


# --- matching ----------------------------------------------------------------------------------


def test_match_fills_in_price_then_time_order(book: MatchingBook) -> None:
    fills = book.match(BUY, None, 9 * LOT)
    assert fills == [
        Fill(10, px(101), 2 * LOT, 0),
        Fill(11, px(101), 6 * LOT, 0),
        Fill(12, px(103), 1 * LOT, 0),
    ]
    assert book.best_ask_raw() is None
    assert 10 not in book


def test_match_partially_fills_the_last_maker(book: MatchingBook) -> None:
    fills = book.match(SELL, px(98), 6 * LOT)
    assert fills == [Fill(1, px(99), 5 * LOT, 0), Fill(2, px(99), LOT, 2 * LOT)]
    assert fills[1].maker_leaves_raw == 2 * LOT
    assert book.orders_raw(BUY)[0] == (2, px(99), 2 * LOT, 2)
    assert book.best_bid_raw() == (px(99), 2 * LOT)


def test_match_respects_the_limit_price(book: MatchingBook) -> None:
    assert book.match(BUY, px(100), 5 * LOT) == []
    fills = book.match(BUY, px(102), 20 * LOT)
    assert sum(fill.qty_raw for fill in fills) == 8 * LOT
    assert book.best_ask_raw() == (px(103), LOT)


def test_match_skips_cancelled_orders(book: MatchingBook) -> None:
    book.cancel(10)
    assert book.match(BUY, px(101), 3 * LOT) == [Fill(11, px(101), 3 * LOT, 3 * LOT)]


def test_match_rejects_bad_input(book: MatchingBook) -> None:
    with pytest.raises(ValueError, match="must be > 0"):
        book.match(BUY, None, 0)
    with pytest.raises(ValueError, match="precision"):
        book.match(BUY, px(101) + 1, LOT)
    with pytest.raises(ValueError, match="side"):
        book.match(OrderSide.NO_ORDER_SIDE, None, LOT)


def test_match_and_rest_rests_the_remainder(book: MatchingBook) -> None:
    fills = book.match_and_rest(20, BUY, px(101), 10 * LOT, ts=7)
    assert [fill.maker_order_id for fill in fills] == [10, 11]
    assert book.best_bid_raw() == (px(101), 2 * LOT)
    assert book.best_ask_raw() == (px(103), LOT)
    assert book.order(20) == BookOrder(
        side=BUY, price=Price("1.01"), size=Quantity("2"), order_id=20
    )
    assert not book.is_crossed()
    with pytest.raises(ValueError, match="already resting"):
        book.match_and_rest(20, BUY, px(101), LOT)
    with pytest.raises(ValueError, match="limit price"):
        book.match_and_rest(21, BUY, None, LOT)  # type: ignore[arg-type]


def test_would_cross_and_fillable_qty_decide_post_only_and_fok(book: MatchingBook) -> None:
    assert book.would_cross(BUY, px(101))
    assert not book.would_cross(BUY, px(100))
    assert book.would_cross(SELL, None)
    assert book.fillable_qty(BUY, px(101), 5 * LOT) == 5 * LOT
    assert book.fillable_qty(BUY, px(101), 20 * LOT) == 8 * LOT
    assert book.fillable_qty(BUY, None, 20 * LOT) == 9 * LOT
    assert book.fillable_qty(SELL, px(100), 3 * LOT) == 0
    empty = new_book()
    assert not empty.would_cross(BUY, None)
    assert empty.fillable_qty(SELL, None, LOT) == 0
    with pytest.raises(ValueError, match="qty_raw"):
        book.fillable_qty(BUY, None, 0)


def test_queue_ahead_counts_earlier_orders_at_the_price(book: MatchingBook) -> None:
    assert book.queue_ahead_raw(1) == 0
    assert book.queue_ahead_raw(2) == 5 * LOT
    book.cancel(1)
    assert book.queue_ahead_raw(2) == 0
    assert book.queue_ahead_raw(1) is None


def test_many_cancels_at_one_level_compact_the_queue() -> None:
    book = new_book()
    for order_id in range(200):
        book.add(order_id, SELL, px(100), LOT, ts=order_id)
    survivors = list(range(0, 200, 10))
    for order_id in range(200):
        if order_id % 10:
            book.cancel(order_id)  # the level's queue is compacted on the way
    assert [order_id for order_id, _, _, _ in book.orders_raw(SELL)] == survivors
    assert book.queue_ahead_raw(30) == 3 * LOT
    fills = book.match(BUY, None, 3 * LOT)
    assert [fill.maker_order_id for fill in fills] == [0, 10, 20]
    assert book.best_ask_raw() == (px(100), (len(survivors) - 3) * LOT)
    book.add(500, SELL, px(100), LOT)
    assert book.orders_raw(SELL)[-1][0] == 500


def test_views_convert_to_model_values(book: MatchingBook) -> None:
    assert book.instrument_id == BTC
    assert (book.price_precision, book.size_precision) == (2, 0)
    assert book.best_ask() == BookLevel(price=Price("1.01"), size=Quantity("8"))
    assert book.bids(1) == [BookLevel(price=Price("0.99"), size=Quantity("8"))]
    assert new_book().best_ask() is None
    with pytest.raises(TypeError, match="InstrumentId"):
        MatchingBook("BTCUSDT.BINANCE", 2, 0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="price_precision"):
        MatchingBook(BTC, 12, 0)


def test_clear_removes_everything(book: MatchingBook) -> None:
    book.clear()
    assert len(book) == 0
    assert book.best_bid_raw() is None
    assert book.best_ask_raw() is None
    assert "orders=0" in repr(book)


# --- random order flow against a reference model -----------------------------------------------


@dataclass
class ModelOrder:
    order_id: int
    side: OrderSide
    price: int
    leaves: int
    arrival: int


@dataclass
class ReferenceBook:
    """Resting orders in a plain list; priority is recomputed by sorting every time."""

    orders: list[ModelOrder] = field(default_factory=list)
    arrivals: int = 0

    def find(self, order_id: int) -> ModelOrder | None:
        return next((o for o in self.orders if o.order_id == order_id), None)

    def queue(self, side: OrderSide) -> list[ModelOrder]:
        sign = -1 if side is BUY else 1  # bids: highest price first
        mine = [o for o in self.orders if o.side is side]
        return sorted(mine, key=lambda o: (sign * o.price, o.arrival))

    def crosses(self, side: OrderSide, price: int | None) -> bool:
        opposite = self.queue(SELL if side is BUY else BUY)
        if not opposite:
            return False
        best = opposite[0].price
        return price is None or (best <= price if side is BUY else best >= price)

    def rest(self, order_id: int, side: OrderSide, price: int, qty: int) -> None:
        self.arrivals += 1
        self.orders.append(ModelOrder(order_id, side, price, qty, self.arrivals))

    def match(self, side: OrderSide, price: int | None, qty: int) -> list[Fill]:
        fills = []
        for maker in self.queue(SELL if side is BUY else BUY):
            if not qty:
                break
            if price is not None and (maker.price > price if side is BUY else maker.price < price):
                break
            traded = min(qty, maker.leaves)
            qty -= traded
            maker.leaves -= traded
            fills.append(Fill(maker.order_id, maker.price, traded, maker.leaves))
        self.orders = [o for o in self.orders if o.leaves]
        return fills

    def snapshot(self, side: OrderSide) -> list[tuple[int, int, int]]:
        return [(o.order_id, o.price, o.leaves) for o in self.queue(side)]


class Add(NamedTuple):
    order_id: int
    side: OrderSide
    tick: int
    lots: int
    take_first: bool  # match_and_rest instead of a passive add


class Cancel(NamedTuple):
    order_id: int


class Modify(NamedTuple):
    order_id: int
    tick: int
    lots: int


class Take(NamedTuple):
    side: OrderSide
    tick: int | None  # None: a market order
    lots: int


ids = st.integers(1, 25)
sides = st.sampled_from((BUY, SELL))
ticks = st.integers(95, 105)
lots = st.integers(1, 8)
operations = st.lists(
    st.one_of(
        st.builds(Add, ids, sides, ticks, lots, st.booleans()),
        st.builds(Cancel, ids),
        st.builds(Modify, ids, ticks, lots),
        st.builds(Take, sides, st.none() | ticks, lots),
    ),
    max_size=80,
)


class FillLedger:
    """Checks quantity conservation: takers and makers never trade more than they hold."""

    def __init__(self) -> None:
        self.quantity: dict[int, int] = {}  # order id -> quantity last given (add or modify)
        self.filled: dict[int, int] = {}  # order id -> filled since then

    def reset(self, order_id: int, qty: int) -> None:
        self.quantity[order_id] = qty
        self.filled[order_id] = 0

    def check(self, taker_qty: int, fills: list[Fill]) -> None:
        assert sum(fill.qty_raw for fill in fills) <= taker_qty
        for fill in fills:
            assert fill.qty_raw > 0
            self.filled[fill.maker_order_id] += fill.qty_raw
            left = self.quantity[fill.maker_order_id] - self.filled[fill.maker_order_id]
            assert left >= 0
            assert fill.maker_leaves_raw == left


def apply_add(book: MatchingBook, model: ReferenceBook, ledger: FillLedger, op: Add) -> None:
    price, qty = px(op.tick), op.lots * LOT
    if model.find(op.order_id) is not None or (not op.take_first and model.crosses(op.side, price)):
        place = book.match_and_rest if op.take_first else book.add
        with pytest.raises(ValueError, match=r"already resting|would trade"):
            place(op.order_id, op.side, price, qty)
        return
    fills: list[Fill] = []
    if op.take_first:
        fills = book.match_and_rest(op.order_id, op.side, price, qty)
        assert fills == model.match(op.side, price, qty)
        ledger.check(qty, fills)
    else:
        book.add(op.order_id, op.side, price, qty)
    left = qty - sum(fill.qty_raw for fill in fills)
    if left:
        model.rest(op.order_id, op.side, price, left)
        ledger.reset(op.order_id, left)


def apply_modify(book: MatchingBook, model: ReferenceBook, ledger: FillLedger, op: Modify) -> None:
    price, qty = px(op.tick), op.lots * LOT
    resting = model.find(op.order_id)
    if resting is None:
        with pytest.raises(KeyError):
            book.modify(op.order_id, price, qty)
        return
    keeps = price == resting.price and qty <= resting.leaves
    if not keeps and model.crosses(resting.side, price):
        with pytest.raises(ValueError, match="would trade"):
            book.modify(op.order_id, price, qty)
        return
    assert book.modify(op.order_id, price, qty) is keeps
    if keeps:
        resting.leaves = qty
    else:
        model.orders.remove(resting)
        model.rest(op.order_id, resting.side, price, qty)
    ledger.reset(op.order_id, qty)


@settings(max_examples=400)
@given(operations)
def test_random_order_flow_matches_the_reference_model(
    ops: list[Add | Cancel | Modify | Take],
) -> None:
    book = new_book()
    model = ReferenceBook()
    ledger = FillLedger()
    for op in ops:
        match op:
            case Add():
                apply_add(book, model, ledger, op)
            case Cancel(order_id):
                resting = model.find(order_id)
                assert book.cancel(order_id) == (None if resting is None else resting.leaves)
                if resting is not None:
                    model.orders.remove(resting)
            case Modify():
                apply_modify(book, model, ledger, op)
            case Take(side, tick, size):
                limit = None if tick is None else px(tick)
                fills = book.match(side, limit, size * LOT)
                assert fills == model.match(side, limit, size * LOT)
                ledger.check(size * LOT, fills)
        # At rest: never crossed, the same orders in the same priority as the model.
        assert not book.is_crossed()
        for side in (BUY, SELL):
            assert [entry[:3] for entry in book.orders_raw(side)] == model.snapshot(side)
        assert len(book) == len(model.orders)
        assert book.best_bid_raw() == _best(model, BUY)
        assert book.best_ask_raw() == _best(model, SELL)


def _best(model: ReferenceBook, side: OrderSide) -> tuple[int, int] | None:
    queue = model.queue(side)
    if not queue:
        return None
    price = queue[0].price
    return price, sum(o.leaves for o in queue if o.price == price)
