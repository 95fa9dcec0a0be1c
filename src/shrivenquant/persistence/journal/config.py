"""Journal configuration: where segments live, when they are fsynced, when they roll over."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import Enum, unique
from pathlib import Path
from typing import Any

from shrivenquant.core.errors import InvalidInputError

MIB = 1024 * 1024

MIN_SEGMENT_BYTES = 64
MAX_SEGMENT_BYTES = 1024 * MIB
MAX_GROUP_COMMIT_BYTES = 1024 * MIB
MAX_GROUP_COMMIT_INTERVAL_MS = 60_000.0


@unique
class FsyncPolicy(Enum):
    """When appended records are forced to stable storage.

    Attributes:
        EVERY_RECORD: each `append` writes and fsyncs before it returns (slowest, safest).
        GROUP_COMMIT: appends are buffered; a background flusher writes and fsyncs them together
            every ``group_commit_interval_ms``, or sooner once ``group_commit_max_bytes`` are
            pending. A crash loses at most the records not yet fsynced.
        NEVER: buffered records are written once ``group_commit_max_bytes`` are pending and on
            `flush`/`sync`/`close`; fsync is left to the operating system (backtests, tests).
    """

    EVERY_RECORD = "every_record"
    GROUP_COMMIT = "group_commit"
    NEVER = "never"

    @classmethod
    def parse(cls, value: FsyncPolicy | str) -> FsyncPolicy:
        """Return the policy named by ``value`` (its value or name, any case).

        Raises:
            ValueError: if ``value`` names no policy.
        """
        if isinstance(value, FsyncPolicy):
            return value
        if isinstance(value, str):
            key = value.strip().lower()
            for policy in cls:
                if key == policy.value:
                    return policy
        choices = ", ".join(p.value for p in cls)
        raise InvalidInputError(f"fsync_policy: unknown policy {value!r}; use one of {choices}")


@dataclass(frozen=True, slots=True, kw_only=True)
class JournalConfig:
    """Settings of one journal directory.

    Attributes:
        path: directory holding the segment files (created on first open).
        fsync_policy: when records are fsynced; see `FsyncPolicy`.
        group_commit_interval_ms: how often the group-commit flusher writes and fsyncs.
        group_commit_max_bytes: pending bytes that trigger a write before the interval is up.
        segment_max_bytes: size at which the writer starts a new segment file. A single record
            larger than this gets a segment of its own.
    """

    path: Path
    fsync_policy: FsyncPolicy = FsyncPolicy.GROUP_COMMIT
    group_commit_interval_ms: float = 5.0
    group_commit_max_bytes: int = 1 * MIB
    segment_max_bytes: int = 64 * MIB

    def __post_init__(self) -> None:
        path: Any = self.path
        if isinstance(path, str):
            if not path.strip():
                raise InvalidInputError("path: must not be empty")
            object.__setattr__(self, "path", Path(path))
        elif not isinstance(path, Path):
            raise InvalidInputError(f"path: expected a str or Path, got {type(path).__name__}")
        object.__setattr__(self, "fsync_policy", FsyncPolicy.parse(self.fsync_policy))
        interval: Any = self.group_commit_interval_ms
        if isinstance(interval, bool) or not isinstance(interval, int | float):
            raise InvalidInputError(
                f"group_commit_interval_ms: expected a number, got {type(interval).__name__}"
            )
        if not math.isfinite(interval) or not 0 < interval <= MAX_GROUP_COMMIT_INTERVAL_MS:
            raise InvalidInputError(
                f"group_commit_interval_ms: must be > 0 and <= {MAX_GROUP_COMMIT_INTERVAL_MS:g},"
                f" got {interval!r}"
            )
        _check_int("group_commit_max_bytes", self.group_commit_max_bytes, 1, MAX_GROUP_COMMIT_BYTES)
        _check_int(
            "segment_max_bytes", self.segment_max_bytes, MIN_SEGMENT_BYTES, MAX_SEGMENT_BYTES
        )

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> JournalConfig:
        """Build a config from a mapping (a parsed TOML table, say), rejecting unknown keys.

        Raises:
            ValueError: for an unknown key, a missing ``path`` or an invalid value; the message
                names the field.
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise InvalidInputError(
                f"unknown journal config field(s): {', '.join(unknown)};"
                f" known: {', '.join(sorted(known))}"
            )
        if "path" not in values:
            raise InvalidInputError("path: required")
        return cls(**values)


def _check_int(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError(f"{name}: expected an int, got {type(value).__name__}")
    if not low <= value <= high:
        raise InvalidInputError(f"{name}: must be between {low} and {high}, got {value}")
