"""The record of an exception raised by a user hook (``on_bar``, ``on_order_filled``, ...)."""

from __future__ import annotations

from dataclasses import dataclass

from shrivenquant.core.time import unix_nanos_to_iso8601


@dataclass(frozen=True, slots=True)
class HookError:
    """One exception raised by user code, with what triggered it.

    Attributes:
        component_id: the actor or strategy.
        hook: the hook that raised (``on_bar``).
        error_type: the exception's class name.
        message: the exception's text.
        traceback: the formatted traceback.
        ts_event: ``ts_event`` of the message being handled (the bar's time for ``on_bar``;
            the clock's time for ``on_start`` and the other lifecycle hooks).
        message_type: the class name of that message, or None for lifecycle hooks.
        exception: the exception itself.
    """

    component_id: str
    hook: str
    error_type: str
    message: str
    traceback: str
    ts_event: int
    message_type: str | None
    exception: BaseException

    @property
    def ts_event_iso(self) -> str:
        """``ts_event`` as ISO 8601 UTC."""
        return unix_nanos_to_iso8601(self.ts_event)

    def describe(self) -> str:
        """One line: who raised what, in which hook, while handling what and when."""
        handling = f" handling {self.message_type}" if self.message_type else ""
        return (
            f"{self.component_id}.{self.hook} raised {self.error_type}: {self.message}"
            f"{handling} at ts_event={self.ts_event} ({self.ts_event_iso})"
        )
