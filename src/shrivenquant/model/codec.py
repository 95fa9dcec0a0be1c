"""Exact serialisation of every message (msgspec): MessagePack for storage, JSON for people.

In JSON, value objects are strings a person can read: identifiers as their value,
`Price`/`Quantity` as fixed decimal strings that keep their precision, `Money` as
``"100.50 USDT"``, `Currency` as its code. In MessagePack (the journal, the wire between
services) prices, quantities and money are ``[raw, precision]`` / ``[raw, precision, code]``
integer arrays at the fixed scale of 10^9 (`FIXED_PRECISION`), which encode and decode several
times faster than decimal strings; the scale is part of the format (see `WIRE_SCALE`).
"""

from __future__ import annotations

import importlib
import operator
from collections.abc import Callable, Iterable
from typing import Any, Final, Union

import msgspec

from shrivenquant.core.uuid import UUID4
from shrivenquant.model import identifiers as _ids
from shrivenquant.model.currency import Currency
from shrivenquant.model.data.bar import BarType
from shrivenquant.model.messages import Command, Event, Message
from shrivenquant.model.values import FIXED_PRECISION, Money, Price, Quantity
from shrivenquant.model.wire_lowering import Lowering, lowering_for, raw_out

WIRE_SCALE: Final = FIXED_PRECISION
"""Decimal places of the raw integers in the MessagePack form."""

# Modules whose messages the default codec knows. Importing them registers their subclasses.
MESSAGE_MODULES: tuple[str, ...] = (
    "shrivenquant.model.commands",
    "shrivenquant.model.commands_risk",
    "shrivenquant.model.events",
    "shrivenquant.model.data",
    "shrivenquant.model.data_commands",
    "shrivenquant.model.instruments",
    "shrivenquant.model.reports",
)

_ABSTRACT: frozenset[type[Message]] = frozenset({Message, Event, Command})

# Identifiers with few distinct values are decoded once and shared.
_LOW_CARDINALITY_IDS: tuple[type[_ids.Identifier], ...] = (
    _ids.Symbol,
    _ids.Venue,
    _ids.InstrumentId,
    _ids.TraderId,
    _ids.StrategyId,
    _ids.ComponentId,
    _ids.ClientId,
    _ids.AccountId,
)
_CACHE_LIMIT: Final = 100_000


def _strict(name: str, parse: Callable[[str], Any]) -> Callable[[Any], Any]:
    def parse_str(value: Any) -> Any:
        if type(value) is not str:
            raise TypeError(f"expected str for {name}, got {type(value).__name__}")
        return parse(value)

    return parse_str


def _cached_parser(cls: type[_ids.Identifier]) -> Callable[[Any], Any]:
    cache: dict[str, Any] = {}

    def parse(value: Any) -> Any:
        got = cache.get(value) if type(value) is str else None
        if got is None:
            got = cls(value)  # validates, and raises TypeError for a non-str
            if len(cache) < _CACHE_LIMIT:
                cache[value] = got
        return got

    return parse


# Each parser checks the type of what it is given: ValueError/TypeError raised by a parser
# reach the caller as a msgspec.ValidationError naming the field ("... - at `$.last_qty`").
_STR_PARSERS: dict[type, Callable[[Any], Any]] = {
    Price: Price.from_str,
    Quantity: Quantity.from_str,
    Money: Money.from_str,
    Currency: _strict("Currency", Currency.from_str),
    UUID4: UUID4,
    BarType: _strict("BarType", BarType.from_str),
}
for _cls in _ids.ALL_IDENTIFIER_TYPES:
    _STR_PARSERS[_cls] = _cached_parser(_cls) if _cls in _LOW_CARDINALITY_IDS else _cls.from_wire
_STR_TYPES: frozenset[type] = frozenset(_STR_PARSERS)
_SCALARS: frozenset[type] = frozenset({Price, Quantity})


def enc_hook(obj: Any) -> str:
    """Encode a value object as its string form (the JSON representation)."""
    if type(obj) in _STR_TYPES:
        return str(obj)
    raise NotImplementedError(f"cannot serialise objects of type {type(obj).__name__}")


def dec_hook(typ: type, obj: Any) -> Any:
    """Decode a value object from its string form (bad input: a `msgspec.ValidationError`)."""
    parser = _STR_PARSERS.get(typ)
    if parser is None:
        raise NotImplementedError(f"cannot deserialise objects of type {typ.__name__}")
    return parser(obj)


def _raw_in(value: object) -> int:
    if type(value) is int:
        return value
    if type(value) is str and value.lstrip("-").isdigit() and value.isascii():
        return int(value)
    raise ValueError(f"raw value must be an integer, got {value!r}")


def _encode_scalar(obj: Price | Quantity) -> tuple[int | str, int]:
    return (raw_out(obj.raw), obj.precision)


def _encode_money(obj: Money) -> tuple[int | str, int, str]:
    return (raw_out(obj.raw), obj.precision, obj.currency.code)


# One dictionary look-up per value; identifiers and UUIDs read their string slot directly.
_BINARY_ENCODERS: dict[type, Callable[[Any], Any]] = {
    **{cls: operator.attrgetter("_value") for cls in _ids.ALL_IDENTIFIER_TYPES},
    UUID4: operator.attrgetter("_value"),
    Currency: operator.attrgetter("code"),
    BarType: str,
    Price: _encode_scalar,
    Quantity: _encode_scalar,
    Money: _encode_money,
}


def enc_hook_binary(obj: Any) -> Any:
    """Encode a value object for MessagePack: fixed-point values as integer arrays."""
    encoder = _BINARY_ENCODERS.get(type(obj))
    if encoder is None:
        raise NotImplementedError(f"cannot serialise objects of type {type(obj).__name__}")
    return encoder(obj)


def _scalar_parser(cls: type[Price] | type[Quantity]) -> Callable[[Any], Any]:
    from_raw = cls.from_raw

    def parse(obj: Any) -> Any:
        if type(obj) is not list or len(obj) != 2:
            raise ValueError(f"{cls.__name__} must be [raw, precision], got {obj!r}")
        raw = obj[0]
        return from_raw(raw if type(raw) is int else _raw_in(raw), obj[1])

    return parse


def _parse_money(obj: Any) -> Money:
    if type(obj) is not list or len(obj) != 3 or type(obj[2]) is not str:
        raise ValueError(f"Money must be [raw, precision, currency], got {obj!r}")
    return Money.from_raw(_raw_in(obj[0]), Currency.from_str(obj[2]), obj[1])


_BINARY_PARSERS: dict[type, Callable[[Any], Any]] = {
    **_STR_PARSERS,
    Price: _scalar_parser(Price),
    Quantity: _scalar_parser(Quantity),
    Money: _parse_money,
}


def dec_hook_binary(typ: type, obj: Any) -> Any:
    """Decode a value object from its MessagePack form."""
    parser = _BINARY_PARSERS.get(typ)
    if parser is None:
        raise NotImplementedError(f"cannot deserialise objects of type {typ.__name__}")
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
        self._mp_encoder = msgspec.msgpack.Encoder(enc_hook=enc_hook_binary)
        self._encode_mp = self._mp_encoder.encode
        self._lowerings: dict[type, Lowering | None] = {}
        self._mp_decoder: msgspec.msgpack.Decoder[Message] = msgspec.msgpack.Decoder(
            union, dec_hook=dec_hook_binary
        )
        self._json_encoder = msgspec.json.Encoder(enc_hook=enc_hook)
        self._json_decoder: msgspec.json.Decoder[Message] = msgspec.json.Decoder(
            union, dec_hook=dec_hook
        )

    def encode(self, msg: Message) -> bytes:
        """Encode to MessagePack bytes.

        Each message class is lowered to plain values by a function generated on first use
        (see `shrivenquant.model.wire_lowering`): the same bytes to a decoder, without a
        Python call per value.
        """
        try:
            lower = self._lowerings[type(msg)]
        except KeyError:
            lower = self._lowerings[type(msg)] = lowering_for(type(msg))
        if lower is not None:
            try:
                return self._encode_mp(lower(msg))
            except AttributeError:
                pass  # a field holds a value of another type than declared: encode as is
        return self._encode_mp(msg)

    def decode(self, data: bytes | memoryview) -> Message:
        """Decode MessagePack bytes; raises `msgspec.DecodeError`/`ValidationError` on bad input."""
        return self._mp_decoder.decode(data)

    def encode_json(self, msg: Message) -> bytes:
        """Encode to JSON bytes (for people, logs and APIs)."""
        return self._json_encoder.encode(msg)

    def decode_json(self, data: bytes | str) -> Message:
        """Decode JSON produced by `encode_json`."""
        return self._json_decoder.decode(data)
