"""Order books: L2 for market data and L3 for matching."""

from shrivenquant.book.l2 import SIDE_ASK, SIDE_BID, L2Book
from shrivenquant.book.l2_view import L2BookView
from shrivenquant.book.matching import Fill, MatchingBook
from shrivenquant.book.matching_view import MatchingBookView

__all__ = [
    "SIDE_ASK",
    "SIDE_BID",
    "Fill",
    "L2Book",
    "L2BookView",
    "MatchingBook",
    "MatchingBookView",
]
