"""Exchange rates between currencies from the prices of spot pairs.

A rate ``from -> to`` is found, in order:
1. ``1`` when the currencies are equal;
2. directly from a pair ``FROM/TO`` (its price) or inversely from ``TO/FROM`` (one over it);
3. through a bridge currency (USDT, then USD by default): ``from -> bridge -> to``, each leg
   direct or inverse.

The price of a pair is its latest mid, else its last trade, else its last bar close. Rates are
exact fractions; a rate that cannot be found is None, never zero.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_EVEN
from fractions import Fraction

from shrivenquant.model.currency import Currency
from shrivenquant.model.fixed_point import FIXED_PRECISION, FIXED_SCALAR, div_round
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.model.instruments import CurrencyPair, Instrument
from shrivenquant.model.values import Money, Price

PriceSource = Callable[[InstrumentId], Price | None]


class ExchangeRates:
    """Rates between currencies from the pairs among the known instruments.

    Args:
        price_of: the latest price of an instrument, or None.
        bridges: currencies to triangulate through, in order.
    """

    __slots__ = ("_bridges", "_pairs", "_price_of", "_seen")

    def __init__(self, price_of: PriceSource, bridges: Iterable[Currency] = ()) -> None:
        self._price_of = price_of
        self._bridges = tuple(bridges)
        self._pairs: dict[tuple[Currency, Currency], InstrumentId] = {}
        self._seen: set[InstrumentId] = set()

    def add_instruments(self, instruments: Iterable[Instrument]) -> None:
        """Learn the spot pairs among ``instruments`` (others are ignored)."""
        for instrument in instruments:
            if instrument.id in self._seen:
                continue
            self._seen.add(instrument.id)
            if isinstance(instrument, CurrencyPair):
                key = (instrument.base_currency, instrument.quote_currency)
                self._pairs.setdefault(key, instrument.id)

    def rate(self, from_currency: Currency, to_currency: Currency) -> Fraction | None:
        """The exact rate converting ``from_currency`` into ``to_currency``, or None."""
        ratio = self._ratio(from_currency, to_currency)
        return None if ratio is None else Fraction(*ratio)

    def convert(self, amount: Money, to_currency: Currency) -> Money | None:
        """``amount`` in ``to_currency`` at the current rate (rounded half-even), or None."""
        ratio = self._ratio(amount.currency, to_currency)
        if ratio is None:
            return None
        # The rate as a plain integer ratio, rounded once: the same result as through
        # `Fraction`, without normalising fractions (an equity sample converts every balance).
        numerator, denominator = ratio
        places = to_currency.precision
        units = div_round(
            amount.raw * numerator * 10**places, FIXED_SCALAR * denominator, ROUND_HALF_EVEN
        )
        return Money.from_raw(units * 10 ** (FIXED_PRECISION - places), to_currency)

    def _ratio(self, from_currency: Currency, to_currency: Currency) -> tuple[int, int] | None:
        """The rate as ``(numerator, denominator)``, both positive (not reduced), or None."""
        if from_currency == to_currency:
            return 1, 1
        direct = self._leg(from_currency, to_currency)
        if direct is not None:
            return direct
        for bridge in self._bridges:
            if bridge in (from_currency, to_currency):
                continue
            first = self._leg(from_currency, bridge)
            if first is None:
                continue
            second = self._leg(bridge, to_currency)
            if second is not None:
                return first[0] * second[0], first[1] * second[1]
        return None

    def _leg(self, from_currency: Currency, to_currency: Currency) -> tuple[int, int] | None:
        pair = self._pairs.get((from_currency, to_currency))
        if pair is not None:
            price = self._price_of(pair)
            if price is not None and price.raw > 0:
                return price.raw, FIXED_SCALAR
        pair = self._pairs.get((to_currency, from_currency))
        if pair is not None:
            price = self._price_of(pair)
            if price is not None and price.raw > 0:
                return FIXED_SCALAR, price.raw
        return None


def money_of(amount: Fraction, currency: Currency) -> Money:
    """An exact amount rounded once, half to even, to the currency's precision."""
    places = currency.precision
    units = div_round(amount.numerator * 10**places, amount.denominator, ROUND_HALF_EVEN)
    return Money.from_raw(units * 10 ** (FIXED_PRECISION - places), currency)
