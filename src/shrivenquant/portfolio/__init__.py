"""The portfolio: accounts, balances, positions view, PnL, exposure, margin and equity."""

from shrivenquant.portfolio.accounts import AccountsManager
from shrivenquant.portfolio.config import ALL_ACCOUNTS, MarkPriceType, PortfolioConfig
from shrivenquant.portfolio.marks import MarkPrices
from shrivenquant.portfolio.portfolio import PORTFOLIO_COMPONENT_ID, Portfolio
from shrivenquant.portfolio.xrates import ExchangeRates

__all__ = [
    "ALL_ACCOUNTS",
    "PORTFOLIO_COMPONENT_ID",
    "AccountsManager",
    "ExchangeRates",
    "MarkPriceType",
    "MarkPrices",
    "Portfolio",
    "PortfolioConfig",
]
