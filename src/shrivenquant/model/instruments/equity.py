"""Cash equities (``RELIANCE.NSE``)."""

from __future__ import annotations

from typing import ClassVar

from shrivenquant.model.enums import AssetClass, InstrumentClass
from shrivenquant.model.instruments.base import Instrument

_ISIN_LENGTH = 12


class Equity(Instrument, frozen=True, kw_only=True):
    """A share traded in the cash market, quantity in shares.

    ``isin`` is the 12-character International Securities Identification Number
    (``INE002A01018``); its check digit is verified.
    """

    asset_class: AssetClass = AssetClass.EQUITY
    instrument_class: InstrumentClass = InstrumentClass.EQUITY
    isin: str | None = None

    _INSTRUMENT_CLASS: ClassVar[InstrumentClass | None] = InstrumentClass.EQUITY

    def _validate(self) -> None:
        if self.isin is not None and not is_valid_isin(self.isin):
            raise self._invalid(
                "isin",
                f"{self.isin!r} is not a valid ISIN (2 letters, 9 alphanumerics, check digit)",
            )


def is_valid_isin(isin: str) -> bool:
    """Whether ``isin`` has the ISIN shape and a correct check digit (Luhn over the digits)."""
    if not isinstance(isin, str) or len(isin) != _ISIN_LENGTH or not isin.isascii():
        return False
    if not (isin[:2].isalpha() and isin[:2].isupper() and isin[2:11].isalnum()):
        return False
    if not isin[11].isdigit() or isin != isin.upper():
        return False
    digits = "".join(str(int(char, 36)) for char in isin)
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0
