"""Matching book throughput: a realistic mix of passive adds, cancels and aggressive orders.

Run: ``python benchmarks/bench_matching.py``. Prints a table, then one JSON line of the figures.

An order flow is generated beforehand with a seeded RNG against a drifting mid: about 60 %
passive limit orders a few ticks from the touch, 30 % cancels of resting orders (some of which
have filled meanwhile, as in real flow), 10 % aggressive orders that sweep one or more levels.
``ops_per_s`` replays the whole flow on a fresh `MatchingBook`, best of several runs, with the
Python dispatch loop included. ``p50_us``/``p99_us`` come from a separate pass timing every
operation on its own (that pass includes the clock's overhead).
"""

from __future__ import annotations

import gc
import json
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.table import Table

from shrivenquant.book import MatchingBook
from shrivenquant.model.enums import OrderSide
from shrivenquant.model.identifiers import InstrumentId

N_OPS = 300_000
REPEATS = 5
TICK = 10_000_000  # 0.01 at the raw scale of 10**-9
LOT = 1_000_000  # 0.001
START_MID = 30_000 * 1_000_000_000
SEED_LEVELS = 40
INSTRUMENT = InstrumentId("BTCUSDT.BINANCE")

Op = tuple[int, tuple[Any, ...]]  # (kind, arguments); kinds below
ADD, CANCEL, MATCH = 0, 1, 2


def _new_book() -> MatchingBook:
    return MatchingBook(INSTRUMENT, price_precision=2, size_precision=3)


def _generate(seed: int) -> list[Op]:
    """Build the order flow by running it once on a book, so cancels name live orders."""
    rng = random.Random(seed)
    book = _new_book()
    ops: list[Op] = []
    live: list[int] = []
    next_id = 1
    buy, sell = OrderSide.BUY, OrderSide.SELL

    def run(op: Op) -> None:
        kind, args = op
        if kind == ADD:
            book.add(*args)
        elif kind == CANCEL:
            book.cancel(*args)
        else:
            book.match(*args)
        ops.append(op)

    mid = START_MID
    for level in range(1, SEED_LEVELS + 1):
        for side, price in ((buy, mid - level * TICK), (sell, mid + level * TICK)):
            for _ in range(3):
                run((ADD, (next_id, side, price, rng.randint(1, 500) * LOT, 0)))
                live.append(next_id)
                next_id += 1
    seeded = len(ops)
    while len(ops) < seeded + N_OPS:
        mid += rng.choice((-TICK, 0, 0, TICK))
        roll = rng.random()
        if roll < 0.6 or not live:
            side = buy if rng.random() < 0.5 else sell
            best_bid, best_ask = book.best_bid_raw(), book.best_ask_raw()
            offset = (1 + min(int(rng.expovariate(0.25)), 60)) * TICK
            if side is buy:
                price = mid - offset
                if best_ask is not None and price >= best_ask[0]:
                    price = best_ask[0] - TICK
            else:
                price = mid + offset
                if best_bid is not None and price <= best_bid[0]:
                    price = best_bid[0] + TICK
            run((ADD, (next_id, side, price, rng.randint(1, 500) * LOT, len(ops))))
            live.append(next_id)
            next_id += 1
        elif roll < 0.9:
            # Cancel a random order; ids that filled meanwhile are dropped, and about one
            # cancel in twenty is left to miss, as when a fill and a cancel cross.
            order_id = _pop_random(rng, live)
            while order_id not in book and live and rng.random() < 0.95:
                order_id = _pop_random(rng, live)
            run((CANCEL, (order_id,)))
        else:
            side = buy if rng.random() < 0.5 else sell
            qty = rng.randint(100, 1500) * LOT
            if rng.random() < 0.3:
                run((MATCH, (side, None, qty)))
            else:
                best = book.best_ask_raw() if side is buy else book.best_bid_raw()
                reach = rng.randint(0, 3) * TICK
                limit = START_MID if best is None else best[0] + (reach if side is buy else -reach)
                run((MATCH, (side, limit, qty)))
    return ops


def _pop_random(rng: random.Random, items: list[int]) -> int:
    index = rng.randrange(len(items))
    items[index], items[-1] = items[-1], items[index]
    return items.pop()


def _bind(book: MatchingBook, ops: list[Op]) -> list[tuple[Callable[..., object], tuple[Any, ...]]]:
    methods = (book.add, book.cancel, book.match)
    return [(methods[kind], args) for kind, args in ops]


def _throughput(ops: list[Op]) -> tuple[float, int]:
    best_ns: int | None = None
    resting = 0
    for _ in range(REPEATS + 1):  # the first run warms up
        book = _new_book()
        calls = _bind(book, ops)
        gc.collect()
        start = time.perf_counter_ns()
        for method, args in calls:
            method(*args)
        elapsed = time.perf_counter_ns() - start
        best_ns = elapsed if best_ns is None else min(best_ns, elapsed)
        resting = len(book)
    assert best_ns is not None
    return len(ops) / (best_ns / 1e9), resting


def _latencies(ops: list[Op]) -> dict[int, list[int]]:
    book = _new_book()
    calls = _bind(book, ops)
    clock = time.perf_counter_ns
    by_kind: dict[int, list[int]] = {ADD: [], CANCEL: [], MATCH: []}
    for (method, args), (kind, _) in zip(calls, ops, strict=True):
        start = clock()
        method(*args)
        by_kind[kind].append(clock() - start)
    return by_kind


def _percentile(samples: list[int], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] / 1000


def main() -> None:
    ops = _generate(seed=11)
    kinds = [kind for kind, _ in ops]
    rate, resting = _throughput(ops)
    by_kind = _latencies(ops)
    all_samples = [sample for samples in by_kind.values() for sample in samples]
    figures = {
        "ops_per_s": round(rate),
        "p50_us": round(_percentile(all_samples, 0.50), 3),
        "p99_us": round(_percentile(all_samples, 0.99), 3),
    }

    table = Table(title=f"Matching book: {len(ops):,} operations, best of {REPEATS}")
    table.add_column("operation")
    table.add_column("count", justify="right")
    table.add_column("p50 us", justify="right")
    table.add_column("p99 us", justify="right")
    table.add_column("mean us", justify="right")
    names = {ADD: "add (passive limit)", CANCEL: "cancel", MATCH: "match (aggressive)"}
    for kind, samples in by_kind.items():
        table.add_row(
            names[kind],
            f"{kinds.count(kind):,}",
            f"{_percentile(samples, 0.5):.2f}",
            f"{_percentile(samples, 0.99):.2f}",
            f"{statistics.fmean(samples) / 1000:.2f}",
        )
    table.add_row(
        "all", f"{len(ops):,}", f"{figures['p50_us']:.2f}", f"{figures['p99_us']:.2f}", ""
    )
    console = Console()
    console.print(table)
    console.print(f"throughput: [bold]{rate:,.0f}[/bold] ops/s; {resting:,} orders rest at the end")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
