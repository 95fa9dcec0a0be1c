"""Why the simulated venue refuses an order, a modify or a cancel.

Every refusal reason starts with a `RejectCode` followed by a colon and a detail, like a venue
error code and message: ``"INSUFFICIENT_BALANCE: the order needs 5010.00 USDT but only 100.00
USDT is free"``. Tests and strategies match on the code; people read the detail.
"""

from __future__ import annotations

from enum import StrEnum, unique


@unique
class RejectCode(StrEnum):
    """The reasons a simulated venue refuses a request."""

    INSUFFICIENT_BALANCE = "INSUFFICIENT_BALANCE"
    """The free balance does not cover what the order would lock."""
    PRICE_FILTER = "PRICE_FILTER"
    """A price is off the instrument's tick or outside its price limits."""
    LOT_SIZE = "LOT_SIZE"
    """A quantity is off the instrument's lot or outside its quantity limits."""
    MIN_NOTIONAL = "MIN_NOTIONAL"
    """The order's notional is below the instrument's minimum."""
    MAX_NOTIONAL = "MAX_NOTIONAL"
    """The order's notional is above the instrument's maximum."""
    INVALID_ORDER = "INVALID_ORDER"
    """The order breaks the rules of its type (fields it needs or must not have)."""
    UNKNOWN_ORDER = "UNKNOWN_ORDER"
    """A modify or cancel names an order the venue does not know."""
    UNKNOWN_INSTRUMENT = "UNKNOWN_INSTRUMENT"
    """The venue does not list the instrument."""
    DUPLICATE_ORDER = "DUPLICATE_ORDER"
    """The account already sent an order with this client order id."""
    ORDER_CLOSED = "ORDER_CLOSED"
    """A modify or cancel arrived after the order was filled, canceled or expired."""
    POST_ONLY_WOULD_TAKE = "POST_ONLY_WOULD_TAKE"
    """A post-only order (or its new price) would trade on arrival."""
    REDUCE_ONLY = "REDUCE_ONLY"
    """A reduce-only order would open or increase a position."""
    STOP_WOULD_TRIGGER = "STOP_WOULD_TRIGGER"
    """A stop order's trigger is already reached (when the venue rejects such stops)."""
    EXPIRE_TIME = "EXPIRE_TIME"
    """A GTD order's expiry time is not in the future."""
    INVALID_MODIFY = "INVALID_MODIFY"
    """A modify asks for a change the order cannot take."""
    UNSUPPORTED = "UNSUPPORTED"
    """The venue does not support a feature the order asks for."""


def reason(code: RejectCode, detail: str) -> str:
    """The refusal text: ``"CODE: detail"``."""
    return f"{code.value}: {detail}"
