"""Greeks of any pricer by central finite differences.

For models without closed-form Greeks (American approximations and trees, barriers, Asian
options): the pricer is re-run with each input bumped up and down. Bumps are relative to the
input's natural scale; trees and Monte Carlo need larger bumps than smooth formulas (and a fixed
seed for Monte Carlo).

Formulas (``h`` the spot bump, ``k`` the vol bump, ``tau`` the time bump): delta and vega,
rho, theta are central first differences; gamma and volga central second differences; speed the
central third difference ``(P(S+2h) - 2P(S+h) + 2P(S-h) - P(S-2h)) / 2h^3``; vanna the
four-point cross difference; charm the central time difference of delta.
"""

# ruff: noqa: PLR0917 - option formulas take their market inputs positionally
from __future__ import annotations

from collections.abc import Callable

from shrivenquant.options import _validate as check
from shrivenquant.options.types import Greeks

Pricer = Callable[[float, float, float, float, float, float, bool], float]


def finite_difference_greeks(
    pricer: Pricer, spot: float, strike: float, t: float, r: float, q: float, vol: float,
    is_call: bool, *, spot_bump: float = 1e-3, vol_bump: float = 1e-3,
    time_bump: float = 1e-3, rate_bump: float = 1e-4,
) -> Greeks:  # fmt: skip
    """Price and Greeks of ``pricer(spot, strike, t, r, q, vol, is_call)`` by finite differences.

    Args:
        spot_bump: spot bump as a fraction of the spot.
        vol_bump: absolute volatility bump.
        time_bump: time bump in years (halved as needed so that ``t - bump > 0``).
        rate_bump: absolute rate bump.
    """
    s = check.positive("spot", spot)
    tt = check.positive("t", t)
    v = check.positive("vol", vol)
    for name, bump in (("spot_bump", spot_bump), ("vol_bump", vol_bump),
                       ("time_bump", time_bump), ("rate_bump", rate_bump)):  # fmt: skip
        check.positive(name, bump)
    k = min(vol_bump, 0.5 * v)
    tau = min(time_bump, 0.5 * tt)
    h = spot_bump * s

    def price(ds: float = 0.0, dv: float = 0.0, dt: float = 0.0, dr: float = 0.0) -> float:
        return pricer(s + ds, strike, tt + dt, r + dr, q, v + dv, is_call)

    p0 = price()
    up, down = price(ds=h), price(ds=-h)
    up2, down2 = price(ds=2 * h), price(ds=-2 * h)
    vol_up, vol_down = price(dv=k), price(dv=-k)
    later, sooner = price(dt=tau), price(dt=-tau)

    def delta_at(dt: float) -> float:
        return (price(ds=h, dt=dt) - price(ds=-h, dt=dt)) / (2 * h)

    cross = price(ds=h, dv=k) - price(ds=h, dv=-k) - price(ds=-h, dv=k) + price(ds=-h, dv=-k)
    return Greeks(
        price=p0,
        delta=(up - down) / (2 * h),
        gamma=(up - 2 * p0 + down) / (h * h),
        vega=(vol_up - vol_down) / (2 * k),
        theta=-(later - sooner) / (2 * tau),
        rho=(price(dr=rate_bump) - price(dr=-rate_bump)) / (2 * rate_bump),
        vanna=cross / (4 * h * k),
        volga=(vol_up - 2 * p0 + vol_down) / (k * k),
        charm=-(delta_at(tau) - delta_at(-tau)) / (2 * tau),
        speed=(up2 - 2 * up + 2 * down - down2) / (2 * h**3),
    )


__all__ = ["Pricer", "finite_difference_greeks"]
