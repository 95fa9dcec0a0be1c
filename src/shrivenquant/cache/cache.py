"""The `Cache` (the kernel's in-memory trading state) and its read-only `CacheView`.

The cache is written by its owners only: the data engine adds instruments and market data (and
writes it before publishing, so a handler sees the cache already up to date), the execution
engine adds and updates orders and positions, and the portfolio stores accounts. Strategies
get a `CacheView`, which has every query and no way to change anything.

Everything here is on the order path: adds, updates and point lookups are dictionary
operations; queries with filters walk the smallest matching index.
"""

from __future__ import annotations

from shrivenquant.cache.accounts import AccountLike, AccountQueries, AccountStore
from shrivenquant.cache.market import MarketQueries, MarketState
from shrivenquant.cache.orders import OrderIndex, OrderQueries
from shrivenquant.cache.positions import PositionIndex, PositionQueries
from shrivenquant.model.data import Bar, QuoteTick, TradeTick
from shrivenquant.model.events import AccountState
from shrivenquant.model.identifiers import ClientId, ClientOrderId, InstrumentId, PositionId
from shrivenquant.model.instruments import Instrument
from shrivenquant.model.orders import Order, OrderList
from shrivenquant.model.position import Position


class CacheView(OrderQueries, PositionQueries, AccountQueries, MarketQueries):
    """Read-only access to a `Cache`: every query, no writes. Reflects the cache live."""

    __slots__ = ("_accounts", "_market", "_orders", "_positions")

    def __init__(self, cache: Cache) -> None:
        self._orders = cache._orders
        self._positions = cache._positions
        self._accounts = cache._accounts
        self._market = cache._market


class Cache(OrderQueries, PositionQueries, AccountQueries, MarketQueries):
    """Instruments, market data, books, orders, order lists, positions and accounts."""

    __slots__ = ("_accounts", "_market", "_orders", "_positions", "_view")

    def __init__(self) -> None:
        self._orders = OrderIndex()
        self._positions = PositionIndex()
        self._accounts = AccountStore()
        self._market = MarketState()
        self._view = CacheView(self)

    def view(self) -> CacheView:
        """The read-only view of this cache (one shared instance)."""
        return self._view

    # -- orders (execution engine) -----------------------------------------------------------

    def add_order(
        self,
        order: Order,
        client_id: ClientId | None = None,
        position_id: PositionId | None = None,
    ) -> None:
        """Add a new order, optionally routed to ``client_id`` and bound to ``position_id``.

        Raises:
            ValueError: the client order id is already cached.
        """
        self._orders.add(order, client_id, position_id)

    def update_order(self, order: Order) -> None:
        """Re-index an order after an event was applied to it.

        Raises:
            KeyError: the order is not cached (or another object has its id).
        """
        self._orders.update(order)

    def add_order_list(self, order_list: OrderList) -> None:
        """Add an order list (add its orders with `add_order`).

        Raises:
            ValueError: the list id is already cached.
        """
        self._orders.add_list(order_list)

    def set_position_id(self, client_order_id: ClientOrderId, position_id: PositionId) -> None:
        """Record which position the order's fills go to.

        Raises:
            KeyError: the order is not cached.
        """
        if client_order_id not in self._orders.orders:
            raise KeyError(f"order {client_order_id} is not in the cache")
        self._orders.position_ids[client_order_id] = position_id

    # -- positions (execution engine) --------------------------------------------------------

    def add_position(self, position: Position) -> None:
        """Add a new position.

        Raises:
            ValueError: the position id is already cached.
        """
        self._positions.add(position)

    def update_position(self, position: Position) -> None:
        """Re-index a position after a fill was applied to it.

        Raises:
            KeyError: the position is not cached.
        """
        self._positions.update(position)

    # -- accounts (portfolio, execution engine) ----------------------------------------------

    def add_account(self, account: AccountLike) -> None:
        """Add or replace the account object with ``account.id``."""
        self._accounts.accounts[account.id] = account

    def add_account_state(self, state: AccountState) -> None:
        """Store ``state`` as the latest state of its account."""
        self._accounts.states[state.account_id] = state

    # -- instruments and market data (data engine) -------------------------------------------

    def add_instrument(self, instrument: Instrument) -> None:
        """Add or replace an instrument definition."""
        self._market.instruments[instrument.id] = instrument

    def add_quote(self, quote: QuoteTick) -> None:
        """Store the latest quote of its instrument."""
        self._market.quotes[quote.instrument_id] = quote

    def add_trade(self, trade: TradeTick) -> None:
        """Store the latest trade of its instrument."""
        self._market.trades[trade.instrument_id] = trade

    def add_bar(self, bar: Bar) -> None:
        """Store the latest bar of its bar type."""
        self._market.bars[bar.bar_type] = bar

    def add_book(self, instrument_id: InstrumentId, book: object) -> None:
        """Add or replace the order book of an instrument (any book type)."""
        self._market.books[instrument_id] = book

    # -- lifecycle ---------------------------------------------------------------------------

    def clear_trading_state(self) -> None:
        """Forget orders, order lists, positions and account states (before a journal replay).

        Instruments, market data, books and account objects stay.
        """
        self._orders.clear()
        self._positions.clear()
        self._accounts.states.clear()

    def __repr__(self) -> str:
        return (
            f"Cache(orders={len(self._orders.orders)}, positions={len(self._positions.positions)},"
            f" instruments={len(self._market.instruments)})"
        )
