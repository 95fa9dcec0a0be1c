"""Option-chain analytics from quotes of one expiry: forward, ATM strike, implied vol per strike,
skew, put-call ratio, max pain; and the ATM term structure across expiries.

NSE index options are European and priced off the index future with Black-76. The forward is
implied from put-call parity, ``F = K + e^{rT} (C - P)``, averaged over the few strikes where
both mids exist and ``|C - P|`` is smallest (or taken as given). Implied vols use mid prices
(the last price when a side is missing); the smile uses out-of-the-money options (puts below the
forward, calls above). Skew is the 25-delta risk reversal and butterfly, interpolated in forward
delta. Max pain is the settlement price, among listed strikes, that minimises the total intrinsic
value paid to option holders, weighting each strike by its open interest.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.options._normal import norm_cdf
from shrivenquant.options.implied_vol import ImpliedVolStatus, black_implied_vol_array

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ChainQuote:
    """One option's market data; prices in rupees per unit, missing sides as None."""

    strike: float
    is_call: bool
    bid: float | None = None
    ask: float | None = None
    last: float | None = None
    open_interest: float = 0.0
    volume: float = 0.0

    @property
    def mid(self) -> float | None:
        """Mid of a two-sided quote, else the last price, else None."""
        if self.bid is not None and self.ask is not None and 0.0 < self.bid <= self.ask:
            return 0.5 * (self.bid + self.ask)
        return self.last if self.last is not None and self.last > 0.0 else None


@dataclass(frozen=True, slots=True)
class ChainAnalytics:
    """Analytics of one expiry's chain; arrays are per strike, increasing."""

    t: float
    forward: float
    atm_strike: float
    strikes: FloatArray
    call_iv: FloatArray
    put_iv: FloatArray
    smile_iv: FloatArray  # out-of-the-money side
    atm_iv: float
    risk_reversal_25d: float
    butterfly_25d: float
    put_call_ratio_oi: float
    put_call_ratio_volume: float
    max_pain: float


def implied_forward(quotes: Sequence[ChainQuote], t: float, r: float, *, pairs: int = 3) -> float:
    """Forward implied by put-call parity at the ``pairs`` strikes where ``|C - P|`` is least."""
    calls = {q.strike: q.mid for q in quotes if q.is_call and q.mid is not None}
    puts = {q.strike: q.mid for q in quotes if not q.is_call and q.mid is not None}
    both = sorted(set(calls) & set(puts))
    if not both:
        raise InvalidInputError("no strike has both a call and a put price: cannot imply a forward")
    growth = math.exp(r * t)
    gaps = sorted(both, key=lambda k: abs(calls[k] - puts[k]))[: max(pairs, 1)]
    return float(np.mean([k + growth * (calls[k] - puts[k]) for k in gaps]))


def max_pain(quotes: Sequence[ChainQuote]) -> float:
    """The listed strike at which the open interest's total intrinsic value is least."""
    strikes = np.array(sorted({q.strike for q in quotes}), dtype=np.float64)
    if strikes.size == 0:
        raise InvalidInputError("max pain needs at least one quote")
    pain = np.zeros_like(strikes)
    for q in quotes:
        payoff = (
            np.maximum(strikes - q.strike, 0.0)
            if q.is_call
            else np.maximum(q.strike - strikes, 0.0)
        )
        pain += q.open_interest * payoff
    return float(strikes[int(np.argmin(pain))])


def put_call_ratio(quotes: Sequence[ChainQuote], *, by: str = "open_interest") -> float:
    """Put over call open interest (``by="open_interest"``) or volume (``by="volume"``)."""
    if by not in ("open_interest", "volume"):
        raise InvalidInputError(f"by must be 'open_interest' or 'volume', got {by!r}")
    puts = sum(getattr(q, by) for q in quotes if not q.is_call)
    calls = sum(getattr(q, by) for q in quotes if q.is_call)
    return puts / calls if calls > 0 else math.nan


def _iv_by_strike(
    quotes: Sequence[ChainQuote], strikes: FloatArray, market: tuple[float, float, float],
    is_call: bool,
) -> FloatArray:  # fmt: skip
    forward, t, r = market
    prices = np.full(strikes.size, np.nan)
    index = {k: i for i, k in enumerate(strikes.tolist())}
    for q in quotes:
        if q.is_call is is_call and q.mid is not None:
            prices[index[q.strike]] = q.mid
    found = black_implied_vol_array(prices, forward, strikes, t, r, is_call)
    return np.where(found.status == ImpliedVolStatus.OK, found.vol, np.nan)


def _vol_at_delta(deltas: FloatArray, vols: FloatArray, target: float) -> float:
    ok = np.isfinite(deltas) & np.isfinite(vols)
    d, v = deltas[ok], vols[ok]
    if d.size < 2 or not (d.min() <= target <= d.max()):
        return math.nan
    order = np.argsort(d)
    return float(np.interp(target, d[order], v[order]))


def analyse_chain(
    quotes: Sequence[ChainQuote], t: float, r: float, *, forward: float | None = None
) -> ChainAnalytics:
    """Analytics of one expiry.

    Args:
        quotes: calls and puts of one expiry.
        t: time to expiry in years (> 0).
        r: continuously compounded rate for discounting.
        forward: the index future's price for this expiry; implied from parity when omitted.
    """
    if not quotes:
        raise InvalidInputError("an option chain needs quotes")
    if not (math.isfinite(t) and t > 0.0):
        raise InvalidInputError(f"t must be > 0, got {t}")
    fwd = implied_forward(quotes, t, r) if forward is None else float(forward)
    if not (math.isfinite(fwd) and fwd > 0.0):
        raise InvalidInputError(f"forward must be > 0, got {fwd}")
    strikes = np.array(sorted({q.strike for q in quotes}), dtype=np.float64)
    call_iv = _iv_by_strike(quotes, strikes, (fwd, t, r), True)
    put_iv = _iv_by_strike(quotes, strikes, (fwd, t, r), False)
    smile = np.where(strikes >= fwd, call_iv, put_iv)
    smile = np.where(np.isfinite(smile), smile, np.where(strikes >= fwd, put_iv, call_iv))
    atm_strike = float(strikes[int(np.argmin(np.abs(strikes - fwd)))])
    ok = np.isfinite(smile)
    atm_iv = float(np.interp(fwd, strikes[ok], smile[ok])) if ok.sum() >= 1 else math.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = smile * math.sqrt(t)
        call_delta = np.array([norm_cdf(x) for x in (np.log(fwd / strikes) / sd + 0.5 * sd)])
    otm_call = strikes >= fwd
    vol_25c = _vol_at_delta(np.where(otm_call, call_delta, np.nan), smile, 0.25)
    vol_25p = _vol_at_delta(np.where(~otm_call, call_delta - 1.0, np.nan), smile, -0.25)
    return ChainAnalytics(
        t=t,
        forward=fwd,
        atm_strike=atm_strike,
        strikes=strikes,
        call_iv=call_iv,
        put_iv=put_iv,
        smile_iv=smile,
        atm_iv=atm_iv,
        risk_reversal_25d=vol_25c - vol_25p,
        butterfly_25d=0.5 * (vol_25c + vol_25p) - atm_iv,
        put_call_ratio_oi=put_call_ratio(quotes),
        put_call_ratio_volume=put_call_ratio(quotes, by="volume"),
        max_pain=max_pain(quotes),
    )


def term_structure(chains: Sequence[ChainAnalytics]) -> list[tuple[float, float]]:
    """``(t, ATM implied vol)`` of each analysed expiry, by increasing ``t``."""
    return sorted((c.t, c.atm_iv) for c in chains)


__all__ = [
    "ChainAnalytics",
    "ChainQuote",
    "analyse_chain",
    "implied_forward",
    "max_pain",
    "put_call_ratio",
    "term_structure",
]
