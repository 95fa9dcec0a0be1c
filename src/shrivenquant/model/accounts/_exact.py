"""Exact notional and rounding helpers shared by the account types.

Amounts are exact ratios of two ints (``numerator, denominator``, denominator > 0), built from
the raw fixed-point ints, and rounded once to a currency with integer division: this is the
order path, and ints are several times faster than `fractions.Fraction`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from functools import lru_cache

from shrivenquant.model.currency import Currency
from shrivenquant.model.fixed_point import FIXED_PRECISION, FIXED_SCALAR, STEP, div_round
from shrivenquant.model.instruments import Instrument
from shrivenquant.model.values import Money, Price, Quantity

Ratio = tuple[int, int]
"""An exact amount as ``(numerator, denominator)`` with a positive denominator."""

_SCALAR2 = FIXED_SCALAR * FIXED_SCALAR
_SCALAR3 = _SCALAR2 * FIXED_SCALAR
_ZERO: Ratio = (0, 1)


def notional(instrument: Instrument, quantity: Quantity, price: Price) -> Ratio:
    """``qty * multiplier * price`` (linear) or ``qty * multiplier / price`` (inverse), exactly.

    Raises:
        ValueError: an inverse notional at a price that is not positive.
    """
    size = quantity._raw * instrument.multiplier._raw  # scale 10**18
    if not instrument.is_inverse:
        return size * price._raw, _SCALAR3
    if price._raw <= 0:
        raise ValueError(f"{instrument.id}: inverse notional needs a positive price, got {price}")
    return size, FIXED_SCALAR * price._raw


def size(instrument: Instrument, quantity: Quantity) -> Ratio:
    """``qty * multiplier`` exactly (units of the base asset for spot pairs)."""
    return quantity._raw * instrument.multiplier._raw, _SCALAR2


@lru_cache(maxsize=1024)
def ratio(value: Decimal) -> Ratio:
    """A finite Decimal as an exact ratio (cached: rates repeat)."""
    return value.as_integer_ratio()


def max_fee(instrument: Instrument) -> Ratio:
    """The larger of the maker and taker fee rates, or 0 when both are rebates."""
    rate = max(instrument.maker_fee, instrument.taker_fee)
    return ratio(rate) if rate > 0 else _ZERO


def times(amount: Ratio, rate: Ratio) -> Ratio:
    """``amount * rate``."""
    return amount[0] * rate[0], amount[1] * rate[1]


def times_one_plus(amount: Ratio, rate: Ratio) -> Ratio:
    """``amount * (1 + rate)``."""
    return amount[0] * (rate[1] + rate[0]), amount[1] * rate[1]


def to_money(amount: Ratio, currency: Currency, rounding: str = ROUND_HALF_EVEN) -> Money:
    """Round an exact amount once to the currency's precision."""
    places = currency.precision
    units = div_round(amount[0] * 10**places, amount[1], rounding)
    return Money.from_raw(units * STEP[places], currency, places)


def to_fraction(amount: Ratio) -> Fraction:
    """The ratio as a `Fraction`."""
    return Fraction(amount[0], amount[1])


def zero(currency: Currency) -> Money:
    """Zero in ``currency``."""
    return Money.from_raw(0, currency, currency.precision)


assert FIXED_PRECISION == 9  # the scale the ratios above assume
