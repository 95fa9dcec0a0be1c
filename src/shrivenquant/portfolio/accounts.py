"""Keeping account objects up to date: venue states, open-order locks, margins and fills.

Account objects live in the cache; this manager creates them from their first `AccountState`,
applies later states, and, for accounts the portfolio calculates, books fills and recomputes
locks and margins from the cache's open orders and positions. Every change to a calculated
account is recorded as a new `AccountState` and handed to ``publish``.

A margin account books the PnL a fill realized, read off the fill's position
(`RealizedPnlTracker`). When the fill arrives before its position was updated, it waits until
the position event of its instrument.
"""

from __future__ import annotations

from collections.abc import Callable

from structlog.typing import FilteringBoundLogger

from shrivenquant.cache import Cache
from shrivenquant.core.clock import Clock
from shrivenquant.model.accounts import Account, CashAccount, MarginAccount, account_from_state
from shrivenquant.model.enums import AccountType
from shrivenquant.model.events import AccountState, OrderFilled
from shrivenquant.model.identifiers import AccountId, ClientOrderId, InstrumentId
from shrivenquant.model.instruments import Instrument
from shrivenquant.model.position import Position
from shrivenquant.portfolio.config import PortfolioConfig
from shrivenquant.portfolio.locks import OrderLocks
from shrivenquant.portfolio.marks import MarkPrices
from shrivenquant.portfolio.realized import RealizedPnlTracker, includes_fill

_PENDING_WARN = 1_000  # fills waiting for their position before the backlog is reported

_ACCOUNT_TYPES: dict[type, bool] = {}  # whether a class is an `Account` (an ABC: slow isinstance)


def _is_account(cls: type) -> bool:
    known = _ACCOUNT_TYPES.get(cls)
    if known is None:
        known = _ACCOUNT_TYPES[cls] = issubclass(cls, Account)
    return known


class AccountsManager:
    """Creates, updates and calculates the accounts held in the cache."""

    def __init__(
        self,
        *,
        cache: Cache,
        marks: MarkPrices,
        config: PortfolioConfig,
        clock: Clock,
        log: FilteringBoundLogger,
        publish: Callable[[AccountState], None],
    ) -> None:
        self._cache = cache
        self._marks = marks
        self._config = config
        self._clock = clock
        self._log = log
        self._publish = publish
        self._realized = RealizedPnlTracker()
        self._locks = OrderLocks(marks)
        self._pending: dict[InstrumentId, list[OrderFilled]] = {}
        self._unknown_accounts: set[AccountId] = set()

    # -- accounts --------------------------------------------------------------------------
    def account(self, account_id: AccountId | None) -> Account | None:
        """The account object ``account_id`` from the cache, or None."""
        if account_id is None:
            return None
        account = self._cache.account(account_id)
        if account is not None and _is_account(type(account)):
            return account  # type: ignore[return-value]
        return None

    def is_reported(self, account_id: AccountId | None) -> bool:
        """Whether ``account_id`` is a known account whose state the venue reports (there is
        nothing to calculate for it)."""
        if account_id is None:
            return False
        account = self._cache.account(account_id)
        return (
            account is not None
            and _is_account(type(account))
            and not account.calculate_account_state  # type: ignore[attr-defined]
        )

    def update_account(self, state: AccountState) -> bool:
        """Create the account from its first state or apply a later one.

        Returns:
            False when the state was already applied (the same event seen twice).
        """
        account = self.account(state.account_id)
        if account is None:
            account = self._create(state)
            self._cache.add_account(account)
            self._unknown_accounts.discard(state.account_id)
        elif account.last_event.event_id == state.event_id:
            return False
        else:
            account.apply(state)
        self._cache.add_account_state(state)
        return True

    def _create(self, state: AccountState) -> Account:
        calculated = self._config.calculates(state.account_id)
        if state.account_type is AccountType.MARGIN:
            return MarginAccount(
                state,
                calculated,
                leverages=self._config.leverages,
                default_leverage=self._config.default_leverage,
            )
        return account_from_state(state, calculated)

    # -- events ----------------------------------------------------------------------------
    def order_changed(self, instrument_id: InstrumentId, account_id: AccountId | None) -> None:
        """An order of the instrument changed: recompute what the instrument's orders lock."""
        account = self._calculated(account_id)
        if account is None:
            return
        instrument = self._instrument(instrument_id)
        if self._refresh(account, instrument):
            self._record(account)

    def position_changed(self, instrument_id: InstrumentId, account_id: AccountId) -> None:
        """A position changed: book fills that waited for it, update the instrument's margin."""
        if self._pending:
            self._book_pending(instrument_id)
        account = self._calculated(account_id)
        if isinstance(account, MarginAccount) and self._refresh(
            account, self._instrument(instrument_id)
        ):
            self._record(account)

    def book_fill(self, fill: OrderFilled) -> None:
        """Book a fill to its account (calculated accounts only).

        Raises:
            AccountBalanceNegative: a cash balance would go below zero.
            ValueError: the instrument is unknown, or the account cannot hold a currency.
        """
        account = self._calculated(fill.account_id)
        if account is None:
            return
        instrument = self._instrument(fill.instrument_id)
        if isinstance(account, CashAccount):
            self._refresh(account, instrument)  # release the filled quantity's lock first
            account.apply_fill(instrument, fill)
            self._record(account)
            return
        position = self._position_for(fill)
        if position is None:
            pending = self._pending.setdefault(fill.instrument_id, [])
            pending.append(fill)
            if len(pending) % _PENDING_WARN == 0:
                self._log.warning(
                    "fills are waiting for their position",
                    instrument_id=fill.instrument_id.value,
                    count=len(pending),
                )
            return
        self._book_margin_fill(account, instrument, fill, position)

    def refresh_all(self) -> None:
        """Recompute locks and margins of every calculated account (e.g. at start, on a timer).

        Positions restored at start count as already booked.
        """
        for position in self._cache.positions():
            self._realized.seed(position)
        for account in list(self._cache.accounts()):
            if not isinstance(account, Account) or not account.calculate_account_state:
                continue
            instrument_ids = {
                o.instrument_id for o in self._cache.orders_open() if o.account_id == account.id
            }
            instrument_ids.update(
                p.instrument_id for p in self._cache.positions_open() if p.account_id == account.id
            )
            if isinstance(account, MarginAccount):
                instrument_ids.update(account.margins())
            changed = False
            for instrument_id in sorted(instrument_ids, key=str):
                changed |= self._refresh(account, self._instrument(instrument_id))
            if changed:
                self._record(account)

    @property
    def has_pending(self) -> bool:
        """Whether fills wait for their position (see `pending_fills`)."""
        return bool(self._pending)

    def pending_fills(self) -> list[OrderFilled]:
        """Fills waiting for their position to be updated."""
        return [fill for fills in self._pending.values() for fill in fills]

    def clear(self) -> None:
        """Forget pending fills and booked PnL (on reset)."""
        self._pending.clear()
        self._realized.clear()
        self._locks.clear()
        self._unknown_accounts.clear()

    # -- internals -------------------------------------------------------------------------
    def _calculated(self, account_id: AccountId | None) -> Account | None:
        account = self.account(account_id)
        if account is None:
            if account_id is not None and account_id not in self._unknown_accounts:
                self._unknown_accounts.add(account_id)
                self._log.warning(
                    "event for an account without a state yet", account_id=account_id.value
                )
            return None
        return account if account.calculate_account_state else None

    def _instrument(self, instrument_id: InstrumentId) -> Instrument:
        instrument = self._cache.instrument(instrument_id)
        if instrument is None:
            raise ValueError(f"instrument {instrument_id} is not in the cache")
        return instrument

    def _refresh(self, account: Account, instrument: Instrument) -> bool:
        """Recompute the instrument's locks (cash) or margin (margin); True if anything changed."""
        orders = [
            o for o in self._cache.orders_open(instrument_id=instrument.id)
            if o.account_id == account.id
        ]  # fmt: skip
        if isinstance(account, CashAccount):
            result = self._locks.cash(account, instrument, orders)
            changed = account.update_balance_locked(instrument.id, tuple(result.locked.values()))
            unpriced = result.unpriced
        elif isinstance(account, MarginAccount):
            positions = [
                p for p in self._cache.positions_open(instrument_id=instrument.id)
                if p.account_id == account.id
            ]  # fmt: skip
            mark = self._marks.price(instrument.id, self._config.mark_price_type)
            margin, unpriced = self._locks.margin(account, instrument, orders, positions, mark)
            old = account.margin(instrument.id)
            if margin.initial.raw or margin.maintenance.raw:
                changed = old != margin
            else:
                changed = old is not None
            if changed:
                account.update_margin(margin)
        else:
            raise TypeError(f"unsupported account type {type(account).__name__}")
        if unpriced:
            self._warn_unpriced(instrument.id, unpriced)
        return changed

    def _book_margin_fill(
        self, account: Account, instrument: Instrument, fill: OrderFilled, position: Position
    ) -> None:
        gross = self._realized.gross_for_fill(position, fill)
        account.apply_fill(instrument, fill, gross)
        self._refresh(account, instrument)
        self._record(account)

    def _book_pending(self, instrument_id: InstrumentId) -> None:
        pending = self._pending.get(instrument_id)
        if not pending:
            return
        waiting: list[OrderFilled] = []
        for fill in pending:
            position = self._position_for(fill)
            account = self.account(fill.account_id)
            if position is None or account is None:
                waiting.append(fill)
                continue
            self._book_margin_fill(account, self._instrument(instrument_id), fill, position)
        if waiting:
            self._pending[instrument_id] = waiting
        else:
            del self._pending[instrument_id]

    def _position_for(self, fill: OrderFilled) -> Position | None:
        """The position the fill was applied to, or None if it was not applied yet.

        The position is found by the fill's ``position_id`` or the order's position binding
        in the cache, which the execution engine records before it publishes the position
        event.
        """
        position_id = fill.position_id or self._cache.position_id_for_order(fill.client_order_id)
        if position_id is None:
            return None
        position = self._cache.position(position_id)
        if position is not None and includes_fill(position, fill.trade_id):
            return position
        return None

    def _record(self, account: Account) -> None:
        now = self._clock.timestamp_ns()
        state = account.generate_account_state(ts_event=now, ts_init=now)
        self._cache.add_account_state(state)
        self._publish(state)

    def _warn_unpriced(self, instrument_id: InstrumentId, orders: list[ClientOrderId]) -> None:
        self._log.warning(
            "open orders have no price to lock at (no quote or trade yet); they lock nothing",
            instrument_id=instrument_id.value,
            orders=[o.value for o in orders],
        )
