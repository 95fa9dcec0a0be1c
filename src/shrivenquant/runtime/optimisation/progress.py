"""A rich progress bar for searches: trials done, speed, time left and the best so far."""

from __future__ import annotations

import math
import sys
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class SearchProgress:
    """A context manager showing trial progress on stderr, or doing nothing when disabled.

    Args:
        total: trials expected.
        description: the label.
        enabled: True shows the bar, False hides it, None shows it on a terminal.
    """

    def __init__(self, total: int, description: str, enabled: bool | None = None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._total = total
        self._description = description

    def __enter__(self) -> SearchProgress:
        if self.enabled:
            self._progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("best {task.fields[best]}"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
            )
            self._progress.start()
            self._task = self._progress.add_task(self._description, total=self._total, best="-")
        return self

    def advance(self, count: int, best: float) -> None:
        """Count ``count`` more trials done; ``best`` is the best objective so far."""
        if self._progress is not None and self._task is not None:
            text = "-" if math.isnan(best) else f"{best:.6g}"
            self._progress.update(self._task, advance=count, best=text)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
