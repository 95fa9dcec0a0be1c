"""Durability listeners: callbacks told the highest fsynced sequence number, in order."""

from __future__ import annotations

import threading
from collections.abc import Callable

from shrivenquant.telemetry.logging import get_logger

DurableListener = Callable[[int], None]

_log = get_logger("journal")


class DurableListeners:
    """Calls each listener with a durable sequence number that only ever grows."""

    __slots__ = ("_listeners", "_lock", "_notified_seq")

    def __init__(self, start_seq: int) -> None:
        self._listeners: list[DurableListener] = []
        self._lock = threading.RLock()
        self._notified_seq = start_seq

    def add(self, listener: DurableListener) -> None:
        """Register ``listener``."""
        self._listeners.append(listener)

    def notify(self, durable_seq: int) -> None:
        """Tell every listener ``durable_seq`` unless they already heard of it or a higher one.

        A listener that raises is logged and skipped: a bug in one must not stop the journal.
        """
        if not self._listeners:
            return
        with self._lock:
            if durable_seq <= self._notified_seq:
                return
            self._notified_seq = durable_seq
            for listener in tuple(self._listeners):
                try:
                    listener(durable_seq)
                except Exception:  # noqa: BLE001 - logged with its traceback, journal goes on
                    _log.exception("journal durability listener failed", durable_seq=durable_seq)
