"""The instrument filters a simulated venue applies to prices, quantities and notionals.

Each check returns the refusal reason (``"CODE: detail"``, see `shrivenquant.sim.rejects`) or
None when the value passes. The checks compare raw integers, so they are exact and cheap; the
readable values are only built for a refusal.
"""

from __future__ import annotations

from shrivenquant.model.fixed_point import FIXED_SCALAR
from shrivenquant.model.instruments import Instrument
from shrivenquant.model.values import Money, Price, Quantity
from shrivenquant.sim.rejects import RejectCode, reason


def check_price(instrument: Instrument, price_raw: int, what: str = "price") -> str | None:
    """The tick and the price limits."""
    tick = instrument.price_increment
    low, high = instrument.min_price, instrument.max_price
    if price_raw <= 0:
        problem = "must be positive"
    elif price_raw % tick._raw:
        problem = f"is not a multiple of tick {tick}"
    elif low is not None and price_raw < low._raw:
        problem = f"is below the minimum {low}"
    elif high is not None and price_raw > high._raw:
        problem = f"is above the maximum {high}"
    else:
        return None
    return reason(
        RejectCode.PRICE_FILTER, f"{what} {_show(Price.from_raw(price_raw, 9))} {problem}"
    )


def check_quantity(instrument: Instrument, qty_raw: int) -> str | None:
    """The lot (or size increment) and the quantity limits."""
    step = instrument.quantity_step
    low, high = instrument.min_quantity, instrument.max_quantity
    if qty_raw <= 0:
        problem = "must be positive"
    elif qty_raw % step._raw:
        problem = f"is not a multiple of {step}"
    elif low is not None and qty_raw < low._raw:
        problem = f"is below the minimum {low}"
    elif high is not None and qty_raw > high._raw:
        problem = f"is above the maximum {high}"
    else:
        return None
    shown = _show(Quantity.from_raw(qty_raw, 9))
    return reason(RejectCode.LOT_SIZE, f"quantity {shown} {problem}")


def check_notional(instrument: Instrument, qty_raw: int, price_raw: int) -> str | None:
    """The minimum and maximum notional of ``qty_raw`` at ``price_raw`` (compared exactly)."""
    low, high = instrument.min_notional, instrument.max_notional
    if (low is None and high is None) or price_raw <= 0:
        return None
    size = qty_raw * instrument.multiplier._raw  # scale 10**18
    currency = instrument.notional_currency
    for limit, below in ((low, True), (high, False)):
        if limit is None or limit._currency != currency:
            continue
        if instrument.is_inverse:  # size / price against the limit
            value, bound = size * FIXED_SCALAR, limit._raw * price_raw * FIXED_SCALAR
        else:  # size * price against the limit
            value, bound = size * price_raw, limit._raw * FIXED_SCALAR * FIXED_SCALAR
        if (value < bound) if below else (value > bound):
            notional = instrument.notional_value(
                Quantity.from_raw(qty_raw, instrument.size_precision),
                Price.from_raw(price_raw, instrument.price_precision),
            )
            if below:
                return reason(
                    RejectCode.MIN_NOTIONAL, f"notional {notional} is below the minimum {limit}"
                )
            return reason(
                RejectCode.MAX_NOTIONAL, f"notional {notional} is above the maximum {limit}"
            )
    return None


def _show(value: Price | Quantity | Money) -> str:
    """The value without trailing zeros, in plain notation."""
    return format(value.as_decimal().normalize(), "f")
