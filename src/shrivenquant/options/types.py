"""Typed vocabulary of the options engine: option right, exercise style, Greeks containers."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, unique

import numpy as np
from numpy.typing import NDArray


@unique
class OptionRight(Enum):
    """Call or put."""

    CALL = "call"
    PUT = "put"

    @property
    def is_call(self) -> bool:
        """True for a call."""
        return self is OptionRight.CALL

    @property
    def sign(self) -> float:
        """+1.0 for a call, -1.0 for a put (the payoff is ``max(sign * (S - K), 0)``)."""
        return 1.0 if self is OptionRight.CALL else -1.0

    @classmethod
    def from_is_call(cls, is_call: bool) -> OptionRight:
        """The right for an ``is_call`` flag."""
        return cls.CALL if is_call else cls.PUT


@unique
class ExerciseStyle(Enum):
    """When an option may be exercised."""

    EUROPEAN = "european"
    AMERICAN = "american"


@dataclass(frozen=True, slots=True)
class Greeks:
    """Price and sensitivities of one option.

    Units: ``vega`` and ``volga`` per 1.00 of volatility, ``rho`` per 1.00 of rate, ``theta``
    and ``charm`` per year of calendar time passing (``-d/dT``), ``delta``, ``gamma`` and
    ``speed`` with respect to the model's underlying (spot for BSM, the forward for Black-76
    and Bachelier).
    """

    price: float
    delta: float
    gamma: float
    vega: float
    theta: float
    rho: float
    vanna: float
    volga: float
    charm: float
    speed: float


@dataclass(frozen=True, slots=True)
class GreeksArrays:
    """Price and first-order sensitivities of many options (same units as `Greeks`)."""

    price: NDArray[np.float64]
    delta: NDArray[np.float64]
    gamma: NDArray[np.float64]
    vega: NDArray[np.float64]
    theta: NDArray[np.float64]
    rho: NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class SecondOrderGreeksArrays:
    """Second- and third-order sensitivities of many options (same units as `Greeks`)."""

    vanna: NDArray[np.float64]
    volga: NDArray[np.float64]
    charm: NDArray[np.float64]
    speed: NDArray[np.float64]
