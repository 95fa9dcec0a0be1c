"""JournalConfig and FsyncPolicy: defaults, coercion and validation errors that name the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shrivenquant.core.errors import ErrorKind, classify
from shrivenquant.persistence.journal import FsyncPolicy, JournalConfig


def test_defaults(tmp_path: Path) -> None:
    config = JournalConfig(path=tmp_path)
    assert config.fsync_policy is FsyncPolicy.GROUP_COMMIT
    assert config.group_commit_interval_ms == 5.0
    assert config.group_commit_max_bytes == 1024 * 1024
    assert config.segment_max_bytes == 64 * 1024 * 1024


def test_path_and_policy_are_coerced_from_strings(tmp_path: Path) -> None:
    config = JournalConfig(path=str(tmp_path), fsync_policy="EVERY_RECORD")  # type: ignore[arg-type]
    assert config.path == tmp_path
    assert config.fsync_policy is FsyncPolicy.EVERY_RECORD
    assert FsyncPolicy.parse(" never ") is FsyncPolicy.NEVER


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"fsync_policy": "sometimes"}, "fsync_policy"),
        ({"fsync_policy": 3}, "fsync_policy"),
        ({"group_commit_interval_ms": 0}, "group_commit_interval_ms"),
        ({"group_commit_interval_ms": -1.5}, "group_commit_interval_ms"),
        ({"group_commit_interval_ms": float("nan")}, "group_commit_interval_ms"),
        ({"group_commit_interval_ms": "5"}, "group_commit_interval_ms"),
        ({"group_commit_interval_ms": True}, "group_commit_interval_ms"),
        ({"group_commit_max_bytes": 0}, "group_commit_max_bytes"),
        ({"group_commit_max_bytes": 1.5}, "group_commit_max_bytes"),
        ({"segment_max_bytes": 10}, "segment_max_bytes"),
        ({"segment_max_bytes": 2**40}, "segment_max_bytes"),
        ({"segment_max_bytes": True}, "segment_max_bytes"),
        ({"path": ""}, "path"),
        ({"path": 42}, "path"),
    ],
)
def test_invalid_values_raise_value_error_naming_the_field(
    tmp_path: Path, overrides: dict[str, Any], field: str
) -> None:
    values: dict[str, Any] = {"path": tmp_path, **overrides}
    with pytest.raises(ValueError, match=rf"^{field}:") as info:
        JournalConfig(**values)
    assert classify(info.value) is ErrorKind.INVALID_INPUT


def test_from_mapping_rejects_unknown_and_missing_fields(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"unknown journal config field.*fsync_every"):
        JournalConfig.from_mapping({"path": str(tmp_path), "fsync_every": 1})
    with pytest.raises(ValueError, match=r"^path: required"):
        JournalConfig.from_mapping({"fsync_policy": "never"})


def test_from_mapping_builds_a_config(tmp_path: Path) -> None:
    config = JournalConfig.from_mapping(
        {"path": str(tmp_path), "fsync_policy": "never", "segment_max_bytes": 4096}
    )
    assert config == JournalConfig(
        path=tmp_path, fsync_policy=FsyncPolicy.NEVER, segment_max_bytes=4096
    )


def test_config_is_frozen(tmp_path: Path) -> None:
    config = JournalConfig(path=tmp_path)
    with pytest.raises(AttributeError):
        config.segment_max_bytes = 1  # type: ignore[misc]
