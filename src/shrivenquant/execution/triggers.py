"""Trigger arithmetic of the order emulator: which price a trigger watches, when it fires, how a
trailing stop follows the market, and what a released order looks like at the venue.

Stop orders (stop-market, stop-limit and the trailing stops) fire when the market moves
against the position: a buy when the price rises to the trigger, a sell when it falls to it.
If-touched orders fire when the market moves in their favour: a buy when the price falls to the
trigger, a sell when it rises to it. An emulated limit order is held until the market touches
its limit price, then released as the same limit order.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from enum import Enum, unique
from typing import Final

import msgspec

from shrivenquant.model.data import QuoteTick, TradeTick
from shrivenquant.model.enums import (
    ContingencyType,
    OrderSide,
    OrderType,
    TimeInForce,
    TrailingOffsetType,
    TriggerType,
)
from shrivenquant.model.events.order import OrderInitialized
from shrivenquant.model.orders import Order
from shrivenquant.model.values import Price, round_to_increment

STOP_TYPES: Final = frozenset(
    {
        OrderType.STOP_MARKET,
        OrderType.STOP_LIMIT,
        OrderType.TRAILING_STOP_MARKET,
        OrderType.TRAILING_STOP_LIMIT,
    }
)
"""Order types that fire when the market moves against them."""
TOUCHED_TYPES: Final = frozenset(
    {OrderType.MARKET_IF_TOUCHED, OrderType.LIMIT_IF_TOUCHED, OrderType.LIMIT}
)
"""Order types that fire when the market moves in their favour (a limit at its price)."""
TRAILING_TYPES: Final = frozenset({OrderType.TRAILING_STOP_MARKET, OrderType.TRAILING_STOP_LIMIT})
"""Order types whose trigger follows the market."""
MARKET_RELEASE_TYPES: Final = frozenset(
    {OrderType.STOP_MARKET, OrderType.MARKET_IF_TOUCHED, OrderType.TRAILING_STOP_MARKET}
)
"""Order types released to the venue as market orders (the others go as limit orders)."""
EMULATED_TYPES: Final = STOP_TYPES | TOUCHED_TYPES
"""Order types the emulator can hold."""

_BASIS_POINT: Final = Decimal("0.0001")


@unique
class Feed(Enum):
    """The market data a trigger watches."""

    BID_ASK = "BID_ASK"
    """Quotes: a buy watches the ask, a sell the bid."""
    MID = "MID"
    """Quotes: the mid price."""
    LAST = "LAST"
    """Trades: the last trade price."""


def feed_for(order: Order) -> Feed | None:
    """The feed ``order``'s trigger watches; None if the emulator cannot watch it."""
    trigger = order.emulation_trigger or order.trigger_type
    if trigger in (TriggerType.DEFAULT, TriggerType.BID_ASK):
        return Feed.BID_ASK
    if trigger is TriggerType.MID_POINT:
        return Feed.MID
    if trigger is TriggerType.LAST_PRICE:
        return Feed.LAST
    return None


def market_price(feed: Feed, side: OrderSide, data: QuoteTick | TradeTick) -> Price | None:
    """The price ``feed`` reads from ``data`` for an order on ``side`` (None: wrong data)."""
    if isinstance(data, TradeTick):
        return data.price if feed is Feed.LAST else None
    if feed is Feed.BID_ASK:
        return data.ask_price if side is OrderSide.BUY else data.bid_price
    if feed is Feed.MID:
        return data.mid_price()
    return None


def trigger_of(order: Order) -> Price | None:
    """The price that fires ``order``: its trigger price, or the limit price of a limit order."""
    if order.order_type is OrderType.LIMIT:
        return order.price
    return order.trigger_price


def is_triggered(order_type: OrderType, side: OrderSide, trigger: Price, price: Price) -> bool:
    """Whether ``price`` fires a ``side`` order of ``order_type`` with ``trigger``."""
    if order_type in STOP_TYPES:
        return price >= trigger if side is OrderSide.BUY else price <= trigger
    if order_type in TOUCHED_TYPES:
        return price <= trigger if side is OrderSide.BUY else price >= trigger
    raise ValueError(f"a {order_type} order has no trigger")


def offset_amount(
    offset_type: TrailingOffsetType, offset: Decimal, reference: Price, tick: Price | None
) -> Decimal:
    """The price distance ``offset`` means at ``reference`` (ticks need ``tick``).

    Raises:
        ValueError: an offset type without a distance, or ticks without a tick size.
    """
    if offset_type is TrailingOffsetType.PRICE:
        return offset
    if offset_type is TrailingOffsetType.BASIS_POINTS:
        return reference.as_decimal() * offset * _BASIS_POINT
    if offset_type is TrailingOffsetType.TICKS:
        if tick is None:
            raise ValueError("a TICKS offset needs the instrument's price increment")
        return offset * tick.as_decimal()
    raise ValueError(f"no price distance for trailing offset type {offset_type}")


def _to_price(value: Decimal, like: Price, tick: Price | None, rounding: str) -> Price:
    if tick is not None:
        return round_to_increment(value, tick, rounding)
    quantum = Decimal(1).scaleb(-like.precision)
    return Price(value.quantize(quantum, rounding=rounding), precision=like.precision)


def trailing_trigger(order: Order, price: Price, tick: Price | None) -> Price | None:
    """The trigger a trailing stop moves to at ``price``, or None if it should stay.

    A sell stop trails below the market and only rises; a buy stop trails above and only falls.
    """
    offset = order.trailing_offset
    if offset is None:
        raise ValueError(f"trailing order {order.client_order_id} has no trailing_offset")
    distance = offset_amount(order.trailing_offset_type, offset, price, tick)
    current = order.trigger_price
    if order.side is OrderSide.SELL:
        candidate = _to_price(price.as_decimal() - distance, price, tick, ROUND_FLOOR)
        better = current is None or candidate > current
    else:
        candidate = _to_price(price.as_decimal() + distance, price, tick, ROUND_CEILING)
        better = current is None or candidate < current
    if candidate.raw <= 0 or not better:
        return None
    return candidate


def trailing_limit(order: Order, trigger: Price, tick: Price | None) -> Price | None:
    """The limit price of a trailing stop-limit whose trigger is ``trigger``."""
    if order.order_type is not OrderType.TRAILING_STOP_LIMIT or order.limit_offset is None:
        return None
    distance = offset_amount(order.trailing_offset_type, order.limit_offset, trigger, tick)
    if order.side is OrderSide.SELL:
        return _to_price(trigger.as_decimal() - distance, trigger, tick, ROUND_FLOOR)
    return _to_price(trigger.as_decimal() + distance, trigger, tick, ROUND_CEILING)


def venue_form(order: Order) -> OrderInitialized:
    """The order as the emulator releases it: a market or limit order, no trigger, no links.

    Market releases keep the time in force unless it is GTD (a market order never rests; it
    becomes IOC). Limit releases keep the order's (possibly updated) price.
    """
    init = order.init_event
    is_market = order.order_type in MARKET_RELEASE_TYPES
    tif = order.time_in_force
    expire = order.expire_time_ns
    if is_market and tif is TimeInForce.GTD:
        tif, expire = TimeInForce.IOC, None
    return msgspec.structs.replace(
        init,
        order_type=OrderType.MARKET if is_market else OrderType.LIMIT,
        quantity=order.quantity,
        price=None if is_market else order.price,
        trigger_price=None,
        trigger_type=TriggerType.DEFAULT,
        limit_offset=None,
        trailing_offset=None,
        trailing_offset_type=TrailingOffsetType.NO_TRAILING_OFFSET,
        time_in_force=tif,
        expire_time_ns=expire,
        post_only=False if is_market else init.post_only,
        display_qty=None if is_market else init.display_qty,
        emulation_trigger=None,
        contingency_type=ContingencyType.NO_CONTINGENCY,
        linked_order_ids=(),
        parent_order_id=None,
    )
