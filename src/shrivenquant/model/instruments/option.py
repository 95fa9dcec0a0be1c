"""Option contracts (``NIFTY25DEC24000CE.NSE``).

NSE monthly index options are named ``UNDERLYING`` + two-digit year + three-letter month +
strike + ``CE`` (call) or ``PE`` (put): ``NIFTY25DEC24000CE`` is the NIFTY 24000 call expiring
in December 2025. Quantities are in units of the underlying and must be whole lots.
"""

from __future__ import annotations

from typing import ClassVar

from shrivenquant.model.enums import InstrumentClass, OptionKind, OptionStyle
from shrivenquant.model.instruments.base import Instrument
from shrivenquant.model.instruments.expiry import check_expiry
from shrivenquant.model.values import Price, Quantity


class OptionContract(Instrument, frozen=True, kw_only=True):
    """A call or put on ``underlying`` at ``strike_price``; the premium is the price.

    Notional (premium value) is ``quantity * multiplier * premium`` in the quote currency.
    ``lot_size`` is required: orders are whole lots.
    """

    instrument_class: InstrumentClass = InstrumentClass.OPTION
    underlying: str
    option_kind: OptionKind
    strike_price: Price
    activation_ns: int
    expiration_ns: int
    option_style: OptionStyle = OptionStyle.EUROPEAN
    lot_size: Quantity

    _INSTRUMENT_CLASS: ClassVar[InstrumentClass | None] = InstrumentClass.OPTION

    def _validate(self) -> None:
        check_expiry(self, self.underlying, self.activation_ns, self.expiration_ns)
        if not isinstance(self.option_kind, OptionKind):
            raise self._invalid("option_kind", f"must be an OptionKind, got {self.option_kind!r}")
        if not isinstance(self.option_style, OptionStyle):
            raise self._invalid(
                "option_style", f"must be an OptionStyle, got {self.option_style!r}"
            )
        strike = self.strike_price
        if strike <= 0:
            raise self._invalid("strike_price", f"must be > 0, got {strike}")
        if not strike.is_multiple_of(self.price_increment):
            raise self._invalid(
                "strike_price", f"{strike} is not on the price tick {self.price_increment}"
            )

    @property
    def is_call(self) -> bool:
        """Whether this is a call."""
        return self.option_kind is OptionKind.CALL
