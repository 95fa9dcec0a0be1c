"""Trigger arithmetic of the simulated venue, on raw prices (units of 10**-9).

Stop orders (stop-market, stop-limit and trailing stops) fire when the market moves against
them: a buy when the watched price rises to the trigger, a sell when it falls to it.
If-touched orders fire when it moves in their favour: a buy when it falls to the trigger, a
sell when it rises to it. A trailing stop's trigger follows the market at its offset and only
ever tightens: a sell stop rises, a buy stop falls.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Final

from shrivenquant.model.enums import OrderSide, OrderType, TrailingOffsetType
from shrivenquant.model.fixed_point import FIXED_SCALAR
from shrivenquant.sim.orders import STOP_TYPES, TRIGGERED_TYPES

_BASIS_POINT: Final = Fraction(1, 10_000)


def is_fired(order_type: OrderType, side: OrderSide, trigger_raw: int, price_raw: int) -> bool:
    """Whether the watched price ``price_raw`` fires an order with trigger ``trigger_raw``.

    Raises:
        ValueError: the order type has no trigger.
    """
    if order_type in STOP_TYPES:
        return price_raw >= trigger_raw if side is OrderSide.BUY else price_raw <= trigger_raw
    if order_type in TRIGGERED_TYPES:
        return price_raw <= trigger_raw if side is OrderSide.BUY else price_raw >= trigger_raw
    raise ValueError(f"a {order_type} order has no trigger")


def offset_raw(
    offset_type: TrailingOffsetType, offset: Decimal, reference_raw: int, tick_raw: int
) -> Fraction:
    """The price distance (raw units) an offset means at the price ``reference_raw``.

    Raises:
        ValueError: an offset type that is not a distance.
    """
    if offset_type is TrailingOffsetType.PRICE:
        return Fraction(offset) * FIXED_SCALAR
    if offset_type is TrailingOffsetType.BASIS_POINTS:
        return reference_raw * Fraction(offset) * _BASIS_POINT
    if offset_type is TrailingOffsetType.TICKS:
        return Fraction(offset) * tick_raw
    raise ValueError(f"no price distance for trailing offset type {offset_type}")


def _below(value: Fraction, tick_raw: int) -> int:
    """The highest tick at or below ``value``."""
    return (value.numerator // (value.denominator * tick_raw)) * tick_raw


def _above(value: Fraction, tick_raw: int) -> int:
    """The lowest tick at or above ``value``."""
    return -((-value.numerator) // (value.denominator * tick_raw)) * tick_raw


def trailing_trigger(  # noqa: PLR0917 - the arithmetic's inputs, all needed
    side: OrderSide,
    offset_type: TrailingOffsetType,
    offset: Decimal,
    current_raw: int | None,
    price_raw: int,
    tick_raw: int,
) -> int | None:
    """The trigger a trailing stop moves to when the market is at ``price_raw``, or None.

    None means the trigger stays where it is (the candidate is not tighter, or not positive).
    """
    distance = offset_raw(offset_type, offset, price_raw, tick_raw)
    if side is OrderSide.SELL:
        candidate = _below(price_raw - distance, tick_raw)
        better = current_raw is None or candidate > current_raw
    else:
        candidate = _above(price_raw + distance, tick_raw)
        better = current_raw is None or candidate < current_raw
    if candidate <= 0 or not better:
        return None
    return candidate


def trailing_limit(
    side: OrderSide,
    offset_type: TrailingOffsetType,
    limit_offset: Decimal,
    trigger_raw: int,
    tick_raw: int,
) -> int:
    """The limit price of a trailing stop-limit whose trigger is ``trigger_raw``: beyond the
    trigger by ``limit_offset`` (below it for a sell, above for a buy), on the tick."""
    distance = offset_raw(offset_type, limit_offset, trigger_raw, tick_raw)
    if side is OrderSide.SELL:
        return max(_below(trigger_raw - distance, tick_raw), tick_raw)
    return _above(trigger_raw + distance, tick_raw)
