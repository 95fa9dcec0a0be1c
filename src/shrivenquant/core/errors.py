"""The error hierarchy, classified by what the caller should do about an error.

| class                 | the caller should                                   |
|-----------------------|-----------------------------------------------------|
| `RetryableError`      | retry later, with backoff (timeouts, disconnects)   |
| `RateLimitedError`    | wait ``retry_after_s`` then retry                   |
| `VenueRejectedError`  | not retry: the venue refused the request            |
| `AuthError`           | fix credentials or permissions; retrying won't help |
| `InvalidInputError`   | fix the input (config, file, request, message)      |
| `BugError`            | report it: an invariant of the program was broken   |
"""

from __future__ import annotations

from enum import Enum, unique


@unique
class ErrorKind(Enum):
    """What the caller of a failed operation should do next."""

    RETRYABLE = "retryable"
    RATE_LIMITED = "rate_limited"
    REJECTED = "rejected"
    AUTH = "auth"
    INVALID_INPUT = "invalid_input"
    BUG = "bug"


class ShrivenQuantError(Exception):
    """Base class of every error raised on purpose by ShrivenQuant."""

    kind: ErrorKind = ErrorKind.BUG


class RetryableError(ShrivenQuantError):
    """A transient failure (timeout, disconnect, 5xx): the same request may succeed later."""

    kind = ErrorKind.RETRYABLE


class RateLimitedError(RetryableError):
    """The venue or a local throttle refused the request for now."""

    kind = ErrorKind.RATE_LIMITED

    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class VenueRejectedError(ShrivenQuantError):
    """The venue understood the request and refused it; retrying unchanged will not help."""

    kind = ErrorKind.REJECTED

    def __init__(self, message: str, code: str | int | None = None) -> None:
        super().__init__(message)
        self.code = code


class AuthError(ShrivenQuantError):
    """Authentication or authorisation failed."""

    kind = ErrorKind.AUTH


class InvalidInputError(ShrivenQuantError, ValueError):
    """Input from outside (config, file, API request, venue message) is malformed or invalid."""

    kind = ErrorKind.INVALID_INPUT


class BugError(ShrivenQuantError):
    """An invariant was broken: a defect in ShrivenQuant or in the code calling it."""

    kind = ErrorKind.BUG


class InvalidStateTransition(BugError):  # noqa: N818 - reads as the event it reports
    """A state machine was asked to make a transition its table does not allow."""

    def __init__(self, machine: str, state: object, trigger: object) -> None:
        super().__init__(f"{machine}: invalid transition from {state} on {trigger}")
        self.machine = machine
        self.state = state
        self.trigger = trigger


def classify(error: BaseException) -> ErrorKind:
    """Return what the caller should do about ``error``.

    Errors not raised by ShrivenQuant are classified by their builtin type: timeouts and
    connection errors are retryable, `ValueError`/`TypeError` are invalid input, anything else
    is a bug.
    """
    if isinstance(error, ShrivenQuantError):
        return error.kind
    if isinstance(error, TimeoutError | ConnectionError):
        return ErrorKind.RETRYABLE
    if isinstance(error, PermissionError):
        return ErrorKind.AUTH
    if isinstance(error, ValueError | TypeError):
        return ErrorKind.INVALID_INPUT
    return ErrorKind.BUG
