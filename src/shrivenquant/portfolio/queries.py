"""What the portfolio answers: marks, exchange rates, PnL, exposure and equity.

Positions come from the cache (the execution engine owns them). Amounts are kept per currency
(``dict[Currency, Money]``); `PortfolioQueries.convert_all` turns such a dict into one currency
at the latest rates. An open position without a mark, or a currency without a rate, makes the
answer None (with a warning), never a silent zero.

Totals are sums of per-position amounts, each rounded once to its currency (as `Position` hands
them out).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction

from structlog.typing import FilteringBoundLogger

from shrivenquant.cache import Cache
from shrivenquant.model.accounts import Account
from shrivenquant.model.currency import Currency
from shrivenquant.model.enums import PositionSide
from shrivenquant.model.identifiers import AccountId, InstrumentId, StrategyId, Venue
from shrivenquant.model.instruments import CurrencyPair
from shrivenquant.model.position import Position
from shrivenquant.model.values import Money, Price
from shrivenquant.portfolio.config import PortfolioConfig
from shrivenquant.portfolio.marks import MarkPrices
from shrivenquant.portfolio.xrates import ExchangeRates

Amounts = dict[Currency, Money]


class PortfolioQueries:
    """The read side of the portfolio (mixed into `Portfolio`)."""

    _cache: Cache
    _config: PortfolioConfig
    _marks: MarkPrices
    _rates: ExchangeRates
    _missing: set[object]
    log: FilteringBoundLogger

    # -- marks and rates -------------------------------------------------------------------
    def mark_price(self, instrument_id: InstrumentId) -> Price | None:
        """The price the instrument is marked at (per `PortfolioConfig.mark_price_type`)."""
        return self._marks.price(instrument_id, self._config.mark_price_type)

    def xrate(self, from_currency: Currency, to_currency: Currency) -> Fraction | None:
        """The exact rate converting ``from_currency`` to ``to_currency``, or None (warned)."""
        rate = self._rates.rate(from_currency, to_currency)
        if rate is None:
            self._rates.add_instruments(self._cache.instruments())
            rate = self._rates.rate(from_currency, to_currency)
        if rate is None:
            self._warn_once(
                (from_currency, to_currency),
                "no exchange rate: no price of a pair linking the currencies",
                from_currency=from_currency.code,
                to_currency=to_currency.code,
            )
        return rate

    def convert(self, amount: Money, to_currency: Currency | None = None) -> Money | None:
        """``amount`` in ``to_currency`` (default: the base currency) at the latest rate."""
        target = self._target(to_currency)
        if amount.currency == target and amount.precision == target.precision:
            return amount  # a rate of one, and nothing to round
        converted = self._rates.convert(amount, target)
        if converted is None and self.xrate(amount.currency, target) is not None:
            converted = self._rates.convert(amount, target)  # xrate learned new instruments
        return converted

    def convert_all(
        self, amounts: Mapping[Currency, Money] | None, to_currency: Currency | None = None
    ) -> Money | None:
        """The sum of ``amounts`` in one currency (default: the base currency), or None.

        None when ``amounts`` is None or any currency has no rate.
        """
        if amounts is None:
            return None
        target = self._target(to_currency)
        total = Money.from_raw(0, target)
        for amount in amounts.values():
            converted = self.convert(amount, target)
            if converted is None:
                return None
            total += converted
        return total

    # -- positions -------------------------------------------------------------------------
    def positions_open(
        self,
        venue: Venue | None = None,
        instrument_id: InstrumentId | None = None,
        strategy_id: StrategyId | None = None,
    ) -> list[Position]:
        """Open positions matching the filters (from the cache)."""
        return self._cache.positions_open(venue, instrument_id, strategy_id)

    def net_position(
        self, instrument_id: InstrumentId, strategy_id: StrategyId | None = None
    ) -> Decimal:
        """The signed open quantity of an instrument across its positions."""
        return sum(
            (p.signed_qty for p in self._cache.positions_open(None, instrument_id, strategy_id)),
            Decimal(0),
        )

    def net_side(
        self, instrument_id: InstrumentId, strategy_id: StrategyId | None = None
    ) -> PositionSide:
        """LONG, SHORT or FLAT, by the sign of `net_position`."""
        # Strategies ask this on every bar: answer the usual cases (nothing or one position
        # open) without summing Decimals.
        positions = self._cache.positions_open(None, instrument_id, strategy_id)
        if not positions:
            return PositionSide.FLAT
        if len(positions) == 1:
            return positions[0].side
        net = self.net_position(instrument_id, strategy_id)
        if net > 0:
            return PositionSide.LONG
        return PositionSide.SHORT if net < 0 else PositionSide.FLAT

    # -- PnL -------------------------------------------------------------------------------
    def realized_pnls(
        self,
        venue: Venue | None = None,
        instrument_id: InstrumentId | None = None,
        strategy_id: StrategyId | None = None,
    ) -> Amounts:
        """Realized PnL (net of commissions paid in the PnL currency) of matching positions,
        open and closed, per currency."""
        result: Amounts = {}
        for position in self._cache.positions(venue, instrument_id, strategy_id):
            _add(result, position.realized_pnl)
        return result

    def unrealized_pnls(
        self,
        venue: Venue | None = None,
        instrument_id: InstrumentId | None = None,
        strategy_id: StrategyId | None = None,
    ) -> Amounts | None:
        """Unrealized PnL of matching open positions at their marks, per currency; None when a
        position has no mark."""
        result: Amounts = {}
        for position in self._cache.positions_open(venue, instrument_id, strategy_id):
            mark = self._mark_for(position)
            if mark is None:
                return None
            _add(result, position.unrealized_pnl(mark))
        return result

    def total_pnls(
        self,
        venue: Venue | None = None,
        instrument_id: InstrumentId | None = None,
        strategy_id: StrategyId | None = None,
    ) -> Amounts | None:
        """Realized plus unrealized PnL per currency; None when a position has no mark."""
        unrealized = self.unrealized_pnls(venue, instrument_id, strategy_id)
        if unrealized is None:
            return None
        result = self.realized_pnls(venue, instrument_id, strategy_id)
        for amount in unrealized.values():
            _add(result, amount)
        return result

    def realized_pnl(
        self, instrument_id: InstrumentId, strategy_id: StrategyId | None = None
    ) -> Money | None:
        """Realized PnL of one instrument in its settlement currency (None if never traded)."""
        return _single(
            self.realized_pnls(None, instrument_id, strategy_id), self._zero(instrument_id)
        )

    def unrealized_pnl(
        self, instrument_id: InstrumentId, strategy_id: StrategyId | None = None
    ) -> Money | None:
        """Unrealized PnL of one instrument; None when it is open without a mark."""
        amounts = self.unrealized_pnls(None, instrument_id, strategy_id)
        return None if amounts is None else _single(amounts, self._zero(instrument_id))

    def commissions(
        self,
        venue: Venue | None = None,
        instrument_id: InstrumentId | None = None,
        strategy_id: StrategyId | None = None,
    ) -> Amounts:
        """Commissions paid by matching positions, in the currencies they were paid in."""
        result: Amounts = {}
        for position in self._cache.positions(venue, instrument_id, strategy_id):
            for amount in position.commissions.values():
                _add(result, amount)
        return result

    # -- exposure --------------------------------------------------------------------------
    def net_exposure(
        self, instrument_id: InstrumentId, strategy_id: StrategyId | None = None
    ) -> Money | None:
        """Signed notional of an instrument's open positions at the mark (long positive)."""
        amounts = self._exposures(
            self._cache.positions_open(None, instrument_id, strategy_id), net=True
        )
        return None if amounts is None else _single(amounts, self._zero(instrument_id))

    def net_exposures(
        self, venue: Venue | None = None, strategy_id: StrategyId | None = None
    ) -> Amounts | None:
        """Signed notional of matching open positions per currency (long positive)."""
        return self._exposures(self._cache.positions_open(venue, None, strategy_id), net=True)

    def gross_exposures(
        self, venue: Venue | None = None, strategy_id: StrategyId | None = None
    ) -> Amounts | None:
        """Absolute notional of matching open positions per currency."""
        return self._exposures(self._cache.positions_open(venue, None, strategy_id), net=False)

    # -- accounts --------------------------------------------------------------------------
    def account(self, account_id: AccountId) -> Account | None:
        """The account object, or None."""
        account = self._cache.account(account_id)
        return account if isinstance(account, Account) else None

    def accounts(self) -> list[Account]:
        """Every account object in the cache."""
        return [a for a in self._cache.accounts() if isinstance(a, Account)]

    def equity(self, account_id: AccountId) -> Amounts | None:
        """Balances plus the value of open positions, per currency; None without a mark.

        Margin accounts add the unrealized PnL of their positions. Cash accounts add the market
        value of positions that are not currency holdings (shares, options); spot pairs are
        already in the balances.
        """
        account = self.account(account_id)
        if account is None:
            return None
        result: Amounts = {c: b.total for c, b in account.balances().items()}
        for position in self._cache.positions_open():
            if position.account_id != account_id:
                continue
            if account.is_cash_account and isinstance(
                self._cache.instrument(position.instrument_id), CurrencyPair
            ):
                continue
            mark = self._mark_for(position)
            if mark is None:
                return None
            if account.is_cash_account:
                _add(result, _signed_value(position, mark))
            else:
                _add(result, position.unrealized_pnl(mark))
        return result

    def equity_in(self, account_id: AccountId, currency: Currency | None = None) -> Money | None:
        """`equity` converted to one currency (default: the config's, else the account's base)."""
        account = self.account(account_id)
        if account is None:
            return None
        target = currency or self._config.base_currency or account.base_currency
        if target is None:
            raise ValueError(f"account {account_id} is multi-currency: name the currency")
        return self.convert_all(self.equity(account_id), target)

    # -- internals -------------------------------------------------------------------------
    def _target(self, currency: Currency | None) -> Currency:
        target = currency or self._config.base_currency
        if target is None:
            raise ValueError("no currency given and PortfolioConfig.base_currency is not set")
        return target

    def _zero(self, instrument_id: InstrumentId) -> Money | None:
        instrument = self._cache.instrument(instrument_id)
        return None if instrument is None else Money.from_raw(0, instrument.settlement_currency)

    def _mark_for(self, position: Position) -> Price | None:
        mark = self.mark_price(position.instrument_id)
        if mark is None:
            self._warn_once(
                position.instrument_id,
                "open position has no mark price yet",
                instrument_id=position.instrument_id.value,
                mark_price_type=self._config.mark_price_type.value,
            )
        return mark

    def _exposures(self, positions: Iterable[Position], net: bool) -> Amounts | None:
        result: Amounts = {}
        for position in positions:
            mark = self._mark_for(position)
            if mark is None:
                return None
            _add(result, _signed_value(position, mark) if net else position.notional_value(mark))
        return result

    def _warn_once(self, key: object, message: str, **context: str) -> None:
        if key not in self._missing:
            self._missing.add(key)
            self.log.warning(message, **context)


def _add(result: Amounts, amount: Money) -> None:
    current = result.get(amount.currency)
    result[amount.currency] = amount if current is None else current + amount


def _single(amounts: Amounts, zero: Money | None) -> Money | None:
    if not amounts:
        return zero
    if len(amounts) > 1:
        shown = ", ".join(str(a) for a in amounts.values())
        raise ValueError(f"positions of one instrument in several currencies: {shown}")
    return next(iter(amounts.values()))


def _signed_value(position: Position, mark: Price) -> Money:
    value = position.notional_value(mark)
    return -value if position.side is PositionSide.SHORT else value
