"""Typed, frozen configuration for actors and strategies.

A strategy's parameters are a subclass of `StrategyConfig` with annotated fields; the subclass
becomes a frozen, keyword-only dataclass by itself (no decorator needed)::

    class SMACrossConfig(StrategyConfig):
        instrument_id: InstrumentId
        bar_type: BarType
        fast: int = 10
        slow: int = 30

        def validate(self) -> None:
            super().validate()
            if self.fast >= self.slow:
                raise InvalidInputError("fast must be below slow")

Values are checked against the annotations on construction, and text is parsed where a TOML
file can only give text (identifiers, bar types, prices, quantities, money, currencies,
decimals, enums). `from_mapping` builds a config from a parsed TOML table and rejects unknown
keys; `to_mapping` gives the TOML-friendly form back. Floats are never turned into prices,
quantities or decimals.
"""

from __future__ import annotations

import dataclasses
import re
import types
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from enum import Enum, StrEnum, unique
from typing import (
    Any,
    ClassVar,
    Final,
    Literal,
    Self,
    Union,
    dataclass_transform,
    get_args,
    get_origin,
    get_type_hints,
)

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.model.currency import Currency
from shrivenquant.model.data import BarType
from shrivenquant.model.identifiers import ComponentId, Identifier, StrategyId
from shrivenquant.model.values import Money, Price, Quantity

_TAG: Final = re.compile(r"^[A-Za-z0-9_]+$")
_PARSED_FROM_TEXT: Final[tuple[type, ...]] = (Price, Quantity)


@unique
class HookErrorPolicy(StrEnum):
    """What an actor does when one of its user hooks (``on_bar``, ``on_order_filled``, ...)
    raises. Either way the error is logged with its traceback and counted."""

    FAULT = "FAULT"
    """Move the actor to FAULTED: it receives nothing more until reset (the default)."""
    ISOLATE = "ISOLATE"
    """Keep running: the failed call is skipped and the next message is handled as usual."""


@dataclass_transform(
    kw_only_default=True, frozen_default=True, field_specifiers=(dataclasses.field,)
)
class ConfigBase:
    """Base of typed configs: every subclass is a frozen, keyword-only dataclass.

    Override `validate` (calling ``super().validate()``) for rules across fields; do not
    define ``__post_init__``.
    """

    _hints: ClassVar[dict[str, Any] | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._hints = None
        dataclasses.dataclass(frozen=True, kw_only=True)(cls)

    def __post_init__(self) -> None:
        hints = type(self)._type_hints()
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            where = f"{type(self).__name__}.{f.name}"
            coerced = coerce(value, hints.get(f.name, Any), where)
            if coerced is not value:
                object.__setattr__(self, f.name, coerced)
        self.validate()

    def validate(self) -> None:
        """Check rules across fields (override; raise `InvalidInputError` naming the field)."""

    @classmethod
    def _type_hints(cls) -> dict[str, Any]:
        hints = cls.__dict__.get("_hints")
        if hints is None:
            try:
                hints = get_type_hints(cls)
            except NameError as exc:
                raise InvalidInputError(
                    f"{cls.__name__}: cannot resolve a field annotation ({exc}); "
                    "import the types the fields use at module level"
                ) from exc
            cls._hints = hints
        return hints

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Self:
        """Build from a mapping (a parsed TOML table), rejecting unknown and missing keys.

        Raises:
            InvalidInputError: an unknown key, a missing required key or an invalid value;
                the message names the field.
        """
        if not isinstance(values, Mapping):
            raise InvalidInputError(f"{cls.__name__}: expected a mapping, got {values!r}")
        fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        unknown = sorted(str(k) for k in values if k not in fields)
        if unknown:
            raise InvalidInputError(
                f"unknown {cls.__name__} field(s): {', '.join(unknown)};"
                f" known: {', '.join(sorted(fields))}"
            )
        missing = sorted(
            name
            for name, f in fields.items()
            if name not in values
            and f.default is dataclasses.MISSING
            and f.default_factory is dataclasses.MISSING
        )
        if missing:
            raise InvalidInputError(
                f"{cls.__name__}: missing required field(s): {', '.join(missing)}"
            )
        return cls(**values)

    def to_mapping(self) -> dict[str, Any]:
        """The config as a TOML-friendly mapping (text for ids and values; None left out).

        ``type(config).from_mapping(config.to_mapping()) == config``.
        """
        result: dict[str, Any] = {}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if value is not None:
                result[f.name] = _plain(value)
        return result


def _plain(value: object) -> object:
    if isinstance(value, bool | int | float | str) and not isinstance(value, Enum):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list | frozenset):
        items = [_plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, frozenset) else items
    if isinstance(value, Mapping):
        return {str(_plain(k)): _plain(v) for k, v in value.items()}
    return str(value)


# -- coercion ---------------------------------------------------------------------------------


def coerce(value: object, annotation: Any, where: str) -> Any:
    """Return ``value`` checked against (and, from text, parsed into) ``annotation``.

    Raises:
        InvalidInputError: the value does not fit; the message names ``where``.
    """
    if annotation is Any or annotation is object:
        return value
    origin = get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        return _coerce_union(value, get_args(annotation), where)
    if origin is Literal:
        if value in get_args(annotation):
            return value
        choices = ", ".join(repr(a) for a in get_args(annotation))
        raise InvalidInputError(f"{where}: expected one of {choices}, got {value!r}")
    if origin is tuple:
        return _coerce_tuple(value, get_args(annotation), where)
    if origin is frozenset:
        (item_type,) = get_args(annotation)
        items = _sequence(value, where)
        return frozenset(coerce(v, item_type, f"{where}[{i}]") for i, v in enumerate(items))
    if origin is not None:
        if isinstance(value, origin):
            return value
        raise _mismatch(where, getattr(origin, "__name__", str(origin)), value)
    if isinstance(annotation, type):
        return _coerce_class(value, annotation, where)
    return value


def _coerce_union(value: object, options: tuple[Any, ...], where: str) -> Any:
    if value is None:
        if type(None) in options:
            return None
        raise InvalidInputError(f"{where}: a value is required, got None")
    # Exact type matches first, so that `int | str` keeps a str as a str.
    for option in options:
        if isinstance(option, type) and type(value) is option:
            return value
    for option in options:
        if option is type(None):
            continue
        try:
            return coerce(value, option, where)
        except InvalidInputError:
            continue
    names = " | ".join(_type_name(o) for o in options)
    raise InvalidInputError(f"{where}: expected {names}, got {value!r}")


def _coerce_tuple(value: object, args: tuple[Any, ...], where: str) -> tuple[Any, ...]:
    items = _sequence(value, where)
    if len(args) == 2 and args[1] is Ellipsis:
        return tuple(coerce(v, args[0], f"{where}[{i}]") for i, v in enumerate(items))
    if not args:
        return tuple(items)
    if len(items) != len(args):
        raise InvalidInputError(f"{where}: expected {len(args)} items, got {len(items)}")
    return tuple(
        coerce(v, t, f"{where}[{i}]") for i, (v, t) in enumerate(zip(items, args, strict=True))
    )


def _sequence(value: object, where: str) -> list[Any]:
    if isinstance(value, list | tuple | frozenset | set):
        return list(value)
    raise _mismatch(where, "a list", value)


def _coerce_class(value: object, cls: type, where: str) -> Any:
    if cls is bool:
        if isinstance(value, bool):
            return value
        raise _mismatch(where, "true or false", value)
    if cls is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise _mismatch(where, "an integer", value)
    if cls is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        raise _mismatch(where, "a number", value)
    if isinstance(value, cls):
        return value
    if issubclass(cls, Enum):
        return _coerce_enum(value, cls, where)
    if cls is Decimal:
        return _coerce_decimal(value, where)
    if not isinstance(value, str | int | Decimal) or isinstance(value, bool):
        raise _mismatch(where, _type_name(cls), value)
    try:
        return _parse(value, cls, where)
    except (ValueError, TypeError) as exc:
        raise InvalidInputError(f"{where}: {exc}") from exc


def _parse(value: str | int | Decimal, cls: type, where: str) -> Any:
    if cls in _PARSED_FROM_TEXT:
        return cls(value)
    if not isinstance(value, str):
        raise _mismatch(where, f"{_type_name(cls)} as text", value)
    if issubclass(cls, Identifier):
        return cls(value)
    if cls is BarType:
        return BarType.from_str(value)
    if cls is Money:
        return Money.from_str(value)
    if cls is Currency:
        return Currency.from_str(value.strip().upper())
    raise _mismatch(where, _type_name(cls), value)


def _coerce_enum(value: object, cls: type[Enum], where: str) -> Enum:
    if isinstance(value, str):
        for member in cls:
            if value == member.value or value.upper() == member.name:
                return member
    choices = ", ".join(str(m.value) for m in cls)
    raise InvalidInputError(f"{where}: expected one of {choices}, got {value!r}")


def _coerce_decimal(value: object, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _mismatch(where, "a decimal as text or an integer (never a float)", value)
    try:
        result = Decimal(value)
    except InvalidOperation:
        raise _mismatch(where, "a decimal number", value) from None
    if not result.is_finite():
        raise _mismatch(where, "a finite decimal number", value)
    return result


def _type_name(annotation: Any) -> str:
    if annotation is type(None):
        return "None"
    return getattr(annotation, "__name__", str(annotation))


def _mismatch(where: str, expected: str, value: object) -> InvalidInputError:
    return InvalidInputError(f"{where}: expected {expected}, got {value!r}")


# -- the configs ------------------------------------------------------------------------------


class ComponentConfig(ConfigBase):
    """Settings every actor and strategy has.

    Attributes:
        on_hook_error: FAULT (default) stops the component at the first exception in a user
            hook; ISOLATE logs and counts it and keeps going.
    """

    on_hook_error: HookErrorPolicy = HookErrorPolicy.FAULT


class ActorConfig(ComponentConfig):
    """Settings of an `Actor`.

    Attributes:
        component_id: the actor's id; defaults to its class name.
    """

    component_id: ComponentId | None = None


class StrategyConfig(ComponentConfig):
    """Settings of a `Strategy`; subclass it to add the strategy's parameters.

    Attributes:
        strategy_id: the strategy's id (unique per trader); defaults to
            ``<ClassName>-<order_id_tag>``.
        order_id_tag: the strategy's part of its client order ids (letters, digits and ``_``;
            unique per trader). Defaults to the part of ``strategy_id`` after its last ``-``,
            else ``000``.
    """

    strategy_id: StrategyId | None = None
    order_id_tag: str | None = None

    def validate(self) -> None:
        """Check ``order_id_tag`` (and the tag derived from ``strategy_id``)."""
        super().validate()
        if self.order_id_tag is not None and not _TAG.match(self.order_id_tag):
            raise InvalidInputError(
                f"{type(self).__name__}.order_id_tag: use letters, digits and '_' only, "
                f"got {self.order_id_tag!r}"
            )
        if self.order_id_tag is None and self.strategy_id is not None:
            derived = self.strategy_id.value.rpartition("-")[2]
            if not _TAG.match(derived):
                raise InvalidInputError(
                    f"{type(self).__name__}.order_id_tag: cannot derive a tag from strategy_id "
                    f"{self.strategy_id} (the part after its last '-'); set order_id_tag"
                )

    def resolved_tag(self) -> str:
        """The order id tag the strategy uses (see ``order_id_tag``)."""
        if self.order_id_tag is not None:
            return self.order_id_tag
        if self.strategy_id is not None:
            return self.strategy_id.value.rpartition("-")[2]
        return "000"
