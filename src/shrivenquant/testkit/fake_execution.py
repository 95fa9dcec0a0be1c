"""A deterministic, scripted execution client for tests.

`FakeExecutionClient` records every command it receives and keeps a small venue-side book of
its orders (status, quantity, prices, fills) so that it can answer reconciliation. It reports
only what it is told to: a test (or the crash test's flow) calls `accept`, `fill`, `cancel`, ...
With ``report=False`` those calls change the venue state silently, as if the venue acted while
the engine was down. Optional ``auto_*`` switches answer commands at once. Venue order ids
(``V-1``, ``V-2``, ...) and trade ids (``T-1``, ...) come from counters, so a seeded flow
produces the same messages every run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from shrivenquant.bus.message_bus import MessageBus
from shrivenquant.core.clock import Clock
from shrivenquant.core.uuid import UUID4
from shrivenquant.execution.client import ALL_ORDER_TYPES, ExecutionClient
from shrivenquant.model.commands import (
    CancelAllOrders,
    CancelOrder,
    ModifyOrder,
    QueryOrder,
    SubmitOrder,
    SubmitOrderList,
    TradingCommand,
)
from shrivenquant.model.currency import USDT, Currency
from shrivenquant.model.enums import (
    AccountType,
    ContingencyType,
    LiquiditySide,
    OmsType,
    OrderSide,
    OrderStatus,
    OrderType,
    PositionSide,
)
from shrivenquant.model.events.order import OrderInitialized
from shrivenquant.model.identifiers import (
    AccountId,
    ClientId,
    ClientOrderId,
    InstrumentId,
    StrategyId,
    TradeId,
    TraderId,
    Venue,
    VenueOrderId,
)
from shrivenquant.model.reports import FillReport, OrderStatusReport, PositionStatusReport
from shrivenquant.model.values import Money, Price, Quantity

_CLOSED = frozenset(
    {OrderStatus.REJECTED, OrderStatus.CANCELED, OrderStatus.EXPIRED, OrderStatus.FILLED}
)


@dataclass(slots=True)
class VenueOrder:
    """The fake venue's record of one order."""

    init: OrderInitialized
    venue_order_id: VenueOrderId
    status: OrderStatus
    quantity: Quantity
    price: Price | None
    trigger_price: Price | None
    filled_raw: int = 0
    notional: list[tuple[Price, Quantity]] = field(default_factory=list)
    ts_accepted: int = 0
    external: bool = False

    @property
    def is_open(self) -> bool:
        """Whether the venue still works the order."""
        return self.status not in _CLOSED


class FakeVenueBook:
    """The fake venue's records and its answers to reconciliation (a mixin of the client)."""

    account_id: AccountId
    clock: Clock
    venue_orders: dict[ClientOrderId, VenueOrder]
    fill_reports: list[FillReport]
    position_reports: list[PositionStatusReport]
    fail_reports: bool
    _next_venue_id: int
    _next_trade_id: int

    def add_external_order(self, init: OrderInitialized) -> VenueOrderId:
        """An order placed at the venue outside ShrivenQuant (accepted, no client order id)."""
        order = VenueOrder(
            init=init,
            venue_order_id=self._venue_id(),
            status=OrderStatus.ACCEPTED,
            quantity=init.quantity,
            price=init.price,
            trigger_price=init.trigger_price,
            ts_accepted=self.clock.timestamp_ns(),
            external=True,
        )
        self.venue_orders[init.client_order_id] = order
        return order.venue_order_id

    def set_position(self, instrument_id: InstrumentId, signed_qty: Quantity, short: bool) -> None:
        """Script the venue's net position report for ``instrument_id``."""
        side = (
            PositionSide.FLAT
            if not signed_qty.raw
            else (PositionSide.SHORT if short else PositionSide.LONG)
        )
        self.position_reports = [
            r for r in self.position_reports if r.instrument_id != instrument_id
        ]
        self.position_reports.append(
            PositionStatusReport(
                report_id=UUID4(),
                account_id=self.account_id,
                instrument_id=instrument_id,
                position_side=side,
                quantity=signed_qty,
                ts_event=self.clock.timestamp_ns(),
                ts_init=self.clock.timestamp_ns(),
            )
        )

    def take_venue_state(self, other: FakeVenueBook) -> None:
        """Continue from ``other``'s venue state: the same venue seen by a restarted engine."""
        self.venue_orders = other.venue_orders
        self.fill_reports = other.fill_reports
        self.position_reports = other.position_reports
        self._next_venue_id = other._next_venue_id
        self._next_trade_id = other._next_trade_id

    # -- reconciliation ----------------------------------------------------------------------

    async def generate_order_status_reports(
        self, instrument_id: InstrumentId | None = None, open_only: bool = True
    ) -> Sequence[OrderStatusReport]:
        """The venue's orders (the open ones by default)."""
        self._maybe_fail()
        return [
            self._status_report(order)
            for order in self.venue_orders.values()
            if (not open_only or order.is_open)
            and (instrument_id is None or order.init.instrument_id == instrument_id)
        ]

    async def generate_fill_reports(
        self, instrument_id: InstrumentId | None = None, since_ns: int | None = None
    ) -> Sequence[FillReport]:
        """Every fill the venue made (optionally of one instrument, since a time)."""
        self._maybe_fail()
        return [
            r
            for r in self.fill_reports
            if (instrument_id is None or r.instrument_id == instrument_id)
            and (since_ns is None or r.ts_event >= since_ns)
        ]

    async def generate_position_status_reports(
        self, instrument_id: InstrumentId | None = None
    ) -> Sequence[PositionStatusReport]:
        """The scripted position reports."""
        self._maybe_fail()
        return [
            r
            for r in self.position_reports
            if instrument_id is None or r.instrument_id == instrument_id
        ]

    # -- helpers -----------------------------------------------------------------------------

    def _maybe_fail(self) -> None:
        if self.fail_reports:
            raise ConnectionError("venue unreachable")

    def _venue_id(self) -> VenueOrderId:
        self._next_venue_id += 1
        return VenueOrderId(f"V-{self._next_venue_id}")

    def _status_report(self, order: VenueOrder) -> OrderStatusReport:
        init = order.init
        filled = Quantity.from_raw(order.filled_raw, order.quantity.precision)
        avg_px = None
        if order.notional:
            total = sum((px.as_decimal() * qty.as_decimal() for px, qty in order.notional))
            avg_px = total / filled.as_decimal()
        now = self.clock.timestamp_ns()
        return OrderStatusReport(
            report_id=UUID4(),
            account_id=self.account_id,
            instrument_id=init.instrument_id,
            venue_order_id=order.venue_order_id,
            client_order_id=None if order.external else init.client_order_id,
            order_side=init.order_side,
            order_type=init.order_type,
            time_in_force=init.time_in_force,
            order_status=order.status,
            quantity=order.quantity,
            filled_qty=filled,
            avg_px=avg_px,
            price=order.price,
            trigger_price=order.trigger_price,
            expire_time_ns=init.expire_time_ns,
            ts_accepted=order.ts_accepted,
            ts_event=now,
            ts_init=now,
        )


class FakeExecutionClient(FakeVenueBook, ExecutionClient):
    """A scripted venue account (see the module docstring).

    Args:
        auto_submit: report `OrderSubmitted` when an order arrives (default on).
        auto_accept: accept every order as it arrives.
        auto_cancel: answer cancels at once (canceled if open, else cancel-rejected).
        auto_modify: answer modifies at once (updated if open, else modify-rejected).
        currency: the price and commission currency of fills.
    """

    def __init__(
        self,
        trader_id: TraderId,
        bus: MessageBus,
        clock: Clock,
        *,
        client_id: ClientId | None = None,
        venue: Venue | None = None,
        account_id: AccountId | None = None,
        account_type: AccountType = AccountType.CASH,
        oms_type: OmsType = OmsType.NETTING,
        supported_order_types: Iterable[OrderType] = ALL_ORDER_TYPES,
        supported_contingencies: Iterable[ContingencyType] = (),
        auto_submit: bool = True,
        auto_accept: bool = False,
        auto_cancel: bool = False,
        auto_modify: bool = False,
        currency: Currency = USDT,
    ) -> None:
        venue = venue or Venue("BINANCE")
        super().__init__(
            trader_id,
            bus,
            clock,
            client_id=client_id or ClientId(venue.value),
            venue=venue,
            account_id=account_id or AccountId(f"{venue.value}-001"),
            account_type=account_type,
            oms_type=oms_type,
            supported_order_types=supported_order_types,
            supported_contingencies=supported_contingencies,
        )
        self.auto_submit = auto_submit
        self.auto_accept = auto_accept
        self.auto_cancel = auto_cancel
        self.auto_modify = auto_modify
        self.currency = currency
        self.commands: list[TradingCommand] = []
        self.venue_orders: dict[ClientOrderId, VenueOrder] = {}
        self.fill_reports: list[FillReport] = []
        self.position_reports: list[PositionStatusReport] = []
        self.fail_reports = False
        self._next_venue_id = 0
        self._next_trade_id = 0

    # -- commands ----------------------------------------------------------------------------

    def submit_order(self, command: SubmitOrder) -> None:
        """Record the order at the venue (status SUBMITTED) and answer per the auto switches."""
        self.commands.append(command)
        init = command.order
        self.venue_orders[init.client_order_id] = VenueOrder(
            init=init,
            venue_order_id=self._venue_id(),
            status=OrderStatus.SUBMITTED,
            quantity=init.quantity,
            price=init.price,
            trigger_price=init.trigger_price,
        )
        if self.auto_submit:
            self.generate_order_submitted(
                init.strategy_id, init.instrument_id, init.client_order_id
            )
        if self.auto_accept:
            self.accept(init.client_order_id)

    def submit_order_list(self, command: SubmitOrderList) -> None:
        """Record the list command, then each order."""
        self.commands.append(command)
        super().submit_order_list(command)

    def modify_order(self, command: ModifyOrder) -> None:
        """Record; with ``auto_modify`` apply the change (or refuse it if closed)."""
        self.commands.append(command)
        if not self.auto_modify:
            return
        order = self.venue_orders.get(command.client_order_id)
        if order is None or not order.is_open:
            self.reject_modify(command.client_order_id, "order not open")
            return
        self.update(command.client_order_id, command.quantity, command.price, command.trigger_price)

    def cancel_order(self, command: CancelOrder) -> None:
        """Record; with ``auto_cancel`` cancel (or refuse if the order is closed)."""
        self.commands.append(command)
        if self.auto_cancel:
            self._auto_cancel(command.client_order_id)

    def cancel_all_orders(self, command: CancelAllOrders) -> None:
        """Record; with ``auto_cancel`` cancel every open order of the instrument (and side)."""
        self.commands.append(command)
        if not self.auto_cancel:
            return
        for cid, order in list(self.venue_orders.items()):
            if (
                order.is_open
                and order.init.instrument_id == command.instrument_id
                and command.order_side in (OrderSide.NO_ORDER_SIDE, order.init.order_side)
            ):
                self.cancel(cid)

    def query_order(self, command: QueryOrder) -> None:
        """Record, and answer with an `OrderStatusReport` when the venue knows the order."""
        self.commands.append(command)
        order = self.venue_orders.get(command.client_order_id)
        if order is not None:
            self.send_report(self._status_report(order))

    def _auto_cancel(self, cid: ClientOrderId) -> None:
        order = self.venue_orders.get(cid)
        if order is None or not order.is_open:
            self.reject_cancel(cid, "order not open")
        else:
            self.cancel(cid)

    # -- scripted venue actions --------------------------------------------------------------

    def accept(self, cid: ClientOrderId, report: bool = True) -> VenueOrderId:
        """The venue accepts the order."""
        order = self.venue_orders[cid]
        order.status = OrderStatus.ACCEPTED
        order.ts_accepted = self.clock.timestamp_ns()
        if report:
            init = order.init
            self.generate_order_accepted(
                init.strategy_id, init.instrument_id, cid, venue_order_id=order.venue_order_id
            )
        return order.venue_order_id

    def reject(self, cid: ClientOrderId, reason: str = "rejected", report: bool = True) -> None:
        """The venue rejects the order."""
        order = self.venue_orders[cid]
        order.status = OrderStatus.REJECTED
        if report:
            self.generate_order_rejected(
                order.init.strategy_id, order.init.instrument_id, cid, reason=reason
            )

    def fill(
        self,
        cid: ClientOrderId,
        qty: Quantity | None = None,
        px: Price | None = None,
        *,
        commission: Money | None = None,
        liquidity_side: LiquiditySide = LiquiditySide.TAKER,
        report: bool = True,
    ) -> TradeId:
        """The venue fills ``qty`` (default: all that is left) at ``px`` (default: the price)."""
        order = self.venue_orders[cid]
        init = order.init
        leaves = order.quantity.raw - order.filled_raw
        last_qty = qty if qty is not None else Quantity.from_raw(leaves, order.quantity.precision)
        last_px = px or order.price or order.trigger_price
        if last_px is None:
            raise ValueError(f"fill of {cid}: give px for an order without a price")
        order.filled_raw += last_qty.raw
        order.notional.append((last_px, last_qty))
        order.status = (
            OrderStatus.FILLED
            if order.filled_raw >= order.quantity.raw
            else OrderStatus.PARTIALLY_FILLED
        )
        self._next_trade_id += 1
        trade_id = TradeId(f"T-{self._next_trade_id}")
        fee = commission if commission is not None else Money(0, self.currency)
        self.fill_reports.append(
            FillReport(
                report_id=UUID4(),
                account_id=self.account_id,
                instrument_id=init.instrument_id,
                venue_order_id=order.venue_order_id,
                client_order_id=None if order.external else cid,
                trade_id=trade_id,
                order_side=init.order_side,
                last_qty=last_qty,
                last_px=last_px,
                commission=fee,
                liquidity_side=liquidity_side,
                ts_event=self.clock.timestamp_ns(),
                ts_init=self.clock.timestamp_ns(),
            )
        )
        if report:
            self.generate_order_filled(
                init.strategy_id,
                init.instrument_id,
                cid,
                venue_order_id=order.venue_order_id,
                trade_id=trade_id,
                order_side=init.order_side,
                order_type=init.order_type,
                last_qty=last_qty,
                last_px=last_px,
                currency=self.currency,
                commission=fee,
                liquidity_side=liquidity_side,
            )
        return trade_id

    def cancel(self, cid: ClientOrderId, report: bool = True) -> None:
        """The venue cancels the order."""
        order = self.venue_orders[cid]
        order.status = OrderStatus.CANCELED
        if report:
            init = order.init
            self.generate_order_canceled(
                init.strategy_id, init.instrument_id, cid, venue_order_id=order.venue_order_id
            )

    def expire(self, cid: ClientOrderId, report: bool = True) -> None:
        """The order's time in force runs out at the venue."""
        order = self.venue_orders[cid]
        order.status = OrderStatus.EXPIRED
        if report:
            init = order.init
            self.generate_order_expired(
                init.strategy_id, init.instrument_id, cid, venue_order_id=order.venue_order_id
            )

    def trigger(self, cid: ClientOrderId, report: bool = True) -> None:
        """A stop-limit / limit-if-touched order's trigger fires at the venue."""
        order = self.venue_orders[cid]
        order.status = OrderStatus.TRIGGERED
        if report:
            init = order.init
            self.generate_order_triggered(
                init.strategy_id, init.instrument_id, cid, venue_order_id=order.venue_order_id
            )

    def update(
        self,
        cid: ClientOrderId,
        quantity: Quantity | None = None,
        price: Price | None = None,
        trigger_price: Price | None = None,
        report: bool = True,
    ) -> None:
        """The venue changes the order."""
        order = self.venue_orders[cid]
        order.quantity = quantity or order.quantity
        order.price = price or order.price
        order.trigger_price = trigger_price or order.trigger_price
        if report:
            init = order.init
            self.generate_order_updated(
                init.strategy_id,
                init.instrument_id,
                cid,
                venue_order_id=order.venue_order_id,
                quantity=order.quantity,
                price=price,
                trigger_price=trigger_price,
            )

    def reject_cancel(self, cid: ClientOrderId, reason: str) -> None:
        """The venue refuses a cancel."""
        order = self.venue_orders.get(cid)
        strategy_id, instrument_id = self._ids_of(cid)
        self.generate_order_cancel_rejected(
            strategy_id,
            instrument_id,
            cid,
            venue_order_id=None if order is None else order.venue_order_id,
            reason=reason,
        )

    def reject_modify(self, cid: ClientOrderId, reason: str) -> None:
        """The venue refuses a modify."""
        order = self.venue_orders.get(cid)
        strategy_id, instrument_id = self._ids_of(cid)
        self.generate_order_modify_rejected(
            strategy_id,
            instrument_id,
            cid,
            venue_order_id=None if order is None else order.venue_order_id,
            reason=reason,
        )

    # -- helpers -----------------------------------------------------------------------------

    def _ids_of(self, cid: ClientOrderId) -> tuple[StrategyId, InstrumentId]:
        order = self.venue_orders.get(cid)
        if order is not None:
            return order.init.strategy_id, order.init.instrument_id
        for command in reversed(self.commands):
            if getattr(command, "client_order_id", None) == cid:
                return command.strategy_id, command.instrument_id
        raise KeyError(f"the fake venue knows nothing of order {cid}")
