"""Exact fixed-point values: `Price`, `Quantity` and `Money`.

Every value holds an ``int`` raw count of 10**-9 units (one global scale, `FIXED_PRECISION`)
and a display ``precision`` of 0..9 decimal places; the raw value is always a whole number of
units at that precision, so ``str`` shows the value exactly and `from_str` gives it back.

Rules:
- Made from ``str``, ``int`` or ``Decimal``; never silently from ``float`` (``TypeError``).
  ``from_float`` converts explicitly through the float's shortest repr, rounding half-even.
- Strings: optional ``+``/``-``, ASCII digits, optional ``.`` fraction; scientific notation
  (``"1e-3"``) is accepted when exact. Whitespace, ``_``, ``nan`` and ``inf`` are rejected.
  Without an explicit precision, the precision is the number of decimal places given.
- Magnitudes are bounded by `MAX_ABS_VALUE` (10**18 units, so ``|raw| <= 10**27``), which fits
  a signed 128-bit integer and a ``decimal128(38, 9)`` column. Construction beyond the bound
  raises ``ValueError``; arithmetic beyond it raises ``OverflowError``.
- Same-type ``+``/``-`` keep the type (precision = the larger); ``* int`` keeps the type.
  Products of two values, anything with ``Decimal`` and every division give a ``Decimal``.
  Products are exact; divisions use the caller's current decimal context.
- ``==`` is true only between values of the same type (and currency) with equal raw values,
  so ``Price("1") != Decimal("1")`` and ``Price("1.0") == Price("1.00")``; ``hash`` follows.
  Ordering with ``int`` and ``Decimal`` is supported and exact.
- Values are immutable by convention, like ``fractions.Fraction``: state lives in private
  slots behind read-only properties; ``copy`` returns the same object.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, ClassVar, Self, overload

from shrivenquant.model.currency import Currency
from shrivenquant.model.fixed_point import (
    EXACT,
    FIXED_PRECISION,
    FIXED_SCALAR,
    MAX_ABS_VALUE,
    MAX_RAW,
    MIN_RAW,
    STEP,
    SUPPORTED_ROUNDINGS,
    FixedPoint,
    check_precision,
    check_raw,
    check_rounding,
    coerce_to_fixed,
    decimal_to_fixed,
    div_round,
    overflow,
    parse_fixed,
    quantize,
    resolve_precision,
    too_many_places,
)

__all__ = [
    "FIXED_PRECISION",
    "FIXED_SCALAR",
    "MAX_ABS_VALUE",
    "MAX_RAW",
    "SUPPORTED_ROUNDINGS",
    "FixedPoint",
    "Money",
    "Price",
    "Quantity",
    "round_to_increment",
]

_new = object.__new__


class _Scalar(FixedPoint):
    """A fixed-point value without a unit: the base of `Price` and `Quantity`."""

    __slots__ = ()

    _SIGNED: ClassVar[bool] = True

    def __init__(self, value: str | int | Decimal, precision: int | None = None) -> None:
        kind = type(self).__name__
        raw, places = coerce_to_fixed(value, kind)
        if raw < 0 and not self._SIGNED:
            raise ValueError(f"{kind} cannot be negative, got {value!r}")
        self._precision = resolve_precision(raw, places, precision, kind, value)
        self._raw = raw

    @classmethod
    def _build(cls, raw: int, precision: int, shown: object) -> Self:
        if raw < 0 and not cls._SIGNED:
            raise ValueError(f"{cls.__name__} cannot be negative, got {shown!r}")
        new = _new(cls)
        new._raw = raw
        new._precision = precision
        return new

    @classmethod
    def from_raw(cls, raw: int, precision: int) -> Self:
        """Make a value from its raw int (units of 10**-9) and precision, without parsing.

        Raises:
            ValueError: out of range, negative Quantity, or ``raw`` not a whole number of units
                at ``precision``.
        """
        if (
            type(raw) is int
            and type(precision) is int
            and 0 <= precision <= FIXED_PRECISION
            and not raw % STEP[precision]
            and MIN_RAW <= raw <= MAX_RAW
            and (raw >= 0 or cls._SIGNED)
        ):
            new = _new(cls)
            new._raw = raw
            new._precision = precision
            return new
        check_raw(raw, cls.__name__)
        check_precision(precision)
        if raw % STEP[precision]:
            raise ValueError(
                f"{cls.__name__} raw value {raw} is not representable with precision {precision}"
            )
        return cls._build(raw, precision, raw)

    @classmethod
    def from_str(cls, text: str) -> Self:
        """Parse a decimal string; the precision is the number of decimal places given.

        ``str(value)`` always parses back to an equal value with the same precision.
        """
        if type(text) is not str:
            raise TypeError(f"{cls.__name__}.from_str expects str, got {type(text).__name__}")
        # Fast path for the plain form ("101.25", "-0.5"); everything else goes to parse_fixed.
        int_part, _, frac = text.partition(".")
        digits = int_part + frac
        places = len(frac)
        if (
            places <= FIXED_PRECISION
            and len(digits) <= 40  # int() refuses thousands of digits; parse_fixed reports it
            and digits.isascii()
            and (digits.isdigit() or (cls._SIGNED and digits[:1] == "-" and digits[1:].isdigit()))
        ):
            raw = int(digits) * STEP[places]
            if MIN_RAW <= raw <= MAX_RAW:
                new = _new(cls)
                new._raw = raw
                new._precision = places
                return new
        kind = cls.__name__
        raw, places = parse_fixed(text, kind)
        if places > FIXED_PRECISION:
            raise ValueError(too_many_places(kind, text))
        return cls._build(raw, places, text)

    @classmethod
    def from_decimal(
        cls, value: Decimal, precision: int | None = None, rounding: str | None = None
    ) -> Self:
        """Make a value from a Decimal.

        Args:
            value: the value.
            precision: display precision; default the number of decimal places of ``value``.
            rounding: when given, round to ``precision`` (required then) with this mode;
                otherwise the value must be exact at ``precision``.
        """
        kind = cls.__name__
        if not isinstance(value, Decimal):
            raise TypeError(f"{kind}.from_decimal expects Decimal, got {value!r}")
        if rounding is not None:
            if precision is None:
                raise ValueError(f"{kind}.from_decimal: rounding needs an explicit precision")
            value = quantize(value, precision, rounding)
        raw, places = decimal_to_fixed(value, kind, value)
        return cls._build(raw, resolve_precision(raw, places, precision, kind, value), value)

    @classmethod
    def from_int(cls, value: int) -> Self:
        """Make a whole-number value with precision 0."""
        if type(value) is not int:
            raise TypeError(f"{cls.__name__}.from_int expects int, got {value!r}")
        raw, _ = coerce_to_fixed(value, cls.__name__)
        return cls._build(raw, 0, value)

    @classmethod
    def from_float(cls, value: float, precision: int, rounding: str = ROUND_HALF_EVEN) -> Self:
        """Convert a float at a system boundary, explicitly.

        The float's shortest repr (``repr(0.1) == '0.1'``) is taken as the intended decimal and
        rounded to ``precision`` with ``rounding`` (half-even by default).
        """
        if not isinstance(value, float):
            raise TypeError(f"{cls.__name__}.from_float expects float, got {value!r}")
        return cls.from_decimal(Decimal(repr(value)), precision, rounding)

    __str__ = FixedPoint._value_str

    def __repr__(self) -> str:
        return f"{type(self).__name__}('{self._value_str()}')"

    def __reduce__(self) -> tuple[Any, tuple[int, int]]:
        return (type(self).from_raw, (self._raw, self._precision))

    @overload
    def __add__(self, other: Self) -> Self: ...
    @overload
    def __add__(self, other: Decimal) -> Decimal: ...
    def __add__(self, other: Self | Decimal) -> Self | Decimal:
        cls = type(self)
        if type(other) is cls:
            raw = self._raw + other._raw
            if raw > MAX_RAW or raw < MIN_RAW:
                raise overflow(cls.__name__, f"{self} + {other}")
            new = _new(cls)
            new._raw = raw
            precision = self._precision
            new._precision = precision if precision >= other._precision else other._precision
            return new
        if isinstance(other, Decimal):
            return EXACT.add(self.as_decimal(), other)
        self._reject(other, "+")
        return NotImplemented

    @overload
    def __sub__(self, other: Self) -> Self: ...
    @overload
    def __sub__(self, other: Decimal) -> Decimal: ...
    def __sub__(self, other: Self | Decimal) -> Self | Decimal:
        cls = type(self)
        if type(other) is cls:
            raw = self._raw - other._raw
            if raw > MAX_RAW or raw < MIN_RAW:
                raise overflow(cls.__name__, f"{self} - {other}")
            new = _new(cls)
            new._raw = raw
            precision = self._precision
            new._precision = precision if precision >= other._precision else other._precision
            return new
        if isinstance(other, Decimal):
            return EXACT.subtract(self.as_decimal(), other)
        self._reject(other, "-")
        return NotImplemented

    def __radd__(self, other: object) -> Decimal:
        if isinstance(other, Decimal):
            return EXACT.add(other, self.as_decimal())
        self._reject(other, "+")
        return NotImplemented

    def __rsub__(self, other: object) -> Decimal:
        if isinstance(other, Decimal):
            return EXACT.subtract(other, self.as_decimal())
        self._reject(other, "-")
        return NotImplemented


class Price(_Scalar):
    """An exact price; may be negative (spreads, option combos, settlement deltas).

    ``Price("101.50")``, ``Price(7)``, ``Price(Decimal("0.1"), precision=2)``; never a float.
    """

    __slots__ = ()


class Quantity(_Scalar):
    """An exact quantity that is never negative (order, fill and position sizes)."""

    __slots__ = ()

    _SIGNED: ClassVar[bool] = False

    @overload
    def __sub__(self, other: Quantity) -> Quantity: ...
    @overload
    def __sub__(self, other: Decimal) -> Decimal: ...
    def __sub__(self, other: Quantity | Decimal) -> Quantity | Decimal:
        if type(other) is Quantity and other._raw > self._raw:
            raise ValueError(f"Quantity cannot be negative: {self!r} - {other!r} is below zero")
        return super().__sub__(other)

    def _with_raw(self, raw: int, precision: int) -> Self:
        if raw < 0:
            shown = Decimal(raw).scaleb(-FIXED_PRECISION, EXACT).normalize(EXACT)
            raise ValueError(f"Quantity cannot be negative: the result would be {shown}")
        return super()._with_raw(raw, precision)


class Money(FixedPoint):
    """An exact amount of one currency, e.g. ``Money("100.50", USDT)``.

    The precision is the currency's precision, or more when the value gives more decimal places
    (up to 9), so ``str`` never hides digits: ``str(Money("100.5", USD)) == "100.50 USD"`` and
    ``str(Money("0.125", USD)) == "0.125 USD"``. `rounded` rounds to the currency's precision.
    Arithmetic and ordering need one currency; mixing currencies raises ``ValueError``.
    """

    __slots__ = ("_currency",)

    _currency: Currency
    _SELF_PRODUCT: ClassVar[bool] = False

    def __init__(self, value: str | int | Decimal, currency: Currency | str) -> None:
        currency = _as_currency(currency)
        raw, places = coerce_to_fixed(value, "Money")
        if places > FIXED_PRECISION:
            raise ValueError(too_many_places("Money", value))
        self._raw = raw
        self._precision = places if places > currency.precision else currency.precision
        self._currency = currency

    @property
    def currency(self) -> Currency:
        """The currency of this amount."""
        return self._currency

    @classmethod
    def _make(cls, raw: int, places: int, currency: Currency) -> Money:
        new = _new(cls)
        new._raw = raw
        new._precision = places if places > currency.precision else currency.precision
        new._currency = currency
        return new

    @classmethod
    def from_raw(cls, raw: int, currency: Currency | str, precision: int | None = None) -> Money:
        """Make an amount from its raw int (units of 10**-9) without parsing.

        ``precision`` defaults to the currency's, or the fewest places that show ``raw`` exactly.
        """
        if type(raw) is int and type(currency) is Currency and MIN_RAW <= raw <= MAX_RAW:
            places = currency.precision if precision is None else precision
            if (
                type(places) is int
                and currency.precision <= places <= FIXED_PRECISION
                and not raw % STEP[places]
            ):  # the common case, checked inline
                new = _new(cls)
                new._raw = raw
                new._precision = places
                new._currency = currency
                return new
        check_raw(raw, "Money")
        currency = _as_currency(currency)
        if precision is None:
            precision = currency.precision
            while raw % STEP[precision]:
                precision += 1
        else:
            check_precision(precision)
            if precision < currency.precision or raw % STEP[precision]:
                raise ValueError(
                    f"Money raw value {raw} is not representable with precision {precision} "
                    f"(the {currency.code} precision is {currency.precision})"
                )
        return cls._make(raw, precision, currency)

    @classmethod
    def from_str(cls, text: str) -> Money:
        """Parse ``"<amount> <CODE>"``, e.g. ``"100.50 USDT"``, as produced by ``str``."""
        if type(text) is not str:
            raise TypeError(f"Money.from_str expects str, got {type(text).__name__}")
        amount, separator, code = text.partition(" ")
        if not separator:
            raise ValueError(f"invalid Money {text!r}: expected '<amount> <CODE>' like '1.5 USDT'")
        try:
            currency = Currency.from_str(code)
            raw, places = parse_fixed(amount, "Money")
        except ValueError as exc:
            raise ValueError(f"invalid Money {text!r}: {exc}") from exc
        if places > FIXED_PRECISION:
            raise ValueError(too_many_places("Money", text))
        return cls._make(raw, places, currency)

    @classmethod
    def from_decimal(
        cls, value: Decimal, currency: Currency | str, rounding: str | None = None
    ) -> Money:
        """Make an amount from a Decimal; with ``rounding``, round to the currency's precision."""
        currency = _as_currency(currency)
        if not isinstance(value, Decimal):
            raise TypeError(f"Money.from_decimal expects Decimal, got {value!r}")
        if rounding is not None:
            value = quantize(value, currency.precision, rounding)
        raw, places = decimal_to_fixed(value, "Money", value)
        if places > FIXED_PRECISION:
            raise ValueError(too_many_places("Money", value))
        return cls._make(raw, places, currency)

    @classmethod
    def from_float(
        cls, value: float, currency: Currency | str, rounding: str = ROUND_HALF_EVEN
    ) -> Money:
        """Convert a float explicitly: its shortest repr, rounded to the currency's precision."""
        if not isinstance(value, float):
            raise TypeError(f"Money.from_float expects float, got {value!r}")
        return cls.from_decimal(Decimal(repr(value)), currency, rounding)

    def rounded(self, rounding: str = ROUND_HALF_EVEN) -> Money:
        """This amount rounded to the currency's precision (half-even by default)."""
        precision = self._currency.precision
        check_rounding(rounding)
        step = STEP[precision]
        raw = div_round(self._raw, step, rounding) * step
        if raw > MAX_RAW or raw < MIN_RAW:
            raise overflow("Money", f"rounding {self}")
        return self._with_raw(raw, precision)

    def _with_raw(self, raw: int, precision: int) -> Self:
        new = _new(type(self))
        new._raw = raw
        new._precision = precision
        new._currency = self._currency
        return new

    def _check_same_unit(self, other: Self, operation: str) -> None:
        if other._currency is not self._currency and other._currency != self._currency:
            raise ValueError(
                f"currency mismatch in {operation}: {self} and {other}; "
                f"convert to one currency first"
            )

    def __str__(self) -> str:
        return f"{self._value_str()} {self._currency.code}"

    def __repr__(self) -> str:
        return f"Money('{self._value_str()}', '{self._currency.code}')"

    def __reduce__(self) -> tuple[Any, tuple[int, Currency, int]]:
        return (Money.from_raw, (self._raw, self._currency, self._precision))

    def __eq__(self, other: object) -> bool:
        if type(other) is Money:
            return self._raw == other._raw and self._currency == other._currency
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self._raw, self._currency))

    def __lt__(self, other: Money | int | Decimal) -> bool:
        result = self._compare(other, "<")
        return NotImplemented if result is None else result < 0

    def __le__(self, other: Money | int | Decimal) -> bool:
        result = self._compare(other, "<=")
        return NotImplemented if result is None else result <= 0

    def __gt__(self, other: Money | int | Decimal) -> bool:
        result = self._compare(other, ">")
        return NotImplemented if result is None else result > 0

    def __ge__(self, other: Money | int | Decimal) -> bool:
        result = self._compare(other, ">=")
        return NotImplemented if result is None else result >= 0

    def __add__(self, other: Money) -> Money:
        if type(other) is Money:
            return self._plus(other._raw, other, "+")
        self._reject_unitless(other, "+")
        return NotImplemented

    def __sub__(self, other: Money) -> Money:
        if type(other) is Money:
            return self._plus(-other._raw, other, "-")
        self._reject_unitless(other, "-")
        return NotImplemented

    def _plus(self, other_raw: int, other: Money, operation: str) -> Money:
        """``self + other_raw`` in ``other``'s currency: the body of ``+`` and ``-``, in one call
        (they run on every booking)."""
        currency = self._currency
        if other._currency is not currency and other._currency != currency:
            self._check_same_unit(other, operation)
        raw = self._raw + other_raw
        if raw > MAX_RAW or raw < MIN_RAW:
            raise overflow("Money", f"{self} {operation} {other}")
        new = _new(type(self))
        new._raw = raw
        precision = self._precision
        new._precision = precision if precision >= other._precision else other._precision
        new._currency = currency
        return new

    def _reject_unitless(self, other: object, operation: str) -> None:
        self._reject(other, operation)
        if isinstance(other, (int, Decimal)):
            raise TypeError(
                f"unsupported {operation} between Money and {type(other).__name__}: make a "
                f"Money of the same currency first, e.g. Money(value, {self._currency.code!r})"
            )


def _as_currency(currency: object) -> Currency:
    if isinstance(currency, Currency):
        return currency
    if isinstance(currency, str):
        return Currency.from_str(currency)
    raise TypeError(f"currency must be a Currency or a currency code, got {currency!r}")


@overload
def round_to_increment(
    value: Decimal | int, increment: Decimal, rounding: str = ROUND_HALF_EVEN
) -> Decimal: ...
@overload
def round_to_increment(
    value: Decimal | int | Price, increment: Price, rounding: str = ROUND_HALF_EVEN
) -> Price: ...
@overload
def round_to_increment(
    value: Decimal | int | Quantity, increment: Quantity, rounding: str = ROUND_HALF_EVEN
) -> Quantity: ...
@overload
def round_to_increment(
    value: Decimal | int | Money, increment: Money, rounding: str = ROUND_HALF_EVEN
) -> Money: ...
def round_to_increment(
    value: Decimal | int | FixedPoint,
    increment: Decimal | FixedPoint,
    rounding: str = ROUND_HALF_EVEN,
) -> Decimal | FixedPoint:
    """Round ``value`` to a whole multiple of a positive ``increment`` (tick or lot size).

    A fixed-point value needs an increment of its own type and gives that type. A Decimal (or
    int) value with a fixed-point increment gives the increment's type; with a Decimal
    increment it gives a Decimal. The rounding is exact for every supported mode.
    """
    if isinstance(value, FixedPoint):
        return value.round_to_increment(increment, rounding)  # type: ignore[arg-type]
    if type(value) is int:
        value = Decimal(value)
    if not isinstance(value, Decimal):
        raise TypeError(f"value must be Decimal, int, Price, Quantity or Money, got {value!r}")
    if not value.is_finite():
        raise ValueError(f"cannot round {value!r}: not a finite number")
    check_rounding(rounding)
    numerator, denominator = value.as_integer_ratio()
    if isinstance(increment, FixedPoint):
        step = increment._raw
        if step <= 0:
            raise ValueError(f"increment must be positive, got {increment!r}")
        steps = div_round(numerator * FIXED_SCALAR, denominator * step, rounding)
        raw = steps * step
        if raw > MAX_RAW or raw < MIN_RAW:
            raise overflow(type(increment).__name__, f"rounding {value} to {increment}")
        return increment._with_raw(raw, increment._precision)
    if not isinstance(increment, Decimal) or not increment.is_finite() or increment <= 0:
        raise ValueError(f"increment must be a positive finite Decimal, got {increment!r}")
    inc_numerator, inc_denominator = increment.as_integer_ratio()
    steps = div_round(numerator * inc_denominator, denominator * inc_numerator, rounding)
    return EXACT.multiply(Decimal(steps), increment)
