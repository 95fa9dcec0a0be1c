"""Scenario revaluation of an option portfolio over underlying-price and volatility moves.

`revalue_grid` reprices every position under each (price move, vol move) pair of a grid and
returns the portfolio P&L matrix, for stress views and for a risk engine's SPAN-style margin.
`span_scenarios` builds the sixteen standard SPAN risk scenarios (price moves of 0, +-1/3,
+-2/3 and +-3/3 of the price scan range, each with vol up and down by the vol scan range, and two
extreme moves of +-2 ranges counted at 35%); `span_risk` evaluates them and takes the largest
loss as the scanning risk; `span_position_pnl` gives the same P&L position by position.

Positions are European options priced with BSM (``q`` as the yield) or, with ``model="black"``,
Black-76 off the forward (``q`` ignored). Price moves are relative (0.05 is +5%), vol moves
absolute (0.02 is +2 vol points); a vol never goes below ``min_vol``. Futures positions are
linear and are left to the caller (their P&L is ``quantity * price move``).

Reference:
    CME Group, "CME SPAN: Standard Portfolio Analysis of Risk" (methodology overview).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.options.black import black_price_array
from shrivenquant.options.bsm import bsm_price_array

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class OptionBook:
    """Positions as parallel arrays (one element per position)."""

    underlying_price: FloatArray  # spot (BSM) or forward (Black-76)
    strike: FloatArray
    t: FloatArray
    r: FloatArray
    q: FloatArray
    vol: FloatArray
    is_call: NDArray[np.bool_]
    quantity: FloatArray  # signed units of the underlying per position

    @classmethod
    def from_arrays(
        cls, *, underlying_price: ArrayLike, strike: ArrayLike, t: ArrayLike, r: ArrayLike,
        q: ArrayLike, vol: ArrayLike, is_call: ArrayLike, quantity: ArrayLike,
    ) -> OptionBook:  # fmt: skip
        """Broadcast the inputs to one length and check them."""
        arrays = np.broadcast_arrays(
            *(np.asarray(a, dtype=np.float64) for a in (underlying_price, strike, t, r, q, vol)),
            np.asarray(is_call, dtype=np.bool_), np.asarray(quantity, dtype=np.float64),
        )  # fmt: skip
        # own copies: broadcast views may alias the inputs and numpy warns when they are used
        s, k, tt, rr, qq, v, c, n = (np.array(a, copy=True).reshape(-1) for a in arrays)
        book = cls(s, k, tt, rr, qq, v, c.astype(np.bool_), n)
        if book.strike.size == 0:
            raise InvalidInputError("the book has no positions")
        for name in ("underlying_price", "strike", "t", "r", "q", "vol", "quantity"):
            if not np.all(np.isfinite(getattr(book, name))):
                raise InvalidInputError(f"{name} must be finite for every position")
        return book


@dataclass(frozen=True, slots=True)
class ScenarioGrid:
    """Portfolio P&L for each (price move, vol move): ``pnl[i, j]`` is for ``price_moves[i]``
    and ``vol_moves[j]``."""

    price_moves: FloatArray
    vol_moves: FloatArray
    base_value: float
    pnl: FloatArray

    @property
    def worst_loss(self) -> float:
        """The largest loss on the grid (a positive number, 0 if nothing loses)."""
        return float(max(0.0, -self.pnl.min()))


@dataclass(frozen=True, slots=True)
class SpanScenario:
    """One risk scenario: a relative price move, an absolute vol move and the loss weight."""

    price_move: float
    vol_move: float
    weight: float


@dataclass(frozen=True, slots=True)
class SpanResult:
    """Weighted P&L of each scenario and the scanning risk (largest weighted loss)."""

    scenarios: tuple[SpanScenario, ...]
    pnl: FloatArray
    scanning_risk: float
    worst_scenario: int


def _values(book: OptionBook, price: FloatArray, vol: FloatArray, model: str) -> FloatArray:
    """Per-position values for a matrix of (position x scenario) prices and vols."""
    strike, t, r, q = (a[:, None] for a in (book.strike, book.t, book.r, book.q))
    call = book.is_call[:, None]
    if model == "black":
        return black_price_array(price, strike, t, r, vol, call)
    return bsm_price_array(price, strike, t, r, q, vol, call)


def _position_values(
    book: OptionBook, price_moves: FloatArray, vol_moves: FloatArray, model: str, min_vol: float
) -> tuple[FloatArray, FloatArray]:
    """Per-unit values of each position now and in each scenario (positions x scenarios)."""
    if model not in ("bsm", "black"):
        raise InvalidInputError(f"model must be 'bsm' or 'black', got {model!r}")
    base = _values(book, book.underlying_price[:, None], book.vol[:, None], model)[:, 0]
    if not np.all(np.isfinite(base)):
        raise InvalidInputError("some positions have invalid market inputs")
    price = book.underlying_price[:, None] * (1.0 + price_moves[None, :])
    vol = np.maximum(book.vol[:, None] + vol_moves[None, :], min_vol)
    return base, _values(book, price, vol, model)


def _portfolio_pnl(
    book: OptionBook, price_moves: FloatArray, vol_moves: FloatArray, model: str, min_vol: float
) -> tuple[float, FloatArray]:
    base, shocked = _position_values(book, price_moves, vol_moves, model, min_vol)
    base_value = float(book.quantity @ base)
    return base_value, book.quantity @ shocked - base_value


def revalue_grid(
    book: OptionBook, price_moves: ArrayLike, vol_moves: ArrayLike, *, model: str = "bsm",
    min_vol: float = 1e-4,
) -> ScenarioGrid:  # fmt: skip
    """Portfolio P&L over every combination of ``price_moves`` and ``vol_moves``."""
    p = np.asarray(price_moves, dtype=np.float64).reshape(-1)
    v = np.asarray(vol_moves, dtype=np.float64).reshape(-1)
    if np.any(p <= -1.0) or not np.all(np.isfinite(p)) or not np.all(np.isfinite(v)):
        raise InvalidInputError("price moves must be finite and > -1, vol moves finite")
    grid_p = np.repeat(p, v.size)
    grid_v = np.tile(v, p.size)
    base, pnl = _portfolio_pnl(book, grid_p, grid_v, model, min_vol)
    return ScenarioGrid(p, v, base, pnl.reshape(p.size, v.size))


def span_scenarios(price_scan: float, vol_scan: float) -> tuple[SpanScenario, ...]:
    """The sixteen SPAN risk scenarios for a relative price scan range and absolute vol scan."""
    if not (price_scan > 0.0 and vol_scan >= 0.0):
        raise InvalidInputError("price_scan must be > 0 and vol_scan >= 0")
    scenarios = [
        SpanScenario(fraction * price_scan, vol_sign * vol_scan, 1.0)
        for fraction in (0.0, 1 / 3, -1 / 3, 2 / 3, -2 / 3, 1.0, -1.0)
        for vol_sign in (1.0, -1.0)
    ]
    scenarios.append(SpanScenario(2.0 * price_scan, 0.0, 0.35))
    scenarios.append(SpanScenario(-2.0 * price_scan, 0.0, 0.35))
    return tuple(scenarios)


def span_risk(
    book: OptionBook, price_scan: float, vol_scan: float, *, model: str = "black",
    min_vol: float = 1e-4,
) -> SpanResult:  # fmt: skip
    """Weighted scenario P&L and the scanning risk of ``book`` under `span_scenarios`."""
    scenarios = span_scenarios(price_scan, vol_scan)
    moves = np.array([s.price_move for s in scenarios])
    vols = np.array([s.vol_move for s in scenarios])
    weights = np.array([s.weight for s in scenarios])
    _, pnl = _portfolio_pnl(book, moves, vols, model, min_vol)
    weighted = pnl * weights
    worst = int(np.argmin(weighted))
    return SpanResult(scenarios, weighted, float(max(0.0, -weighted[worst])), worst)


def span_position_pnl(
    book: OptionBook, price_scan: float, vol_scan: float, *, model: str = "black",
    min_vol: float = 1e-4,
) -> FloatArray:  # fmt: skip
    """Weighted P&L of each position (rows) in each of the `span_scenarios` (columns).

    The columns sum to `span_risk`'s ``pnl``; a row's worst loss is what that position would
    be charged alone, so the rows show how much offsetting positions save (the spread credit).
    """
    scenarios = span_scenarios(price_scan, vol_scan)
    moves = np.array([s.price_move for s in scenarios])
    vols = np.array([s.vol_move for s in scenarios])
    weights = np.array([s.weight for s in scenarios])
    base, shocked = _position_values(book, moves, vols, model, min_vol)
    return np.asarray(book.quantity[:, None] * (shocked - base[:, None]) * weights[None, :])


__all__ = [
    "OptionBook",
    "ScenarioGrid",
    "SpanResult",
    "SpanScenario",
    "revalue_grid",
    "span_position_pnl",
    "span_risk",
    "span_scenarios",
]
