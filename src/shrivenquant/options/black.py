"""Black-76: European options on a futures or forward price.

This is how NSE index options are priced off the index future: the forward ``F`` replaces the
spot and carries no drift, so

    call = e^{-rT} (F N(d1) - K N(d2)),  put = e^{-rT} (K N(-d2) - F N(-d1)),
    d1 = (ln(F/K) + vol^2 T / 2) / (vol sqrt(T)),  d2 = d1 - vol sqrt(T).

It is generalised BSM with ``S = F`` and ``q = r``; the Greeks are taken with the forward held
fixed, so ``delta``/``gamma``/``speed`` are with respect to ``F`` and ``rho = -T * price``.

Reference:
    F. Black, "The pricing of commodity contracts", J. Financial Economics 3 (1976).
"""

# ruff: noqa: PLR0917 - option formulas take their market inputs positionally
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from shrivenquant.options import _validate as check
from shrivenquant.options._arrays import FloatArray
from shrivenquant.options.bsm import (
    bsm_first_order_kernel,
    bsm_greeks_array,
    bsm_price_array,
    bsm_price_reference,
    bsm_second_order_greeks_array,
    bsm_second_order_kernel,
)
from shrivenquant.options.types import Greeks, GreeksArrays, SecondOrderGreeksArrays


def _checked(
    forward: float, strike: float, t: float, r: float, vol: float, is_call: bool
) -> tuple[float, float, float, float, float, bool]:
    return (
        check.positive("forward", forward),
        check.positive("strike", strike),
        check.non_negative("t", t),
        check.finite("r", r),
        check.non_negative("vol", vol),
        check.flag("is_call", is_call),
    )


def black_price(
    forward: float, strike: float, t: float, r: float, vol: float, is_call: bool
) -> float:
    """Price of a European option on a forward (Black-76).

    Args:
        forward: futures/forward price for the option's expiry (> 0).
        strike: strike price (> 0).
        t: time to expiry in years (>= 0).
        r: continuously compounded rate used to discount the payoff.
        vol: annualised lognormal volatility (>= 0).
        is_call: True for a call, False for a put.
    """
    f, k, tt, rr, v, c = _checked(forward, strike, t, r, vol, is_call)
    return float(bsm_price_reference(f, k, tt, rr, rr, v, c))


def black_greeks(
    forward: float, strike: float, t: float, r: float, vol: float, is_call: bool
) -> Greeks:
    """Price and analytic Greeks under Black-76, the forward held fixed (args as `black_price`)."""
    f, k, tt, rr, v, c = _checked(forward, strike, t, r, vol, is_call)
    _, delta, gamma, vega, theta, _ = bsm_first_order_kernel(f, k, tt, rr, rr, v, c)
    price = bsm_price_reference(f, k, tt, rr, rr, v, c)
    vanna, volga, charm, speed = bsm_second_order_kernel(f, k, tt, rr, rr, v, c)
    return Greeks(price, delta, gamma, vega, theta, -tt * price, vanna, volga, charm, speed)


def black_price_array(
    forward: ArrayLike,
    strike: ArrayLike,
    t: ArrayLike,
    r: ArrayLike,
    vol: ArrayLike,
    is_call: ArrayLike,
) -> FloatArray:
    """Vectorised `black_price`: inputs broadcast together; NaN where an input is invalid."""
    return bsm_price_array(forward, strike, t, r, r, vol, is_call)


def black_greeks_array(
    forward: ArrayLike,
    strike: ArrayLike,
    t: ArrayLike,
    r: ArrayLike,
    vol: ArrayLike,
    is_call: ArrayLike,
) -> GreeksArrays:
    """Vectorised price, delta, gamma, vega, theta and rho under Black-76."""
    g = bsm_greeks_array(forward, strike, t, r, r, vol, is_call)
    g.rho[...] = -g.price * np.asarray(t, dtype=np.float64)
    return g


def black_second_order_greeks_array(
    forward: ArrayLike,
    strike: ArrayLike,
    t: ArrayLike,
    r: ArrayLike,
    vol: ArrayLike,
    is_call: ArrayLike,
) -> SecondOrderGreeksArrays:
    """Vectorised vanna, volga, charm and speed under Black-76."""
    return bsm_second_order_greeks_array(forward, strike, t, r, r, vol, is_call)


__all__ = [
    "black_greeks",
    "black_greeks_array",
    "black_price",
    "black_price_array",
    "black_second_order_greeks_array",
]
