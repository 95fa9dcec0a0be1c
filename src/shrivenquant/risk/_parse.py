"""Parsers for risk config values: each names the field it parses in its error.

Values come from TOML (str, int, bool), from code (the typed values themselves) or from the
text of an `UpdateRiskLimits` command. Floats are refused: limits are exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.core.time import NANOS_PER_SECOND
from shrivenquant.model.currency import Currency
from shrivenquant.model.values import Money, Quantity

E = TypeVar("E", bound=StrEnum)


def reject_unknown(where: str, values: Mapping[str, Any], known: Iterable[str]) -> None:
    """Raise naming the keys of ``values`` that are not ``known``."""
    known_set = set(known)
    unknown = sorted(str(k) for k in values if k not in known_set)
    if unknown:
        raise InvalidInputError(
            f"{where}: unknown field(s) {', '.join(unknown)}; known: {', '.join(sorted(known_set))}"
        )


def expect_mapping(field: str, value: object) -> Mapping[str, Any]:
    """``value`` as a mapping, or an error naming ``field``."""
    if not isinstance(value, Mapping):
        raise InvalidInputError(f"{field}: expected a table of settings, got {value!r}")
    return value


def to_decimal(field: str, value: object) -> Decimal:
    """A finite Decimal from str, int or Decimal (never float or bool)."""
    if isinstance(value, bool | float):
        raise InvalidInputError(
            f"{field}: expected a number as str, int or Decimal (not {type(value).__name__}), "
            f"got {value!r}"
        )
    try:
        if isinstance(value, Decimal):
            result = value
        elif isinstance(value, int):
            result = Decimal(value)
        elif isinstance(value, str):
            result = Decimal(value.strip())
        else:
            raise InvalidInputError(f"{field}: expected a number, got {value!r}")
    except InvalidOperation:
        raise InvalidInputError(f"{field}: expected a number, got {value!r}") from None
    if not result.is_finite():
        raise InvalidInputError(f"{field}: must be a finite number, got {value!r}")
    return result


def non_negative(field: str, value: Decimal, shown: object) -> Decimal:
    """``value`` if it is not negative."""
    if value < 0:
        raise InvalidInputError(f"{field}: must not be negative, got {shown!r}")
    return value


def quantity(field: str, value: object) -> Quantity:
    """A non-negative quantity limit."""
    if isinstance(value, Quantity):
        return value
    number = non_negative(field, to_decimal(field, value), value)
    try:
        return Quantity(number)
    except ValueError as exc:
        raise InvalidInputError(f"{field}: {exc}") from None


def money(field: str, value: object) -> Money:
    """A non-negative amount with its currency (``"100000 USDT"`` or a `Money`)."""
    if isinstance(value, Money):
        amount = value
    elif isinstance(value, str) and " " in value.strip():
        try:
            amount = Money.from_str(value.strip())
        except ValueError as exc:
            raise InvalidInputError(f"{field}: {exc}") from None
    else:
        raise InvalidInputError(
            f"{field}: expected an amount with its currency such as '100000 USDT', got {value!r}"
        )
    if amount.raw < 0:
        raise InvalidInputError(f"{field}: must not be negative, got {value!r}")
    return amount


def notional(field: str, value: object) -> Money | Decimal:
    """A notional limit: an amount with a currency, or a bare number meaning the instrument's
    notional currency."""
    if isinstance(value, Money) or (isinstance(value, str) and " " in value.strip()):
        return money(field, value)
    return non_negative(field, to_decimal(field, value), value)


def fraction(field: str, value: object, *, upper: Decimal | None = None) -> Decimal:
    """A fraction > 0 (``0.05`` is 5 %), at most ``upper`` when given."""
    number = to_decimal(field, value)
    if number <= 0:
        raise InvalidInputError(f"{field}: must be a fraction above 0, got {value!r}")
    if upper is not None and number > upper:
        raise InvalidInputError(f"{field}: must be at most {upper}, got {value!r}")
    return number


def count(field: str, value: object, *, minimum: int = 0) -> int:
    """An int >= ``minimum`` (str digits accepted, for command text)."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError(f"{field}: expected a whole number, got {value!r}")
    if value < minimum:
        if minimum == 0:
            raise InvalidInputError(f"{field}: must not be negative, got {value!r}")
        raise InvalidInputError(f"{field}: must be at least {minimum}, got {value!r}")
    return value


def flag(field: str, value: object) -> bool:
    """A bool (``"true"``/``"false"`` accepted, for command text)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise InvalidInputError(f"{field}: expected true or false, got {value!r}")


def seconds_to_ns(field: str, value: object, *, allow_zero: bool = False) -> int:
    """A duration in seconds (int, Decimal or str) as nanoseconds."""
    number = to_decimal(field, value)
    if number < 0 or (number == 0 and not allow_zero):
        raise InvalidInputError(f"{field}: must be a positive number of seconds, got {value!r}")
    return int(number * NANOS_PER_SECOND)


def choice(field: str, value: object, enum: type[E]) -> E:
    """A member of ``enum`` named by ``value`` (any case)."""
    if isinstance(value, enum):
        return value
    if isinstance(value, str):
        key = value.strip().upper()
        for member in enum:
            if member.value == key:
                return member
    options = ", ".join(m.value for m in enum)
    raise InvalidInputError(f"{field}: unknown {value!r}; use one of {options}")


def currency(field: str, value: object) -> Currency:
    """A currency from its code."""
    if isinstance(value, Currency):
        return value
    if isinstance(value, str):
        try:
            return Currency.from_str(value.strip().upper())
        except ValueError as exc:
            raise InvalidInputError(f"{field}: {exc}") from None
    raise InvalidInputError(f"{field}: expected a currency code, got {value!r}")
