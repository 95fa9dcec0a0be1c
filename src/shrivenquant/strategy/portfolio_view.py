"""Read-only portfolio access for actors and strategies.

`PortfolioView` is the protocol of the portfolio's queries; `PortfolioFacade` implements it by
delegating to a `Portfolio` (or anything with the same queries), so a strategy can ask for PnL,
exposure and equity but cannot reach the portfolio's commands or its component lifecycle.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Protocol

from shrivenquant.model.accounts import Account
from shrivenquant.model.currency import Currency
from shrivenquant.model.enums import PositionSide
from shrivenquant.model.identifiers import AccountId, InstrumentId, StrategyId, Venue
from shrivenquant.model.position import Position
from shrivenquant.model.values import Money, Price

Amounts = dict[Currency, Money]


class PortfolioView(Protocol):
    """The queries a strategy may put to the portfolio (see `Portfolio` for their meaning)."""

    def mark_price(self, instrument_id: InstrumentId) -> Price | None:
        """The price the instrument is marked at."""
        ...

    def xrate(self, from_currency: Currency, to_currency: Currency) -> Fraction | None:
        """The exact exchange rate, or None."""
        ...

    def convert(self, amount: Money, to_currency: Currency | None = None) -> Money | None:
        """``amount`` in another currency at the latest rate."""
        ...

    def convert_all(
        self, amounts: Mapping[Currency, Money] | None, to_currency: Currency | None = None
    ) -> Money | None:
        """The sum of per-currency amounts in one currency."""
        ...

    def positions_open(
        self,
        venue: Venue | None = None,
        instrument_id: InstrumentId | None = None,
        strategy_id: StrategyId | None = None,
    ) -> list[Position]:
        """Open positions matching the filters."""
        ...

    def net_position(
        self, instrument_id: InstrumentId, strategy_id: StrategyId | None = None
    ) -> Decimal:
        """The signed open quantity of an instrument."""
        ...

    def net_side(
        self, instrument_id: InstrumentId, strategy_id: StrategyId | None = None
    ) -> PositionSide:
        """LONG, SHORT or FLAT."""
        ...

    def realized_pnls(
        self,
        venue: Venue | None = None,
        instrument_id: InstrumentId | None = None,
        strategy_id: StrategyId | None = None,
    ) -> Amounts:
        """Realized PnL per currency."""
        ...

    def unrealized_pnls(
        self,
        venue: Venue | None = None,
        instrument_id: InstrumentId | None = None,
        strategy_id: StrategyId | None = None,
    ) -> Amounts | None:
        """Unrealized PnL per currency; None when a position has no mark."""
        ...

    def total_pnls(
        self,
        venue: Venue | None = None,
        instrument_id: InstrumentId | None = None,
        strategy_id: StrategyId | None = None,
    ) -> Amounts | None:
        """Realized plus unrealized PnL per currency."""
        ...

    def realized_pnl(
        self, instrument_id: InstrumentId, strategy_id: StrategyId | None = None
    ) -> Money | None:
        """Realized PnL of one instrument."""
        ...

    def unrealized_pnl(
        self, instrument_id: InstrumentId, strategy_id: StrategyId | None = None
    ) -> Money | None:
        """Unrealized PnL of one instrument."""
        ...

    def commissions(
        self,
        venue: Venue | None = None,
        instrument_id: InstrumentId | None = None,
        strategy_id: StrategyId | None = None,
    ) -> Amounts:
        """Commissions paid, per currency."""
        ...

    def net_exposure(
        self, instrument_id: InstrumentId, strategy_id: StrategyId | None = None
    ) -> Money | None:
        """Signed notional of an instrument's open positions."""
        ...

    def net_exposures(
        self, venue: Venue | None = None, strategy_id: StrategyId | None = None
    ) -> Amounts | None:
        """Signed notional per currency."""
        ...

    def gross_exposures(
        self, venue: Venue | None = None, strategy_id: StrategyId | None = None
    ) -> Amounts | None:
        """Absolute notional per currency."""
        ...

    def account(self, account_id: AccountId) -> Account | None:
        """The account object, or None."""
        ...

    def accounts(self) -> list[Account]:
        """Every account object."""
        ...

    def equity(self, account_id: AccountId) -> Amounts | None:
        """Balances plus the value of open positions, per currency."""
        ...

    def equity_in(self, account_id: AccountId, currency: Currency | None = None) -> Money | None:
        """`equity` in one currency."""
        ...


class PortfolioFacade:
    """A `PortfolioView` over a portfolio: its queries only, nothing that changes it.

    Args:
        portfolio: the portfolio to ask (the kernel's `Portfolio`).
    """

    __slots__ = ("_portfolio",)

    def __init__(self, portfolio: PortfolioView) -> None:
        self._portfolio = portfolio

    def mark_price(self, instrument_id: InstrumentId) -> Price | None:
        """The price the instrument is marked at (per the portfolio's mark price type)."""
        return self._portfolio.mark_price(instrument_id)

    def xrate(self, from_currency: Currency, to_currency: Currency) -> Fraction | None:
        """The exact rate converting ``from_currency`` to ``to_currency``, or None."""
        return self._portfolio.xrate(from_currency, to_currency)

    def convert(self, amount: Money, to_currency: Currency | None = None) -> Money | None:
        """``amount`` in ``to_currency`` (default: the base currency) at the latest rate."""
        return self._portfolio.convert(amount, to_currency)

    def convert_all(
        self, amounts: Mapping[Currency, Money] | None, to_currency: Currency | None = None
    ) -> Money | None:
        """The sum of ``amounts`` in one currency, or None when a rate is missing."""
        return self._portfolio.convert_all(amounts, to_currency)

    def positions_open(
        self,
        venue: Venue | None = None,
        instrument_id: InstrumentId | None = None,
        strategy_id: StrategyId | None = None,
    ) -> list[Position]:
        """Open positions matching the filters."""
        return self._portfolio.positions_open(venue, instrument_id, strategy_id)

    def net_position(
        self, instrument_id: InstrumentId, strategy_id: StrategyId | None = None
    ) -> Decimal:
        """The signed open quantity of an instrument across its positions."""
        return self._portfolio.net_position(instrument_id, strategy_id)

    def net_side(
        self, instrument_id: InstrumentId, strategy_id: StrategyId | None = None
    ) -> PositionSide:
        """LONG, SHORT or FLAT, by the sign of `net_position`."""
        return self._portfolio.net_side(instrument_id, strategy_id)

    def is_flat(self, instrument_id: InstrumentId, strategy_id: StrategyId | None = None) -> bool:
        """Whether no quantity of the instrument is open."""
        return self._portfolio.net_side(instrument_id, strategy_id) is PositionSide.FLAT

    def is_net_long(
        self, instrument_id: InstrumentId, strategy_id: StrategyId | None = None
    ) -> bool:
        """Whether the net open quantity of the instrument is positive."""
        return self._portfolio.net_side(instrument_id, strategy_id) is PositionSide.LONG

    def is_net_short(
        self, instrument_id: InstrumentId, strategy_id: StrategyId | None = None
    ) -> bool:
        """Whether the net open quantity of the instrument is negative."""
        return self._portfolio.net_side(instrument_id, strategy_id) is PositionSide.SHORT

    def realized_pnls(
        self,
        venue: Venue | None = None,
        instrument_id: InstrumentId | None = None,
        strategy_id: StrategyId | None = None,
    ) -> Amounts:
        """Realized PnL of matching positions (open and closed), per currency."""
        return self._portfolio.realized_pnls(venue, instrument_id, strategy_id)

    def unrealized_pnls(
        self,
        venue: Venue | None = None,
        instrument_id: InstrumentId | None = None,
        strategy_id: StrategyId | None = None,
    ) -> Amounts | None:
        """Unrealized PnL of matching open positions; None when a position has no mark."""
        return self._portfolio.unrealized_pnls(venue, instrument_id, strategy_id)

    def total_pnls(
        self,
        venue: Venue | None = None,
        instrument_id: InstrumentId | None = None,
        strategy_id: StrategyId | None = None,
    ) -> Amounts | None:
        """Realized plus unrealized PnL per currency; None when a position has no mark."""
        return self._portfolio.total_pnls(venue, instrument_id, strategy_id)

    def realized_pnl(
        self, instrument_id: InstrumentId, strategy_id: StrategyId | None = None
    ) -> Money | None:
        """Realized PnL of one instrument in its settlement currency (None if never traded)."""
        return self._portfolio.realized_pnl(instrument_id, strategy_id)

    def unrealized_pnl(
        self, instrument_id: InstrumentId, strategy_id: StrategyId | None = None
    ) -> Money | None:
        """Unrealized PnL of one instrument; None when it is open without a mark."""
        return self._portfolio.unrealized_pnl(instrument_id, strategy_id)

    def commissions(
        self,
        venue: Venue | None = None,
        instrument_id: InstrumentId | None = None,
        strategy_id: StrategyId | None = None,
    ) -> Amounts:
        """Commissions paid by matching positions, per currency."""
        return self._portfolio.commissions(venue, instrument_id, strategy_id)

    def net_exposure(
        self, instrument_id: InstrumentId, strategy_id: StrategyId | None = None
    ) -> Money | None:
        """Signed notional of an instrument's open positions at the mark (long positive)."""
        return self._portfolio.net_exposure(instrument_id, strategy_id)

    def net_exposures(
        self, venue: Venue | None = None, strategy_id: StrategyId | None = None
    ) -> Amounts | None:
        """Signed notional of matching open positions per currency."""
        return self._portfolio.net_exposures(venue, strategy_id)

    def gross_exposures(
        self, venue: Venue | None = None, strategy_id: StrategyId | None = None
    ) -> Amounts | None:
        """Absolute notional of matching open positions per currency."""
        return self._portfolio.gross_exposures(venue, strategy_id)

    def account(self, account_id: AccountId) -> Account | None:
        """The account object, or None."""
        return self._portfolio.account(account_id)

    def accounts(self) -> list[Account]:
        """Every account object."""
        return self._portfolio.accounts()

    def equity(self, account_id: AccountId) -> Amounts | None:
        """Balances plus the value of open positions, per currency; None without a mark."""
        return self._portfolio.equity(account_id)

    def equity_in(self, account_id: AccountId, currency: Currency | None = None) -> Money | None:
        """`equity` converted to one currency."""
        return self._portfolio.equity_in(account_id, currency)
