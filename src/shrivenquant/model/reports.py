"""Execution reports: what a venue says about orders, fills and positions when asked.

Execution clients produce them for reconciliation (on every start, after replaying the journal)
and in answer to `QueryOrder`. They describe venue state; only the execution engine turns them
into order events.
"""

from __future__ import annotations

from decimal import Decimal

from shrivenquant.core.uuid import UUID4
from shrivenquant.model.enums import (
    LiquiditySide,
    OrderSide,
    OrderStatus,
    OrderType,
    PositionSide,
    TimeInForce,
)
from shrivenquant.model.identifiers import (
    AccountId,
    ClientOrderId,
    InstrumentId,
    OrderListId,
    TradeId,
    VenueOrderId,
)
from shrivenquant.model.messages import Message
from shrivenquant.model.values import Money, Price, Quantity


class _Report(Message, frozen=True, kw_only=True):
    report_id: UUID4
    account_id: AccountId
    instrument_id: InstrumentId


class OrderStatusReport(_Report, frozen=True, kw_only=True):
    """The venue's view of one order.

    ``client_order_id`` is None for orders placed outside ShrivenQuant (they are adopted as
    external orders). ``ts_event`` is the venue's time of the last change.
    """

    venue_order_id: VenueOrderId
    client_order_id: ClientOrderId | None
    order_side: OrderSide
    order_type: OrderType
    time_in_force: TimeInForce
    order_status: OrderStatus
    quantity: Quantity
    filled_qty: Quantity
    avg_px: Decimal | None = None
    price: Price | None = None
    trigger_price: Price | None = None
    expire_time_ns: int | None = None
    post_only: bool = False
    reduce_only: bool = False
    order_list_id: OrderListId | None = None
    cancel_reason: str | None = None
    ts_accepted: int = 0

    def __post_init__(self) -> None:
        if self.filled_qty.raw > self.quantity.raw:
            raise ValueError(
                f"OrderStatusReport.filled_qty {self.filled_qty} exceeds quantity {self.quantity}"
            )

    @property
    def leaves_qty(self) -> Quantity:
        """The unfilled quantity."""
        return Quantity.from_raw(
            self.quantity.raw - self.filled_qty.raw,
            max(self.quantity.precision, self.filled_qty.precision),
        )


class FillReport(_Report, frozen=True, kw_only=True):
    """One fill (trade) of an order as the venue recorded it."""

    venue_order_id: VenueOrderId
    client_order_id: ClientOrderId | None
    trade_id: TradeId
    order_side: OrderSide
    last_qty: Quantity
    last_px: Price
    commission: Money
    liquidity_side: LiquiditySide


class PositionStatusReport(_Report, frozen=True, kw_only=True):
    """The venue's net position in one instrument (derivatives venues report these)."""

    position_side: PositionSide
    quantity: Quantity
    avg_px_open: Decimal | None = None

    def __post_init__(self) -> None:
        flat = self.position_side is PositionSide.FLAT
        if flat != (self.quantity.raw == 0):
            raise ValueError(
                f"PositionStatusReport side {self.position_side} disagrees with quantity "
                f"{self.quantity}"
            )

    @property
    def signed_qty(self) -> Decimal:
        """Quantity with sign: positive long, negative short."""
        qty = self.quantity.as_decimal()
        return -qty if self.position_side is PositionSide.SHORT else qty


REPORT_TYPES = (OrderStatusReport, FillReport, PositionStatusReport)
