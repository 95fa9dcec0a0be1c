"""Spot currency pairs (``BTCUSDT.BINANCE``): buy the base asset, pay in the quote asset."""

from __future__ import annotations

from typing import ClassVar

from shrivenquant.model.currency import Currency
from shrivenquant.model.enums import InstrumentClass
from shrivenquant.model.instruments.base import Instrument


class CurrencyPair(Instrument, frozen=True, kw_only=True):
    """A spot pair of two currencies or crypto assets; settles in the quote currency.

    Quantities are in the base currency, prices in the quote currency per unit of base.
    """

    instrument_class: InstrumentClass = InstrumentClass.SPOT
    base_currency: Currency

    _INSTRUMENT_CLASS: ClassVar[InstrumentClass | None] = InstrumentClass.SPOT

    def _validate(self) -> None:
        if self.base_currency == self.quote_currency:
            raise self._invalid("base_currency", f"equals the quote currency {self.quote_currency}")
        if self.settlement_currency != self.quote_currency:
            raise self._invalid(
                "settlement_currency",
                f"{self.settlement_currency} must equal the quote currency {self.quote_currency}",
            )
