"""Futures: crypto perpetual swaps and dated (expiring) futures contracts."""

from __future__ import annotations

from typing import ClassVar

from shrivenquant.model.currency import Currency
from shrivenquant.model.enums import InstrumentClass
from shrivenquant.model.instruments.base import Instrument
from shrivenquant.model.instruments.expiry import check_expiry


class CryptoPerpetual(Instrument, frozen=True, kw_only=True):
    """A perpetual swap on a crypto asset (``BTCUSDT-PERP.BINANCE``).

    Linear (USDT-margined): quantity in the base asset, notional and PnL in the quote asset.
    Inverse (coin-margined, ``is_inverse=True``): quantity in contracts of ``multiplier`` quote
    units each, notional ``quantity * multiplier / price`` in the base asset, which is also the
    settlement currency.
    """

    instrument_class: InstrumentClass = InstrumentClass.PERPETUAL
    base_currency: Currency

    _INSTRUMENT_CLASS: ClassVar[InstrumentClass | None] = InstrumentClass.PERPETUAL
    _INVERSE_ALLOWED: ClassVar[bool] = True

    @property
    def notional_currency(self) -> Currency:
        """The base currency when inverse, else the quote currency."""
        return self.base_currency if self.is_inverse else self.quote_currency

    def _validate(self) -> None:
        if self.base_currency == self.quote_currency:
            raise self._invalid("base_currency", f"equals the quote currency {self.quote_currency}")
        if self.is_inverse and self.settlement_currency != self.base_currency:
            raise self._invalid(
                "settlement_currency",
                f"{self.settlement_currency} must equal the base currency {self.base_currency} "
                f"for an inverse contract",
            )


class FuturesContract(Instrument, frozen=True, kw_only=True):
    """A dated future on ``underlying`` (``NIFTY25DECFUT.NSE``), linear in the quote currency.

    ``activation_ns`` and ``expiration_ns`` are UNIX nanoseconds (UTC) when the contract starts
    and stops trading; for NSE, expiry is 15:30 IST on the expiry day.
    """

    instrument_class: InstrumentClass = InstrumentClass.FUTURE
    underlying: str
    activation_ns: int
    expiration_ns: int

    _INSTRUMENT_CLASS: ClassVar[InstrumentClass | None] = InstrumentClass.FUTURE

    def _validate(self) -> None:
        check_expiry(self, self.underlying, self.activation_ns, self.expiration_ns)
