"""What the execution engine needs of a journal: append a message, replay them all.

`shrivenquant.persistence.journal.EventJournal` over the model's `MessageCodec` fits.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from shrivenquant.model.messages import Message


class MessageJournal(Protocol):
    """An append-only log of messages."""

    def append(self, obj: Message) -> int:
        """Append ``obj``; return its sequence number."""
        ...

    def replay(self, from_seq: int = 1) -> Iterator[tuple[int, Message]]:
        """Yield ``(seq, message)`` for every record from ``from_seq`` on."""
        ...
