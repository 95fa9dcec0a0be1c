"""`SimulatedVenue`: an exchange for backtests, paper trading and tests.

One venue lists instruments (one `OrderMatchingEngine` each) and holds accounts (one
`VenueAccount` each, with the account type, base currency and starting balances of the
config). Clients connect to an account with a `VenueEventSink` and send it commands; several
accounts trade against each other in the venue's books and against the market data fed in.

The venue handles one thing at a time, like a real matching engine: a command or a data record
that arrives while it is busy (a client reacting to a report, say) waits until the current one
is done. After each, the venue runs what the action caused (contingent orders, reduce-only
orders cut to a smaller position, triggers fired by its own trades) and then reports the new
balances of every account whose funds changed, once.

GTD and DAY orders expire through clock alerts (`shrivenquant.sim.expiry`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence

from shrivenquant.core.clock import Clock
from shrivenquant.core.errors import InvalidInputError
from shrivenquant.model.commands import (
    CancelAllOrders,
    CancelOrder,
    ModifyOrder,
    QueryOrder,
    SubmitOrder,
    SubmitOrderList,
)
from shrivenquant.model.data import (
    Bar,
    Data,
    OrderBookDeltas,
    OrderBookSnapshot,
    QuoteTick,
    TradeTick,
)
from shrivenquant.model.enums import ContingencyType
from shrivenquant.model.identifiers import AccountId, InstrumentId, TradeId, Venue
from shrivenquant.model.instruments import Instrument
from shrivenquant.model.reports import OrderStatusReport
from shrivenquant.model.values import Money
from shrivenquant.sim.accounts import VenueAccount, tradable_refusal
from shrivenquant.sim.config import SimulatedVenueConfig
from shrivenquant.sim.contingencies import VenueContingencies
from shrivenquant.sim.expiry import OrderExpiry
from shrivenquant.sim.matching_engine import OrderMatchingEngine
from shrivenquant.sim.orders import SimOrder
from shrivenquant.sim.reports import order_status_report
from shrivenquant.sim.sink import VenueEventSink
from shrivenquant.sim.venue_commands import VenueCommands


class SimulatedVenue(VenueCommands):
    """A simulated exchange (see the module docstring).

    Args:
        config: the venue's settings.
        clock: the clock of the run (a `TestClock` in backtests).
    """

    def __init__(self, config: SimulatedVenueConfig, clock: Clock) -> None:
        if not isinstance(config, SimulatedVenueConfig):
            raise TypeError(f"config must be a SimulatedVenueConfig, got {type(config).__name__}")
        self.config = config
        self.clock = clock
        self.venue: Venue = config.venue
        self.contingencies = VenueContingencies(self)
        self._instruments: dict[InstrumentId, Instrument] = {}
        self._engines: dict[InstrumentId, OrderMatchingEngine] = {}
        self._accounts: dict[AccountId, VenueAccount] = {}
        self._next_key = 0
        self._next_trade = 0
        self._queue: deque[tuple[Callable[..., None], tuple[object, ...]]] = deque()
        self._deferred: deque[Callable[[], None]] = deque()
        self._position_changes: dict[tuple[OrderMatchingEngine, VenueAccount], None] = {}
        self._touched: dict[OrderMatchingEngine, None] = {}
        self._busy = False
        self._trade_prefix = f"{config.venue.value}-T"
        self._order_prefix = f"{config.venue.value}-"  # venue order ids: prefix and number
        self._expiry = OrderExpiry(clock, config.venue, config.day_close_utc, self._on_expiry)

    # -- instruments ---------------------------------------------------------------------------

    def add_instrument(self, instrument: Instrument) -> None:
        """List an instrument. A later definition of the same id replaces the old one's
        increments, limits and fees; its book and orders stay.

        Raises:
            InvalidInputError: the instrument is of another venue, the accounts cannot trade
                it, or a new definition changes its precisions.
        """
        if instrument.id.venue != self.venue:
            raise InvalidInputError(f"venue {self.venue} cannot list {instrument.id}")
        refusal = tradable_refusal(self.config, instrument)
        if refusal is not None:
            raise InvalidInputError(refusal)
        engine = self._engines.get(instrument.id)
        if engine is None:
            self._engines[instrument.id] = OrderMatchingEngine(instrument, self)
        else:
            engine.update_instrument(instrument)
        self._instruments[instrument.id] = instrument

    def instrument(self, instrument_id: InstrumentId) -> Instrument | None:
        """A listed instrument, or None."""
        return self._instruments.get(instrument_id)

    def instruments(self) -> dict[InstrumentId, Instrument]:
        """Every listed instrument (a copy)."""
        return dict(self._instruments)

    def engine(self, instrument_id: InstrumentId) -> OrderMatchingEngine:
        """The matching engine of a listed instrument.

        Raises:
            KeyError: the venue does not list the instrument.
        """
        engine = self._engines.get(instrument_id)
        if engine is None:
            raise KeyError(f"venue {self.venue} does not list {instrument_id}")
        return engine

    # -- accounts ------------------------------------------------------------------------------

    def open_account(
        self, account_id: AccountId, starting_balances: Sequence[Money] | None = None
    ) -> VenueAccount:
        """The account ``account_id``, opened now if it does not exist yet.

        ``starting_balances`` (default: the config's) apply only when the account is opened.
        """
        account = self._accounts.get(account_id)
        if account is None:
            account = VenueAccount(
                account_id, self.config, starting_balances, self.clock.timestamp_ns()
            )
            self._accounts[account_id] = account
        return account

    def connect(
        self,
        account_id: AccountId,
        sink: VenueEventSink,
        starting_balances: Sequence[Money] | None = None,
    ) -> VenueAccount:
        """Open the account if needed and send its reports to ``sink`` from now on.

        Connecting again replaces the sink, as a restarted client reconnects.
        """
        account = self.open_account(account_id, starting_balances)
        account.sink = sink
        return account

    def disconnect(self, account_id: AccountId) -> None:
        """Stop reporting the account's events (the venue keeps working its orders)."""
        self.account(account_id).sink = None

    def account(self, account_id: AccountId) -> VenueAccount:
        """An open account.

        Raises:
            KeyError: no account with this id.
        """
        account = self._accounts.get(account_id)
        if account is None:
            raise KeyError(f"venue {self.venue} has no account {account_id}")
        return account

    def accounts(self) -> list[VenueAccount]:
        """Every open account."""
        return list(self._accounts.values())

    def purge_closed(self, before_ns: int) -> int:
        """Forget closed orders last changed before ``before_ns``, and fills before it.

        A long run keeps every order and fill for reconciliation reports; purging bounds the
        memory. Reports then no longer list what was purged. Returns the orders forgotten.
        """
        purged = 0
        for account in self._accounts.values():
            stale = [
                cid
                for cid, order in account.orders.items()
                if not order.is_open and order.ts_last < before_ns
            ]
            for cid in stale:
                del account.orders[cid]
            purged += len(stale)
            account.fills = [fill for fill in account.fills if fill.ts_event >= before_ns]
        return purged

    # -- commands ------------------------------------------------------------------------------

    def submit_order(self, account_id: AccountId, command: SubmitOrder) -> None:
        """A new order for the account."""
        account = self.account(account_id)
        self._run(self._submit, account, command.order, command.position_id)

    def submit_order_list(self, account_id: AccountId, command: SubmitOrderList) -> None:
        """Linked orders for the account: OTO children wait for their parent."""
        account = self.account(account_id)
        self._run(lambda: self._submit_list(account, command))

    def modify_order(self, account_id: AccountId, command: ModifyOrder) -> None:
        """Change an open order of the account."""
        account = self.account(account_id)
        self._run(lambda: self._modify(account, command))

    def cancel_order(self, account_id: AccountId, command: CancelOrder) -> None:
        """Cancel an order of the account."""
        account = self.account(account_id)
        self._run(lambda: self._cancel(account, command))

    def cancel_all_orders(self, account_id: AccountId, command: CancelAllOrders) -> None:
        """Cancel every open order of the account on the instrument (optionally one side)."""
        account = self.account(account_id)
        self._run(lambda: self._cancel_all(account, command))

    def query_order(self, account_id: AccountId, command: QueryOrder) -> OrderStatusReport | None:
        """The venue's report of one order (also sent to the account's sink); None if the
        venue does not know the order."""
        account = self.account(account_id)
        order = account.orders.get(command.client_order_id)
        if order is None:
            return None
        report = order_status_report(
            order, self._instruments[order.init.instrument_id], self.clock.timestamp_ns()
        )
        if account.sink is not None:
            account.sink.on_order_status(report)
        return report

    # -- market data ---------------------------------------------------------------------------

    def process(self, data: Data) -> None:
        """Feed one market data record to the engine of its instrument.

        Raises:
            KeyError: the venue does not list the record's instrument.
            TypeError: the record is of a kind the venue does not use.
        """
        if isinstance(data, QuoteTick):
            self.process_quote_tick(data)
        elif isinstance(data, TradeTick):
            self.process_trade_tick(data)
        elif isinstance(data, Bar):
            self.process_bar(data)
        elif isinstance(data, OrderBookDeltas):
            self.process_order_book_deltas(data)
        elif isinstance(data, OrderBookSnapshot):
            self.process_order_book_snapshot(data)
        else:
            raise TypeError(f"a simulated venue cannot use {type(data).__name__} records")

    def process_quote_tick(self, tick: QuoteTick) -> None:
        """A quote of a listed instrument."""
        engine = self.engine(tick.instrument_id)
        self._run(lambda: engine.process_quote_tick(tick))

    def process_trade_tick(self, tick: TradeTick) -> None:
        """A trade of a listed instrument."""
        engine = self.engine(tick.instrument_id)
        self._run(lambda: engine.process_trade_tick(tick))

    def process_bar(self, bar: Bar) -> None:
        """A bar of a listed instrument."""
        self._process_bar(self.engine(bar.bar_type.instrument_id), bar)

    def bar_processor(self, instrument_id: InstrumentId) -> Callable[[Bar], None]:
        """`process_bar` for the bars of one listed instrument, with its engine looked up once
        (for a replay loop that routes each series once).

        Raises:
            KeyError: the venue does not list the instrument.
        """
        engine = self.engine(instrument_id)
        return lambda bar: self._process_bar(engine, bar)

    def _process_bar(self, engine: OrderMatchingEngine, bar: Bar) -> None:
        if not self._busy and engine.idle:
            engine.bar_prices(bar)  # moves the prices only: nothing to queue or settle
            return
        self._run(lambda: engine.process_bar(bar))

    def process_order_book_deltas(self, deltas: OrderBookDeltas) -> None:
        """Depth updates of a listed instrument."""
        engine = self.engine(deltas.instrument_id)
        self._run(lambda: engine.process_order_book_deltas(deltas))

    def process_order_book_snapshot(self, snapshot: OrderBookSnapshot) -> None:
        """A depth snapshot of a listed instrument."""
        engine = self.engine(snapshot.instrument_id)
        self._run(lambda: engine.process_order_book_snapshot(snapshot))

    # -- one action at a time ------------------------------------------------------------------

    def _run(self, action: Callable[..., None], *args: object) -> None:
        if self._busy:
            self._queue.append((action, args))
            return
        self._busy = True
        try:
            action(*args)
            self._settle()
            queue = self._queue
            while queue:
                action, args = queue.popleft()
                action(*args)
                self._settle()
        except BaseException:
            self._queue.clear()
            self._deferred.clear()
            self._position_changes.clear()
            self._touched.clear()
            raise
        finally:
            self._busy = False

    def _settle(self) -> None:
        """Run what the last action caused, then report the accounts whose funds changed."""
        deferred = self._deferred
        while deferred or self._position_changes or self._touched:
            while deferred:
                deferred.popleft()()
            if self._position_changes:
                changes = list(self._position_changes)
                self._position_changes.clear()
                for engine, account in changes:
                    engine.adjust_reduce_only(account)
            if self._touched and not deferred and not self._position_changes:
                touched = list(self._touched)
                self._touched.clear()
                for engine in touched:
                    engine.check_triggers()
        for account in self._accounts.values():
            if account.dirty:
                account.dirty = False
                if account.sink is not None:
                    account.sink.on_account_changed(account)

    def defer(self, action: Callable[[], None]) -> None:
        """Run ``action`` once the current action is done."""
        self._deferred.append(action)

    # -- engine callbacks ----------------------------------------------------------------------

    def next_trade_id(self) -> TradeId:
        """A fresh trade id."""
        self._next_trade += 1
        return TradeId.from_wire(f"{self._trade_prefix}{self._next_trade}")  # validated, fast

    def order_filled(self, engine: OrderMatchingEngine, order: SimOrder) -> None:
        """An order traded: follow its links and its account's reduce-only orders."""
        self._position_changes[(engine, order.account)] = None
        self._touched[engine] = None
        if order.init.contingency_type is not ContingencyType.NO_CONTINGENCY:
            self.contingencies.on_fill(engine, order)

    def order_closed(self, engine: OrderMatchingEngine, order: SimOrder) -> None:
        """An order was canceled, expired or rejected: follow its links."""
        if order.init.contingency_type is not ContingencyType.NO_CONTINGENCY:
            self.contingencies.on_closed(engine, order)

    def schedule_expiry(self, order: SimOrder) -> None:
        """Set the expiry alert of a GTD or DAY order."""
        self._expiry.schedule(order)

    def cancel_expiry(self, order: SimOrder) -> None:
        """Drop the expiry alert of an order that closed."""
        self._expiry.cancel(order)

    def _on_expiry(self, order: SimOrder) -> None:
        engine = self._engines[order.init.instrument_id]
        self._touched[engine] = None
        self._run(lambda: engine.expire(order))

    def __repr__(self) -> str:
        return (
            f"SimulatedVenue({self.venue}, instruments={len(self._instruments)}, "
            f"accounts={len(self._accounts)}, orders={self._next_key})"
        )
