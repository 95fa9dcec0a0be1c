"""Fixed-point value throughput: Price/Quantity/Money arithmetic, parsing and formatting.

Run: ``python benchmarks/bench_values.py``. Prints a table, then one JSON line of the figures.
Each figure is operations per second, best of several runs over pre-built operands, with the
Python loop overhead included (it is part of every real use). ``ops_per_s`` is the mixed
add/sub/compare rate; ``decimal_add_per_s`` is the stdlib ``Decimal`` addition for reference.
"""

from __future__ import annotations

import gc
import json
import random
import time
from collections.abc import Callable
from itertools import pairwise

from rich.console import Console
from rich.table import Table

from shrivenquant.model.currency import USDT
from shrivenquant.model.values import Money, Price, Quantity

N_OPS = 200_000
REPEATS = 7


def _best_rate(run: Callable[[], int]) -> float:
    """Best operations per second over ``REPEATS`` runs; ``run`` returns its operation count."""
    run()  # warm up
    best_ns = None
    ops = 0
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(REPEATS):
            start = time.perf_counter_ns()
            ops = run()
            elapsed = time.perf_counter_ns() - start
            best_ns = elapsed if best_ns is None else min(best_ns, elapsed)
    finally:
        if gc_was_enabled:
            gc.enable()
    assert best_ns is not None
    return ops / (best_ns / 1e9)


def _prices(rng: random.Random, n: int) -> list[Price]:
    return [Price.from_raw(rng.randrange(1, 100_000_000) * 10_000_000, 2) for _ in range(n)]


def main() -> None:
    rng = random.Random(7)
    prices = _prices(rng, N_OPS + 1)
    pairs = list(pairwise(prices))
    quantities = [Quantity.from_raw(p.raw, 2) for p in prices]
    q_pairs = list(pairwise(quantities))
    money = [Money.from_raw(p.raw, USDT) for p in prices]
    m_pairs = list(pairwise(money))
    decimals = [p.as_decimal() for p in prices]
    d_pairs = list(pairwise(decimals))
    texts = [str(p) for p in prices[:N_OPS]]
    raws = [p.raw for p in prices[:N_OPS]]

    def mixed() -> int:
        hits = 0
        for a, b in pairs:
            total = a + b
            if total - b < a:
                hits += 1
        return 3 * len(pairs)

    def add() -> int:
        for a, b in pairs:
            _ = a + b
        return len(pairs)

    def sub() -> int:
        for a, b in pairs:
            _ = a - b
        return len(pairs)

    def compare() -> int:
        for a, b in pairs:
            _ = a < b
        return len(pairs)

    def equal() -> int:
        for a, b in pairs:
            _ = a == b
        return len(pairs)

    def mul_int() -> int:
        for a in prices:
            _ = a * 3
        return len(prices)

    def quantity_add() -> int:
        for a, b in q_pairs:
            _ = a + b
        return len(q_pairs)

    def money_add() -> int:
        for a, b in m_pairs:
            _ = a + b
        return len(m_pairs)

    def decimal_add() -> int:
        for a, b in d_pairs:
            _ = a + b
        return len(d_pairs)

    def from_raw() -> int:
        make = Price.from_raw
        for raw in raws:
            _ = make(raw, 2)
        return len(raws)

    def from_str() -> int:
        parse = Price.from_str
        for text in texts:
            _ = parse(text)
        return len(texts)

    def to_str() -> int:
        for p in prices:
            _ = str(p)
        return len(prices)

    cases: list[tuple[str, str, Callable[[], int]]] = [
        ("ops_per_s", "mixed Price add/sub/compare", mixed),
        ("add_per_s", "Price + Price", add),
        ("sub_per_s", "Price - Price", sub),
        ("compare_per_s", "Price < Price", compare),
        ("eq_per_s", "Price == Price", equal),
        ("mul_int_per_s", "Price * int", mul_int),
        ("quantity_add_per_s", "Quantity + Quantity", quantity_add),
        ("money_add_per_s", "Money + Money (same currency)", money_add),
        ("from_raw_per_s", "Price.from_raw", from_raw),
        ("from_str_per_s", "Price.from_str", from_str),
        ("str_per_s", "str(Price)", to_str),
        ("decimal_add_per_s", "Decimal + Decimal (reference)", decimal_add),
    ]
    figures = {key: round(_best_rate(run)) for key, _, run in cases}

    table = Table(title=f"Fixed-point values (best of {REPEATS} x {N_OPS:,} operations)")
    table.add_column("operation")
    table.add_column("ops/s", justify="right")
    table.add_column("ns/op", justify="right")
    for key, label, _ in cases:
        rate = figures[key]
        table.add_row(label, f"{rate:,.0f}", f"{1e9 / rate:,.0f}")
    Console().print(table)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
