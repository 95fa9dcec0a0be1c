"""Incremental technical indicators, and their whole-array versions in `vectorised`.

Feed an indicator one observation at a time (``handle_bar``, ``handle_trade``,
``handle_quote``, or ``update_raw`` with plain floats) and read ``value`` (plus named outputs
such as ``upper`` or ``signal``). Outputs are ``nan`` until enough observations have arrived;
``initialized`` says when every output has a value. Each update costs O(1) (amortised).
Indicators work in floats: they are analytics, never trading state.
"""

from shrivenquant.strategy.indicators.averages import EMA, SMA, WMA
from shrivenquant.strategy.indicators.base import Indicator, PriceIndicator, RangeIndicator
from shrivenquant.strategy.indicators.dispersion import BollingerBands, RollingStd, ZScore
from shrivenquant.strategy.indicators.momentum import MACD, ROC, RSI
from shrivenquant.strategy.indicators.ranges import ATR, DonchianChannel, Stochastic
from shrivenquant.strategy.indicators.volume import VWAP

__all__ = [
    "ATR",
    "EMA",
    "MACD",
    "ROC",
    "RSI",
    "SMA",
    "VWAP",
    "WMA",
    "BollingerBands",
    "DonchianChannel",
    "Indicator",
    "PriceIndicator",
    "RangeIndicator",
    "RollingStd",
    "Stochastic",
    "ZScore",
]
