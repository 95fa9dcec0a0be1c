"""Finite-difference Greeks for models without closed forms."""

from __future__ import annotations

import pytest

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.options.american import bjerksund_stensland_price
from shrivenquant.options.bsm import bsm_greeks, bsm_price
from shrivenquant.options.fd_greeks import finite_difference_greeks


def test_finite_differences_reproduce_analytic_bsm_greeks() -> None:
    args = (100.0, 105.0, 0.5, 0.05, 0.01, 0.25, True)
    numeric = finite_difference_greeks(bsm_price, *args)
    exact = bsm_greeks(*args)
    for name, rel in (("price", 1e-15), ("delta", 1e-5), ("gamma", 1e-4), ("vega", 1e-5),
                      ("theta", 1e-5), ("rho", 1e-6), ("vanna", 1e-4), ("volga", 1e-3),
                      ("charm", 1e-4), ("speed", 1e-2)):  # fmt: skip
        assert getattr(numeric, name) == pytest.approx(getattr(exact, name), rel=rel), name


def test_american_greeks_are_sensible() -> None:
    def american(s: float, k: float, t: float, r: float, q: float, v: float, c: bool) -> float:
        return bjerksund_stensland_price(s, k, t, r, q, v, c)

    put = finite_difference_greeks(american, 100.0, 100.0, 1.0, 0.06, 0.0, 0.2, False)
    european = bsm_greeks(100.0, 100.0, 1.0, 0.06, 0.0, 0.2, False)
    assert -1.0 < put.delta < european.delta < 0.0  # early exercise makes the put more negative
    assert put.gamma > 0.0
    assert put.vega > 0.0
    with pytest.raises(InvalidInputError, match="spot_bump"):
        finite_difference_greeks(bsm_price, 100.0, 100.0, 1.0, 0.0, 0.0, 0.2, True, spot_bump=0.0)
