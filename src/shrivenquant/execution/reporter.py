"""Reporting helpers of execution clients: build order events and account states and send them
to the execution engine's ``EXEC_ENGINE_PROCESS`` endpoint.

Each helper fills in the trader and account, a fresh event id, ``ts_init`` from the clock and
``ts_event`` (the venue's time when given, else now).
"""

from __future__ import annotations

from collections.abc import Sequence

from shrivenquant.bus import topics
from shrivenquant.bus.message_bus import MessageBus
from shrivenquant.core.clock import Clock
from shrivenquant.core.uuid import UUID4
from shrivenquant.model.balances import AccountBalance, MarginBalance
from shrivenquant.model.currency import Currency
from shrivenquant.model.enums import AccountType, LiquiditySide, OrderSide, OrderType
from shrivenquant.model.events import (
    AccountState,
    OrderAccepted,
    OrderCanceled,
    OrderCancelRejected,
    OrderExpired,
    OrderFilled,
    OrderModifyRejected,
    OrderRejected,
    OrderSubmitted,
    OrderTriggered,
    OrderUpdated,
)
from shrivenquant.model.identifiers import (
    AccountId,
    ClientOrderId,
    InstrumentId,
    PositionId,
    StrategyId,
    TradeId,
    TraderId,
    VenueOrderId,
)
from shrivenquant.model.messages import Message
from shrivenquant.model.reports import FillReport, OrderStatusReport
from shrivenquant.model.values import Money, Price, Quantity


class ExecutionReporter:
    """The ``generate_*`` helpers every `ExecutionClient` reports with."""

    __slots__ = ()
    trader_id: TraderId
    account_id: AccountId
    account_type: AccountType
    bus: MessageBus
    clock: Clock

    def _send(self, message: Message) -> None:
        self.bus.send(topics.EXEC_ENGINE_PROCESS, message)

    def send_report(self, report: OrderStatusReport | FillReport) -> None:
        """Send a single report (the answer to `QueryOrder`) to the engine."""
        self._send(report)

    def _stamp(self, ts_event: int | None) -> tuple[int, int]:
        now = self.clock.timestamp_ns()
        return (now if ts_event is None else ts_event), now

    def generate_order_submitted(
        self,
        strategy_id: StrategyId,
        instrument_id: InstrumentId,
        client_order_id: ClientOrderId,
        *,
        ts_event: int | None = None,
    ) -> None:
        """Report that the order was sent to the venue."""
        now = self.clock.timestamp_ns()
        self._send(
            OrderSubmitted(
                trader_id=self.trader_id,
                strategy_id=strategy_id,
                instrument_id=instrument_id,
                client_order_id=client_order_id,
                account_id=self.account_id,
                event_id=UUID4(),
                ts_event=now if ts_event is None else ts_event,
                ts_init=now,
            )
        )

    def generate_order_accepted(
        self,
        strategy_id: StrategyId,
        instrument_id: InstrumentId,
        client_order_id: ClientOrderId,
        *,
        venue_order_id: VenueOrderId,
        ts_event: int | None = None,
    ) -> None:
        """Report that the venue accepted the order as ``venue_order_id``."""
        now = self.clock.timestamp_ns()
        self._send(
            OrderAccepted(
                trader_id=self.trader_id,
                strategy_id=strategy_id,
                instrument_id=instrument_id,
                client_order_id=client_order_id,
                venue_order_id=venue_order_id,
                account_id=self.account_id,
                event_id=UUID4(),
                ts_event=now if ts_event is None else ts_event,
                ts_init=now,
            )
        )

    def generate_order_rejected(
        self,
        strategy_id: StrategyId,
        instrument_id: InstrumentId,
        client_order_id: ClientOrderId,
        *,
        reason: str,
        ts_event: int | None = None,
        due_post_only: bool = False,
    ) -> None:
        """Report that the venue refused the order."""
        now = self.clock.timestamp_ns()
        self._send(
            OrderRejected(
                trader_id=self.trader_id,
                strategy_id=strategy_id,
                instrument_id=instrument_id,
                client_order_id=client_order_id,
                account_id=self.account_id,
                reason=reason,
                due_post_only=due_post_only,
                event_id=UUID4(),
                ts_event=now if ts_event is None else ts_event,
                ts_init=now,
            )
        )

    def generate_order_canceled(
        self,
        strategy_id: StrategyId,
        instrument_id: InstrumentId,
        client_order_id: ClientOrderId,
        *,
        venue_order_id: VenueOrderId | None,
        ts_event: int | None = None,
    ) -> None:
        """Report that the venue canceled the order."""
        now = self.clock.timestamp_ns()
        self._send(
            OrderCanceled(
                trader_id=self.trader_id,
                strategy_id=strategy_id,
                instrument_id=instrument_id,
                client_order_id=client_order_id,
                venue_order_id=venue_order_id,
                account_id=self.account_id,
                event_id=UUID4(),
                ts_event=now if ts_event is None else ts_event,
                ts_init=now,
            )
        )

    def generate_order_expired(
        self,
        strategy_id: StrategyId,
        instrument_id: InstrumentId,
        client_order_id: ClientOrderId,
        *,
        venue_order_id: VenueOrderId | None,
        ts_event: int | None = None,
    ) -> None:
        """Report that the order's time in force ran out."""
        now = self.clock.timestamp_ns()
        self._send(
            OrderExpired(
                trader_id=self.trader_id,
                strategy_id=strategy_id,
                instrument_id=instrument_id,
                client_order_id=client_order_id,
                venue_order_id=venue_order_id,
                account_id=self.account_id,
                event_id=UUID4(),
                ts_event=now if ts_event is None else ts_event,
                ts_init=now,
            )
        )

    def generate_order_triggered(
        self,
        strategy_id: StrategyId,
        instrument_id: InstrumentId,
        client_order_id: ClientOrderId,
        *,
        venue_order_id: VenueOrderId | None,
        ts_event: int | None = None,
    ) -> None:
        """Report that a stop-limit / limit-if-touched order's trigger fired at the venue."""
        now = self.clock.timestamp_ns()
        self._send(
            OrderTriggered(
                trader_id=self.trader_id,
                strategy_id=strategy_id,
                instrument_id=instrument_id,
                client_order_id=client_order_id,
                venue_order_id=venue_order_id,
                account_id=self.account_id,
                event_id=UUID4(),
                ts_event=now if ts_event is None else ts_event,
                ts_init=now,
            )
        )

    def generate_order_updated(
        self,
        strategy_id: StrategyId,
        instrument_id: InstrumentId,
        client_order_id: ClientOrderId,
        *,
        venue_order_id: VenueOrderId | None,
        quantity: Quantity,
        price: Price | None = None,
        trigger_price: Price | None = None,
        ts_event: int | None = None,
    ) -> None:
        """Report that the venue changed the order (``quantity`` is the new total)."""
        now = self.clock.timestamp_ns()
        self._send(
            OrderUpdated(
                trader_id=self.trader_id,
                strategy_id=strategy_id,
                instrument_id=instrument_id,
                client_order_id=client_order_id,
                venue_order_id=venue_order_id,
                account_id=self.account_id,
                quantity=quantity,
                price=price,
                trigger_price=trigger_price,
                event_id=UUID4(),
                ts_event=now if ts_event is None else ts_event,
                ts_init=now,
            )
        )

    def generate_order_modify_rejected(
        self,
        strategy_id: StrategyId,
        instrument_id: InstrumentId,
        client_order_id: ClientOrderId,
        *,
        venue_order_id: VenueOrderId | None,
        reason: str,
        ts_event: int | None = None,
    ) -> None:
        """Report that the venue refused a modify request."""
        now = self.clock.timestamp_ns()
        self._send(
            OrderModifyRejected(
                trader_id=self.trader_id,
                strategy_id=strategy_id,
                instrument_id=instrument_id,
                client_order_id=client_order_id,
                venue_order_id=venue_order_id,
                account_id=self.account_id,
                reason=reason,
                event_id=UUID4(),
                ts_event=now if ts_event is None else ts_event,
                ts_init=now,
            )
        )

    def generate_order_cancel_rejected(
        self,
        strategy_id: StrategyId,
        instrument_id: InstrumentId,
        client_order_id: ClientOrderId,
        *,
        venue_order_id: VenueOrderId | None,
        reason: str,
        ts_event: int | None = None,
    ) -> None:
        """Report that the venue refused a cancel request (often: already filled)."""
        now = self.clock.timestamp_ns()
        self._send(
            OrderCancelRejected(
                trader_id=self.trader_id,
                strategy_id=strategy_id,
                instrument_id=instrument_id,
                client_order_id=client_order_id,
                venue_order_id=venue_order_id,
                account_id=self.account_id,
                reason=reason,
                event_id=UUID4(),
                ts_event=now if ts_event is None else ts_event,
                ts_init=now,
            )
        )

    def generate_order_filled(
        self,
        strategy_id: StrategyId,
        instrument_id: InstrumentId,
        client_order_id: ClientOrderId,
        *,
        venue_order_id: VenueOrderId,
        trade_id: TradeId,
        order_side: OrderSide,
        order_type: OrderType,
        last_qty: Quantity,
        last_px: Price,
        currency: Currency,
        commission: Money,
        liquidity_side: LiquiditySide,
        ts_event: int | None = None,
        position_id: PositionId | None = None,
    ) -> None:
        """Report one trade of the order (``currency`` is the currency of ``last_px``)."""
        now = self.clock.timestamp_ns()
        self._send(
            OrderFilled(
                trader_id=self.trader_id,
                strategy_id=strategy_id,
                instrument_id=instrument_id,
                client_order_id=client_order_id,
                venue_order_id=venue_order_id,
                account_id=self.account_id,
                trade_id=trade_id,
                order_side=order_side,
                order_type=order_type,
                last_qty=last_qty,
                last_px=last_px,
                currency=currency,
                commission=commission,
                liquidity_side=liquidity_side,
                position_id=position_id,
                event_id=UUID4(),
                ts_event=now if ts_event is None else ts_event,
                ts_init=now,
            )
        )

    def generate_account_state(
        self,
        balances: Sequence[AccountBalance],
        *,
        margins: Sequence[MarginBalance] = (),
        reported: bool = True,
        ts_event: int | None = None,
        base_currency: Currency | None = None,
        info: dict[str, str] | None = None,
    ) -> None:
        """Report the account's balances and margins."""
        ts_event, ts_init = self._stamp(ts_event)
        self._send(
            AccountState(
                account_id=self.account_id,
                account_type=self.account_type,
                base_currency=base_currency,
                balances=list(balances),
                margins=list(margins),
                reported=reported,
                info=dict(info or {}),
                event_id=UUID4(),
                ts_event=ts_event,
                ts_init=ts_init,
            )
        )
