"""UUID version 4 identifiers for messages and events."""

from __future__ import annotations

import os
import re
from typing import Final

_UUID4_RE: Final = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
)


class UUID4:
    """A random (version 4) UUID held in its canonical lowercase string form.

    ``UUID4()`` makes a new one; ``UUID4("...")`` parses and validates an existing one.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str | None = None) -> None:
        if value is None:
            self._value = _random_uuid4()
            return
        if type(value) is str and _UUID4_RE.match(value) is not None:  # canonical already
            self._value = value
            return
        if not isinstance(value, str):
            raise TypeError(f"UUID4 value must be str, got {type(value).__name__}")
        lowered = value.lower()
        if _UUID4_RE.match(lowered) is None:
            raise ValueError(f"invalid UUID4: {value!r}")
        self._value = lowered

    @classmethod
    def _trusted(cls, value: str) -> UUID4:
        """Wrap an already-validated canonical string (decoding hot path)."""
        obj = object.__new__(cls)
        obj._value = value
        return obj

    @property
    def value(self) -> str:
        """The canonical string form."""
        return self._value

    def __str__(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"UUID4('{self._value}')"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, UUID4):
            return self._value == other._value
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._value)


def _random_uuid4() -> str:
    b = bytearray(os.urandom(16))
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
