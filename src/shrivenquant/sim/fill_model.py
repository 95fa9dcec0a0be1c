"""`FillModel`: how optimistic the simulated venue is about fills it cannot observe.

The venue sees the market only through its data. Whether a resting limit order would have been
reached in the queue when the market merely touched its price, and whether a market order would
have slipped, are guesses; the fill model makes them, deterministically by default.

- **Trade-through** (always): a resting buy fills when a trade prints, or a bar trades, strictly
  below its price (a sell strictly above). A quote whose ask is at or below a resting bid is a
  real cross and always fills.
- **Touch**: when a trade or bar only reaches the order's price, the order fills if
  ``fill_at_touch`` is set, else with probability ``prob_fill_at_touch`` (a stand-in for the
  order's unknown queue position; 0 by default, so touching never fills).
- **Slippage** (top-of-book books only): each fill of a market order against the quoted top
  of book is one tick worse with probability ``prob_slippage``.

The random draws come from one `random.Random` per instrument seeded from ``seed`` and the
instrument id, so a run is reproducible.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.model.identifiers import InstrumentId


@dataclass(frozen=True, slots=True, kw_only=True)
class FillModel:
    """Settings for fills the data cannot decide (see the module docstring).

    Attributes:
        fill_at_touch: fill resting limit orders when a trade or bar touches their price.
        prob_fill_at_touch: otherwise, the probability that a touch fills them (0..1).
        prob_slippage: probability that a market order's fill against the quoted top of book
            is one tick worse (0..1); top-of-book (L1) books only, since L2 books are walked.
        seed: seed of the random draws.
    """

    fill_at_touch: bool = False
    prob_fill_at_touch: float = 0.0
    prob_slippage: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.fill_at_touch, bool):
            raise InvalidInputError(
                f"FillModel.fill_at_touch: expected a bool, got {self.fill_at_touch!r}"
            )
        for name in ("prob_fill_at_touch", "prob_slippage"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise InvalidInputError(f"FillModel.{name}: expected a number, got {value!r}")
            if not 0.0 <= value <= 1.0:
                raise InvalidInputError(f"FillModel.{name}: must be within 0..1, got {value!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise InvalidInputError(f"FillModel.seed: expected an int, got {self.seed!r}")

    @property
    def is_deterministic(self) -> bool:
        """Whether no fill decision depends on a random draw."""
        return self.prob_fill_at_touch in (0.0, 1.0) and self.prob_slippage in (0.0, 1.0)

    def rng(self, instrument_id: InstrumentId) -> random.Random:
        """The random source of one instrument's fills (seeded, so runs repeat)."""
        return random.Random(f"{self.seed}:{instrument_id.value}")

    def touch_fills(self, rng: random.Random) -> bool:
        """Whether a touch of a resting order's price fills it this time."""
        if self.fill_at_touch or self.prob_fill_at_touch >= 1.0:
            return True
        if self.prob_fill_at_touch <= 0.0:
            return False
        return rng.random() < self.prob_fill_at_touch

    def slips(self, rng: random.Random) -> bool:
        """Whether a market order's fill against the top of book slips one tick."""
        if self.prob_slippage <= 0.0:
            return False
        if self.prob_slippage >= 1.0:
            return True
        return rng.random() < self.prob_slippage
