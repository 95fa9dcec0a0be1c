"""Top-of-book quotes and trades."""

from __future__ import annotations

from shrivenquant.model.data.base import Data
from shrivenquant.model.enums import AggressorSide, PriceType
from shrivenquant.model.identifiers import InstrumentId, TradeId
from shrivenquant.model.values import FIXED_PRECISION, Price, Quantity


class QuoteTick(Data, frozen=True, kw_only=True, gc=False):
    """The best bid and ask of an instrument at one moment.

    A quote may be locked or briefly crossed on a real feed, so construction does not compare
    the sides; `validate` does, for callers that want the check.
    """

    instrument_id: InstrumentId
    bid_price: Price
    ask_price: Price
    bid_size: Quantity
    ask_size: Quantity

    def validate(self) -> None:
        """Raise `ValueError` when the quote is crossed (bid above ask)."""
        if self.bid_price > self.ask_price:
            raise ValueError(
                f"QuoteTick {self.instrument_id}: bid_price {self.bid_price} is above "
                f"ask_price {self.ask_price}"
            )

    def mid_price(self) -> Price:
        """The exact mid price, with one more decimal place than the quotes (at most 9)."""
        bid, ask = self.bid_price, self.ask_price
        precision = min(max(bid.precision, ask.precision) + 1, FIXED_PRECISION)
        # Half the sum is exact at one more place, unless the quotes already use all nine
        # places; then the half unit is rounded to even.
        half, odd = divmod(bid.raw + ask.raw, 2)
        if odd and half % 2:
            half += 1
        return Price.from_raw(half, precision)

    def extract_price(self, price_type: PriceType) -> Price:
        """The bid, ask or mid price.

        Raises:
            ValueError: ``price_type`` is not BID, ASK or MID.
        """
        if price_type is PriceType.BID:
            return self.bid_price
        if price_type is PriceType.ASK:
            return self.ask_price
        if price_type is PriceType.MID:
            return self.mid_price()
        raise ValueError(f"a QuoteTick has no {price_type} price (use BID, ASK or MID)")

    def extract_size(self, price_type: PriceType) -> Quantity:
        """The bid size, ask size, or for MID the sum of both.

        Raises:
            ValueError: ``price_type`` is not BID, ASK or MID.
        """
        if price_type is PriceType.BID:
            return self.bid_size
        if price_type is PriceType.ASK:
            return self.ask_size
        if price_type is PriceType.MID:
            return self.bid_size + self.ask_size
        raise ValueError(f"a QuoteTick has no {price_type} size (use BID, ASK or MID)")


class TradeTick(Data, frozen=True, kw_only=True, gc=False):
    """One trade printed by a venue."""

    instrument_id: InstrumentId
    price: Price
    size: Quantity
    aggressor_side: AggressorSide
    trade_id: TradeId

    def validate(self) -> None:
        """Raise `ValueError` when the size is zero."""
        if not self.size:
            raise ValueError(f"TradeTick {self.instrument_id} {self.trade_id}: size must be > 0")
