"""Message bus throughput: publish to 1 and 5 subscribers, via a wildcard, and send.

Run: ``python benchmarks/bench_bus.py``. Prints a table, then one JSON line of the figures.
"""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Callable

import msgspec
from rich.console import Console
from rich.table import Table

from shrivenquant.bus import MessageBus, topics

N_MSGS = 500_000
REPEATS = 7


class QuoteTick(msgspec.Struct, frozen=True):
    """A realistic small market data message (fixed-point raw ints, ns timestamps)."""

    instrument_id: str
    bid_price: int
    ask_price: int
    bid_size: int
    ask_size: int
    ts_event: int
    ts_init: int


class InstrumentId:
    """Stand-in with the attributes the topic builders read."""

    def __init__(self, symbol: str, venue: str) -> None:
        self.symbol = symbol
        self.venue = venue


class Counter:
    """A trivial handler: a bound method incrementing an int."""

    def __init__(self) -> None:
        self.count = 0

    def on_msg(self, msg: object) -> None:
        self.count += 1


def _best_rate(run: Callable[[int], None], n: int) -> float:
    """Return the best messages per second over ``REPEATS`` timed runs of ``n`` messages."""
    run(n // 10)  # warm up (resolves and caches the topic)
    timings: list[int] = []
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(REPEATS):
            start = time.perf_counter_ns()
            run(n)
            timings.append(time.perf_counter_ns() - start)
    finally:
        if gc_was_enabled:
            gc.enable()
    best_ns = min(timings)
    return n / (best_ns / 1e9)


def _publisher(bus: MessageBus, topic: str, msg: object) -> Callable[[int], None]:
    def run(n: int) -> None:
        publish = bus.publish
        for _ in range(n):
            publish(topic, msg)

    return run


def _sender(bus: MessageBus, endpoint: str, msg: object) -> Callable[[int], None]:
    def run(n: int) -> None:
        send = bus.send
        for _ in range(n):
            send(endpoint, msg)

    return run


def _empty_loop(n: int) -> None:
    for _ in range(n):
        pass


def main() -> None:
    iid = InstrumentId("BTCUSDT", "BINANCE")
    topic = topics.quotes(iid)
    msg = QuoteTick("BTCUSDT.BINANCE", 6_500_010_000_000_000, 6_500_020_000_000_000,
                    1_500_000_000, 2_000_000_000, 1_700_000_000_000_000_000,
                    1_700_000_000_000_100_000)  # fmt: skip

    one = MessageBus("bench-1")
    one.subscribe(topic, Counter().on_msg)

    five = MessageBus("bench-5")
    for priority in range(5):
        five.subscribe(topic, Counter().on_msg, priority=priority)

    wildcard = MessageBus("bench-wild")
    wildcard.subscribe(topics.quotes_all("BINANCE"), Counter().on_msg)
    for venue in ("NSE", "NFO", "SIM"):  # patterns that do not match must cost nothing
        wildcard.subscribe(topics.quotes_all(venue), Counter().on_msg)

    idle = MessageBus("bench-none")

    sender = MessageBus("bench-send")
    sender.register(topics.EXEC_ENGINE_EXECUTE, Counter().on_msg)

    rows = [
        ("publish, 1 subscriber", "msgs_per_s", _publisher(one, topic, msg), 1),
        ("publish, 5 subscribers", "msgs_per_s_5_subscribers", _publisher(five, topic, msg), 5),
        ("publish, wildcard subscriber", "msgs_per_s_wildcard",
         _publisher(wildcard, topic, msg), 1),
        ("publish, no subscribers", "msgs_per_s_no_subscribers",
         _publisher(idle, topic, msg), 0),
        ("send to endpoint", "send_per_s", _sender(sender, topics.EXEC_ENGINE_EXECUTE, msg), 1),
    ]  # fmt: skip

    loop_ns = 1e9 / _best_rate(_empty_loop, N_MSGS)
    figures: dict[str, float] = {}
    table = Table(title=f"MessageBus throughput (best of {REPEATS} x {N_MSGS:,} messages)")
    table.add_column("case")
    table.add_column("msgs/s", justify="right")
    table.add_column("ns/msg", justify="right")
    table.add_column("handler calls/s", justify="right")
    for label, key, run, fan_out in rows:
        rate = _best_rate(run, N_MSGS)
        figures[key] = round(rate)
        table.add_row(label, f"{rate:,.0f}", f"{1e9 / rate:,.0f}", f"{rate * fan_out:,.0f}")
    figures["loop_overhead_ns"] = round(loop_ns, 1)

    console = Console()
    console.print(table)
    console.print(f"timing loop overhead: {loop_ns:.1f} ns per iteration (included above)")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
