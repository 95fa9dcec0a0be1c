"""UUID version 4 identifiers for messages and events."""

from __future__ import annotations

import os
import random
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


# Message ids need uniqueness, not secrecy: a PRNG seeded from the OS is ~20x faster than a
# system call per id. Never use these ids as secrets or tokens.
_rng = random.Random(os.urandom(32))
_VERSION_BITS = 0x4 << 76
_VARIANT_BITS = 0x2 << 62
_CLEAR = ~((0xF << 76) | (0x3 << 62))


def _random_uuid4() -> str:
    n = (_rng.getrandbits(128) & _CLEAR) | _VERSION_BITS | _VARIANT_BITS
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _reseed_after_fork() -> None:
    _rng.seed(os.urandom(32))  # a forked child must not repeat its parent's ids


os.register_at_fork(after_in_child=_reseed_after_fork)
