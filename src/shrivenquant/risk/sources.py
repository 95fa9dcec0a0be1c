"""What the risk engine reads from the portfolio: PnL, equity and exchange rates.

`RiskPortfolio` lists the portfolio queries the risk engine uses (`shrivenquant.portfolio.
Portfolio` has them all); `PortfolioSource` adapts it to the drawdown monitor's `PnlSource`
and the checks' rate source. Without a portfolio, only same-currency limits can be checked
and drawdown controls stay idle.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Protocol

from shrivenquant.model.currency import Currency
from shrivenquant.model.identifiers import AccountId, InstrumentId, StrategyId, Venue
from shrivenquant.model.values import Money


class RiskPortfolio(Protocol):
    """The portfolio queries the risk engine uses."""

    def total_pnls(
        self,
        venue: Venue | None = None,
        instrument_id: InstrumentId | None = None,
        strategy_id: StrategyId | None = None,
    ) -> dict[Currency, Money] | None:
        """Realized plus unrealized PnL per currency; None without marks."""
        ...

    def convert_all(
        self, amounts: Mapping[Currency, Money] | None, to_currency: Currency | None = None
    ) -> Money | None:
        """The sum of ``amounts`` in one currency, or None."""
        ...

    def equity_in(self, account_id: AccountId, currency: Currency | None = None) -> Money | None:
        """The account's equity in one currency, or None."""
        ...

    def xrate(self, from_currency: Currency, to_currency: Currency) -> Fraction | None:
        """The exchange rate, or None."""
        ...


class PortfolioSource:
    """PnL, equity and rates from a `RiskPortfolio` (an account's PnL is its venue's)."""

    __slots__ = ("_portfolio",)

    def __init__(self, portfolio: RiskPortfolio) -> None:
        self._portfolio = portfolio

    def total_pnl(self, account_id: AccountId, currency: Currency) -> Money | None:
        """Realized plus unrealized PnL of the positions on the account's venue."""
        portfolio = self._portfolio
        return portfolio.convert_all(portfolio.total_pnls(venue=Venue(account_id.issuer)), currency)

    def equity(self, account_id: AccountId, currency: Currency) -> Money | None:
        """The account's equity in ``currency``."""
        return self._portfolio.equity_in(account_id, currency)

    def rate(self, source: Currency, target: Currency) -> Fraction | None:
        """The exchange rate from ``source`` to ``target``."""
        return self._portfolio.xrate(source, target)


def no_rate(source: Currency, target: Currency) -> Fraction | None:
    """The rate source without a portfolio: only a currency into itself."""
    return Fraction(1) if source == target else None
