"""`SimOrder`: the simulated venue's own record of an order.

The venue keeps its own state, as a real exchange does; the execution engine learns about it
only from the events the venue reports. Prices and quantities are raw ints (units of 10**-9)
on the instrument's tick and lot.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Final

from shrivenquant.model.enums import OrderSide, OrderStatus, OrderType, TimeInForce
from shrivenquant.model.events.order import OrderInitialized
from shrivenquant.model.fixed_point import FIXED_SCALAR
from shrivenquant.model.identifiers import PositionId, VenueOrderId

if TYPE_CHECKING:
    from shrivenquant.sim.accounts import VenueAccount

LIMIT_TRIGGERED_TYPES: Final = frozenset(
    {OrderType.STOP_LIMIT, OrderType.LIMIT_IF_TOUCHED, OrderType.TRAILING_STOP_LIMIT}
)
"""Triggered order types that then work as limit orders."""
MARKET_TRIGGERED_TYPES: Final = frozenset(
    {OrderType.STOP_MARKET, OrderType.MARKET_IF_TOUCHED, OrderType.TRAILING_STOP_MARKET}
)
"""Triggered order types that then trade as market orders."""
TRIGGERED_TYPES: Final = LIMIT_TRIGGERED_TYPES | MARKET_TRIGGERED_TYPES
"""Order types with a trigger."""
STOP_TYPES: Final = frozenset(
    {
        OrderType.STOP_MARKET,
        OrderType.STOP_LIMIT,
        OrderType.TRAILING_STOP_MARKET,
        OrderType.TRAILING_STOP_LIMIT,
    }
)
"""Order types that fire when the market moves against them."""
TRAILING_TYPES: Final = frozenset({OrderType.TRAILING_STOP_MARKET, OrderType.TRAILING_STOP_LIMIT})
"""Order types whose trigger follows the market."""
OPEN: Final = frozenset({OrderStatus.ACCEPTED, OrderStatus.TRIGGERED, OrderStatus.PARTIALLY_FILLED})
"""Statuses in which the venue still works an order."""


class SimOrder:
    """One order as the simulated venue holds it.

    Attributes:
        init: the order as it was sent.
        account: the venue account the order belongs to.
        key: the venue's int id (also the order's id in the matching book).
        venue_order_id: the id reported to the client.
        quantity_raw: the total quantity (changed by modifies).
        filled_raw: the quantity filled so far.
        price_raw: the limit price, if the order has one (set later for trailing stop-limits).
        trigger_raw: the trigger price, if any (trailing stops move it).
        is_triggered: whether the trigger has fired.
        is_active: False while an OTO child waits for its parent.
        status: the venue's status of the order.
        position_id: the position named in the submit command, echoed in fills.
        notional_raw: sum of ``qty_raw * price_raw`` of the fills (for the average price).
        ts_accepted: when the venue accepted the order.
        ts_last: when the venue last changed the order.
        expiry_ns: when a GTD or DAY order expires, else None.
    """

    __slots__ = (
        "account",
        "expiry_ns",
        "filled_raw",
        "init",
        "is_active",
        "is_triggered",
        "key",
        "notional_raw",
        "position_id",
        "price_raw",
        "quantity_raw",
        "status",
        "trigger_raw",
        "ts_accepted",
        "ts_last",
        "venue_order_id",
    )

    def __init__(
        self,
        init: OrderInitialized,
        account: VenueAccount,
        key: int,
        venue_order_id: VenueOrderId,
        position_id: PositionId | None,
    ) -> None:
        self.init = init
        self.account = account
        self.key = key
        self.venue_order_id = venue_order_id
        self.position_id = position_id
        self.quantity_raw = init.quantity._raw
        self.filled_raw = 0
        self.price_raw = None if init.price is None else init.price._raw
        self.trigger_raw = None if init.trigger_price is None else init.trigger_price._raw
        self.is_triggered = False
        self.is_active = True
        self.status = OrderStatus.SUBMITTED
        self.notional_raw = 0
        self.ts_accepted = 0
        self.ts_last = init.ts_init
        self.expiry_ns: int | None = None

    @property
    def side(self) -> OrderSide:
        """Buy or sell."""
        return self.init.order_side

    @property
    def order_type(self) -> OrderType:
        """The order type as sent."""
        return self.init.order_type

    @property
    def time_in_force(self) -> TimeInForce:
        """How long the order works."""
        return self.init.time_in_force

    @property
    def leaves_raw(self) -> int:
        """The unfilled quantity."""
        return self.quantity_raw - self.filled_raw

    @property
    def is_open(self) -> bool:
        """Whether the venue still works (or holds) the order."""
        return self.status in OPEN

    @property
    def is_closed(self) -> bool:
        """Whether the order is finished."""
        return self.status not in OPEN and self.status is not OrderStatus.SUBMITTED

    @property
    def has_pending_trigger(self) -> bool:
        """Whether the order waits for its trigger."""
        return self.init.order_type in TRIGGERED_TYPES and not self.is_triggered

    @property
    def is_limit_priced(self) -> bool:
        """Whether the order (now) trades as a limit order: a limit, or a triggered limit type."""
        order_type = self.init.order_type
        return order_type is OrderType.LIMIT or (
            self.is_triggered and order_type in LIMIT_TRIGGERED_TYPES
        )

    @property
    def is_market_priced(self) -> bool:
        """Whether the order (now) trades as a market order: a market order, or a triggered
        stop-market, market-if-touched or trailing stop-market."""
        order_type = self.init.order_type
        return order_type is OrderType.MARKET or (
            self.is_triggered and order_type in MARKET_TRIGGERED_TYPES
        )

    @property
    def lock_price_raw(self) -> int | None:
        """The price the order locks funds at: its limit, else its trigger; None when it
        trades (or will trade) at the market with no price known."""
        if self.is_market_priced:
            return None
        return self.price_raw if self.price_raw is not None else self.trigger_raw

    @property
    def avg_px(self) -> Decimal | None:
        """The average fill price, None before the first fill."""
        if not self.filled_raw:
            return None
        return (Decimal(self.notional_raw) / Decimal(self.filled_raw)) / FIXED_SCALAR

    def __repr__(self) -> str:
        return (
            f"SimOrder({self.init.client_order_id} {self.venue_order_id} {self.side} "
            f"{self.order_type} qty={self.quantity_raw} filled={self.filled_raw} "
            f"px={self.price_raw} trigger={self.trigger_raw} {self.status})"
        )
