"""Base classes of the messages that cross the bus and fill the journal.

Commands are imperative (`SubmitOrder`), events past tense (`OrderFilled`). Both are immutable
msgspec structs that carry ``ts_event`` (when it happened, venue time where known) and
``ts_init`` (when ShrivenQuant created the object), as integer nanoseconds since the UNIX epoch
(UTC). Each concrete message is tagged with its class name in the ``type`` field, so one decoder
reads any message back (see `shrivenquant.model.codec`).
"""

from __future__ import annotations

import msgspec

from shrivenquant.core.uuid import UUID4


class Message(
    msgspec.Struct, frozen=True, kw_only=True, tag_field="type", tag=True, omit_defaults=True
):
    """Any message: immutable, tagged with its class name, stamped with two times."""

    ts_event: int
    ts_init: int


class Event(Message, frozen=True, kw_only=True):
    """Something that happened (past tense)."""

    event_id: UUID4


class Command(Message, frozen=True, kw_only=True):
    """A request for something to be done (imperative)."""

    command_id: UUID4
