"""Every model message survives the journal: append, close, reopen, replay."""

from pathlib import Path

from shrivenquant.model.codec import MessageCodec
from shrivenquant.model.messages import Message
from shrivenquant.persistence.journal import EventJournal, FsyncPolicy, JournalConfig
from shrivenquant.testkit.stubs import TestMessageStubs


def test_all_messages_replay_exactly_after_reopen(tmp_path: Path) -> None:
    messages = TestMessageStubs.all_examples()
    config = JournalConfig(
        path=tmp_path / "journal", fsync_policy=FsyncPolicy.GROUP_COMMIT, segment_max_bytes=4096
    )
    journal: EventJournal[Message] = EventJournal.open(config, MessageCodec())
    with journal:
        seqs = [journal.append(m) for m in messages]
    assert seqs == list(range(1, len(messages) + 1))

    reopened: EventJournal[Message] = EventJournal.open(config, MessageCodec())
    with reopened:
        replayed = list(reopened.replay())
        assert [seq for seq, _ in replayed] == seqs
        assert [msg for _, msg in replayed] == messages
        assert [msg for _, msg in reopened.replay(from_seq=100)] == messages[99:]
        assert reopened.append(messages[0]) == len(messages) + 1
    assert len(list(config.path.glob("*.sqj"))) > 1  # the small segments rolled over
