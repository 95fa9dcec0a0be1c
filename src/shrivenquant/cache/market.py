"""Instruments, the latest market data per instrument, and order books.

Books are stored opaquely (the cache sits below the book package); `MarketQueries.book` checks
the type the caller asks for, so ``cache.book(instrument_id, L2Book)`` comes back typed.
"""

from __future__ import annotations

from typing import TypeVar

from shrivenquant.model.data import Bar, BarType, QuoteTick, TradeTick
from shrivenquant.model.enums import PriceType
from shrivenquant.model.identifiers import InstrumentId, Venue
from shrivenquant.model.instruments import Instrument
from shrivenquant.model.values import Price

B = TypeVar("B")


class MarketState:
    """Instruments, last quote/trade per instrument, last bar per bar type, and books."""

    __slots__ = ("bars", "books", "instruments", "quotes", "trades")

    def __init__(self) -> None:
        self.instruments: dict[InstrumentId, Instrument] = {}
        self.quotes: dict[InstrumentId, QuoteTick] = {}
        self.trades: dict[InstrumentId, TradeTick] = {}
        self.bars: dict[BarType, Bar] = {}
        self.books: dict[InstrumentId, object] = {}


class MarketQueries:
    """Read-only instrument and market data queries, shared by `Cache` and `CacheView`."""

    __slots__ = ()
    _market: MarketState

    def instrument(self, instrument_id: InstrumentId) -> Instrument | None:
        """The instrument ``instrument_id``, or None."""
        return self._market.instruments.get(instrument_id)

    def instruments(self, venue: Venue | None = None) -> list[Instrument]:
        """Every cached instrument, optionally of one venue."""
        values = self._market.instruments.values()
        if venue is None:
            return list(values)
        return [i for i in values if i.id.venue == venue]

    def instrument_ids(self, venue: Venue | None = None) -> list[InstrumentId]:
        """Ids of every cached instrument, optionally of one venue."""
        keys = self._market.instruments
        return [i for i in keys if venue is None or i.venue == venue]

    def quote(self, instrument_id: InstrumentId) -> QuoteTick | None:
        """The latest quote of the instrument, or None."""
        return self._market.quotes.get(instrument_id)

    def trade(self, instrument_id: InstrumentId) -> TradeTick | None:
        """The latest trade of the instrument, or None."""
        return self._market.trades.get(instrument_id)

    def bar(self, bar_type: BarType) -> Bar | None:
        """The latest bar of ``bar_type``, or None."""
        return self._market.bars.get(bar_type)

    def bar_types(self, instrument_id: InstrumentId | None = None) -> list[BarType]:
        """The bar types with a cached bar, optionally of one instrument."""
        keys = self._market.bars
        return [b for b in keys if instrument_id is None or b.instrument_id == instrument_id]

    def price(self, instrument_id: InstrumentId, price_type: PriceType) -> Price | None:
        """The latest BID, ASK or MID (from the quote) or LAST (from the trade) price.

        Raises:
            ValueError: ``price_type`` is none of those.
        """
        if price_type is PriceType.LAST:
            trade = self._market.trades.get(instrument_id)
            return None if trade is None else trade.price
        if price_type not in (PriceType.BID, PriceType.ASK, PriceType.MID):
            raise ValueError(f"price_type must be BID, ASK, MID or LAST, got {price_type}")
        quote = self._market.quotes.get(instrument_id)
        return None if quote is None else quote.extract_price(price_type)

    def has_book(self, instrument_id: InstrumentId) -> bool:
        """Whether a book is cached for the instrument."""
        return instrument_id in self._market.books

    def book(self, instrument_id: InstrumentId, kind: type[B]) -> B | None:
        """The cached book of the instrument if it is a ``kind``, None if there is none.

        Raises:
            TypeError: the cached book is not a ``kind``.
        """
        book = self._market.books.get(instrument_id)
        if book is None:
            return None
        if not isinstance(book, kind):
            raise TypeError(
                f"the book cached for {instrument_id} is a {type(book).__name__}, "
                f"not a {kind.__name__}"
            )
        return book
