"""Shared fixtures of the runtime tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import structlog


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """Put the process's logging setup back after each test: a node config with a
    ``[logging]`` section configures logging for the whole process."""
    saved = structlog.get_config()
    yield
    structlog.configure(**saved)
