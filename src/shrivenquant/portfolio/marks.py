"""The latest prices per instrument: last trade, quote (for the mid) and bar close.

Handlers only store the message (one dict write); prices are derived when asked for, so a busy
feed costs the portfolio almost nothing.
"""

from __future__ import annotations

from shrivenquant.model.data import Bar, QuoteTick, TradeTick
from shrivenquant.model.enums import OrderSide
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.model.values import Price
from shrivenquant.portfolio.config import MarkPriceType


class MarkPrices:
    """Latest trade, quote and bar close of each instrument."""

    __slots__ = ("bar_closes", "quotes", "trades")

    def __init__(self) -> None:
        self.trades: dict[InstrumentId, Price] = {}
        self.quotes: dict[InstrumentId, QuoteTick] = {}
        self.bar_closes: dict[InstrumentId, Price] = {}

    def update_quote(self, quote: QuoteTick) -> None:
        """Record a quote."""
        self.quotes[quote.instrument_id] = quote

    def update_trade(self, trade: TradeTick) -> None:
        """Record a trade."""
        self.trades[trade.instrument_id] = trade.price

    def update_bar(self, bar: Bar) -> None:
        """Record a bar's close (the latest bar of any bar type of the instrument wins)."""
        self.bar_closes[bar.bar_type.instrument_id] = bar.close

    def mid(self, instrument_id: InstrumentId) -> Price | None:
        """The mid of the latest quote, or None."""
        quote = self.quotes.get(instrument_id)
        return None if quote is None else quote.mid_price()

    def price(self, instrument_id: InstrumentId, kind: MarkPriceType) -> Price | None:
        """The latest price of one kind, or None when none was seen."""
        if kind is MarkPriceType.MID:
            return self.mid(instrument_id)
        if kind is MarkPriceType.LAST_TRADE:
            return self.trades.get(instrument_id)
        return self.bar_closes.get(instrument_id)

    def best_available(self, instrument_id: InstrumentId) -> Price | None:
        """The mid if quoted, else the last trade, else the last bar close (for conversions)."""
        price = self.mid(instrument_id)
        if price is None:
            price = self.trades.get(instrument_id)
        return self.bar_closes.get(instrument_id) if price is None else price

    def execution_price(self, instrument_id: InstrumentId, side: OrderSide) -> Price | None:
        """The price a market order would likely pay: the ask to buy, the bid to sell.

        Falls back to the last trade, then the bar close.
        """
        quote = self.quotes.get(instrument_id)
        if quote is not None:
            return quote.ask_price if side is OrderSide.BUY else quote.bid_price
        price = self.trades.get(instrument_id)
        return self.bar_closes.get(instrument_id) if price is None else price

    def clear(self) -> None:
        """Forget every price."""
        self.trades.clear()
        self.quotes.clear()
        self.bar_closes.clear()
