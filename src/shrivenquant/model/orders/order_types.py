"""The concrete order types and their construction rules.

| type                   | price    | trigger_price | rests as a limit | trigger |
|------------------------|----------|---------------|------------------|---------|
| MARKET                 | -        | -             | no               | no      |
| LIMIT                  | required | -             | yes              | no      |
| STOP_MARKET            | -        | required      | no               | yes     |
| STOP_LIMIT             | required | required      | yes              | yes     |
| MARKET_IF_TOUCHED      | -        | required      | no               | yes     |
| LIMIT_IF_TOUCHED       | required | required      | yes              | yes     |
| TRAILING_STOP_MARKET   | -        | optional      | no               | yes     |
| TRAILING_STOP_LIMIT    | optional | optional      | yes              | yes     |

Trailing stops also need ``trailing_offset`` and ``trailing_offset_type``; the trailing
stop-limit needs ``limit_offset``. Their prices, when absent, are set later by `OrderUpdated`
as the market moves. A market order cannot be GTD (it never rests).
"""

from __future__ import annotations

from typing import ClassVar, Final

from shrivenquant.model.enums import OrderType, TimeInForce
from shrivenquant.model.orders.base import Order
from shrivenquant.model.orders.validation import FieldRule, OrderRules

_REQ: Final = FieldRule.REQUIRED
_OPT: Final = FieldRule.OPTIONAL
_NO: Final = FieldRule.FORBIDDEN


class MarketOrder(Order):
    """Trade now at the best available prices."""

    __slots__ = ()
    RULES: ClassVar[OrderRules] = OrderRules(
        OrderType.MARKET,
        price=_NO,
        trigger_price=_NO,
        passive=False,
        has_trigger=False,
        time_in_force=frozenset(TimeInForce) - {TimeInForce.GTD},
    )


class LimitOrder(Order):
    """Trade at ``price`` or better."""

    __slots__ = ()
    RULES: ClassVar[OrderRules] = OrderRules(
        OrderType.LIMIT, price=_REQ, trigger_price=_NO, passive=True, has_trigger=False
    )


class StopMarketOrder(Order):
    """Become a market order once the market reaches ``trigger_price`` (adverse direction)."""

    __slots__ = ()
    RULES: ClassVar[OrderRules] = OrderRules(
        OrderType.STOP_MARKET, price=_NO, trigger_price=_REQ, passive=False, has_trigger=True
    )


class StopLimitOrder(Order):
    """Become a limit order at ``price`` once the market reaches ``trigger_price``."""

    __slots__ = ()
    RULES: ClassVar[OrderRules] = OrderRules(
        OrderType.STOP_LIMIT, price=_REQ, trigger_price=_REQ, passive=True, has_trigger=True
    )


class MarketIfTouchedOrder(Order):
    """Become a market order once the market touches ``trigger_price`` (favourable direction)."""

    __slots__ = ()
    RULES: ClassVar[OrderRules] = OrderRules(
        OrderType.MARKET_IF_TOUCHED, price=_NO, trigger_price=_REQ, passive=False, has_trigger=True
    )


class LimitIfTouchedOrder(Order):
    """Become a limit order at ``price`` once the market touches ``trigger_price``."""

    __slots__ = ()
    RULES: ClassVar[OrderRules] = OrderRules(
        OrderType.LIMIT_IF_TOUCHED, price=_REQ, trigger_price=_REQ, passive=True, has_trigger=True
    )


class TrailingStopMarketOrder(Order):
    """A stop-market whose trigger follows the market at ``trailing_offset``."""

    __slots__ = ()
    RULES: ClassVar[OrderRules] = OrderRules(
        OrderType.TRAILING_STOP_MARKET,
        price=_NO,
        trigger_price=_OPT,
        passive=False,
        has_trigger=True,
        trailing=True,
    )


class TrailingStopLimitOrder(Order):
    """A stop-limit whose trigger trails the market; the limit sits ``limit_offset`` beyond it."""

    __slots__ = ()
    RULES: ClassVar[OrderRules] = OrderRules(
        OrderType.TRAILING_STOP_LIMIT,
        price=_OPT,
        trigger_price=_OPT,
        passive=True,
        has_trigger=True,
        trailing=True,
        limit_offset=_REQ,
    )


ORDER_CLASSES: Final[tuple[type[Order], ...]] = (
    MarketOrder,
    LimitOrder,
    StopMarketOrder,
    StopLimitOrder,
    MarketIfTouchedOrder,
    LimitIfTouchedOrder,
    TrailingStopMarketOrder,
    TrailingStopLimitOrder,
)
"""One class per `OrderType`."""
