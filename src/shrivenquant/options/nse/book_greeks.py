"""Greeks of a book of index options, aggregated by underlying and by expiry.

Each position is priced with Black-76 off its expiry's forward (the index future) and its own
implied volatility; Greeks per unit are scaled by ``lots * lot_size``. So ``delta`` is in index
units (its rupee value is ``delta * forward``), ``gamma`` per index point, ``vega`` per 1.00 of
volatility (divide by 100 for one vol point), ``theta`` per year (divide by 365 for a calendar
day) and ``rho`` per 1.00 of rate.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.options.black import black_greeks_array
from shrivenquant.options.nse.contracts import IndexOptionSpec, spec_for


@dataclass(frozen=True, slots=True)
class OptionPosition:
    """A holding of one index option contract; ``lots`` is signed (negative when short)."""

    underlying: str
    expiry: date
    strike: float
    is_call: bool
    lots: int


@dataclass(frozen=True, slots=True)
class ExpiryMarket:
    """Market inputs for one underlying and expiry.

    Attributes:
        forward: the index future's price for the expiry.
        t: years to expiry.
        r: continuously compounded discount rate.
        vol: implied volatility by strike (a flat vol is ``lambda strike: 0.14``; a fitted
            surface is ``lambda k: float(surface.vol(k, t))``).
    """

    forward: float
    t: float
    r: float
    vol: Callable[[float], float]


@dataclass(frozen=True, slots=True)
class BookGreeks:
    """Summed value and Greeks (units in the module docstring)."""

    value: float
    delta: float
    gamma: float
    vega: float
    theta: float
    rho: float

    def __add__(self, other: BookGreeks) -> BookGreeks:
        return BookGreeks(
            self.value + other.value, self.delta + other.delta, self.gamma + other.gamma,
            self.vega + other.vega, self.theta + other.theta, self.rho + other.rho,
        )  # fmt: skip


ZERO = BookGreeks(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)


@dataclass(frozen=True, slots=True)
class BookRisk:
    """Book Greeks by (underlying, expiry), by underlying, and in total (value only adds up
    across underlyings; the Greeks are per underlying)."""

    by_expiry: Mapping[tuple[str, date], BookGreeks]
    by_underlying: Mapping[str, BookGreeks]
    total_value: float


def book_greeks(
    positions: Sequence[OptionPosition],
    markets: Mapping[tuple[str, date], ExpiryMarket],
    *,
    specs: Mapping[str, IndexOptionSpec] | None = None,
) -> BookRisk:
    """Value and Greeks of ``positions``, from the market of each (underlying, expiry).

    Raises:
        InvalidInputError: if a position has no market or no contract spec.
    """
    groups: dict[tuple[str, date], list[OptionPosition]] = {}
    for p in positions:
        groups.setdefault((p.underlying, p.expiry), []).append(p)
    by_expiry: dict[tuple[str, date], BookGreeks] = {}
    for key, group in groups.items():
        market = markets.get(key)
        if market is None:
            raise InvalidInputError(f"no market for {key[0]} expiring {key[1]}")
        lot = spec_for(key[0], specs).lot_size
        strikes = np.array([p.strike for p in group], dtype=np.float64)
        vols = np.array([market.vol(p.strike) for p in group], dtype=np.float64)
        rights = np.array([p.is_call for p in group])
        units = np.array([p.lots * lot for p in group], dtype=np.float64)
        g = black_greeks_array(market.forward, strikes, market.t, market.r, vols, rights)
        if not np.all(np.isfinite(g.price)):
            raise InvalidInputError(f"{key[0]} {key[1]}: invalid market inputs for some positions")
        by_expiry[key] = BookGreeks(
            float(units @ g.price), float(units @ g.delta), float(units @ g.gamma),
            float(units @ g.vega), float(units @ g.theta), float(units @ g.rho),
        )  # fmt: skip
    by_underlying: dict[str, BookGreeks] = {}
    for (underlying, _), greeks in by_expiry.items():
        by_underlying[underlying] = by_underlying.get(underlying, ZERO) + greeks
    total = sum(g.value for g in by_underlying.values())
    return BookRisk(by_expiry, by_underlying, total)


__all__ = ["BookGreeks", "BookRisk", "ExpiryMarket", "OptionPosition", "book_greeks"]
