"""Helpers shared by the books: argument checks, level selection and exact decimal results."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Final

from shrivenquant.model.enums import OrderSide
from shrivenquant.model.fixed_point import EXACT, FIXED_PRECISION, FIXED_SCALAR, STEP

AVERAGE_CONTEXT: Final = Context(prec=28, rounding=ROUND_HALF_EVEN)
"""Average prices are the exact quotient rounded half-even to 28 significant digits."""


def check_side(side: object, where: str) -> bool:
    """Return True for BUY (bids), False for SELL (asks); raise for anything else."""
    if side is OrderSide.BUY:
        return True
    if side is OrderSide.SELL:
        return False
    raise ValueError(f"{where}: side must be OrderSide.BUY or OrderSide.SELL, got {side!r}")


def check_precision(precision: object, name: str) -> int:
    """Return ``precision`` when it is an int 0..9; raise ``ValueError`` naming ``name``."""
    if type(precision) is not int or not 0 <= precision <= FIXED_PRECISION:
        raise ValueError(f"{name} must be an int 0..{FIXED_PRECISION}, got {precision!r}")
    return precision


def raw_step(precision: int) -> int:
    """The raw value of one unit in the last decimal place at ``precision``."""
    step: int = STEP[precision]
    return step


def mid_decimal(bid_raw: int, ask_raw: int, price_precision: int) -> Decimal:
    """The exact midpoint of two raw prices.

    The result has ``price_precision`` decimal places, or one more when the midpoint falls
    between two ticks (``mid(100.00, 100.01) == Decimal("100.005")``).
    """
    total = bid_raw + ask_raw
    places = price_precision if total % (2 * STEP[price_precision]) == 0 else price_precision + 1
    # total / 2 / 10**9 expressed as an integer count of 10**-places units; exact by construction.
    units, remainder = divmod(total * 10**places, 2 * FIXED_SCALAR)
    if remainder:  # unreachable: one extra place always halves a whole number of ticks
        raise ArithmeticError(f"midpoint of raw prices {bid_raw} and {ask_raw} is not exact")
    return Decimal(units).scaleb(-places, EXACT)


def average_price(notional: int, quantity_raw: int) -> Decimal:
    """The average price of fills whose ``sum(price_raw * qty_raw)`` is ``notional``.

    Exact when the quotient terminates within 28 significant digits; otherwise rounded
    half-even to 28 significant digits (see `AVERAGE_CONTEXT`).
    """
    return AVERAGE_CONTEXT.divide(Decimal(notional), Decimal(quantity_raw * FIXED_SCALAR))


def top_keys(keys: list[int], depth: int | None, where: str) -> list[int]:
    """The sort keys of the best ``depth`` levels (all when None), best first.

    ``keys`` is a side's ascending key list with the best level last.
    """
    if depth is None:
        return keys[::-1]
    if type(depth) is not int or depth < 0:
        raise ValueError(f"{where}: depth must be an int >= 0, got {depth!r}")
    return keys[: -depth - 1 : -1]
