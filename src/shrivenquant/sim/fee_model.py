"""Fee models: the commission the simulated venue charges for one fill.

`MakerTakerFeeModel` (the default) charges the instrument's ``maker_fee`` or ``taker_fee``
rate on the fill's notional, in the notional currency (the quote currency of linear
instruments, the base currency of inverse ones). The exact amount is rounded toward zero to the
currency's precision, so a fill never costs more than the rate says; that is also what lets
the funds a cash account locks for an open order (notional plus the larger fee rate, rounded
up) always cover the order's fills. A negative rate is a rebate.

A custom model implements `FeeModel`. It must not charge more than the instrument's larger fee
rate on notional, or a cash account's locked funds may not cover a fill.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Protocol

from shrivenquant.model.enums import LiquiditySide
from shrivenquant.model.fixed_point import FIXED_PRECISION, FIXED_SCALAR
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.model.instruments import Instrument
from shrivenquant.model.values import Money, Price, Quantity

_SCALE3 = FIXED_SCALAR**3


class FeeModel(Protocol):
    """Computes the commission of one fill."""

    def commission(
        self,
        instrument: Instrument,
        quantity: Quantity,
        price: Price,
        liquidity_side: LiquiditySide,
    ) -> Money:
        """The commission of trading ``quantity`` at ``price`` as ``liquidity_side``."""
        ...


@dataclass(slots=True)
class MakerTakerFeeModel:
    """The instrument's maker or taker rate times the fill's notional, rounded toward zero."""

    _rates: dict[InstrumentId, _Rates] = field(default_factory=dict)

    def commission(
        self,
        instrument: Instrument,
        quantity: Quantity,
        price: Price,
        liquidity_side: LiquiditySide,
    ) -> Money:
        """The commission in the instrument's notional currency (see the module docstring).

        Raises:
            ValueError: ``liquidity_side`` is neither MAKER nor TAKER.
        """
        rates = self._rates.get(instrument.id)
        if rates is None or rates.instrument is not instrument:  # new, or a new definition
            rates = _Rates(instrument)
            self._rates[instrument.id] = rates
        if liquidity_side is LiquiditySide.MAKER:
            rate = rates.maker
        elif liquidity_side is LiquiditySide.TAKER:
            rate = rates.taker
        else:
            raise ValueError(f"a commission needs MAKER or TAKER, got {liquidity_side}")
        currency = rates.currency
        places = rates.places
        if not rate[0]:
            return Money.from_raw(0, currency, places)
        size = quantity._raw * rates.multiplier_raw
        if rates.inverse:
            if price._raw <= 0:
                raise ValueError(f"{instrument.id}: inverse notional needs a positive price")
            # size / price, in units: (size / 1e18) / (price / 1e9)
            numerator = size * rate[0] * rates.unit
            denominator = price._raw * FIXED_SCALAR * rate[1]
        else:
            numerator = size * price._raw * rate[0] * rates.unit
            denominator = _SCALE3 * rate[1]
        units = abs(numerator) // denominator
        if numerator < 0:
            units = -units
        return Money.from_raw(units * rates.step, currency, places)


class _Rates:
    """One instrument's fee rates (exact ratios) and the terms of its commission currency."""

    __slots__ = (
        "currency",
        "instrument",
        "inverse",
        "maker",
        "multiplier_raw",
        "places",
        "step",
        "taker",
        "unit",
    )

    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument
        maker = Fraction(instrument.maker_fee)
        taker = Fraction(instrument.taker_fee)
        self.maker = (maker.numerator, maker.denominator)
        self.taker = (taker.numerator, taker.denominator)
        self.currency = instrument.notional_currency
        self.places = self.currency.precision
        self.unit = 10**self.places
        self.step = 10 ** (FIXED_PRECISION - self.places)
        self.multiplier_raw = instrument.multiplier._raw
        self.inverse = instrument.is_inverse
