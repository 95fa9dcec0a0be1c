"""L2 book throughput: depth deltas, snapshots and top-of-book reads.

Run: ``python benchmarks/bench_l2_book.py``. Prints a table, then one JSON line of the figures.

The delta stream is generated beforehand with a seeded RNG from a 1,000-level-per-side book
around a drifting mid: about 70 % size updates of existing levels, weighted to the top of the
book, 15 % new levels near the touch (some improving it) and 15 % deletes (levels the mid moved
through first, otherwise near the top). It is cut into venue messages of `MESSAGE_SIZE` deltas.

Figures (deltas or levels per second, best of several runs, Python loop included):
- ``deltas_per_s``: `L2Book.apply_raw_batch` once per message (raw ints, the fast path).
- ``update_raw_per_s``: `L2Book.update_raw` once per delta.
- ``apply_deltas_per_s``: `L2Book.apply_deltas` with `OrderBookDeltas` messages.
- ``apply_delta_per_s``: `L2Book.apply_delta` once per `OrderBookDelta`.
- ``snapshot_levels_per_s``: `L2Book.apply_snapshot` of the 2,000-level snapshot.
- ``best_bid_ask_per_s``: `best_bid()` and `best_ask()` pairs (``BookLevel`` objects);
  ``best_bid_ask_raw_per_s``: the raw-int pairs.
"""

from __future__ import annotations

import gc
import json
import random
import time
from bisect import bisect_left, insort
from collections.abc import Callable

from rich.console import Console
from rich.table import Table

from shrivenquant.book import SIDE_ASK, SIDE_BID, L2Book
from shrivenquant.model.data import (
    BookLevel,
    BookOrder,
    OrderBookDelta,
    OrderBookDeltas,
    OrderBookSnapshot,
)
from shrivenquant.model.enums import BookAction, OrderSide
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.model.values import Price, Quantity

N_DELTAS = 400_000
N_OBJECT_DELTAS = 100_000  # the model-object paths use a prefix of the stream
MESSAGE_SIZE = 20
LEVELS = 1_000
REPEATS = 5
TICK = 10_000_000  # 0.01 at the raw scale of 10**-9
LOT = 1_000_000  # 0.001
START_MID = 30_000 * 1_000_000_000 + TICK // 2
PRICE_PRECISION, SIZE_PRECISION = 2, 3
INSTRUMENT = InstrumentId("BTCUSDT.BINANCE")

Stream = tuple[list[int], list[int], list[int]]  # sides, raw prices, raw sizes


class _Side:
    """The generator's own view of one side: sorted prices with the best last."""

    def __init__(self, prices: list[int], is_bid: bool) -> None:
        self.sign = 1 if is_bid else -1
        self.keys = sorted(self.sign * price for price in prices)

    def top(self, index: int) -> int:
        return self.sign * self.keys[max(-len(self.keys), -1 - index)]

    def __contains__(self, price: int) -> bool:
        key = self.sign * price
        i = bisect_left(self.keys, key)
        return i < len(self.keys) and self.keys[i] == key

    def new_level(self, limit: int) -> int:
        """A price without a level: one tick better than the best when that stays within
        ``limit`` (a price on this side of the mid), else the first gap in the top levels,
        else one tick below the deepest level."""
        keys = self.keys
        if keys[-1] + TICK <= self.sign * limit:
            return self.sign * (keys[-1] + TICK)
        for i in range(1, min(50, len(keys))):
            if keys[-i] - keys[-i - 1] > TICK:
                return self.sign * (keys[-i] - TICK)
        return self.sign * (keys[0] - TICK)

    def add(self, price: int) -> None:
        insort(self.keys, self.sign * price)

    def remove(self, price: int) -> None:
        del self.keys[bisect_left(self.keys, self.sign * price)]


def _initial_levels() -> tuple[list[int], list[int]]:
    bids = [START_MID - TICK // 2 - i * TICK for i in range(LEVELS)]
    asks = [START_MID + TICK // 2 + i * TICK for i in range(LEVELS)]
    return bids, asks


def _generate(rng: random.Random) -> Stream:
    bid_prices, ask_prices = _initial_levels()
    bids, asks = _Side(bid_prices, True), _Side(ask_prices, False)
    sides: list[int] = []
    prices: list[int] = []
    sizes: list[int] = []
    mid = START_MID
    while len(sides) < N_DELTAS:
        if rng.random() < 0.05:
            mid += rng.choice((-TICK, TICK))
        is_bid = rng.random() < 0.5
        side, other = (bids, asks) if is_bid else (asks, bids)
        sign = 1 if is_bid else -1
        depth = min(int(rng.expovariate(1 / 4)), len(side.keys) - 1)
        roll = rng.random()
        if roll < 0.70 or len(side.keys) < 100:
            price = side.top(depth)
            size = rng.randint(1, 2_000) * LOT
        elif roll < 0.85:
            below = (mid // TICK) * TICK  # the mid sits half-way between two ticks
            # Stay on this side of the mid and a tick away from the other side's best.
            edge = other.top(0)
            limit = min(below, edge - TICK) if is_bid else max(below + TICK, edge + TICK)
            price = side.new_level(limit)
            side.add(price)
            size = rng.randint(1, 2_000) * LOT
        else:
            price = side.top(0)
            if sign * (price - mid) < 0:  # the mid has not moved through the top level
                price = side.top(depth)
            side.remove(price)
            size = 0
        sides.append(SIDE_BID if is_bid else SIDE_ASK)
        prices.append(price)
        sizes.append(size)
    return sides, prices, sizes


def _messages(stream: Stream) -> list[Stream]:
    sides, prices, sizes = stream
    return [
        (sides[i : i + MESSAGE_SIZE], prices[i : i + MESSAGE_SIZE], sizes[i : i + MESSAGE_SIZE])
        for i in range(0, len(sides), MESSAGE_SIZE)
    ]


def _snapshot(rng: random.Random) -> OrderBookSnapshot:
    bid_prices, ask_prices = _initial_levels()

    def level(price: int) -> BookLevel:
        return BookLevel(
            price=Price.from_raw(price, PRICE_PRECISION),
            size=Quantity.from_raw(rng.randint(1, 2_000) * LOT, SIZE_PRECISION),
        )

    return OrderBookSnapshot(
        instrument_id=INSTRUMENT,
        bids=[level(price) for price in bid_prices],
        asks=[level(price) for price in ask_prices],
        sequence=1,
        ts_event=1,
        ts_init=1,
    )


def _delta_objects(stream: Stream) -> list[OrderBookDeltas]:
    sides, prices, sizes = stream
    deltas = []
    for index in range(N_OBJECT_DELTAS):
        size = sizes[index]
        order = BookOrder(
            side=OrderSide.BUY if sides[index] == SIDE_BID else OrderSide.SELL,
            price=Price.from_raw(prices[index], PRICE_PRECISION),
            size=Quantity.from_raw(size, SIZE_PRECISION),
        )
        deltas.append(
            OrderBookDelta(
                instrument_id=INSTRUMENT,
                action=BookAction.UPDATE if size else BookAction.DELETE,
                order=order,
                sequence=2 + index,
                ts_event=2 + index,
                ts_init=2 + index,
            )
        )
    return [
        OrderBookDeltas(
            instrument_id=INSTRUMENT,
            deltas=deltas[i : i + MESSAGE_SIZE],
            ts_event=deltas[i].ts_event,
            ts_init=deltas[i].ts_init,
        )
        for i in range(0, len(deltas), MESSAGE_SIZE)
    ]


def _best_rate(prepare: Callable[[], L2Book], run: Callable[[L2Book], int]) -> float:
    """Best items per second over ``REPEATS`` runs on a freshly prepared book."""
    best_ns: int | None = None
    count = 0
    for _ in range(REPEATS + 1):  # the first run warms up
        book = prepare()
        gc.collect()
        start = time.perf_counter_ns()
        count = run(book)
        elapsed = time.perf_counter_ns() - start
        best_ns = elapsed if best_ns is None else min(best_ns, elapsed)
    assert best_ns is not None
    return count / (best_ns / 1e9)


def main() -> None:
    rng = random.Random(5)
    stream = _generate(rng)
    messages = _messages(stream)
    snapshot = _snapshot(rng)
    delta_messages = _delta_objects(stream)
    single_deltas = [delta for message in delta_messages for delta in message.deltas]

    def prepare() -> L2Book:
        book = L2Book(INSTRUMENT, PRICE_PRECISION, SIZE_PRECISION)
        book.apply_snapshot(snapshot)
        return book

    def raw_batch(book: L2Book) -> int:
        apply = book.apply_raw_batch
        for sides, prices, sizes in messages:
            apply(sides, prices, sizes)
        return len(stream[0])

    def raw_single(book: L2Book) -> int:
        update = book.update_raw
        buy, sell = OrderSide.BUY, OrderSide.SELL
        for side, price, size in zip(*stream, strict=True):
            update(buy if side == SIDE_BID else sell, price, size)
        return len(stream[0])

    def object_batches(book: L2Book) -> int:
        apply = book.apply_deltas
        for message in delta_messages:
            apply(message)
        return len(single_deltas)

    def object_single(book: L2Book) -> int:
        apply = book.apply_delta
        for delta in single_deltas:
            apply(delta)
        return len(single_deltas)

    def snapshots(book: L2Book) -> int:
        for _ in range(50):
            book.apply_snapshot(snapshot)
        return 50 * (len(snapshot.bids) + len(snapshot.asks))

    def best_objects(book: L2Book) -> int:
        best_bid, best_ask = book.best_bid, book.best_ask
        for _ in range(100_000):
            best_bid()
            best_ask()
        return 100_000

    def best_raw(book: L2Book) -> int:
        best_bid, best_ask = book.best_bid_raw, book.best_ask_raw
        for _ in range(200_000):
            best_bid()
            best_ask()
        return 200_000

    cases: list[tuple[str, str, Callable[[L2Book], int]]] = [
        ("deltas_per_s", f"apply_raw_batch, {MESSAGE_SIZE} per call", raw_batch),
        ("update_raw_per_s", "update_raw, one per call", raw_single),
        ("apply_deltas_per_s", f"apply_deltas, {MESSAGE_SIZE} per message", object_batches),
        ("apply_delta_per_s", "apply_delta, one OrderBookDelta per call", object_single),
        ("snapshot_levels_per_s", f"apply_snapshot, {2 * LEVELS:,} levels", snapshots),
        ("best_bid_ask_per_s", "best_bid() + best_ask() (BookLevel)", best_objects),
        ("best_bid_ask_raw_per_s", "best_bid_raw() + best_ask_raw()", best_raw),
    ]
    figures = {key: round(_best_rate(prepare, run)) for key, _, run in cases}

    final = prepare()
    raw_batch(final)
    table = Table(title=f"L2 book: {len(stream[0]):,} deltas, best of {REPEATS}")
    table.add_column("figure")
    table.add_column("operation")
    table.add_column("per second", justify="right")
    table.add_column("ns each", justify="right")
    for key, label, _ in cases:
        rate = figures[key]
        table.add_row(key, label, f"{rate:,.0f}", f"{1e9 / rate:,.0f}")
    console = Console()
    console.print(table)
    deletes = stream[2].count(0)
    console.print(
        f"stream: {deletes / len(stream[2]):.1%} deletes; end state {final.bid_depth} bid and "
        f"{final.ask_depth} ask levels, {final.unknown_deletes} unknown deletes, "
        f"crossed={final.is_crossed()}"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
