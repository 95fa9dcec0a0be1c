"""A record of every event published during a run, encoded, for comparing runs bit for bit."""

from __future__ import annotations

from typing import Final

from shrivenquant.bus.message_bus import MessageBus
from shrivenquant.model.codec import MessageCodec
from shrivenquant.model.messages import Message

EVENTS_PATTERN: Final = "events.*"
"""Order, position, account, risk and component events (`shrivenquant.bus.topics`)."""


class EventLog:
    """Encodes (MessagePack) every message published on the ``events.*`` topics.

    Args:
        bus: the kernel's bus; subscribe before the kernel starts to see every event.
    """

    def __init__(self, bus: MessageBus) -> None:
        self._codec = MessageCodec()
        self._records: list[bytes] = []
        self._bus = bus
        bus.subscribe(EVENTS_PATTERN, self._on_event, priority=-1_000)

    def _on_event(self, message: Message) -> None:
        self._records.append(self._codec.encode(message))

    @property
    def records(self) -> tuple[bytes, ...]:
        """The encoded events, in the order they were published."""
        return tuple(self._records)

    def close(self) -> None:
        """Stop recording."""
        self._bus.unsubscribe(EVENTS_PATTERN, self._on_event)
