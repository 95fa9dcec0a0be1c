"""The strategy and actor base classes, order factory and indicators."""

from shrivenquant.strategy.actor import HOOK_ERRORS_KEPT, Actor
from shrivenquant.strategy.config import (
    ActorConfig,
    ComponentConfig,
    ConfigBase,
    HookErrorPolicy,
    StrategyConfig,
)
from shrivenquant.strategy.hook_errors import HookError
from shrivenquant.strategy.indicators import (
    ATR,
    EMA,
    MACD,
    ROC,
    RSI,
    SMA,
    VWAP,
    WMA,
    BollingerBands,
    DonchianChannel,
    Indicator,
    PriceIndicator,
    RangeIndicator,
    RollingStd,
    Stochastic,
    ZScore,
)
from shrivenquant.strategy.order_factory import OrderFactory
from shrivenquant.strategy.order_ids import OrderIdGenerator
from shrivenquant.strategy.portfolio_view import PortfolioFacade, PortfolioView
from shrivenquant.strategy.strategy import Strategy

__all__ = [
    "ATR",
    "EMA",
    "HOOK_ERRORS_KEPT",
    "MACD",
    "ROC",
    "RSI",
    "SMA",
    "VWAP",
    "WMA",
    "Actor",
    "ActorConfig",
    "BollingerBands",
    "ComponentConfig",
    "ConfigBase",
    "DonchianChannel",
    "HookError",
    "HookErrorPolicy",
    "Indicator",
    "OrderFactory",
    "OrderIdGenerator",
    "PortfolioFacade",
    "PortfolioView",
    "PriceIndicator",
    "RangeIndicator",
    "RollingStd",
    "Stochastic",
    "Strategy",
    "StrategyConfig",
    "ZScore",
]
