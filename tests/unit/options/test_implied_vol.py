"""Implied volatility: machine-precision round trips and NaN with a reason out of bounds."""

from __future__ import annotations

import math

import numpy as np
import pytest
import QuantLib as ql  # noqa: N813 - the conventional alias
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.options._lets_be_rational import black_and_vega, implied_total_sd
from shrivenquant.options._normal import norm_inv
from shrivenquant.options.black import black_price
from shrivenquant.options.bsm import bsm_greeks, bsm_greeks_array, bsm_price, bsm_price_array
from shrivenquant.options.implied_vol import (
    ImpliedVolStatus,
    black_implied_vol,
    black_implied_vol_array,
    bsm_implied_vol,
    bsm_implied_vol_array,
)

EPS = 2.220446049250313e-16
deltas = st.floats(0.01, 0.99)
days = st.floats(1.0, 1825.0)
vols = st.floats(0.01, 2.0)


def strike_for_delta(forward: float, delta: float, sd: float, is_call: bool) -> float:
    """The strike whose forward delta is ``delta`` (a call) or ``-delta`` (a put)."""
    d1 = norm_inv(delta) if is_call else -norm_inv(delta)
    return forward * math.exp(-(d1 - 0.5 * sd) * sd)


@settings(max_examples=500)
@given(deltas, days, vols, st.floats(-0.02, 0.15), st.floats(0.0, 0.1), st.booleans())
def test_bsm_round_trip_price_vol_price(
    delta: float, n_days: float, vol: float, r: float, q: float, is_call: bool
) -> None:
    t = n_days / 365.0
    spot = 22_000.0
    strike = strike_for_delta(spot * math.exp((r - q) * t), delta, vol * math.sqrt(t), is_call)
    price = bsm_price(spot, strike, t, r, q, vol, is_call)
    iv = bsm_implied_vol(price, spot, strike, t, r, q, is_call)
    assert iv.ok, iv.reason
    assert bsm_price(spot, strike, t, r, q, iv.vol, is_call) == pytest.approx(price, rel=1e-12)
    # the volatility itself is as exact as the price's sensitivity to it allows
    vega = bsm_greeks(spot, strike, t, r, q, vol, is_call).vega
    assert abs(iv.vol - vol) <= 1e-12 * vol + 64 * EPS * price / vega


@settings(max_examples=500)
@given(deltas, days, vols, st.floats(-0.02, 0.15), st.booleans())
def test_black_round_trip_price_vol_price(
    delta: float, n_days: float, vol: float, r: float, is_call: bool
) -> None:
    t = n_days / 365.0
    forward = 48_000.0
    strike = strike_for_delta(forward, delta, vol * math.sqrt(t), is_call)
    price = black_price(forward, strike, t, r, vol, is_call)
    iv = black_implied_vol(price, forward, strike, t, r, is_call)
    assert iv.ok, iv.reason
    assert black_price(forward, strike, t, r, iv.vol, is_call) == pytest.approx(price, rel=1e-12)


@settings(max_examples=500)
@given(
    x=st.floats(-50.0, 0.0),
    log_s=st.floats(math.log(1e-6), math.log(20.0)),
)
def test_normalised_solver_inverts_the_normalised_black_function(x: float, log_s: float) -> None:
    s = math.exp(log_s)
    beta, _ = black_and_vega(x, s)
    if not (1e-250 < beta < math.exp(0.5 * x) * (1.0 - 1e-14)):
        return  # outside double precision's reach (underflow, or indistinguishable from the max)
    found, status = implied_total_sd(beta, x, True)
    assert status == 0
    assert black_and_vega(x, found)[0] == pytest.approx(beta, rel=1e-12)


def test_tiny_expiries_and_extreme_moneyness() -> None:
    spot = 24_000.0
    for t in (1.0 / (365.0 * 24 * 60), 1.0 / (365.0 * 24), 1.0 / 365.0):  # a minute, an hour, a day
        for strike in (23_000.0, 23_900.0, 24_000.0, 24_100.0, 25_000.0):
            for is_call in (True, False):
                price = bsm_price(spot, strike, t, 0.07, 0.0, 0.15, is_call)
                iv = bsm_implied_vol(price, spot, strike, t, 0.07, 0.0, is_call)
                if iv.status is ImpliedVolStatus.TIME_VALUE_UNRESOLVED:
                    # minutes to expiry: deep in the money the time value rounds away, out of
                    # the money the price underflows to zero
                    assert math.isnan(iv.vol)
                    continue
                assert iv.ok
                assert iv.vol == pytest.approx(0.15, rel=1e-6)
                assert bsm_price(spot, strike, t, 0.07, 0.0, iv.vol, is_call) == pytest.approx(
                    price, rel=1e-12
                )
    # 20 standard deviations out of the money: price around 1e-88 of the spot
    far = spot * math.exp(20 * 0.2)
    price = bsm_price(spot, far, 1.0, 0.0, 0.0, 0.2, True)
    assert 0.0 < price < 1e-80
    assert bsm_implied_vol(price, spot, far, 1.0, 0.0, 0.0, True).vol == pytest.approx(
        0.2, rel=1e-12
    )


def test_out_of_bounds_prices_give_nan_with_a_reason() -> None:
    spot, strike, t, r = 100.0, 90.0, 0.5, 0.05
    intrinsic = spot - strike * math.exp(-r * t)
    below = bsm_implied_vol(intrinsic * (1 - 1e-9), spot, strike, t, r, 0.0, True)
    assert math.isnan(below.vol)
    assert below.status is ImpliedVolStatus.BELOW_INTRINSIC
    assert "intrinsic" in below.reason
    above = bsm_implied_vol(spot, spot, strike, t, r, 0.0, True)
    assert math.isnan(above.vol)
    assert above.status is ImpliedVolStatus.ABOVE_MAXIMUM
    put_max = black_implied_vol(strike * math.exp(-r * t) * 1.01, 100.0, strike, t, r, False)
    assert put_max.status is ImpliedVolStatus.ABOVE_MAXIMUM
    for bad in (-1.0, math.nan, math.inf):
        result = bsm_implied_vol(bad, spot, strike, t, r, 0.0, True)
        assert math.isnan(result.vol)
        assert result.status is ImpliedVolStatus.INVALID_INPUT
    exact = bsm_implied_vol(intrinsic, spot, strike, t, r, 0.0, True)
    assert math.isnan(exact.vol)
    assert exact.status is ImpliedVolStatus.TIME_VALUE_UNRESOLVED
    zero = bsm_implied_vol(0.0, spot, 200.0, t, r, 0.0, True)
    assert math.isnan(zero.vol)
    assert zero.status is ImpliedVolStatus.TIME_VALUE_UNRESOLVED
    with pytest.raises(InvalidInputError, match="strike"):
        bsm_implied_vol(1.0, spot, -5.0, t, r, 0.0, True)
    with pytest.raises(InvalidInputError, match="t must"):
        black_implied_vol(1.0, spot, strike, 0.0, r, True)


def test_arrays_match_scalars_and_report_statuses() -> None:
    rng = np.random.default_rng(3)
    n = 30_000
    spot = rng.uniform(90.0, 110.0, n)
    strike = rng.uniform(70.0, 130.0, n)
    t = rng.uniform(1.0, 500.0, n) / 365.0
    vol = rng.uniform(0.05, 1.0, n)
    is_call = rng.random(n) < 0.5
    prices = bsm_price_array(spot, strike, t, 0.06, 0.01, vol, is_call)
    found = bsm_implied_vol_array(prices, spot, strike, t, 0.06, 0.01, is_call)
    ok = found.status == ImpliedVolStatus.OK
    assert ok.mean() > 0.99  # the rest are deep in the money with time value below rounding
    repriced = bsm_price_array(spot[ok], strike[ok], t[ok], 0.06, 0.01, found.vol[ok], is_call[ok])
    np.testing.assert_allclose(repriced, prices[ok], rtol=1e-11)
    vega = bsm_greeks_array(spot, strike, t, 0.06, 0.01, vol, is_call).vega[ok]
    assert np.all(np.abs(found.vol[ok] - vol[ok]) <= 1e-10 * vol[ok] + 1e-12 * prices[ok] / vega)
    for i in range(0, n, 1499):
        scalar = bsm_implied_vol(
            float(prices[i]), float(spot[i]), float(strike[i]), float(t[i]), 0.06, 0.01,
            bool(is_call[i]),
        )  # fmt: skip
        assert scalar.status == found.status[i]
        if scalar.ok:
            assert scalar.vol == found.vol[i]
    bad = black_implied_vol_array(
        [-1.0, 5.0, 200.0, 5.0], 100.0, 100.0, [1.0, 1.0, 1.0, -1.0], 0.0, True
    )
    assert bad.status.tolist() == [3, 0, 2, 3]
    assert found.status.max() <= ImpliedVolStatus.TIME_VALUE_UNRESOLVED
    assert bad.reasons()[2] == ImpliedVolStatus.ABOVE_MAXIMUM.reason
    assert np.isnan(bad.vol[[0, 2, 3]]).all()


@settings(max_examples=200)
@given(deltas, st.floats(7.0, 1825.0), st.floats(0.05, 1.0), st.booleans())
def test_agrees_with_quantlib_implied_vol(
    delta: float, n_days: float, vol: float, is_call: bool
) -> None:
    t = n_days / 365.0
    forward = 100.0
    strike = strike_for_delta(forward, delta, vol * math.sqrt(t), is_call)
    price = black_price(forward, strike, t, 0.0, vol, is_call)
    right = ql.Option.Call if is_call else ql.Option.Put
    theirs = ql.blackFormulaImpliedStdDev(
        right, strike, forward, price, 1.0, 0.0, vol * math.sqrt(t), 1e-14, 200
    )
    ours = black_implied_vol(price, forward, strike, t, 0.0, is_call).vol * math.sqrt(t)
    assert ours == pytest.approx(theirs, rel=1e-8)
