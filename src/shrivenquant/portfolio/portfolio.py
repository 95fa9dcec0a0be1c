"""The `Portfolio` component: accounts, balances, PnL, exposure and equity, kept from the bus.

It listens to:
- order events (``events.order.*``): open orders lock balance or margin, fills are booked to
  calculated accounts;
- position events (``events.position.*``): margins follow positions;
- account states (``events.account.*`` and the ``Portfolio.update_account`` endpoint): states
  reported by venues are applied to the account objects in the cache;
- quotes, trades and bars: the marks for unrealized PnL and the rates for conversions;
- instrument updates: the spot pairs that give exchange rates.

Every change of a calculated account is published on ``events.account.<ACCOUNT_ID>``; so is a
venue state received on the endpoint. A booking that breaks an invariant (a cash balance going
negative, an unknown instrument) is logged and moves the portfolio to DEGRADED; the kernel
keeps running and the risk engine decides what to do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from shrivenquant.bus import priorities, topics
from shrivenquant.bus.component import Component
from shrivenquant.bus.message_bus import MessageBus
from shrivenquant.cache import Cache
from shrivenquant.core.clock import Clock
from shrivenquant.core.lifecycle import ComponentState
from shrivenquant.model.data import Bar, QuoteTick, TradeTick
from shrivenquant.model.events import (
    AccountState,
    OrderAccepted,
    OrderCanceled,
    OrderEvent,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    OrderSubmitted,
    OrderTriggered,
    OrderUpdated,
    PositionEvent,
)
from shrivenquant.model.identifiers import ComponentId, TraderId
from shrivenquant.model.instruments import Instrument
from shrivenquant.portfolio.accounts import AccountsManager
from shrivenquant.portfolio.config import PortfolioConfig
from shrivenquant.portfolio.marks import MarkPrices
from shrivenquant.portfolio.queries import PortfolioQueries
from shrivenquant.portfolio.xrates import ExchangeRates

PORTFOLIO_COMPONENT_ID: Final = "Portfolio"

_LOCK_EVENTS: Final = frozenset(
    {
        OrderSubmitted,
        OrderAccepted,
        OrderRejected,
        OrderCanceled,
        OrderExpired,
        OrderTriggered,
        OrderUpdated,
    }
)
"""Order events that open, close or reprice an order (and so change what it locks)."""


class Portfolio(Component, PortfolioQueries):
    """Accounts, positions view, PnL, exposure and equity of one trader.

    Args:
        trader_id: the trader.
        bus: the kernel's message bus.
        clock: the kernel's clock.
        cache: the kernel's cache (positions, orders and instruments are read from it; account
            objects are stored in it).
        config: the portfolio settings.
    """

    def __init__(
        self,
        trader_id: TraderId,
        bus: MessageBus,
        clock: Clock,
        cache: Cache,
        config: PortfolioConfig | None = None,
    ) -> None:
        super().__init__(ComponentId(PORTFOLIO_COMPONENT_ID), trader_id, bus, clock)
        self._cache = cache
        self._config = config or PortfolioConfig()
        self._marks = MarkPrices()
        self._rates = ExchangeRates(self._marks.best_available, self._config.bridge_currencies)
        self._missing: set[object] = set()
        self._warned_no_engine = False
        self._accounts = AccountsManager(
            cache=cache,
            marks=self._marks,
            config=self._config,
            clock=clock,
            log=self.log,
            publish=self._emit_account_state,
        )
        # Order and position events matter only to accounts the portfolio calculates; without
        # any, not listening spares the engine building position events nobody reads.
        booking = (
            (
                (topics.order_events_all(), self._handle_order_event),
                (topics.position_events_all(), self._handle_position_event),
            )
            if self._config.calculated_accounts
            else ()
        )
        self._subscriptions = (
            *booking,
            (topics.account_state_all(), self._handle_account_state),
            (topics.quotes_all(), self._handle_quote),
            (topics.trades_all(), self._handle_trade),
            (topics.bars_all(), self._handle_bar),
            (topics.instruments_all(), self._handle_instrument),
        )

    @property
    def config(self) -> PortfolioConfig:
        """The portfolio settings."""
        return self._config

    @property
    def accounts_manager(self) -> AccountsManager:
        """The account bookkeeping (pending fills, refresh of locks and margins)."""
        return self._accounts

    # -- lifecycle -------------------------------------------------------------------------
    def _on_start(self) -> None:
        for topic, handler in self._subscriptions:
            self.bus.subscribe(topic, handler, priorities.PORTFOLIO)
        self.bus.register(topics.PORTFOLIO_UPDATE_ACCOUNT, self.update_account)
        self._rates.add_instruments(self._cache.instruments())
        for instrument_id in self._cache.instrument_ids():  # prices cached before the start
            quote = self._cache.quote(instrument_id)
            if quote is not None:
                self._marks.update_quote(quote)
            trade = self._cache.trade(instrument_id)
            if trade is not None:
                self._marks.update_trade(trade)
        # States restored into the cache by the execution engine's journal replay.
        for state in self._cache.account_states():
            self._accounts.update_account(state)
        self._accounts.refresh_all()

    def _on_stop(self) -> None:
        for topic, handler in self._subscriptions:
            self.bus.unsubscribe(topic, handler)
        self.bus.deregister(topics.PORTFOLIO_UPDATE_ACCOUNT)

    def _on_reset(self) -> None:
        self._marks.clear()
        self._missing.clear()
        self._accounts.clear()

    # -- commands --------------------------------------------------------------------------
    def update_account(self, state: AccountState) -> None:
        """Apply an account state (from an execution client) and publish it."""
        if self._guard(lambda: self._accounts.update_account(state), "account state"):
            self._publish_account_state(state)

    def refresh(self) -> None:
        """Recompute locks and margins of the calculated accounts at the current marks."""
        self._guard(self._accounts.refresh_all, "refresh")

    # -- handlers --------------------------------------------------------------------------
    def _handle_order_event(self, event: OrderEvent) -> None:
        kind = type(event)
        if kind is OrderFilled:
            fill: OrderFilled = event  # type: ignore[assignment]
            if self._accounts.is_reported(fill.account_id):
                return  # the venue reports this account's balances: nothing to book
            try:
                self._accounts.book_fill(fill)
            except ValueError as exc:
                self._failed(exc, "fill")
        elif kind in _LOCK_EVENTS:
            account_id = getattr(event, "account_id", None)
            if account_id is None:
                order = self._cache.order(event.client_order_id)
                account_id = None if order is None else order.account_id
            if self._accounts.is_reported(account_id):
                return
            try:
                self._accounts.order_changed(event.instrument_id, account_id)
            except ValueError as exc:
                self._failed(exc, "order event")

    def _handle_position_event(self, event: PositionEvent) -> None:
        if self._accounts.is_reported(event.account_id) and not self._accounts.has_pending:
            return
        try:
            self._accounts.position_changed(event.instrument_id, event.account_id)
        except ValueError as exc:
            self._failed(exc, "position event")

    def _handle_account_state(self, state: AccountState) -> None:
        try:
            self._accounts.update_account(state)
        except ValueError as exc:
            self._failed(exc, "account state")

    def _handle_quote(self, quote: QuoteTick) -> None:
        self._marks.quotes[quote.instrument_id] = quote

    def _handle_trade(self, trade: TradeTick) -> None:
        self._marks.trades[trade.instrument_id] = trade.price

    def _handle_bar(self, bar: Bar) -> None:
        self._marks.bar_closes[bar.bar_type.instrument_id] = bar.close

    def _handle_instrument(self, instrument: Instrument) -> None:
        self._rates.add_instruments((instrument,))

    # -- internals -------------------------------------------------------------------------
    def _publish_account_state(self, state: AccountState) -> None:
        self.bus.publish(topics.account_state(state.account_id), state)

    def _emit_account_state(self, state: AccountState) -> None:
        """Hand a calculated state to the execution engine to journal, or publish it."""
        if self._config.journal_account_states:
            if topics.EXEC_ENGINE_PROCESS in self.bus.endpoints():
                self.bus.send(topics.EXEC_ENGINE_PROCESS, state)
                return
            if not self._warned_no_engine:
                self._warned_no_engine = True
                self.log.warning(
                    "no execution engine registered: calculated account states are published "
                    "but not journaled"
                )
        self._publish_account_state(state)

    def _guard(self, action: Callable[[], object], what: str) -> bool:
        """Run ``action``; a ValueError (a booking that cannot be done) is logged and degrades
        the portfolio. Returns False when it failed or returned False."""
        try:
            result = action()
        except ValueError as exc:
            self._failed(exc, what)
            return False
        return result is not False

    def _failed(self, exc: ValueError, what: str) -> None:
        """Log (inside the ``except`` block, so with the traceback) and degrade."""
        reason = f"{what} failed: {type(exc).__name__}: {exc}"
        self.log.exception("portfolio booking failed", reason=reason)
        if self.state is ComponentState.RUNNING:
            self.degrade(reason)
