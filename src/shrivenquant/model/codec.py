"""Exact serialisation of every message (msgspec, MessagePack for storage, JSON for people).

Value objects travel as strings: identifiers as their value, `Price`/`Quantity` as fixed
decimal strings that keep their precision, `Money` as ``"100.50 USDT"``, `Currency` as its
code. Strings make the wire format independent of the internal fixed-point scale.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import Any, Union

import msgspec

from shrivenquant.core.uuid import UUID4
from shrivenquant.model import identifiers as _ids
from shrivenquant.model.currency import Currency
from shrivenquant.model.data.bar import BarType
from shrivenquant.model.messages import Command, Event, Message
from shrivenquant.model.values import Money, Price, Quantity

# Modules whose messages the default codec knows. Importing them registers their subclasses.
MESSAGE_MODULES: tuple[str, ...] = (
    "shrivenquant.model.commands",
    "shrivenquant.model.events",
    "shrivenquant.model.data",
    "shrivenquant.model.instruments",
    "shrivenquant.model.reports",
)

_ABSTRACT: frozenset[type[Message]] = frozenset({Message, Event, Command})

_PARSERS: dict[type, Callable[[str], Any]] = {
    Price: Price.from_str,
    Quantity: Quantity.from_str,
    Money: Money.from_str,
    Currency: Currency.from_str,
    UUID4: UUID4,
    _ids.InstrumentId: _ids.InstrumentId.parse_cached,
    BarType: BarType.from_str,
}
for _cls in _ids.ALL_IDENTIFIER_TYPES:
    _PARSERS.setdefault(_cls, _cls)
_STR_TYPES: frozenset[type] = frozenset(_PARSERS)


def enc_hook(obj: Any) -> str:
    """Encode a value object that msgspec does not know natively."""
    if type(obj) in _STR_TYPES:
        return str(obj)
    raise NotImplementedError(f"cannot serialise objects of type {type(obj).__name__}")


def dec_hook(typ: type, obj: Any) -> Any:
    """Decode a value object from its string form (bad input: a `msgspec.ValidationError`)."""
    parser = _PARSERS.get(typ)
    if parser is None:
        raise NotImplementedError(f"cannot deserialise objects of type {typ.__name__}")
    if not isinstance(obj, str):
        raise TypeError(f"expected str for {typ.__name__}, got {type(obj).__name__}")
    # ValueError/TypeError raised here reach the caller as a msgspec.ValidationError that
    # names the field path, e.g. "Quantity cannot be negative - at `$.last_qty`".
    return parser(obj)


def all_message_types() -> tuple[type[Message], ...]:
    """Every concrete (leaf) message class in `MESSAGE_MODULES` and anything else imported."""
    for name in MESSAGE_MODULES:
        importlib.import_module(name)
    found: list[type[Message]] = []
    stack: list[type[Message]] = [Message]
    while stack:
        cls = stack.pop()
        subs = cls.__subclasses__()
        stack.extend(subs)
        # Concrete messages are the leaves; bases such as `PositionEvent` only share fields.
        if not subs and cls not in _ABSTRACT and not cls.__name__.startswith("_"):
            found.append(cls)
    found.sort(key=lambda c: c.__name__)
    names = [c.__name__ for c in found]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise TypeError(f"message class names must be unique (they are wire tags): {dupes}")
    return tuple(found)


class MessageCodec:
    """Encode and decode messages exactly; one instance per thread (msgspec codecs are not shared).

    Args:
        types: the message classes to accept when decoding; every known message by default.
    """

    def __init__(self, types: Iterable[type[Message]] | None = None) -> None:
        known = tuple(types) if types is not None else all_message_types()
        if not known:
            raise ValueError("MessageCodec needs at least one message type")
        union: Any = Union[known]  # noqa: UP007 - a runtime union of classes
        self.types = known
        self._mp_encoder = msgspec.msgpack.Encoder(enc_hook=enc_hook)
        self._mp_decoder: msgspec.msgpack.Decoder[Message] = msgspec.msgpack.Decoder(
            union, dec_hook=dec_hook
        )
        self._json_encoder = msgspec.json.Encoder(enc_hook=enc_hook)
        self._json_decoder: msgspec.json.Decoder[Message] = msgspec.json.Decoder(
            union, dec_hook=dec_hook
        )

    def encode(self, msg: Message) -> bytes:
        """Encode to MessagePack bytes."""
        return self._mp_encoder.encode(msg)

    def decode(self, data: bytes | memoryview) -> Message:
        """Decode MessagePack bytes; raises `msgspec.DecodeError`/`ValidationError` on bad input."""
        return self._mp_decoder.decode(data)

    def encode_json(self, msg: Message) -> bytes:
        """Encode to JSON bytes (for people, logs and APIs)."""
        return self._json_encoder.encode(msg)

    def decode_json(self, data: bytes | str) -> Message:
        """Decode JSON produced by `encode_json`."""
        return self._json_decoder.decode(data)
