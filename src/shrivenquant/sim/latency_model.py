"""`LatencyModel`: how long a command takes to reach the simulated venue.

Each kind of command has a fixed delay plus a uniform random jitter in ``0..jitter_ns``. The
simulated execution client delivers a command to the venue when the clock reaches its arrival
time (with a `TestClock` that is when the backtest advances time past it, so runs stay
deterministic); with zero latency it delivers at once. Commands of one client never overtake
each other: like messages on one connection, each arrives no earlier than the one sent before
it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from shrivenquant.core.errors import InvalidInputError


@dataclass(frozen=True, slots=True, kw_only=True)
class LatencyModel:
    """Delays of submit, modify and cancel requests, in nanoseconds.

    Attributes:
        submit_ns: fixed delay of new orders (and order lists).
        modify_ns: fixed delay of modify requests.
        cancel_ns: fixed delay of cancel and cancel-all requests.
        jitter_ns: each delay gets a uniform random extra of ``0..jitter_ns``.
        seed: seed of the jitter draws.
    """

    submit_ns: int = 0
    modify_ns: int = 0
    cancel_ns: int = 0
    jitter_ns: int = 0
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("submit_ns", "modify_ns", "cancel_ns", "jitter_ns", "seed"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidInputError(f"LatencyModel.{name}: expected an int, got {value!r}")
            if name != "seed" and value < 0:
                raise InvalidInputError(f"LatencyModel.{name}: must be >= 0, got {value}")

    @classmethod
    def fixed(cls, latency_ns: int, jitter_ns: int = 0, seed: int = 0) -> LatencyModel:
        """The same delay for every kind of command."""
        return cls(
            submit_ns=latency_ns,
            modify_ns=latency_ns,
            cancel_ns=latency_ns,
            jitter_ns=jitter_ns,
            seed=seed,
        )

    @property
    def is_zero(self) -> bool:
        """Whether every command arrives at once."""
        return not (self.submit_ns or self.modify_ns or self.cancel_ns or self.jitter_ns)

    def sampler(self) -> LatencySampler:
        """A source of delays with its own seeded random state."""
        return LatencySampler(self)


class LatencySampler:
    """Draws the delay of each command from a `LatencyModel`."""

    __slots__ = ("_model", "_rng")

    def __init__(self, model: LatencyModel) -> None:
        self._model = model
        self._rng = random.Random(model.seed)

    def _jitter(self) -> int:
        jitter = self._model.jitter_ns
        return self._rng.randint(0, jitter) if jitter else 0

    def submit(self) -> int:
        """The delay of a new order."""
        return self._model.submit_ns + self._jitter()

    def modify(self) -> int:
        """The delay of a modify request."""
        return self._model.modify_ns + self._jitter()

    def cancel(self) -> int:
        """The delay of a cancel request."""
        return self._model.cancel_ns + self._jitter()
