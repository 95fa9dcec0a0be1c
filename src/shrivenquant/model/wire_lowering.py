"""Per-message-type "lowering" functions: a message as the plain values msgspec encodes natively.

Encoding a message struct directly makes msgspec call the codec's ``enc_hook`` once for every
identifier, UUID, price, quantity and money value in it: a Python call (and a dictionary
look-up) per value, about forty per order round trip. A lowering function, generated once per
message class from its fields, turns the whole message into a ``dict`` of ``str``/``int``/
``tuple``/enum values in one Python call; msgspec then encodes that ``dict`` without calling
back. The result is the same MessagePack map as encoding the struct itself (the tag first,
fields in struct order, defaults omitted exactly as ``omit_defaults`` does; only the map header
may be narrower, as msgspec sizes a struct's header by its field count), so decoding is
unchanged; the codec tests check this for every message type.

Fields whose annotation the generator does not know (``Decimal``, ``dict``, unions of several
kinds, ...) are passed through untouched and still reach ``enc_hook``. A value of an unexpected
type in a known field makes the lowering raise `AttributeError`; the codec then encodes that
message the ordinary way.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any, Final, Union, get_args, get_origin

import msgspec

from shrivenquant.core.uuid import UUID4
from shrivenquant.model.currency import Currency
from shrivenquant.model.identifiers import Identifier
from shrivenquant.model.values import Money, Price, Quantity

Lowering = Callable[[Any], Any]
"""A function from a message to the msgspec-native value that encodes to the same bytes."""

_INT64_MIN: Final = -(2**63)
_INT64_MAX: Final = 2**63 - 1
# Factories whose empty result `omit_defaults` leaves out (msgspec checks the exact type).
_EMPTY_FACTORIES: Final = (list, dict, set)


def raw_out(raw: int) -> int | str:
    """A raw fixed-point value as it travels in MessagePack: the int, or its digits when it
    does not fit in 64 bits (MessagePack integers stop there; the rare larger value)."""
    return raw if _INT64_MIN <= raw <= _INT64_MAX else str(raw)


def _raw(source: str) -> str:
    """The expression of a raw value as `raw_out` gives it, inline (no call per value)."""
    return f"({source}._raw if _MIN <= {source}._raw <= _MAX else _raw_out({source}._raw))"


class _Generator:
    """Writes the source of the lowering functions of one struct class and the ones it nests."""

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {"_raw_out": raw_out, "_MIN": _INT64_MIN}
        self.namespace["_MAX"] = _INT64_MAX
        self._names: dict[type, str] = {}
        self._sources: list[str] = []
        self._counter = 0

    def _const(self, value: object) -> str:
        self._counter += 1
        name = f"_c{self._counter}"
        self.namespace[name] = value
        return name

    def function_for(self, cls: type[msgspec.Struct]) -> str:
        """The name of ``cls``'s lowering function, writing it (and its nested ones) once."""
        name = self._names.get(cls)
        if name is not None:
            return name
        name = self._names[cls] = f"_lower_{cls.__name__}_{len(self._names)}"
        config = cls.__struct_config__
        lines = [f"def {name}(m):"]
        entries: list[str] = []
        if config.tag is not None:
            entries.append(f"{config.tag_field!r}: {config.tag!r}")
        tail: list[str] = []  # once a field may be omitted, later ones are added in order
        for field in msgspec.structs.fields(cls):
            key = repr(field.encode_name)
            value = self.expression(f"m.{field.name}", field.type)
            omit = self._omit_test(field) if config.omit_defaults else None
            if omit is None and not tail:
                entries.append(f"{key}: {value}")
                continue
            if omit is None:
                tail.append(f"    d[{key}] = {value}")
            else:
                tail.append(f"    v = m.{field.name}")
                tail.append(f"    if {omit.format(v='v')}:")
                tail.append(f"        d[{key}] = {self.expression('v', field.type)}")
        lines.append("    d = {" + ", ".join(entries) + "}")
        lines.extend(tail)
        lines.append("    return d")
        self._sources.append("\n".join(lines))
        return name

    def _omit_test(self, field: msgspec.structs.FieldInfo) -> str | None:
        """A test, on ``{v}``, that is true when the field is written (None: always written)."""
        if field.default is not msgspec.NODEFAULT:
            return f"{{v}} is not {self._const(field.default)}"
        factory = field.default_factory
        if factory in _EMPTY_FACTORIES:
            return f"type({{v}}) is not {factory.__name__} or {{v}}"
        return None

    def expression(self, source: str, annotation: Any) -> str:
        """An expression lowering the value at ``source``, of type ``annotation``."""
        if isinstance(annotation, type):
            if issubclass(annotation, Identifier | UUID4):
                return f"{source}._value"
            if annotation is Currency:
                return f"{source}.code"
            if annotation is Price or annotation is Quantity:
                return f"({_raw(source)}, {source}._precision)"
            if annotation is Money:
                return f"({_raw(source)}, {source}._precision, {source}._currency.code)"
            if (
                issubclass(annotation, msgspec.Struct)
                and not annotation.__struct_config__.array_like
                and not annotation.__subclasses__()
            ):
                struct = self._const(annotation)
                function = self.function_for(annotation)
                # A subclass instance made later would have other fields: leave it to msgspec.
                return f"({function}({source}) if type({source}) is {struct} else {source})"
            return source
        origin = get_origin(annotation)
        args = get_args(annotation)
        if origin in (Union, types.UnionType) and len(args) == 2 and type(None) in args:
            (inner,) = (a for a in args if a is not type(None))
            lowered = self.expression(source, inner)
            if lowered == source:
                return source
            return f"(None if {source} is None else {lowered})"
        if origin in (list, tuple) and args and (len(args) == 1 or args[1] is Ellipsis):
            lowered = self.expression("x", args[0])
            if lowered == "x":
                return source
            return f"[{lowered} for x in {source}]"
        return source

    def compile(self, cls: type[msgspec.Struct]) -> Lowering:
        """Generate and compile ``cls``'s lowering function."""
        name = self.function_for(cls)
        code = compile("\n\n".join(self._sources), f"<lowering of {cls.__name__}>", "exec")
        exec(code, self.namespace)  # noqa: S102 - source generated above from field types
        function: Lowering = self.namespace[name]
        return function


def lowering_for(cls: type) -> Lowering | None:
    """The lowering function of message class ``cls``, or None if it has no plain-map form.

    Only structs encoded as maps qualify (``array_like`` structs and other classes encode as
    they are).
    """
    if not (isinstance(cls, type) and issubclass(cls, msgspec.Struct)):
        return None
    if cls.__struct_config__.array_like:
        return None
    return _Generator().compile(cls)


__all__ = ["Lowering", "lowering_for", "raw_out"]
