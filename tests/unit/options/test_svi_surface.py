"""SVI calibration, arbitrage checks and surface queries."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.options.black import black_greeks
from shrivenquant.options.surface import SmileQuotes, SmileSlice, VolSurface
from shrivenquant.options.svi import SviParams, butterfly_check, fit_svi

# Axel Vogt's smile (Gatheral & Jacquier 2014): positive variance, negative density near k=0.9
VOGT = SviParams(a=-0.0410, b=0.1331, rho=0.3060, m=0.3586, sigma=0.4153)


@settings(max_examples=60, deadline=None)
@given(
    a=st.floats(0.0, 0.08),
    b=st.floats(0.02, 0.5),
    rho=st.floats(-0.9, 0.6),
    m=st.floats(-0.2, 0.2),
    sigma=st.floats(0.05, 0.6),
)
def test_fit_recovers_the_parameters_of_a_synthetic_smile(
    a: float, b: float, rho: float, m: float, sigma: float
) -> None:
    truth = SviParams(a, b, rho, m, sigma)
    k = np.linspace(-0.8, 0.8, 31)
    fit = fit_svi(k, truth.total_variance(k))
    assert fit.max_abs_total_variance_error < 1e-10
    got = fit.params
    assert (got.a, got.b, got.rho, got.m, got.sigma) == pytest.approx(
        (a, b, rho, m, sigma), abs=1e-6
    )


def test_fit_with_noise_and_weights() -> None:
    truth = SviParams(0.02, 0.15, -0.6, 0.05, 0.2)
    k = np.linspace(-0.5, 0.4, 40)
    rng = np.random.default_rng(4)
    noisy = truth.total_variance(k) * (1.0 + 0.002 * rng.standard_normal(k.size))
    fit = fit_svi(k, noisy, weights=np.exp(-(k**2)))
    np.testing.assert_allclose(fit.params.total_variance(k), truth.total_variance(k), rtol=5e-3)
    with pytest.raises(InvalidInputError, match="5 distinct"):
        fit_svi([0.0, 0.1, 0.2], [0.04, 0.04, 0.04])
    with pytest.raises(InvalidInputError, match="weights"):
        fit_svi(k, noisy, weights=-np.ones_like(k))


def test_butterfly_check_flags_crafted_bad_smiles() -> None:
    good = butterfly_check(SviParams(0.04, 0.1, -0.5, 0.0, 0.2))
    assert good.arbitrage_free
    assert good.min_density > 0.0
    vogt = butterfly_check(VOGT)
    assert not vogt.arbitrage_free
    assert vogt.min_density < 0.0
    assert 0.5 < vogt.worst_k < 1.3
    assert not vogt.negative_variance
    negative = butterfly_check(SviParams(-0.05, 0.1, 0.0, 0.0, 0.1))
    assert negative.negative_variance
    assert not negative.arbitrage_free
    steep = butterfly_check(SviParams(0.01, 1.8, 0.5, 0.0, 0.1))  # wing slope 2.7 > 2 (Lee)
    assert not steep.wing_slope_ok
    assert not steep.arbitrage_free


def test_butterfly_check_agrees_with_call_prices_convexity() -> None:
    # a negative density is a strike region where call prices are concave
    forward, t = 100.0, 1.0
    strikes = forward * np.exp(np.linspace(0.3, 1.5, 400))
    vols = np.sqrt(VOGT.total_variance(np.log(strikes / forward)) / t)
    calls = np.array(
        [
            black_greeks(forward, k, t, 0.0, v, True).price
            for k, v in zip(strikes, vols, strict=True)
        ]
    )
    second = np.diff(calls, 2)
    assert second.min() < 0.0


def _flat_slices(vols: dict[float, float]) -> list[SmileSlice]:
    return [
        SmileSlice(t, 100.0, SviParams(v * v * t, 1e-9, 0.0, 0.0, 0.1)) for t, v in vols.items()
    ]


def test_calendar_check_flags_decreasing_total_variance() -> None:
    fine = VolSurface(_flat_slices({0.25: 0.2, 0.5: 0.2, 1.0: 0.19}))
    assert fine.calendar_check().arbitrage_free
    crossed = VolSurface(_flat_slices({0.25: 0.3, 0.5: 0.2}))  # w: 0.0225 then 0.02
    check = crossed.calendar_check()
    assert not check.arbitrage_free
    assert check.min_variance_increase == pytest.approx(0.02 - 0.0225, abs=1e-8)
    assert check.worst_expiries == (0.25, 0.5)


def test_surface_interpolates_in_total_variance_and_queries_by_delta() -> None:
    short = SviParams(0.01, 0.1, -0.5, 0.0, 0.15)
    long = SviParams(0.04, 0.12, -0.4, 0.02, 0.25)
    surface = VolSurface([SmileSlice(1.0, 105.0, long), SmileSlice(0.25, 101.0, short)], spot=100.0)
    assert [s.expiry for s in surface.slices] == [0.25, 1.0]
    assert surface.forward(0.25) == pytest.approx(101.0)
    assert surface.forward(0.625) == pytest.approx(math.sqrt(101.0 * 105.0))
    assert surface.forward(0.0) == pytest.approx(100.0)
    # at the slices the surface is the smile
    assert surface.vol(101.0, 0.25) == pytest.approx(math.sqrt(short.total_variance(0.0) / 0.25))
    # between them: linear in total variance at fixed log-forward moneyness
    t = 0.625
    k = 0.1
    strike = surface.forward(t) * math.exp(k)
    expected_w = 0.5 * (short.total_variance(k) + long.total_variance(k))
    assert surface.vol(strike, t) ** 2 * t == pytest.approx(expected_w, rel=1e-12)
    # beyond the last expiry implied vols are held at each log-forward moneyness
    far_strike = surface.forward(2.0) * math.exp(0.05)
    assert surface.vol(far_strike, 2.0) == pytest.approx(
        surface.vol(105.0 * math.exp(0.05), 1.0), rel=1e-12
    )
    # delta queries
    for is_call, delta in ((True, 0.25), (True, 0.5), (False, -0.25), (False, -0.1)):
        strike = surface.strike_for_delta(delta, 0.5, is_call)
        vol = float(surface.vol(strike, 0.5))
        forward = surface.forward(0.5)
        got = black_greeks(forward, strike, 0.5, 0.0, vol, is_call).delta
        assert got == pytest.approx(delta, abs=1e-10)
        assert surface.vol_for_delta(delta, 0.5, is_call) == pytest.approx(vol)
    with pytest.raises(InvalidInputError, match="delta"):
        surface.strike_for_delta(1.5, 0.5, True)


def test_surface_fit_from_market_quotes() -> None:
    truth = {
        0.1: SviParams(0.004, 0.05, -0.6, 0.0, 0.1),
        0.5: SviParams(0.02, 0.1, -0.5, 0.01, 0.2),
    }
    quotes = []
    for t, params in truth.items():
        forward = 24_000.0 * math.exp(0.06 * t)
        strikes = forward * np.exp(np.linspace(-0.3, 0.2, 21))
        vols = params.implied_vol(np.log(strikes / forward), t)
        quotes.append(SmileQuotes(t, forward, strikes.tolist(), vols.tolist()))
    surface = VolSurface.fit(quotes, spot=24_000.0)
    for s in surface.slices:
        k = [-0.2, 0.0, 0.1]
        got, want = s.params.total_variance(k), truth[s.expiry].total_variance(k)
        np.testing.assert_allclose(got, want, rtol=1e-8)
    assert all(c.arbitrage_free for c in surface.butterfly_checks())
    assert surface.calendar_check().arbitrage_free
    with pytest.raises(InvalidInputError, match="distinct"):
        VolSurface(_flat_slices({0.5: 0.2}) + _flat_slices({0.5: 0.3}))
