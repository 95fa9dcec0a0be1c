"""Position events: a position opened, changed (a fill that did not close it) or closed."""

from __future__ import annotations

from decimal import Decimal

from shrivenquant.model.currency import Currency
from shrivenquant.model.enums import OrderSide, PositionSide
from shrivenquant.model.identifiers import (
    AccountId,
    ClientOrderId,
    InstrumentId,
    PositionId,
    StrategyId,
    TraderId,
)
from shrivenquant.model.messages import Event
from shrivenquant.model.values import Money, Price, Quantity


class PositionEvent(Event, frozen=True, kw_only=True, gc=False):
    """A snapshot of a position taken when a fill changed it.

    Holds only values and ids (no reference cycles possible), so it is not tracked by the
    cyclic garbage collector (``gc=False``).
    """

    trader_id: TraderId
    strategy_id: StrategyId
    instrument_id: InstrumentId
    position_id: PositionId
    account_id: AccountId
    opening_order_id: ClientOrderId
    closing_order_id: ClientOrderId | None
    entry: OrderSide
    side: PositionSide
    signed_qty: Decimal
    quantity: Quantity
    peak_qty: Quantity
    last_qty: Quantity
    last_px: Price
    currency: Currency
    avg_px_open: Decimal
    avg_px_close: Decimal | None
    realized_pnl: Money
    unrealized_pnl: Money
    ts_opened: int
    ts_closed: int | None
    duration_ns: int


class PositionOpened(PositionEvent, frozen=True, kw_only=True):
    """The first fill of a position (or of a new cycle after it was flat)."""


class PositionChanged(PositionEvent, frozen=True, kw_only=True):
    """A fill changed an open position without closing it (including a flip)."""


class PositionClosed(PositionEvent, frozen=True, kw_only=True):
    """A fill took the position to flat."""


POSITION_EVENT_TYPES = (PositionOpened, PositionChanged, PositionClosed)
