"""`MarketLiquidity`: the market outside the simulated venue, as its data shows it.

It keeps the prices triggers watch (best bid, best ask, last trade) and the external liquidity
that incoming orders take and that fills resting orders:

- **L1_MBP**: one level per side, from the latest quote (or, until quotes arrive, from the
  latest trade or bar point, at that price on both sides). A size of None is unlimited (a bar
  without volume).
- **L2_MBP**: an `L2Book` kept from deltas and snapshots; takers walk it level by level.
- **L3_MBO**: none; the venue's own orders are the whole market.

What the venue's orders take is consumed: a quote's size, once taken, is gone until the next
quote (or book update) restores it, so the same displayed liquidity never fills twice.
"""

from __future__ import annotations

from collections.abc import Iterator

from shrivenquant.book import L2Book
from shrivenquant.model.data import OrderBookDeltas, OrderBookSnapshot
from shrivenquant.model.enums import BookType, OrderSide
from shrivenquant.model.instruments import Instrument

Level = tuple[int, int | None]
"""A level of external liquidity: ``(price_raw, size_raw)``; size None is unlimited."""


class MarketLiquidity:
    """Market prices and external liquidity of one instrument (see the module docstring)."""

    __slots__ = (
        "_ask",
        "_bid",
        "ask_raw",
        "bid_raw",
        "book_type",
        "has_quotes",
        "l2",
        "last_raw",
    )

    def __init__(self, instrument: Instrument, book_type: BookType) -> None:
        self.book_type = book_type
        self.bid_raw: int | None = None
        self.ask_raw: int | None = None
        self.last_raw: int | None = None
        self.has_quotes = False
        self._bid: list[int | None] | None = None  # [price, size] of the L1 bid
        self._ask: list[int | None] | None = None
        self.l2: L2Book | None = (
            L2Book(instrument.id, instrument.price_precision, instrument.size_precision)
            if book_type is BookType.L2_MBP
            else None
        )

    # -- updates -------------------------------------------------------------------------------

    def set_quote(self, bid_raw: int, bid_size: int, ask_raw: int, ask_size: int) -> None:
        """A new top of book (L1 liquidity; the watched bid and ask in every mode)."""
        self.has_quotes = True
        self.bid_raw = bid_raw
        self.ask_raw = ask_raw
        if self.book_type is BookType.L1_MBP:
            self._bid = [bid_raw, bid_size]
            self._ask = [ask_raw, ask_size]

    def set_trade_point(self, price_raw: int, size_raw: int | None) -> None:
        """A trade or bar point at ``price_raw``; it is the top of book until quotes arrive."""
        self.last_raw = price_raw
        if self.has_quotes or self.book_type is BookType.L2_MBP:
            return
        self.bid_raw = price_raw
        self.ask_raw = price_raw
        if self.book_type is BookType.L1_MBP:
            self._bid = [price_raw, size_raw]
            self._ask = [price_raw, size_raw]

    def apply_deltas(self, deltas: OrderBookDeltas) -> None:
        """Apply book deltas (L2 only; other modes ignore depth)."""
        if self.l2 is not None:
            self.l2.apply_deltas(deltas)
            self._top_from_book()

    def apply_snapshot(self, snapshot: OrderBookSnapshot) -> None:
        """Replace the book with a snapshot (L2 only)."""
        if self.l2 is not None:
            self.l2.apply_snapshot(snapshot)
            self._top_from_book()

    def _top_from_book(self) -> None:
        assert self.l2 is not None
        bid = self.l2.best_bid_raw()
        ask = self.l2.best_ask_raw()
        self.bid_raw = None if bid is None else bid[0]
        self.ask_raw = None if ask is None else ask[0]

    # -- liquidity -----------------------------------------------------------------------------

    def best(self, taker_side: OrderSide) -> Level | None:
        """The best level an order of ``taker_side`` would take (asks for a buy), or None."""
        if self.l2 is not None:
            top = self.l2.best_ask_raw() if taker_side is OrderSide.BUY else self.l2.best_bid_raw()
            return None if top is None else (top[0], top[1])
        level = self._ask if taker_side is OrderSide.BUY else self._bid
        if level is None:
            return None
        price, size = level
        if price is None or (size is not None and size <= 0):
            return None
        return price, size

    def levels(self, taker_side: OrderSide) -> Iterator[Level]:
        """Every level an order of ``taker_side`` could take, best first."""
        if self.l2 is not None:
            raw = self.l2.asks_raw() if taker_side is OrderSide.BUY else self.l2.bids_raw()
            yield from raw
            return
        best = self.best(taker_side)
        if best is not None:
            yield best

    def consume(self, taker_side: OrderSide, price_raw: int, qty_raw: int) -> None:
        """Take ``qty_raw`` from the level at ``price_raw`` on the side ``taker_side`` takes."""
        if self.l2 is not None:
            book_side = OrderSide.SELL if taker_side is OrderSide.BUY else OrderSide.BUY
            top = self.l2.best_ask_raw() if taker_side is OrderSide.BUY else self.l2.best_bid_raw()
            if top is not None and top[0] == price_raw:
                self.l2.update_raw(book_side, price_raw, max(top[1] - qty_raw, 0))
            else:
                for price, size in self.levels(taker_side):
                    if price == price_raw and size is not None:
                        self.l2.update_raw(book_side, price, max(size - qty_raw, 0))
                        break
            self._top_from_book()
            return
        level = self._ask if taker_side is OrderSide.BUY else self._bid
        if level is None or level[0] != price_raw:
            return
        size = level[1]
        if size is not None:
            level[1] = max(size - qty_raw, 0)
