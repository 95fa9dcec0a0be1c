"""Crash test: kill an engine process with SIGKILL at random points, restart from its journal.

Each run starts `crash_flow.py` in a separate process with a seed and an fsync policy and kills
it at a random step. The journal left on disk is then reopened (which repairs a torn tail) and
checked against a reference run of the same seeded flow in this process:

- no acknowledged record is lost: the journal holds at least every record the process reported
  durable before it died;
- nothing is lost or duplicated: the journal's records are exactly the reference's first records;
- recovery is exact: an engine restarted from the journal has the same orders, positions and
  account states as an engine replaying the reference up to the same record, and, where that
  record ends a step, the same state the live reference engine had after that step.

``SQ_CRASH_RUNS`` sets the number of runs (50 by default; a nightly job runs more) and
``SQ_CRASH_SEED`` the first seed.
"""

from __future__ import annotations

import functools
import json
import os
import random
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shrivenquant.execution import trading_state_snapshot
from shrivenquant.model.codec import MessageCodec
from shrivenquant.model.commands import SubmitOrder, SubmitOrderList
from shrivenquant.model.messages import Message
from shrivenquant.persistence.journal import EventJournal, FsyncPolicy, JournalConfig

from .crash_flow import CrashFlow, MemoryJournal, build_engine

RUNS = int(os.environ.get("SQ_CRASH_RUNS", "50"))
FIRST_SEED = int(os.environ.get("SQ_CRASH_SEED", "20240601"))
STEPS = 150
FLOW_SCRIPT = Path(__file__).with_name("crash_flow.py")
_UNIQUE_IDS = frozenset({"event_id", "command_id", "report_id"})
_codec = MessageCodec()


@dataclass(frozen=True)
class Reference:
    """The records of a full in-process run, and the state after each step."""

    records: list[Message]
    after_step: dict[int, dict[str, Any]]


@functools.cache
def reference(seed: int) -> Reference:
    journal = MemoryJournal()
    flow = CrashFlow(journal, seed)
    after_step = {len(journal.records): trading_state_snapshot(flow.cache)}
    for _ in range(STEPS):
        flow.step()
        after_step[len(journal.records)] = trading_state_snapshot(flow.cache)
    return Reference(journal.records, after_step)


def normalized(message: Message) -> Any:
    """The message as plain data without its random ids."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in _UNIQUE_IDS}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(json.loads(_codec.encode_json(message)))


@dataclass(frozen=True)
class Crash:
    seed: int
    policy: str
    directory: Path
    kill_step: int | None
    acked_durable: int
    finished: bool


def run_and_kill(seed: int, policy: str, directory: Path, kill_step: int | None) -> Crash:
    """Run the flow in a child process and SIGKILL it once it reports ``kill_step``."""
    with (directory.parent / f"{directory.name}.stderr").open("wb") as stderr:
        child = subprocess.Popen(
            [sys.executable, str(FLOW_SCRIPT), str(directory), str(seed), str(STEPS), policy],
            stdout=subprocess.PIPE,
            stderr=stderr,
        )
        assert child.stdout is not None
        lines: list[str] = []
        target = None if kill_step is None else f"STEP {kill_step} "
        for raw in child.stdout:
            line = raw.decode()
            lines.append(line)
            if target is not None and line.startswith(target):
                child.send_signal(signal.SIGKILL)
                break
        rest, _ = child.communicate(timeout=60)
        lines.extend(rest.decode().splitlines())
    acked = 0
    for line in lines:
        parts = line.split()
        if parts and parts[0] == "DURABLE":
            acked = max(acked, int(parts[1]))
        elif parts and parts[0] == "STEP":
            acked = max(acked, int(parts[3]))
    finished = any(line.startswith("DONE") for line in lines)
    assert finished or child.returncode == -signal.SIGKILL, (
        f"seed {seed}: the flow process failed (exit {child.returncode}); see its stderr"
    )
    return Crash(seed, policy, directory, kill_step, acked, finished)


def check_recovery(crash: Crash) -> None:
    where = f"seed {crash.seed} {crash.policy} killed after step {crash.kill_step}"
    ref = reference(crash.seed)
    config = JournalConfig(path=crash.directory, fsync_policy=FsyncPolicy.NEVER)
    with EventJournal.open(config, MessageCodec()) as journal:  # repairs a torn tail
        records = [message for _, message in journal.replay()]
        durable = len(records)
        assert durable >= crash.acked_durable, f"{where}: acknowledged records were lost"
        assert durable <= len(ref.records), f"{where}: more records than the whole flow"
        assert [normalized(r) for r in records] == [normalized(r) for r in ref.records[:durable]], (
            f"{where}: the journal differs from the reference flow"
        )
        _, _, cache = build_engine(journal)
        recovered = trading_state_snapshot(cache)
    _, _, ref_cache = build_engine(MemoryJournal(ref.records[:durable]))
    assert recovered == trading_state_snapshot(ref_cache), f"{where}: state differs"
    if durable in ref.after_step:
        assert recovered == ref.after_step[durable], f"{where}: state differs from the live run"
    submitted = set()
    for record in records:
        if isinstance(record, SubmitOrder):
            submitted.add(record.order.client_order_id.value)
        elif isinstance(record, SubmitOrderList):
            submitted.update(init.client_order_id.value for init in record.orders)
    assert set(recovered["orders"]) == submitted, f"{where}: orders lost or invented"
    if crash.finished:
        assert durable == len(ref.records), f"{where}: a finished run lost records"


def test_engine_recovers_exactly_after_sigkill(tmp_path: Path) -> None:
    rng = random.Random(FIRST_SEED)
    plans = []
    for i in range(RUNS):
        policy = "every_record" if i % 2 == 0 else "group_commit"
        kill_step = None if rng.random() < 0.06 else rng.randint(0, STEPS - 1)
        plans.append((FIRST_SEED + i, policy, tmp_path / f"run-{i}", kill_step))
    with ThreadPoolExecutor(max_workers=2) as pool:
        crashes = list(pool.map(lambda plan: run_and_kill(*plan), plans))
    for crash in crashes:
        check_recovery(crash)
    killed_mid_flow = [c for c in crashes if not c.finished]
    assert len(killed_mid_flow) >= RUNS // 2, "most runs must die before the end of the flow"
