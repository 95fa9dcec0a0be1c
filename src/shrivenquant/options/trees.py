"""Binomial trees for European and American options under BSM: Cox-Ross-Rubinstein and
Leisen-Reimer.

Both roll the payoff back through ``steps`` time steps of ``dt = T / steps``, discounting each
step at ``e^{-r dt}``; an American option takes the larger of continuation and exercise value at
every node, today included.

* CRR: log-price moves of ``+-vol sqrt(dt)`` with the up probability matched to the drift of
  ``ln S``, ``p = 1/2 + (r - q - vol^2/2) sqrt(dt) / (2 vol)`` (the same tree as QuantLib's
  ``CoxRossRubinstein``). Converges at order ``1/steps`` with oscillation.
* Leisen-Reimer: probabilities from the Peizer-Pratt inversion (method 2) of ``d2`` and
  ``d1`` so that the tree is centred on the strike; needs an odd number of steps (an even
  count is raised by one). Converges at order ``1/steps^2`` for European options.

References:
    J. C. Cox, S. A. Ross, M. Rubinstein, "Option pricing: a simplified approach", J. Financial
    Economics 7 (1979).
    D. Leisen, M. Reimer, "Binomial models for option valuation - examining and improving
    convergence", Applied Mathematical Finance 3 (1996).
"""

# ruff: noqa: PLR0917 - option formulas take their market inputs positionally
from __future__ import annotations

import math
from enum import Enum, unique

import numpy as np
from numba import njit

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.options import _validate as check
from shrivenquant.options.types import ExerciseStyle


@unique
class TreeKind(Enum):
    """Which binomial tree to build."""

    CRR = "crr"
    LEISEN_REIMER = "leisen_reimer"


@njit(cache=True, error_model="numpy")
def _peizer_pratt(z: float, n: int) -> float:
    """Peizer-Pratt method 2 inversion: the binomial probability matching ``N(z)`` on ``n``
    (odd) steps."""
    a = z / (n + 1.0 / 3.0 + 0.1 / (n + 1.0))
    root = math.sqrt(0.25 * (1.0 - math.exp(-a * a * (n + 1.0 / 6.0))))
    return 0.5 + root if z > 0.0 else 0.5 - root


@njit(cache=True, error_model="numpy")
def binomial_kernel(
    s: float, k: float, t: float, r: float, q: float, vol: float, is_call: bool, steps: int,
    leisen_reimer: bool, american: bool,
) -> float:  # fmt: skip
    """Compiled binomial-tree price; ``steps`` >= 1 (odd for Leisen-Reimer)."""
    sign = 1.0 if is_call else -1.0
    dt = t / steps
    drift = (r - q - 0.5 * vol * vol) * dt
    if leisen_reimer:
        variance = vol * vol * t
        growth = math.exp((r - q) * dt)
        d2 = (math.log(s / k) + drift * steps) / math.sqrt(variance)
        pu = _peizer_pratt(d2, steps)
        up = growth * _peizer_pratt(d2 + math.sqrt(variance), steps) / pu
        down = (growth - pu * up) / (1.0 - pu)
        log_up = math.log(up)
        log_down = math.log(down)
    else:
        dx = vol * math.sqrt(dt)
        pu = 0.5 + 0.5 * drift / dx
        log_up = dx
        log_down = -dx
    pd = 1.0 - pu
    disc = math.exp(-r * dt)
    values = np.empty(steps + 1)
    log_s = math.log(s)
    for j in range(steps + 1):
        values[j] = max(sign * (math.exp(log_s + j * log_up + (steps - j) * log_down) - k), 0.0)
    for i in range(steps - 1, -1, -1):
        for j in range(i + 1):
            cont = disc * (pd * values[j] + pu * values[j + 1])
            if american:
                node = math.exp(log_s + j * log_up + (i - j) * log_down)
                cont = max(cont, sign * (node - k))
            values[j] = cont
    return float(values[0])


def binomial_price(
    spot: float, strike: float, t: float, r: float, q: float, vol: float, is_call: bool,
    *, steps: int = 801, tree: TreeKind = TreeKind.LEISEN_REIMER,
    exercise: ExerciseStyle = ExerciseStyle.AMERICAN,
) -> float:  # fmt: skip
    """Option price on a binomial tree (arguments as `bsm_price`).

    Args:
        steps: number of time steps (Leisen-Reimer uses the next odd number if even).
        tree: `TreeKind.CRR` or `TreeKind.LEISEN_REIMER`.
        exercise: `ExerciseStyle.AMERICAN` (default) or `ExerciseStyle.EUROPEAN`.

    Raises:
        InvalidInputError: for invalid inputs, or a CRR step so long that the drift makes an
            up probability outside [0, 1].
    """
    s = check.positive("spot", spot)
    k = check.positive("strike", strike)
    tt = check.positive("t", t)
    rr = check.finite("r", r)
    qq = check.finite("q", q)
    v = check.positive("vol", vol)
    c = check.flag("is_call", is_call)
    n = check.positive_int("steps", steps)
    if not isinstance(tree, TreeKind):
        raise InvalidInputError(f"tree must be a TreeKind, got {tree!r}")
    if not isinstance(exercise, ExerciseStyle):
        raise InvalidInputError(f"exercise must be an ExerciseStyle, got {exercise!r}")
    leisen_reimer = tree is TreeKind.LEISEN_REIMER
    if leisen_reimer and n % 2 == 0:
        n += 1
    if not leisen_reimer:
        dt = tt / n
        pu = 0.5 + 0.5 * (rr - qq - 0.5 * v * v) * dt / (v * math.sqrt(dt))
        if not 0.0 <= pu <= 1.0:
            raise InvalidInputError(
                f"CRR up probability {pu:.4f} is outside [0, 1]: use more steps than {n}"
            )
    american = exercise is ExerciseStyle.AMERICAN
    return float(binomial_kernel(s, k, tt, rr, qq, v, c, n, leisen_reimer, american))


__all__ = ["TreeKind", "binomial_kernel", "binomial_price"]
