"""Argument checks for the scalar option APIs; each failure names the bad input."""

from __future__ import annotations

import math

from shrivenquant.core.errors import InvalidInputError


def positive(name: str, value: float) -> float:
    """``value`` as a float if finite and > 0."""
    v = float(value)
    if not (math.isfinite(v) and v > 0.0):
        raise InvalidInputError(f"{name} must be finite and > 0, got {value!r}")
    return v


def non_negative(name: str, value: float) -> float:
    """``value`` as a float if finite and >= 0."""
    v = float(value)
    if not (math.isfinite(v) and v >= 0.0):
        raise InvalidInputError(f"{name} must be finite and >= 0, got {value!r}")
    return v


def finite(name: str, value: float) -> float:
    """``value`` as a float if finite."""
    v = float(value)
    if not math.isfinite(v):
        raise InvalidInputError(f"{name} must be finite, got {value!r}")
    return v


def flag(name: str, value: object) -> bool:
    """``value`` if it is a bool (numpy bools accepted)."""
    if isinstance(value, bool):
        return value
    if type(value).__name__ == "bool_":
        return bool(value)
    raise InvalidInputError(f"{name} must be a bool, got {value!r}")


def positive_int(name: str, value: int) -> int:
    """``value`` if it is an int >= 1."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInputError(f"{name} must be an integer >= 1, got {value!r}")
    return value
