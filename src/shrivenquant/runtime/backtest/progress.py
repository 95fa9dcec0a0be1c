"""The progress bar of a long backtest (rich), measured in simulated time.

When the data's time span is known the bar fills from the first record's time to the last;
otherwise it counts records. It is refreshed every `UPDATE_EVERY` records, so it costs nothing
measurable per record.
"""

from __future__ import annotations

import sys
from typing import Final

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from shrivenquant.core.time import unix_nanos_to_iso8601

UPDATE_EVERY: Final = 4_096
"""Records between refreshes (a power of two: the loop tests ``count & (UPDATE_EVERY - 1)``)."""
LONG_RUN_RECORDS: Final = 50_000
"""With ``progress=None``, runs of at least this many records (or of unknown length) show a
bar on a terminal."""


def wants_progress(setting: bool | None, records: int | None) -> bool:
    """Whether to show a bar: as configured, else on a terminal for long runs."""
    if setting is not None:
        return setting
    long_run = records is None or records >= LONG_RUN_RECORDS
    return long_run and sys.stderr.isatty()


class RunProgress:
    """A rich progress bar over simulated time (or records).

    Args:
        first_ts: the first record's time (None: unknown).
        last_ts: the last record's time (None: unknown; the bar counts records).
        console: where to draw (standard error by default).
    """

    def __init__(
        self, first_ts: int | None, last_ts: int | None, console: Console | None = None
    ) -> None:
        self._first = first_ts
        span = None if first_ts is None or last_ts is None else max(last_ts - first_ts, 1)
        self._by_time = span is not None
        columns = [
            SpinnerColumn(),
            TextColumn("[bold]backtest[/bold] {task.fields[now]}"),
            BarColumn(),
            TextColumn("{task.percentage:>5.1f}%") if self._by_time else MofNCompleteColumn(),
            TextColumn("{task.fields[records]:>12,} records"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        ]
        self._progress = Progress(
            *columns, console=console or Console(stderr=True), transient=False
        )
        self._task: TaskID = self._progress.add_task("backtest", total=span, now="", records=0)

    def __enter__(self) -> RunProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def update(self, now_ns: int, records: int) -> None:
        """Show the run at simulated time ``now_ns`` after ``records`` records."""
        completed = now_ns - self._first if self._by_time and self._first is not None else records
        self._progress.update(
            self._task,
            completed=completed,
            records=records,
            now=unix_nanos_to_iso8601(now_ns, nanos_precision=False)[:19],
        )
