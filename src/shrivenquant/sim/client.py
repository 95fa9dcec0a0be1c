"""`SimExecutionClient`: the execution client of an account at a `SimulatedVenue`.

Commands from the execution engine travel to the venue with the venue's latency model: the
client reports `OrderSubmitted` at once, then delivers the command when the clock reaches its
arrival time (a clock alert; with a `TestClock` that happens as the backtest advances, so runs
stay deterministic). With zero latency commands are delivered at once. Commands never overtake
each other. Everything the venue does to the account's orders comes back through the port's
``generate_*`` helpers; fills are forwarded as the `OrderFilled` events the venue built (and
booked).

The reconciliation reports are read from the venue's state, so a restarted kernel can treat
the simulated venue as the real one.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

from shrivenquant.bus.message_bus import MessageBus
from shrivenquant.core.clock import Clock, TimeEvent
from shrivenquant.execution.client import ALL_ORDER_TYPES, ExecutionClient
from shrivenquant.model.commands import (
    CancelAllOrders,
    CancelOrder,
    ModifyOrder,
    QueryOrder,
    SubmitOrder,
    SubmitOrderList,
)
from shrivenquant.model.enums import ContingencyType
from shrivenquant.model.events import OrderFilled
from shrivenquant.model.identifiers import (
    AccountId,
    ClientId,
    ClientOrderId,
    InstrumentId,
    StrategyId,
    TraderId,
    VenueOrderId,
)
from shrivenquant.model.reports import FillReport, OrderStatusReport, PositionStatusReport
from shrivenquant.model.values import Money, Price, Quantity
from shrivenquant.sim.accounts import VenueAccount
from shrivenquant.sim.orders import SimOrder
from shrivenquant.sim.reports import fill_reports, order_status_reports, position_reports
from shrivenquant.sim.venue import SimulatedVenue

_VENUE_CONTINGENCIES = (ContingencyType.OCO, ContingencyType.OTO, ContingencyType.OUO)
_alert_ids = itertools.count(1)  # unique timer names across every client on one clock


class SimExecutionClient(ExecutionClient):
    """Trades one account of a simulated venue (see the module docstring).

    Args:
        trader_id: the trader the kernel runs for.
        bus: the kernel's message bus.
        clock: the kernel's clock (the venue's clock in a backtest).
        sim_venue: the venue.
        account_id: the account (default ``<VENUE>-001``); opened at the venue if new.
        client_id: the client's id (default: the venue's name).
        starting_balances: balances of a newly opened account (default: the venue config's).
    """

    def __init__(
        self,
        trader_id: TraderId,
        bus: MessageBus,
        clock: Clock,
        *,
        sim_venue: SimulatedVenue,
        account_id: AccountId | None = None,
        client_id: ClientId | None = None,
        starting_balances: Sequence[Money] | None = None,
    ) -> None:
        config = sim_venue.config
        venue = config.venue
        super().__init__(
            trader_id,
            bus,
            clock,
            client_id=client_id or ClientId(venue.value),
            venue=venue,
            account_id=account_id or AccountId(f"{venue.value}-001"),
            account_type=config.account_type,
            oms_type=config.oms_type,
            supported_order_types=ALL_ORDER_TYPES,
            supported_contingencies=(
                _VENUE_CONTINGENCIES if config.support_contingent_orders else ()
            ),
        )
        self.sim_venue = sim_venue
        self.venue_account: VenueAccount = sim_venue.open_account(
            self.account_id, starting_balances
        )
        self._latency = config.latency_model.sampler()
        self._zero_latency = config.latency_model.is_zero
        self._last_arrival = 0
        self._in_flight = 0

    # -- lifecycle -----------------------------------------------------------------------------

    def _on_start(self) -> None:
        self.sim_venue.connect(self.account_id, self)
        self.on_account_changed(self.venue_account)

    def _on_stop(self) -> None:
        if self.venue_account.sink is self:
            self.sim_venue.disconnect(self.account_id)

    @property
    def in_flight(self) -> int:
        """Commands sent and not yet delivered to the venue."""
        return self._in_flight

    # -- commands ------------------------------------------------------------------------------

    def submit_order(self, command: SubmitOrder) -> None:
        """Report the order submitted and deliver it after the submit latency."""
        self.generate_order_submitted(
            command.strategy_id, command.instrument_id, command.order.client_order_id
        )
        if self._zero_latency:
            self.sim_venue.submit_order(self.account_id, command)
            return
        self._deliver(
            self._latency.submit(), lambda: self.sim_venue.submit_order(self.account_id, command)
        )

    def submit_order_list(self, command: SubmitOrderList) -> None:
        """Report every order submitted and deliver the list after the submit latency."""
        for init in command.orders:
            self.generate_order_submitted(
                command.strategy_id, command.instrument_id, init.client_order_id
            )
        self._deliver(
            self._latency.submit(),
            lambda: self.sim_venue.submit_order_list(self.account_id, command),
        )

    def modify_order(self, command: ModifyOrder) -> None:
        """Deliver a modify request after the modify latency."""
        self._deliver(
            self._latency.modify(), lambda: self.sim_venue.modify_order(self.account_id, command)
        )

    def cancel_order(self, command: CancelOrder) -> None:
        """Deliver a cancel request after the cancel latency."""
        self._deliver(
            self._latency.cancel(), lambda: self.sim_venue.cancel_order(self.account_id, command)
        )

    def cancel_all_orders(self, command: CancelAllOrders) -> None:
        """Deliver a cancel-all request after the cancel latency."""
        self._deliver(
            self._latency.cancel(),
            lambda: self.sim_venue.cancel_all_orders(self.account_id, command),
        )

    def query_order(self, command: QueryOrder) -> None:
        """Answer at once with the venue's report of the order (nothing if it is unknown)."""
        self.sim_venue.query_order(self.account_id, command)

    def _deliver(self, delay_ns: int, action: Callable[[], None]) -> None:
        now = self.clock.timestamp_ns()
        arrival = max(now + delay_ns, self._last_arrival)
        if self._zero_latency or (arrival <= now and not self._in_flight):
            action()
            return
        self._last_arrival = arrival
        self._in_flight += 1

        def arrive(_: TimeEvent) -> None:
            self._in_flight -= 1
            action()

        name = f"{self.client_id.value}-{self.account_id.value}-command-{next(_alert_ids)}"
        self.clock.set_time_alert(name, arrival, arrive)

    # -- reconciliation ------------------------------------------------------------------------

    async def generate_order_status_reports(
        self, instrument_id: InstrumentId | None = None, open_only: bool = True
    ) -> Sequence[OrderStatusReport]:
        """The venue's view of the account's orders."""
        return order_status_reports(
            self.venue_account,
            self.sim_venue.instruments(),
            self.clock.timestamp_ns(),
            instrument_id,
            open_only,
        )

    async def generate_fill_reports(
        self, instrument_id: InstrumentId | None = None, since_ns: int | None = None
    ) -> Sequence[FillReport]:
        """The account's fills at the venue."""
        return fill_reports(self.venue_account, self.clock.timestamp_ns(), instrument_id, since_ns)

    async def generate_position_status_reports(
        self, instrument_id: InstrumentId | None = None
    ) -> Sequence[PositionStatusReport]:
        """The account's net positions at the venue (none for spot pairs)."""
        return position_reports(
            self.venue_account,
            self.sim_venue.instruments(),
            self.clock.timestamp_ns(),
            instrument_id,
        )

    # -- venue reports (VenueEventSink) --------------------------------------------------------

    def on_order_accepted(self, order: SimOrder) -> None:
        """Report `OrderAccepted`."""
        init = order.init
        self.generate_order_accepted(
            init.strategy_id,
            init.instrument_id,
            init.client_order_id,
            venue_order_id=order.venue_order_id,
        )

    def on_order_rejected(self, order: SimOrder, reason: str, due_post_only: bool) -> None:
        """Report `OrderRejected`."""
        init = order.init
        self.generate_order_rejected(
            init.strategy_id,
            init.instrument_id,
            init.client_order_id,
            reason=reason,
            due_post_only=due_post_only,
        )

    def on_order_canceled(self, order: SimOrder) -> None:
        """Report `OrderCanceled`."""
        init = order.init
        self.generate_order_canceled(
            init.strategy_id,
            init.instrument_id,
            init.client_order_id,
            venue_order_id=order.venue_order_id,
        )

    def on_order_expired(self, order: SimOrder) -> None:
        """Report `OrderExpired`."""
        init = order.init
        self.generate_order_expired(
            init.strategy_id,
            init.instrument_id,
            init.client_order_id,
            venue_order_id=order.venue_order_id,
        )

    def on_order_triggered(self, order: SimOrder) -> None:
        """Report `OrderTriggered`."""
        init = order.init
        self.generate_order_triggered(
            init.strategy_id,
            init.instrument_id,
            init.client_order_id,
            venue_order_id=order.venue_order_id,
        )

    def on_order_updated(self, order: SimOrder) -> None:
        """Report `OrderUpdated` with the order's current quantity and prices."""
        init = order.init
        instrument = self.sim_venue.instrument(init.instrument_id)
        assert instrument is not None
        pp = instrument.price_precision
        self.generate_order_updated(
            init.strategy_id,
            init.instrument_id,
            init.client_order_id,
            venue_order_id=order.venue_order_id,
            quantity=Quantity.from_raw(order.quantity_raw, instrument.size_precision),
            price=None if order.price_raw is None else Price.from_raw(order.price_raw, pp),
            trigger_price=(
                None if order.trigger_raw is None else Price.from_raw(order.trigger_raw, pp)
            ),
        )

    def on_order_filled(self, fill: OrderFilled) -> None:
        """Forward the venue's `OrderFilled`."""
        self._send(fill)

    def on_modify_rejected(
        self,
        strategy_id: StrategyId,
        instrument_id: InstrumentId,
        client_order_id: ClientOrderId,
        venue_order_id: VenueOrderId | None,
        reason: str,
    ) -> None:
        """Report `OrderModifyRejected`."""
        self.generate_order_modify_rejected(
            strategy_id,
            instrument_id,
            client_order_id,
            venue_order_id=venue_order_id,
            reason=reason,
        )

    def on_cancel_rejected(
        self,
        strategy_id: StrategyId,
        instrument_id: InstrumentId,
        client_order_id: ClientOrderId,
        venue_order_id: VenueOrderId | None,
        reason: str,
    ) -> None:
        """Report `OrderCancelRejected`."""
        self.generate_order_cancel_rejected(
            strategy_id,
            instrument_id,
            client_order_id,
            venue_order_id=venue_order_id,
            reason=reason,
        )

    def on_account_changed(self, account: VenueAccount) -> None:
        """Report the account's balances and margins (`AccountState`)."""
        balances, margins = account.report()
        self.generate_account_state(
            balances, margins=margins, base_currency=account.account.base_currency
        )

    def on_order_status(self, report: OrderStatusReport) -> None:
        """Answer a query with the venue's report."""
        self.send_report(report)
