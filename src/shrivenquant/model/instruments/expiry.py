"""Checks shared by instruments that expire (futures and options)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shrivenquant.model.instruments.base import Instrument


def check_expiry(
    instrument: Instrument, underlying: str, activation_ns: int, expiration_ns: int
) -> None:
    """Raise `ValueError` naming the field unless the underlying is named and
    0 <= activation_ns < expiration_ns."""
    if not isinstance(underlying, str) or not underlying.strip():
        raise instrument._invalid("underlying", f"must be a non-empty str, got {underlying!r}")
    for name, value in (("activation_ns", activation_ns), ("expiration_ns", expiration_ns)):
        if type(value) is not int or value < 0:
            raise instrument._invalid(name, f"must be an int >= 0 (UNIX ns), got {value!r}")
    if activation_ns >= expiration_ns:
        raise instrument._invalid(
            "expiration_ns", f"{expiration_ns} must be after activation_ns {activation_ns}"
        )
