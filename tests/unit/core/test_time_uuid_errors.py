import os
import sys
import threading
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shrivenquant.core import uuid as uuid_module
from shrivenquant.core.errors import (
    AuthError,
    BugError,
    ErrorKind,
    InvalidInputError,
    RateLimitedError,
    RetryableError,
    VenueRejectedError,
    classify,
)
from shrivenquant.core.time import (
    dt_to_unix_nanos,
    iso8601_to_unix_nanos,
    millis_to_nanos,
    secs_to_nanos,
    unix_nanos_to_dt,
    unix_nanos_to_iso8601,
)
from shrivenquant.core.uuid import UUID4


@given(st.integers(0, 4_102_444_800_000_000_000))
def test_iso8601_round_trip_keeps_nanoseconds(nanos: int) -> None:
    assert iso8601_to_unix_nanos(unix_nanos_to_iso8601(nanos)) == nanos


def test_iso8601_offsets_and_bad_input() -> None:
    utc = iso8601_to_unix_nanos("2024-12-26T10:00:00Z")
    assert iso8601_to_unix_nanos("2024-12-26T15:30:00+05:30") == utc
    assert iso8601_to_unix_nanos("2024-12-26 10:00:00") == utc
    for bad in ("2024-13-01T00:00:00Z", "yesterday", "2024-01-01T00:00:00.1234567890Z"):
        with pytest.raises(ValueError, match="ISO 8601"):
            iso8601_to_unix_nanos(bad)


def test_datetime_conversions() -> None:
    ist = timezone(timedelta(hours=5, minutes=30))
    dt = datetime(2024, 1, 1, 9, 15, tzinfo=ist)
    nanos = dt_to_unix_nanos(dt)
    assert unix_nanos_to_dt(nanos) == dt.astimezone(UTC)
    with pytest.raises(ValueError, match="timezone-aware"):
        dt_to_unix_nanos(datetime(2024, 1, 1))
    assert secs_to_nanos(0.1) == 100_000_000
    assert secs_to_nanos(2) == 2_000_000_000
    assert millis_to_nanos(1_700_000_000_123) == 1_700_000_000_123_000_000


def test_uuid4_generate_parse_and_reject() -> None:
    a, b = UUID4(), UUID4()
    assert a != b
    assert UUID4(a.value) == a
    assert hash(UUID4(a.value.upper())) == hash(a)
    assert a.value[14] == "4"
    with pytest.raises(ValueError, match="invalid UUID4"):
        UUID4("not-a-uuid")
    with pytest.raises(ValueError, match="invalid UUID4"):
        UUID4("6ba7b810-9dad-11d1-80b4-00c04fd430c8")  # version 1
    with pytest.raises(TypeError):
        UUID4(123)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (RetryableError("x"), ErrorKind.RETRYABLE),
        (RateLimitedError("x", retry_after_s=1.5), ErrorKind.RATE_LIMITED),
        (VenueRejectedError("x", code=-2010), ErrorKind.REJECTED),
        (AuthError("x"), ErrorKind.AUTH),
        (InvalidInputError("x"), ErrorKind.INVALID_INPUT),
        (BugError("x"), ErrorKind.BUG),
        (TimeoutError(), ErrorKind.RETRYABLE),
        (ConnectionResetError(), ErrorKind.RETRYABLE),
        (ValueError(), ErrorKind.INVALID_INPUT),
        (KeyError(), ErrorKind.BUG),
    ],
)
def test_errors_are_classified_by_what_the_caller_should_do(
    error: BaseException, kind: ErrorKind
) -> None:
    assert classify(error) is kind


def test_rate_limited_is_retryable_and_invalid_input_is_value_error() -> None:
    assert isinstance(RateLimitedError("x"), RetryableError)
    assert isinstance(InvalidInputError("x"), ValueError)


def test_generated_uuid4_are_rfc_4122_version_4_and_unique() -> None:
    ids = {UUID4().value for _ in range(5_000)}
    assert len(ids) == 5_000
    for value in list(ids)[:500]:
        parsed = uuid.UUID(value)
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122


def test_generated_uuid4_use_every_variant_digit_and_parse_back() -> None:
    values = [UUID4().value for _ in range(2_000)]  # several batches of drawn digits
    assert {v[19] for v in values} == set("89ab")
    assert all(UUID4(v).value == v and uuid.UUID(v).version == 4 for v in values)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_does_not_repeat_the_parents_next_ids() -> None:
    UUID4()  # digits are drawn ahead of use: the child must not reuse them
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        os.write(write, ",".join(UUID4().value for _ in range(5)).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        child = set(pipe.read().decode().split(","))
    os.waitpid(pid, 0)
    parent = {UUID4().value for _ in range(5)}
    assert len(child) == 5
    assert not child & parent


def test_reseeding_the_id_generator_repeats_the_ids_that_follow() -> None:
    rng = uuid_module._rng
    saved = rng.getstate()
    UUID4()  # digits drawn ahead from the old state must not leak into the seeded ids
    try:
        rng.seed(11)
        first = [UUID4().value for _ in range(300)]
        rng.seed(11)
        assert [UUID4().value for _ in range(300)] == first
    finally:
        rng.setstate(saved)
    assert UUID4().value not in first


def test_ids_made_on_several_threads_never_repeat() -> None:
    made: list[list[str]] = [[] for _ in range(4)]

    def make(out: list[str]) -> None:
        out.extend(UUID4().value for _ in range(20_000))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        threads = [threading.Thread(target=make, args=(out,)) for out in made]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    every = [i for out in made for i in out]
    assert len(set(every)) == len(every) == 80_000
