"""Benchmark of the in-process order path, with the journal on (group commit).

Run: ``python benchmarks/bench_order_path.py``. One round trip is: a `SubmitOrder` sent to the
execution engine (journaled) -> `SimExecutionClient` (zero latency) -> the simulated venue
(checks, accept, match against the quoted top of book, book the fill, report the balances) ->
`OrderSubmitted`, `OrderAccepted`, `OrderFilled` and `AccountState` back through the engine
(each journaled, applied to the order, the position updated) -> the portfolio updated from the
published events. The commands are built before the clock starts (a strategy builds its order
before it submits it); everything after ``bus.send`` is timed. Once the components run, the
garbage collection policy a node applies (`apply_gc_policy` with the default ``[gc]`` settings)
is applied the same way; the table shows the collections and their longest pause.

The last line printed is a JSON object: ``orders_per_s`` (round trips per second, best of the
repeats), ``p50_us`` and ``p99_us`` (latency of one round trip over every measured order),
``peak_rss_mb`` (peak resident memory of the process).
"""

from __future__ import annotations

import gc
import json
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from shrivenquant.bus import MessageBus, topics
from shrivenquant.cache import Cache
from shrivenquant.core.clock import TestClock
from shrivenquant.core.uuid import UUID4
from shrivenquant.execution import ExecutionEngine
from shrivenquant.model.codec import MessageCodec
from shrivenquant.model.commands import SubmitOrder
from shrivenquant.model.currency import BTC, USDT
from shrivenquant.model.data import QuoteTick
from shrivenquant.model.enums import OrderSide, OrderStatus, OrderType, TimeInForce
from shrivenquant.model.events import OrderInitialized
from shrivenquant.model.identifiers import ClientOrderId, StrategyId, TraderId
from shrivenquant.model.messages import Message
from shrivenquant.model.values import Money, Price, Quantity
from shrivenquant.persistence.journal import EventJournal, FsyncPolicy, JournalConfig
from shrivenquant.portfolio import Portfolio
from shrivenquant.runtime.gc_policy import GcConfig, apply_gc_policy
from shrivenquant.sim import SimExecutionClient, SimulatedVenue, SimulatedVenueConfig
from shrivenquant.telemetry.logging import configure_logging
from shrivenquant.testkit.instruments import TestInstrumentProvider

WARMUP = 2_000
ORDERS = 10_000
REPEATS = 3
TRADER = TraderId("TRADER-001")
STRATEGY = StrategyId("BENCH-001")


class Kernel:
    """The order path's components, wired as a backtest node wires them."""

    def __init__(self, journal_dir: Path) -> None:
        self.clock = TestClock(1_733_000_000_000_000_000)
        self.bus = MessageBus()
        self.cache = Cache()
        self.instrument = TestInstrumentProvider.btcusdt_binance()
        self.cache.add_instrument(self.instrument)
        self.journal: EventJournal[Message] = EventJournal.open(
            JournalConfig(
                path=journal_dir,
                fsync_policy=FsyncPolicy.GROUP_COMMIT,
                group_commit_interval_ms=5,
            ),
            MessageCodec(),
        )
        self.engine = ExecutionEngine(
            TRADER, self.bus, self.clock, self.cache, journal=self.journal
        )
        self.portfolio = Portfolio(TRADER, self.bus, self.clock, self.cache)
        self.venue = SimulatedVenue(
            SimulatedVenueConfig(
                venue="BINANCE",
                starting_balances=(Money("1000000000", USDT), Money("1000000", BTC)),
            ),
            self.clock,
        )
        self.venue.add_instrument(self.instrument)
        self.client = SimExecutionClient(TRADER, self.bus, self.clock, sim_venue=self.venue)
        self.engine.register_client(self.client)
        self.engine.start()
        self.portfolio.start()
        self.client.start()
        self.gc_policy = apply_gc_policy(GcConfig())
        self._count = 0

    def quote(self) -> None:
        """A deep top of book for the orders to take."""
        now = self.clock.timestamp_ns()
        self.venue.process(
            QuoteTick(
                instrument_id=self.instrument.id,
                bid_price=Price("49999.99"),
                ask_price=Price("50000.01"),
                bid_size=Quantity("100000.00000"),
                ask_size=Quantity("100000.00000"),
                ts_event=now,
                ts_init=now,
            )
        )

    def commands(self, n: int) -> list[SubmitOrder]:
        """``n`` market orders, buys and sells in turn, built ahead of time."""
        commands = []
        quantity = Quantity("0.00100")
        for _ in range(n):
            self._count += 1
            now = self.clock.timestamp_ns()
            init = OrderInitialized(
                trader_id=TRADER,
                strategy_id=STRATEGY,
                instrument_id=self.instrument.id,
                client_order_id=ClientOrderId(f"O-{self._count}"),
                order_side=OrderSide.BUY if self._count % 2 else OrderSide.SELL,
                order_type=OrderType.MARKET,
                quantity=quantity,
                time_in_force=TimeInForce.IOC,
                event_id=UUID4(),
                ts_event=now,
                ts_init=now,
            )
            commands.append(
                SubmitOrder(
                    trader_id=TRADER,
                    strategy_id=STRATEGY,
                    instrument_id=self.instrument.id,
                    order=init,
                    command_id=UUID4(),
                    ts_event=now,
                    ts_init=now,
                )
            )
        return commands

    def run(self, commands: list[SubmitOrder]) -> tuple[int, list[int]]:
        """Send every command; return the total and per-order nanoseconds."""
        send = self.bus.send
        endpoint = topics.EXEC_ENGINE_EXECUTE
        clock = time.perf_counter_ns
        latencies = []
        start = clock()
        for command in commands:
            begin = clock()
            send(endpoint, command)
            latencies.append(clock() - begin)
        total = clock() - start
        last = self.cache.order(commands[-1].order.client_order_id)
        if last is None or last.status is not OrderStatus.FILLED:
            raise RuntimeError(f"the last order did not fill: {last!r}")
        return total, latencies

    def close(self) -> None:
        self.gc_policy.restore()
        self.journal.close()


class GcPauses:
    """Collections made by the garbage collector while installed, and their longest pause."""

    def __init__(self) -> None:
        self.count = 0
        self.longest_ns = 0
        self._began = 0

    def __enter__(self) -> GcPauses:
        gc.callbacks.append(self._on_gc)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = time.perf_counter_ns()
            return
        self.count += 1
        self.longest_ns = max(self.longest_ns, time.perf_counter_ns() - self._began)


def main() -> None:
    configure_logging(level="ERROR")
    console = Console()
    root = Path(tempfile.mkdtemp(prefix="sq-bench-order-path-"))
    try:
        kernel = Kernel(root / "journal")
        kernel.quote()
        kernel.run(kernel.commands(WARMUP))
        totals: list[int] = []
        latencies: list[int] = []
        with GcPauses() as pauses:
            for _ in range(REPEATS):
                kernel.quote()
                commands = kernel.commands(ORDERS)
                total, each = kernel.run(commands)
                totals.append(total)
                latencies.extend(each)
        kernel.journal.sync()
        records = kernel.journal.last_seq
        kernel.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    best = min(totals)
    latencies.sort()
    orders_per_s = ORDERS * 1e9 / best
    p50_us = statistics.median(latencies) / 1_000
    p99_us = latencies[int(len(latencies) * 0.99) - 1] / 1_000
    p999_us = latencies[int(len(latencies) * 0.999) - 1] / 1_000
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_rss_mb = peak_kb / 1024 if sys.platform != "darwin" else peak_kb / 1024 / 1024
    table = Table(title="Order path: submit -> OMS -> simulated venue -> filled -> portfolio")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    table.add_row("orders per second (best of repeats)", f"{orders_per_s:,.0f}", ">= 50,000")
    table.add_row("p50 round trip (us)", f"{p50_us:,.1f}", "")
    table.add_row("p99 round trip (us)", f"{p99_us:,.1f}", "<= 100")
    table.add_row("p99.9 round trip (us)", f"{p999_us:,.1f}", "")
    table.add_row(
        "GC collections (longest pause, ms)", f"{pauses.count} ({pauses.longest_ns / 1e6:,.2f})", ""
    )
    table.add_row("peak RSS (MB)", f"{peak_rss_mb:,.1f}", "")
    table.add_row("journal records", f"{records:,}", "")
    table.add_row("orders measured", f"{ORDERS * REPEATS:,} (+{WARMUP:,} warm-up)", "")
    console.print(table)
    print(
        json.dumps(
            {
                "orders_per_s": round(orders_per_s),
                "p50_us": round(p50_us, 1),
                "p99_us": round(p99_us, 1),
                "peak_rss_mb": round(peak_rss_mb, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
