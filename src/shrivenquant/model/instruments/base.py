"""The common base of every instrument: identity, currencies, increments, limits, fees, margins.

Quantities are in units of the instrument as the venue counts them in orders: base asset for
spot and linear crypto contracts, contracts for inverse ones, and for NSE derivatives the
number of units of the underlying (a multiple of the lot size, as in Kite orders; one NIFTY lot
of 75 is a quantity of 75).

Notional value:
- linear: ``quantity * multiplier * price`` in the quote currency;
- inverse: ``quantity * multiplier / price`` in the base currency.

The exact result is rounded once to the notional currency's precision (half-even unless told
otherwise), so the answer is the correctly rounded value of the exact product or quotient.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import ClassVar, Final

from shrivenquant.model.currency import Currency
from shrivenquant.model.enums import AssetClass, InstrumentClass
from shrivenquant.model.identifiers import InstrumentId, Symbol
from shrivenquant.model.messages import Message
from shrivenquant.model.values import FIXED_PRECISION, Money, Price, Quantity, round_to_increment

_ZERO: Final = Decimal(0)
_ONE: Final = Decimal(1)
_MAX_ADJUSTED: Final = 18  # the magnitude bound of the fixed-point values
_MIN_EXPONENT: Final = -60
_NUMBER_CHARS: Final = frozenset("0123456789+-.eE")
_QUARTER: Final = Decimal("0.25")
_HALF: Final = Decimal("0.5")
_THREE_QUARTERS: Final = Decimal("0.75")


class Instrument(Message, frozen=True, kw_only=True):
    """The fields, invariants and arithmetic shared by every instrument.

    Concrete classes (`CurrencyPair`, `CryptoPerpetual`, `FuturesContract`, `Equity`,
    `OptionContract`) add their own fields; the base itself is never built. Construction and
    decoding validate every invariant and raise `ValueError` (`TypeError` for a value of the
    wrong type) naming the instrument and the field.

    Fees are fractions of notional (``Decimal("0.001")`` is 0.1 %; negative is a rebate).
    Margin rates are fractions of notional; 0 means the instrument is not margin-traded.
    """

    id: InstrumentId
    raw_symbol: Symbol
    asset_class: AssetClass
    instrument_class: InstrumentClass
    quote_currency: Currency
    settlement_currency: Currency
    is_inverse: bool = False
    price_precision: int
    size_precision: int
    price_increment: Price
    size_increment: Quantity
    multiplier: Quantity = Quantity(1)
    lot_size: Quantity | None = None
    min_quantity: Quantity | None = None
    max_quantity: Quantity | None = None
    min_notional: Money | None = None
    max_notional: Money | None = None
    min_price: Price | None = None
    max_price: Price | None = None
    maker_fee: Decimal = _ZERO
    taker_fee: Decimal = _ZERO
    margin_init: Decimal = _ZERO
    margin_maint: Decimal = _ZERO

    _INSTRUMENT_CLASS: ClassVar[InstrumentClass | None] = None
    _INVERSE_ALLOWED: ClassVar[bool] = False

    def __post_init__(self) -> None:
        if type(self)._INSTRUMENT_CLASS is None:
            raise TypeError(
                f"{type(self).__name__} is a base class; build a concrete instrument such as "
                f"CurrencyPair"
            )
        self._check_types()
        self._check_identity()
        self._check_increments()
        self._check_limits()
        self._check_rates()
        self._validate()

    def _validate(self) -> None:
        """Hook: check the fields a concrete class adds; raise via `_invalid`."""

    # --- validation ------------------------------------------------------------------------

    def _invalid(self, field: str, problem: str) -> ValueError:
        return ValueError(f"{type(self).__name__} {self.id}: {field} {problem}")

    def _check_types(self) -> None:
        for name, expected, optional in _FIELD_TYPES:
            value = getattr(self, name)
            if not isinstance(value, expected) and not (optional and value is None):
                raise TypeError(
                    f"{type(self).__name__} {self.id}: {name} must be of type {expected.__name__}, "
                    f"got {type(value).__name__}"
                )

    def _check_identity(self) -> None:
        expected = type(self)._INSTRUMENT_CLASS
        if self.instrument_class is not expected:
            raise self._invalid(
                "instrument_class", f"must be {expected}, got {self.instrument_class}"
            )
        if self.is_inverse and not type(self)._INVERSE_ALLOWED:
            raise self._invalid("is_inverse", f"must be False for a {type(self).__name__}")

    def _check_increments(self) -> None:
        for name, precision, increment in (
            ("price", self.price_precision, self.price_increment),
            ("size", self.size_precision, self.size_increment),
        ):
            if type(precision) is not int or not 0 <= precision <= FIXED_PRECISION:
                raise self._invalid(
                    f"{name}_precision", f"must be an int 0..{FIXED_PRECISION}, got {precision!r}"
                )
            if increment.precision != precision:
                raise self._invalid(
                    f"{name}_increment",
                    f"{increment} has precision {increment.precision}, "
                    f"but {name}_precision is {precision}",
                )
            if increment <= 0:
                raise self._invalid(f"{name}_increment", f"must be > 0, got {increment}")
        if not self.multiplier:
            raise self._invalid("multiplier", "must be > 0")
        lot = self.lot_size
        if lot is not None and (not lot or not lot.is_multiple_of(self.size_increment)):
            raise self._invalid(
                "lot_size",
                f"{lot} must be > 0 and a multiple of size_increment {self.size_increment}",
            )

    def _check_limits(self) -> None:
        if self.max_quantity is not None and not self.max_quantity:
            raise self._invalid("max_quantity", "must be > 0")
        _check_order(self, "quantity", self.min_quantity, self.max_quantity)
        _check_order(self, "price", self.min_price, self.max_price)
        low, high = self.min_notional, self.max_notional
        for name, money in (("min_notional", low), ("max_notional", high)):
            if money is not None and money < 0:
                raise self._invalid(name, f"must not be negative, got {money}")
        if low is not None and high is not None:
            if low.currency != high.currency:
                raise self._invalid(
                    "max_notional",
                    f"currency {high.currency} differs from min_notional's {low.currency}",
                )
            _check_order(self, "notional", low, high)

    def _check_rates(self) -> None:
        for name in ("maker_fee", "taker_fee", "margin_init", "margin_maint"):
            value = getattr(self, name)
            if not isinstance(value, Decimal) or not value.is_finite():
                raise self._invalid(name, f"must be a finite Decimal, got {value!r}")
        for name in ("maker_fee", "taker_fee"):
            fee: Decimal = getattr(self, name)
            if not -_ONE < fee < _ONE:
                raise self._invalid(name, f"must be a fraction of notional in (-1, 1), got {fee}")
        for name in ("margin_init", "margin_maint"):
            rate: Decimal = getattr(self, name)
            if not _ZERO <= rate <= _ONE:
                raise self._invalid(name, f"must be a fraction of notional in [0, 1], got {rate}")
        if self.margin_maint > self.margin_init:
            raise self._invalid(
                "margin_maint", f"{self.margin_maint} exceeds margin_init {self.margin_init}"
            )

    # --- prices and quantities -------------------------------------------------------------

    @property
    def quantity_step(self) -> Quantity:
        """The step order quantities move in: the lot size when there is one, else the size
        increment."""
        return self.lot_size if self.lot_size is not None else self.size_increment

    def make_price(self, value: Decimal | str | int, rounding: str = ROUND_HALF_EVEN) -> Price:
        """Round ``value`` to the price tick with ``rounding`` (a `decimal` rounding mode).

        The result has ``price_precision`` places. Limits are not checked (see
        `is_valid_price`). Floats are refused: convert explicitly (``Price.from_float``).
        """
        exact = _to_decimal(value, "price")
        return round_to_increment(exact, self.price_increment, rounding)

    def make_qty(self, value: Decimal | str | int, rounding: str = ROUND_HALF_EVEN) -> Quantity:
        """Round ``value`` to `quantity_step` (lot or size increment) with ``rounding``.

        The result has ``size_precision`` places. Pass ``ROUND_DOWN`` when sizing orders that
        must not exceed a budget. Limits are not checked (see `is_valid_qty`).

        Raises:
            ValueError: ``value`` is negative or not a number.
        """
        exact = _to_decimal(value, "quantity")
        if exact < 0:
            raise ValueError(f"{self.id}: quantity must not be negative, got {value!r}")
        rounded = round_to_increment(exact, self.quantity_step, rounding)
        return Quantity.from_raw(rounded.raw, self.size_precision)

    def qty_for_lots(self, lots: int) -> Quantity:
        """The quantity of ``lots`` whole lots.

        Raises:
            ValueError: the instrument has no lot size, or ``lots`` is negative.
        """
        if self.lot_size is None:
            raise ValueError(f"{self.id} has no lot_size")
        if type(lots) is not int or lots < 0:
            raise ValueError(f"lots must be an int >= 0, got {lots!r}")
        return Quantity.from_raw(self.lot_size.raw * lots, self.size_precision)

    def is_valid_price(self, price: Price) -> bool:
        """Whether ``price`` is on the tick and inside ``min_price``..``max_price``."""
        if not price.is_multiple_of(self.price_increment):
            return False
        if self.min_price is not None and price < self.min_price:
            return False
        return self.max_price is None or price <= self.max_price

    def is_valid_qty(self, quantity: Quantity) -> bool:
        """Whether ``quantity`` is positive, on `quantity_step` and inside the quantity limits."""
        if not quantity or not quantity.is_multiple_of(self.quantity_step):
            return False
        if self.min_quantity is not None and quantity < self.min_quantity:
            return False
        return self.max_quantity is None or quantity <= self.max_quantity

    # --- notional ------------------------------------------------------------------------------

    @property
    def notional_currency(self) -> Currency:
        """The currency `notional_value` is in: quote for linear, base for inverse."""
        return self.quote_currency

    def notional_value(
        self, quantity: Quantity, price: Price, rounding: str = ROUND_HALF_EVEN
    ) -> Money:
        """The notional of ``quantity`` at ``price``, rounded once to the currency precision.

        Linear: ``quantity * multiplier * price`` in the quote currency. Inverse:
        ``quantity * multiplier / price`` in the base currency.

        Raises:
            ValueError: an inverse notional at a price that is not positive.
        """
        currency = self.notional_currency
        size = quantity * self.multiplier  # exact Decimal
        if not self.is_inverse:
            return Money.from_decimal(size * price.as_decimal(), currency, rounding)
        if price <= 0:
            raise ValueError(f"{self.id}: inverse notional needs a positive price, got {price}")
        return Money.from_decimal(
            _divide(size, price.as_decimal(), currency.precision), currency, rounding
        )


_FIELD_TYPES: Final[tuple[tuple[str, type, bool], ...]] = (
    ("id", InstrumentId, False),
    ("raw_symbol", Symbol, False),
    ("asset_class", AssetClass, False),
    ("instrument_class", InstrumentClass, False),
    ("quote_currency", Currency, False),
    ("settlement_currency", Currency, False),
    ("is_inverse", bool, False),
    ("price_increment", Price, False),
    ("size_increment", Quantity, False),
    ("multiplier", Quantity, False),
    ("lot_size", Quantity, True),
    ("min_quantity", Quantity, True),
    ("max_quantity", Quantity, True),
    ("min_notional", Money, True),
    ("max_notional", Money, True),
    ("min_price", Price, True),
    ("max_price", Price, True),
)


def _check_order(instrument: Instrument, what: str, low: object, high: object) -> None:
    if low is not None and high is not None and low > high:  # type: ignore[operator]
        raise instrument._invalid(f"min_{what}", f"{low} exceeds max_{what} {high}")


def _to_decimal(value: object, what: str) -> Decimal:
    """Convert a make_price/make_qty argument exactly; floats and bools are refused."""
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int) and not isinstance(value, bool):
        result = Decimal(value)
    elif isinstance(value, str):
        result = _parse_decimal(value, what)
    elif isinstance(value, float):
        raise TypeError(
            f"{what} must not be a float ({value!r}): binary floats are inexact; pass a str or "
            f"Decimal, or convert explicitly with Price.from_float / Quantity.from_float"
        )
    else:
        raise TypeError(f"{what} must be Decimal, str or int, got {type(value).__name__}")
    if not result.is_finite():
        raise ValueError(f"invalid {what} {value!r}: not a finite number")
    # Bound the exponent so exact rounding never works on gigantic integers.
    exponent = result.as_tuple().exponent
    assert isinstance(exponent, int)  # finite
    if result and (result.adjusted() > _MAX_ADJUSTED or exponent < _MIN_EXPONENT):
        raise ValueError(f"invalid {what} {value!r}: out of range")
    return result


def _parse_decimal(text: str, what: str) -> Decimal:
    """Parse a plain or scientific decimal string; no whitespace, underscores, nan or inf."""
    error = ValueError(f"invalid {what} {text!r}: expected a decimal string such as '101.25'")
    if not text or not _NUMBER_CHARS.issuperset(text):
        raise error
    try:
        return Decimal(text)
    except InvalidOperation:
        raise error from None


def _divide(numerator: Decimal, denominator: Decimal, places: int) -> Decimal:
    """``numerator / denominator`` (denominator > 0) cut to a value that rounds correctly.

    The quotient's digits up to ``places`` are exact; a non-zero remainder is kept as a
    fraction of the last place (below, at or above one half) so that a single rounding to
    ``places`` afterwards gives the correctly rounded quotient in every rounding mode.
    """
    n_num, n_den = numerator.as_integer_ratio()
    d_num, d_den = denominator.as_integer_ratio()
    top = n_num * d_den * 10**places
    bottom = n_den * d_num
    whole, rest = divmod(top, bottom)  # floor division: rest >= 0
    units = Decimal(whole)
    if rest:
        twice = 2 * rest
        units += _QUARTER if twice < bottom else _HALF if twice == bottom else _THREE_QUARTERS
    return units.scaleb(-places)
