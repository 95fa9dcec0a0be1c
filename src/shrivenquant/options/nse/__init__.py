"""NSE index options: contract specifications, expiry calendar, chain analytics, book Greeks."""

from shrivenquant.options.nse.book_greeks import (
    BookGreeks,
    BookRisk,
    ExpiryMarket,
    OptionPosition,
    book_greeks,
)
from shrivenquant.options.nse.chain import (
    ChainAnalytics,
    ChainQuote,
    analyse_chain,
    implied_forward,
    max_pain,
    put_call_ratio,
    term_structure,
)
from shrivenquant.options.nse.contracts import DEFAULT_SPECS, IndexOptionSpec, spec_for
from shrivenquant.options.nse.expiry_calendar import (
    ExpiryCalendar,
    ExpiryKind,
    expiry_instant_ns,
    year_fraction_to_expiry,
)

__all__ = [
    "DEFAULT_SPECS",
    "BookGreeks",
    "BookRisk",
    "ChainAnalytics",
    "ChainQuote",
    "ExpiryCalendar",
    "ExpiryKind",
    "ExpiryMarket",
    "IndexOptionSpec",
    "OptionPosition",
    "analyse_chain",
    "book_greeks",
    "expiry_instant_ns",
    "implied_forward",
    "max_pain",
    "put_call_ratio",
    "spec_for",
    "term_structure",
    "year_fraction_to_expiry",
]
