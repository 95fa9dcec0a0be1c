"""Instruments: what can be traded, with the increments, limits, fees and margins of each.

Every instrument is an immutable msgspec struct deriving from `Instrument` (a `Message`), so
it carries ``ts_event``/``ts_init``, travels on the bus and round-trips exactly through
`shrivenquant.model.codec.MessageCodec`.
"""

from __future__ import annotations

from typing import Final

from shrivenquant.model.instruments.base import Instrument
from shrivenquant.model.instruments.equity import Equity, is_valid_isin
from shrivenquant.model.instruments.futures import CryptoPerpetual, FuturesContract
from shrivenquant.model.instruments.option import OptionContract
from shrivenquant.model.instruments.spot import CurrencyPair

__all__ = [
    "INSTRUMENT_TYPES",
    "CryptoPerpetual",
    "CurrencyPair",
    "Equity",
    "FuturesContract",
    "Instrument",
    "OptionContract",
    "is_valid_isin",
]

INSTRUMENT_TYPES: Final[tuple[type[Instrument], ...]] = (
    CurrencyPair,
    CryptoPerpetual,
    FuturesContract,
    Equity,
    OptionContract,
)
"""Every concrete instrument type."""
