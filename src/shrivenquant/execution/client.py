"""The `ExecutionClient` port: how the execution engine talks to one venue account.

A client turns trading commands into venue requests and reports what the venue did as order
events and account states, sent to the engine's ``EXEC_ENGINE_PROCESS`` endpoint with the
``generate_*`` helpers of `ExecutionReporter`. Clients only report: they never change an order
(the engine applies every event). The simulated venue and every live adapter implement this
class.

Threading: the engine calls the command methods on the kernel thread; they must not block
(a live client queues the request on its event loop and returns). The reconciliation methods
are coroutines because a live client asks the venue over the network.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Sequence

from shrivenquant.bus.component import Component
from shrivenquant.bus.message_bus import MessageBus
from shrivenquant.core.clock import Clock
from shrivenquant.core.uuid import UUID4
from shrivenquant.execution.reporter import ExecutionReporter
from shrivenquant.model.commands import (
    CancelAllOrders,
    CancelOrder,
    ModifyOrder,
    QueryOrder,
    SubmitOrder,
    SubmitOrderList,
)
from shrivenquant.model.enums import (
    AccountType,
    ContingencyType,
    OmsType,
    OrderType,
)
from shrivenquant.model.identifiers import (
    AccountId,
    ClientId,
    InstrumentId,
    TraderId,
    Venue,
)
from shrivenquant.model.reports import FillReport, OrderStatusReport, PositionStatusReport

ALL_ORDER_TYPES: frozenset[OrderType] = frozenset(OrderType)
"""Every order type: the default of `ExecutionClient.supported_order_types`."""


class ExecutionClient(ExecutionReporter, Component, abc.ABC):
    """Base class of every execution client (one venue account).

    Args:
        trader_id: the trader the kernel runs for.
        bus: the kernel's message bus.
        clock: the kernel's clock (``ts_init`` of every event comes from it).
        client_id: the client's id (commands may route to it explicitly).
        venue: the venue whose instruments it trades.
        account_id: the account its orders go to; every event it reports names it.
        account_type: CASH or MARGIN.
        oms_type: how the venue keeps positions: NETTING (one per instrument) or HEDGING.
        supported_order_types: order types the venue holds natively; the engine emulates the
            others locally (stops, if-touched and trailing stops).
        supported_contingencies: contingency types the venue manages itself; the engine
            manages the others (OTO children held until the parent fills, OCO/OUO siblings).
    """

    def __init__(
        self,
        trader_id: TraderId,
        bus: MessageBus,
        clock: Clock,
        *,
        client_id: ClientId,
        venue: Venue,
        account_id: AccountId,
        account_type: AccountType,
        oms_type: OmsType,
        supported_order_types: Iterable[OrderType] = ALL_ORDER_TYPES,
        supported_contingencies: Iterable[ContingencyType] = (),
    ) -> None:
        super().__init__(f"ExecClient-{client_id}", trader_id, bus, clock)
        self.client_id = client_id
        self.venue = venue
        self.account_id = account_id
        self.account_type = account_type
        self.oms_type = oms_type
        self.supported_order_types: frozenset[OrderType] = frozenset(supported_order_types)
        self.supported_contingencies: frozenset[ContingencyType] = frozenset(
            supported_contingencies
        )

    # -- commands (kernel thread, never blocking) --------------------------------------------

    @abc.abstractmethod
    def submit_order(self, command: SubmitOrder) -> None:
        """Send a new order to the venue; report `OrderSubmitted`, then accepted/rejected."""

    def submit_order_list(self, command: SubmitOrderList) -> None:
        """Send linked orders together.

        The engine calls this only when the client manages the list's contingency type
        itself; the default sends the orders one by one.
        """
        for init in command.orders:
            self.submit_order(
                SubmitOrder(
                    trader_id=command.trader_id,
                    strategy_id=command.strategy_id,
                    instrument_id=command.instrument_id,
                    client_id=command.client_id,
                    order=init,
                    position_id=command.position_id,
                    command_id=UUID4(),
                    ts_event=command.ts_event,
                    ts_init=command.ts_init,
                )
            )

    @abc.abstractmethod
    def modify_order(self, command: ModifyOrder) -> None:
        """Ask the venue to change an open order; report updated or modify-rejected."""

    @abc.abstractmethod
    def cancel_order(self, command: CancelOrder) -> None:
        """Ask the venue to cancel an order; report canceled or cancel-rejected."""

    @abc.abstractmethod
    def cancel_all_orders(self, command: CancelAllOrders) -> None:
        """Cancel every open order of the instrument (optionally one side)."""

    @abc.abstractmethod
    def query_order(self, command: QueryOrder) -> None:
        """Ask the venue for an order's state; answer with `send_report(OrderStatusReport)`."""

    # -- reconciliation (coroutines: live clients ask the venue) -----------------------------

    @abc.abstractmethod
    async def generate_order_status_reports(
        self, instrument_id: InstrumentId | None = None, open_only: bool = True
    ) -> Sequence[OrderStatusReport]:
        """The venue's view of the account's orders (only the open ones by default)."""

    @abc.abstractmethod
    async def generate_fill_reports(
        self, instrument_id: InstrumentId | None = None, since_ns: int | None = None
    ) -> Sequence[FillReport]:
        """The account's fills, optionally only those at or after ``since_ns``."""

    @abc.abstractmethod
    async def generate_position_status_reports(
        self, instrument_id: InstrumentId | None = None
    ) -> Sequence[PositionStatusReport]:
        """The venue's net positions (empty for venues without positions, e.g. spot)."""
