"""The append-only event journal: the record of every state-changing command and event.

Records are length-prefixed, CRC-checked byte payloads with a sequence number that starts at 1
and grows by one per record, stored in segment files that roll over at a configured size. Open
a `JournalWriter` (or a typed `EventJournal`) to append; it repairs a torn tail first. Replay
with `JournalReader`. See ``docs/concepts/persistence.md`` for the format and recovery rules.
"""

from shrivenquant.persistence.journal.config import FsyncPolicy, JournalConfig
from shrivenquant.persistence.journal.errors import (
    JournalClosedError,
    JournalCorruptError,
    JournalError,
    JournalLockedError,
    JournalWriterFailedError,
)
from shrivenquant.persistence.journal.reader import JournalReader
from shrivenquant.persistence.journal.stats import JournalStats
from shrivenquant.persistence.journal.typed import Codec, EventJournal, MsgspecCodec
from shrivenquant.persistence.journal.writer import DurableListener, JournalWriter

__all__ = [
    "Codec",
    "DurableListener",
    "EventJournal",
    "FsyncPolicy",
    "JournalClosedError",
    "JournalConfig",
    "JournalCorruptError",
    "JournalError",
    "JournalLockedError",
    "JournalReader",
    "JournalStats",
    "JournalWriter",
    "JournalWriterFailedError",
    "MsgspecCodec",
]
