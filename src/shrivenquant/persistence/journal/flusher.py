"""The group-commit flusher: a background thread that runs a commit callback every interval."""

from __future__ import annotations

import threading
from collections.abc import Callable


class GroupCommitFlusher:
    """Calls ``tick`` every ``interval_s`` seconds, or at once when kicked, until stopped.

    ``tick`` returns False to end the thread (after it recorded a failure for the writer).
    """

    def __init__(self, interval_s: float, tick: Callable[[], bool], name: str) -> None:
        self._interval_s = interval_s
        self._tick = tick
        self._wake = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def kick(self) -> None:
        """Ask for a commit now rather than at the end of the interval."""
        self._wake.set()

    def stop(self) -> None:
        """Stop the thread and wait for it; a commit in progress finishes first."""
        self._stopping = True
        self._wake.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    def _run(self) -> None:
        wake = self._wake
        while True:
            wake.wait(self._interval_s)
            if self._stopping:
                return
            wake.clear()
            if not self._tick():
                return
