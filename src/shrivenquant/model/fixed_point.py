"""The fixed-point machinery behind `Price`, `Quantity` and `Money`.

A value is an ``int`` raw count of 10**-9 units plus a display precision 0..9. This module holds
the scale and bounds, exact conversion from strings and Decimals, exact integer rounding, and
`FixedPoint`, the base class with comparisons, products, division and rounding to an increment.
Application code uses the value types in `shrivenquant.model.values`.
"""

from __future__ import annotations

from decimal import (
    MAX_EMAX,
    MAX_PREC,
    MIN_EMIN,
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Context,
    Decimal,
    InvalidOperation,
)
from typing import Any, ClassVar, Final, Self, overload

FIXED_PRECISION: Final = 9
FIXED_SCALAR: Final = 10**FIXED_PRECISION
# Largest magnitude in units: |raw| <= 10**27 fits a signed 128-bit int and decimal128(38, 9).
MAX_ABS_VALUE: Final = 10**18
MAX_RAW: Final = MAX_ABS_VALUE * FIXED_SCALAR
MIN_RAW: Final = -MAX_RAW
SUPPORTED_ROUNDINGS: Final = frozenset(
    {ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_HALF_DOWN, ROUND_UP, ROUND_DOWN, ROUND_CEILING,
     ROUND_FLOOR}
)  # fmt: skip

# STEP[p]: the raw value of one unit in the last decimal place shown at precision p.
STEP: Final = tuple(10 ** (FIXED_PRECISION - p) for p in range(FIXED_PRECISION + 1))
# Unbounded precision: add, subtract, multiply and quantize in this context never round.
EXACT: Final = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)
_SCIENTIFIC_CHARS: Final = frozenset("0123456789+-.eE")
_ZEROS: Final = "0" * (FIXED_PRECISION + 1)


# --- conversion --------------------------------------------------------------------------------


def parse_fixed(text: str, kind: str) -> tuple[int, int]:
    """Parse a decimal string to ``(raw, decimal places given)``.

    Places above 9 are returned only when the extra digits are zeros, so the caller decides
    whether an explicit precision makes the value acceptable.

    Raises:
        ValueError: malformed, out of range, or non-zero digits beyond the 9th place.
    """
    int_part, _, frac = text.partition(".")
    sign = int_part[:1]
    if sign in {"-", "+"}:
        int_part = int_part[1:]
    digits = int_part + frac
    if not (digits.isdigit() and digits.isascii()):
        return _parse_scientific(text, kind)
    places = len(frac)
    if places > FIXED_PRECISION:
        frac = frac.rstrip("0")
        if len(frac) > FIXED_PRECISION:
            raise ValueError(too_many_places(kind, text))
        digits = int_part + frac
        step = STEP[len(frac)]
    else:
        step = STEP[places]
    try:
        raw = int(digits.lstrip("0") or "0") * step
    except ValueError as exc:  # more digits than int() accepts
        raise ValueError(out_of_range(kind, text)) from exc
    if sign == "-":
        raw = -raw
    if raw > MAX_RAW or raw < MIN_RAW:
        raise ValueError(out_of_range(kind, text))
    return raw, places


def _parse_scientific(text: str, kind: str) -> tuple[int, int]:
    malformed = f"invalid {kind} {text!r}: expected a decimal string such as '123.45'"
    if not text or ("e" not in text and "E" not in text) or not _SCIENTIFIC_CHARS.issuperset(text):
        raise ValueError(malformed)
    try:
        value = EXACT.create_decimal(text)
    except InvalidOperation as exc:
        raise ValueError(malformed) from exc
    return decimal_to_fixed(value, kind, text)


def decimal_to_fixed(value: Decimal, kind: str, shown: object) -> tuple[int, int]:
    """Convert a finite Decimal to ``(raw, decimal places given)``; see `parse_fixed`."""
    if not value.is_finite():
        raise ValueError(f"invalid {kind} {shown!r}: not a finite number")
    if value and value.adjusted() > 18:
        raise ValueError(out_of_range(kind, shown))
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # finite
    scaled = value.scaleb(FIXED_PRECISION, EXACT)
    raw = int(scaled)
    if raw != scaled:
        raise ValueError(too_many_places(kind, shown))
    if raw > MAX_RAW or raw < MIN_RAW:
        raise ValueError(out_of_range(kind, shown))
    return raw, -exponent if exponent < 0 else 0


def coerce_to_fixed(value: object, kind: str) -> tuple[int, int]:
    """Convert a ``str``, ``int`` or ``Decimal`` to ``(raw, decimal places given)``.

    Raises:
        TypeError: a float, bool or other type (the message says how to convert a float).
        ValueError: as `parse_fixed`.
    """
    if type(value) is str:
        return parse_fixed(value, kind)
    if type(value) is int:
        raw = value * FIXED_SCALAR
        if raw > MAX_RAW or raw < MIN_RAW:
            raise ValueError(out_of_range(kind, value))
        return raw, 0
    if isinstance(value, Decimal):
        return decimal_to_fixed(value, kind, value)
    if isinstance(value, float):
        money = kind == "Money"
        example = f"{kind}('{value!r}', currency)" if money else f"{kind}('{value!r}')"
        raise TypeError(
            f"{kind} cannot be made from float {value!r}: binary floats are inexact. Use a "
            f"str or Decimal, e.g. {example}, or convert explicitly with "
            f"{kind}.from_float(value, {'currency' if money else 'precision'})"
        )
    if isinstance(value, str):
        return parse_fixed(str(value), kind)
    if isinstance(value, int) and not isinstance(value, bool):
        return coerce_to_fixed(int(value), kind)
    raise TypeError(f"{kind} value must be str, int or Decimal, got {type(value).__name__}")


def resolve_precision(
    raw: int, places: int, precision: int | None, kind: str, shown: object
) -> int:
    """Return the display precision: the places given, or an explicit precision exact for raw."""
    if precision is None:
        if places > FIXED_PRECISION:
            raise ValueError(too_many_places(kind, shown))
        return places
    check_precision(precision)
    if raw % STEP[precision]:
        raise ValueError(
            f"{kind} {shown!r} is not exactly representable with precision {precision}; "
            f"round it explicitly, e.g. {kind}.from_decimal(value, {precision}, "
            f"rounding=ROUND_HALF_EVEN)"
        )
    return precision


def check_precision(precision: object) -> None:
    """Raise ``ValueError`` unless ``precision`` is an int 0..9."""
    if type(precision) is not int or not 0 <= precision <= FIXED_PRECISION:
        raise ValueError(f"precision must be an int 0..{FIXED_PRECISION}, got {precision!r}")


def check_raw(raw: object, kind: str) -> None:
    """Raise unless ``raw`` is an int within the bounds."""
    if type(raw) is not int:
        raise TypeError(f"{kind} raw value must be int, got {type(raw).__name__}")
    if raw > MAX_RAW or raw < MIN_RAW:
        raise ValueError(f"{kind} raw value {raw} is out of range: |raw| <= {MAX_RAW}")


# --- rounding ----------------------------------------------------------------------------------


def check_rounding(rounding: str) -> None:
    """Raise ``ValueError`` for a rounding mode outside `SUPPORTED_ROUNDINGS`."""
    if rounding not in SUPPORTED_ROUNDINGS:
        raise ValueError(
            f"unsupported rounding mode {rounding!r}; use one of {sorted(SUPPORTED_ROUNDINGS)}"
        )


def quantize(value: Decimal, precision: int, rounding: str) -> Decimal:
    """Round a finite Decimal to ``precision`` places, exactly, with ``rounding``."""
    check_precision(precision)
    check_rounding(rounding)
    if not value.is_finite():
        raise ValueError(f"cannot round {value!r}: not a finite number")
    return value.quantize(Decimal(1).scaleb(-precision), rounding=rounding, context=EXACT)


def div_round(numerator: int, denominator: int, rounding: str) -> int:
    """Return ``numerator / denominator`` (denominator > 0) rounded to an int by ``rounding``."""
    quotient, remainder = divmod(numerator, denominator)  # floor division, remainder >= 0
    if not remainder:
        return quotient
    if rounding == ROUND_HALF_EVEN:
        tie_up = bool(quotient & 1)
    elif rounding == ROUND_HALF_UP:  # ties away from zero
        tie_up = numerator > 0
    elif rounding == ROUND_HALF_DOWN:  # ties towards zero
        tie_up = numerator < 0
    elif rounding == ROUND_FLOOR:
        return quotient
    elif rounding == ROUND_CEILING:
        return quotient + 1
    elif rounding == ROUND_DOWN:
        return quotient + 1 if numerator < 0 else quotient
    elif rounding == ROUND_UP:
        return quotient + 1 if numerator > 0 else quotient
    else:
        check_rounding(rounding)
    twice = remainder + remainder
    if twice > denominator or (twice == denominator and tie_up):
        return quotient + 1
    return quotient


# --- error messages ----------------------------------------------------------------------------


def too_many_places(kind: str, shown: object) -> str:
    """The message for a value with more than 9 significant decimal places."""
    return (
        f"{kind} {shown!r} has more than {FIXED_PRECISION} decimal places; round it "
        f"explicitly first, e.g. {kind}.from_decimal(value, precision, rounding=ROUND_HALF_EVEN)"
    )


def out_of_range(kind: str, shown: object) -> str:
    """The message for a value beyond `MAX_ABS_VALUE`."""
    return f"{kind} {shown!r} is out of range: the magnitude must be at most {MAX_ABS_VALUE}"


def overflow(kind: str, operation: str) -> OverflowError:
    """The error for an arithmetic result beyond `MAX_ABS_VALUE`."""
    return OverflowError(f"{kind} result of {operation} exceeds the bound {MAX_ABS_VALUE}")


# --- the base class ----------------------------------------------------------------------------


class FixedPoint:
    """Base of the fixed-point value types: raw int at scale 10**9 plus a display precision.

    Subclasses keep the invariant ``raw % STEP[precision] == 0`` so the value shows exactly.
    """

    __slots__ = ("_precision", "_raw")

    _raw: int
    _precision: int
    # Whether value * value of this type is meaningful (False for Money).
    _SELF_PRODUCT: ClassVar[bool] = True

    @property
    def raw(self) -> int:
        """The value in units of 10**-9."""
        return self._raw

    @property
    def precision(self) -> int:
        """Decimal places shown, 0..9."""
        return self._precision

    def as_decimal(self) -> Decimal:
        """The exact value as a Decimal with exactly ``precision`` decimal places."""
        precision = self._precision
        return Decimal(self._raw // STEP[precision]).scaleb(-precision, EXACT)

    def as_double(self) -> float:
        """The nearest float; for analytics only, never for trading state."""
        return self._raw / FIXED_SCALAR

    def _value_str(self) -> str:
        raw = self._raw
        if raw < 0:
            digits = str(-raw)
            sign = "-"
        else:
            digits = str(raw)
            sign = ""
        size = len(digits)
        if size <= FIXED_PRECISION:
            digits = _ZEROS[size:] + digits
        units = digits[:-FIXED_PRECISION]
        precision = self._precision
        if not precision:
            return sign + units
        return f"{sign}{units}.{digits[-FIXED_PRECISION:][:precision]}"

    def __format__(self, format_spec: str) -> str:
        if not format_spec:
            return str(self)
        return format(self.as_decimal(), format_spec)

    def __hash__(self) -> int:
        return hash(self._raw)

    def __bool__(self) -> bool:
        return self._raw != 0

    def __eq__(self, other: object) -> bool:
        if type(other) is type(self):
            return self._raw == other._raw
        return NotImplemented

    def __lt__(self, other: Self | int | Decimal) -> bool:
        if type(other) is type(self):
            return self._raw < other._raw
        result = self._compare(other, "<")
        return NotImplemented if result is None else result < 0

    def __le__(self, other: Self | int | Decimal) -> bool:
        if type(other) is type(self):
            return self._raw <= other._raw
        result = self._compare(other, "<=")
        return NotImplemented if result is None else result <= 0

    def __gt__(self, other: Self | int | Decimal) -> bool:
        if type(other) is type(self):
            return self._raw > other._raw
        result = self._compare(other, ">")
        return NotImplemented if result is None else result > 0

    def __ge__(self, other: Self | int | Decimal) -> bool:
        if type(other) is type(self):
            return self._raw >= other._raw
        result = self._compare(other, ">=")
        return NotImplemented if result is None else result >= 0

    def _compare(self, other: object, operation: str) -> int | None:
        """Three-way compare; None for a type the reflected operation may know."""
        if type(other) is type(self):
            self._check_same_unit(other, operation)
            return (self._raw > other._raw) - (self._raw < other._raw)
        if type(other) is int:
            scaled = other * FIXED_SCALAR
            return (self._raw > scaled) - (self._raw < scaled)
        if isinstance(other, Decimal):
            mine = self.as_decimal()
            return (mine > other) - (mine < other)
        self._reject(other, operation)
        return None

    def _reject(self, other: object, operation: str) -> None:
        """Raise a TypeError saying what to do for operands that must be converted first."""
        kind = type(self).__name__
        if isinstance(other, float):
            raise TypeError(
                f"unsupported {operation} between {kind} and float {other!r}: binary floats are "
                f"inexact; convert explicitly first, e.g. Decimal(repr(x)) or "
                f"{kind}.from_float(x, ...)"
            )
        if isinstance(other, FixedPoint):
            raise TypeError(
                f"unsupported {operation} between {kind} and {type(other).__name__}: "
                f"they are different quantities"
            )

    def _check_same_unit(self, other: Self, operation: str) -> None:
        """Raise when two values of this type cannot be combined (Money of two currencies)."""

    def _with_raw(self, raw: int, precision: int) -> Self:
        new = object.__new__(type(self))
        new._raw = raw
        new._precision = precision
        return new

    def __neg__(self) -> Self:
        return self._with_raw(-self._raw, self._precision)

    def __pos__(self) -> Self:
        return self

    def __abs__(self) -> Self:
        return self if self._raw >= 0 else self._with_raw(-self._raw, self._precision)

    @overload
    def __mul__(self, other: int) -> Self: ...
    @overload
    def __mul__(self, other: Decimal | FixedPoint) -> Decimal: ...
    def __mul__(self, other: int | Decimal | FixedPoint) -> Self | Decimal:
        if type(other) is int:
            raw = self._raw * other
            if raw > MAX_RAW or raw < MIN_RAW:
                raise overflow(type(self).__name__, f"{self} * {other}")
            return self._with_raw(raw, self._precision)
        if isinstance(other, Decimal):
            return EXACT.multiply(self.as_decimal(), other)
        if isinstance(other, FixedPoint):
            if type(other) is type(self) and not self._SELF_PRODUCT:
                kind = type(self).__name__
                raise TypeError(f"unsupported * between {kind} and {kind}")
            return EXACT.multiply(self.as_decimal(), other.as_decimal())
        self._reject(other, "*")
        return NotImplemented

    __rmul__ = __mul__

    def __truediv__(self, other: int | Decimal | FixedPoint) -> Decimal:
        """Divide in the caller's current decimal context (default: 28 significant digits)."""
        if type(other) is int or isinstance(other, Decimal):
            return self.as_decimal() / other
        if isinstance(other, FixedPoint):
            if type(other) is type(self):
                self._check_same_unit(other, "/")
            return self.as_decimal() / other.as_decimal()
        self._reject(other, "/")
        return NotImplemented

    def __rtruediv__(self, other: int | Decimal) -> Decimal:
        if type(other) is int or isinstance(other, Decimal):
            return other / self.as_decimal()
        self._reject(other, "/")
        return NotImplemented

    def round_to_increment(self, increment: Self, rounding: str = ROUND_HALF_EVEN) -> Self:
        """Round to a whole multiple of ``increment`` (a tick or lot size), exactly.

        The result has the increment's precision.

        Raises:
            ValueError: the increment is not positive, or the rounding mode is unsupported.
        """
        step = self._check_increment(increment)
        check_rounding(rounding)
        raw = div_round(self._raw, step, rounding) * step
        if raw > MAX_RAW or raw < MIN_RAW:
            raise overflow(type(self).__name__, f"rounding {self} to {increment}")
        return self._with_raw(raw, increment._precision)

    def is_multiple_of(self, increment: Self) -> bool:
        """Return whether this value is a whole multiple of ``increment``."""
        return self._raw % self._check_increment(increment) == 0

    def _check_increment(self, increment: Self) -> int:
        kind = type(self).__name__
        if type(increment) is not type(self):
            raise TypeError(f"increment must be a {kind}, got {type(increment).__name__}")
        self._check_same_unit(increment, "rounding")
        if increment._raw <= 0:
            raise ValueError(f"increment must be positive, got {increment!r}")
        return increment._raw

    def __copy__(self) -> Self:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        return self
