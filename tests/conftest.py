"""Shared test configuration."""

import os
from collections.abc import Iterator

import pytest
import structlog
from hypothesis import HealthCheck, settings

# CI runs a fixed, reproducible set of examples; developers get fresh random ones each run.
settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile(
    os.environ.get("SQ_HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")
)


@pytest.fixture(autouse=True)
def _restore_logging_config() -> Iterator[None]:
    """Undo any process-wide logging configuration a test (or a kernel it built) made."""
    saved = structlog.get_config()
    yield
    structlog.configure(**saved)
