"""Benchmark of the event journal: group-commit append throughput and replay throughput.

Run: ``python benchmarks/bench_journal.py``. The last line printed is a JSON object with the
figures: ``events_per_s`` (encode + append of the model's `OrderFilled` events under group commit,
ending with ``sync()``), ``mb_per_s`` (framed bytes per second in that run),
``preencoded_events_per_s`` and ``preencoded_mb_per_s`` (append of ready-made payloads),
``locked_preencoded_events_per_s`` (the same with a lock taken per append, for comparison),
``every_record_events_per_s`` (fsync inside every append; bound by the disk),
``replay_events_per_s`` (records read and CRC-checked), ``replay_batches_events_per_s`` and
``replay_decode_events_per_s`` (replay plus decode back to `OrderFilled`).
"""

from __future__ import annotations

import json
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from shrivenquant.core.uuid import UUID4
from shrivenquant.model.codec import MessageCodec
from shrivenquant.model.currency import USDT
from shrivenquant.model.enums import LiquiditySide, OrderSide, OrderType
from shrivenquant.model.events import OrderFilled
from shrivenquant.model.identifiers import (
    AccountId,
    ClientOrderId,
    InstrumentId,
    StrategyId,
    TradeId,
    TraderId,
    VenueOrderId,
)
from shrivenquant.model.values import Money, Price, Quantity
from shrivenquant.persistence.journal import (
    FsyncPolicy,
    JournalConfig,
    JournalReader,
    JournalWriter,
)

N_EVENTS = 200_000
N_EVERY_RECORD = 200
REPEATS = 5


def make_events(n: int) -> list[OrderFilled]:
    """Return ``n`` distinct, realistic `OrderFilled` events of the model."""
    base_ts = 1_733_000_000_000_000_000
    trader, strategy = TraderId("TRADER-001"), StrategyId("EMACross-001")
    instrument, account = InstrumentId("BTCUSDT.BINANCE"), AccountId("BINANCE-001")
    return [
        OrderFilled(
            trader_id=trader,
            strategy_id=strategy,
            instrument_id=instrument,
            client_order_id=ClientOrderId(f"O-20241201-000000-001-001-{i}"),
            venue_order_id=VenueOrderId(f"{28_457_000_000 + i}"),
            account_id=account,
            trade_id=TradeId(f"{3_312_000_000 + i}"),
            order_side=OrderSide.BUY if i % 2 else OrderSide.SELL,
            order_type=OrderType.LIMIT,
            last_qty=Quantity(f"0.{i % 1000:03d}50"),
            last_px=Price(f"{97_000 + i % 500}.12"),
            currency=USDT,
            commission=Money(f"0.0000{i % 97:02d}31", USDT),
            liquidity_side=LiquiditySide.MAKER,
            event_id=UUID4(),
            ts_event=base_ts + i * 1_000_000,
            ts_init=base_ts + i * 1_000_000 + 250_000,
        )
        for i in range(n)
    ]


def fresh_dir(root: Path, name: str) -> Path:
    """Return an empty directory ``root/name``."""
    path = root / name
    shutil.rmtree(path, ignore_errors=True)
    return path


def best_of(run: Callable[[], int], repeats: int) -> tuple[int, list[int]]:
    """Run ``run`` (which returns elapsed ns) ``repeats`` times; return the best and all."""
    times = [run() for _ in range(repeats)]
    return min(times), times


def main() -> None:
    console = Console()
    events = make_events(N_EVENTS)
    codec = MessageCodec()
    encoder = decoder = codec
    payloads = [encoder.encode(e) for e in events]
    framed_bytes = sum(len(p) + 16 for p in payloads)
    avg_payload = statistics.fmean(len(p) for p in payloads)
    root = Path(tempfile.mkdtemp(prefix="sq-bench-journal-"))
    try:

        def config(name: str) -> JournalConfig:
            return JournalConfig(
                path=fresh_dir(root, name),
                fsync_policy=FsyncPolicy.GROUP_COMMIT,
                group_commit_interval_ms=5,
            )

        def run_encode_append() -> int:
            cfg = config("encode")
            encode = encoder.encode
            with JournalWriter.open(cfg) as writer:
                append = writer.append
                start = time.perf_counter_ns()
                for event in events:
                    append(encode(event))
                writer.sync()
                return time.perf_counter_ns() - start

        def run_preencoded_append() -> int:
            cfg = config("pre")
            with JournalWriter.open(cfg) as writer:
                append = writer.append
                start = time.perf_counter_ns()
                for payload in payloads:
                    append(payload)
                writer.sync()
                return time.perf_counter_ns() - start

        def run_locked_append() -> int:
            # The same appends with a lock taken per call: what a locked append path would cost.
            cfg = config("locked")
            lock = threading.Lock()
            with JournalWriter.open(cfg) as writer:
                append = writer.append
                start = time.perf_counter_ns()
                for payload in payloads:
                    with lock:
                        append(payload)
                writer.sync()
                return time.perf_counter_ns() - start

        def run_every_record() -> int:
            cfg = JournalConfig(
                path=fresh_dir(root, "every"), fsync_policy=FsyncPolicy.EVERY_RECORD
            )
            with JournalWriter.open(cfg) as writer:
                append = writer.append
                start = time.perf_counter_ns()
                for payload in payloads[:N_EVERY_RECORD]:
                    append(payload)
                return time.perf_counter_ns() - start

        run_preencoded_append()  # warm-up (allocator, page cache)
        enc_ns, _ = best_of(run_encode_append, REPEATS)
        pre_ns, _ = best_of(run_preencoded_append, REPEATS)
        locked_ns, _ = best_of(run_locked_append, REPEATS)
        every_ns, _ = best_of(run_every_record, 3)

        reader = JournalReader(root / "pre")

        def run_replay() -> int:
            start = time.perf_counter_ns()
            count = 0
            for _seq, _payload in reader.replay():
                count += 1
            elapsed = time.perf_counter_ns() - start
            assert count == N_EVENTS
            return elapsed

        def run_replay_batches() -> int:
            start = time.perf_counter_ns()
            count = 0
            for batch in reader.replay_batches():
                count += len(batch)
            elapsed = time.perf_counter_ns() - start
            assert count == N_EVENTS
            return elapsed

        def run_replay_decode() -> int:
            decode = decoder.decode
            start = time.perf_counter_ns()
            count = 0
            for batch in reader.replay_batches():
                for _seq, payload in batch:
                    decode(payload)
                count += len(batch)
            elapsed = time.perf_counter_ns() - start
            assert count == N_EVENTS
            return elapsed

        run_replay()
        replay_ns, _ = best_of(run_replay, REPEATS)
        batches_ns, _ = best_of(run_replay_batches, REPEATS)
        decode_ns, _ = best_of(run_replay_decode, REPEATS)
    finally:
        shutil.rmtree(root, ignore_errors=True)

    def rate(ns: int) -> float:
        return N_EVENTS / (ns / 1e9)

    def mbps(ns: int) -> float:
        return framed_bytes / (ns / 1e9) / 1e6

    figures = {
        "events": N_EVENTS,
        "payload_bytes_avg": round(avg_payload, 1),
        "events_per_s": round(rate(enc_ns)),
        "mb_per_s": round(mbps(enc_ns), 1),
        "preencoded_events_per_s": round(rate(pre_ns)),
        "preencoded_mb_per_s": round(mbps(pre_ns), 1),
        "locked_preencoded_events_per_s": round(rate(locked_ns)),
        "every_record_events_per_s": round(N_EVERY_RECORD / (every_ns / 1e9)),
        "replay_events_per_s": round(rate(replay_ns)),
        "replay_batches_events_per_s": round(rate(batches_ns)),
        "replay_decode_events_per_s": round(rate(decode_ns)),
    }
    table = Table(title=f"Event journal ({N_EVENTS:,} events, best of {REPEATS})")
    table.add_column("case")
    table.add_column("events/s", justify="right")
    table.add_column("MB/s", justify="right")
    table.add_column("ns/event", justify="right")
    rows = [
        ("encode + append, group commit, sync", enc_ns, True),
        ("append pre-encoded, group commit, sync", pre_ns, True),
        ("  same, with a lock taken per append", locked_ns, True),
        ("replay (CRC-checked)", replay_ns, True),
        ("replay_batches (CRC-checked)", batches_ns, True),
        ("replay + msgspec decode", decode_ns, False),
    ]
    for name, ns, with_mb in rows:
        table.add_row(
            name,
            f"{rate(ns):,.0f}",
            f"{mbps(ns):,.1f}" if with_mb else "-",
            f"{ns / N_EVENTS:,.0f}",
        )
    console.print(table)
    every_us = every_ns / N_EVERY_RECORD / 1e3
    console.print(f"EVERY_RECORD (fsync per append): {every_us:,.0f} us per append")
    console.print(f"average payload {avg_payload:.1f} bytes, framed {framed_bytes:,} bytes")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
