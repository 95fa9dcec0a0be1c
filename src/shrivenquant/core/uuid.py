"""UUID version 4 identifiers for messages and events."""

from __future__ import annotations

import os
import random
import re
from typing import Any, Final

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
# system call per id. Never use these ids as secrets or tokens. Random hex digits are drawn
# for _BATCH ids at a time (one big integer formatted once); each id takes 32 of them, with the
# version digit set to 4 and the variant digit mapped into 8..b. The batch is formatted into a
# list popped from its end (in drawing order): ``list.pop`` is atomic, so ids made on several
# threads never repeat.
_BATCH: Final = 256
_HEX_PER_ID: Final = 32
_VARIANT_DIGIT: Final = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}


class _IdPool:
    __slots__ = ("ids",)

    def __init__(self) -> None:
        self.ids: list[str] = []

    def refill(self) -> list[str]:
        digits = f"{_rng.getrandbits(4 * _HEX_PER_ID * _BATCH):0{_HEX_PER_ID * _BATCH}x}"
        variant = _VARIANT_DIGIT
        ids = [
            f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant[h[16]]}{h[17:20]}-{h[20:]}"
            for h in (
                digits[pos : pos + _HEX_PER_ID]
                for pos in range(len(digits) - _HEX_PER_ID, -1, -_HEX_PER_ID)
            )
        ]
        self.ids = ids
        return ids

    def clear(self) -> None:
        self.ids = []


_pool = _IdPool()


class _IdRandom(random.Random):
    """The generator of the ids: re-seeding it or setting its state also drops the ids drawn
    ahead, so the ids that follow come from the new seed or state (reproducible runs seed it,
    see ``shrivenquant.runtime.ids``)."""

    def seed(self, *args: Any, **kwargs: Any) -> None:
        super().seed(*args, **kwargs)
        _pool.clear()

    def setstate(self, state: Any) -> None:
        super().setstate(state)
        _pool.clear()


_rng = _IdRandom(os.urandom(32))


def _random_uuid4() -> str:
    try:
        return _pool.ids.pop()
    except IndexError:
        return _pool.refill().pop()


def _reseed_after_fork() -> None:
    _rng.seed(os.urandom(32))  # a forked child must not repeat its parent's ids (nor digits)


os.register_at_fork(after_in_child=_reseed_after_fork)
