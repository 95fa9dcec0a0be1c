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
from shrivenquant.options.black import black_greeks, black_price
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
        if scalar.ok:  # the same method, vectorised: a few ulp apart
            assert found.vol[i] == pytest.approx(scalar.vol, rel=1e-13)
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


def _array_vs_scalar(
    prices: np.ndarray, forward: np.ndarray, strike: np.ndarray, t: np.ndarray, r: float,
    is_call: np.ndarray,
) -> None:  # fmt: skip
    found = black_implied_vol_array(prices, forward, strike, t, r, is_call)
    for i in range(prices.size):
        scalar = black_implied_vol(
            float(prices[i]), float(forward[i]), float(strike[i]), float(t[i]), r,
            bool(is_call[i]),
        )  # fmt: skip
        assert found.status[i] == scalar.status, (i, prices[i], forward[i], strike[i], t[i])
        if scalar.ok:
            # as close as the price's rounding lets any two solvers be (deep in the money the
            # time value is a small difference of large numbers)
            market = (float(forward[i]), float(strike[i]), float(t[i]), r)
            vega = black_greeks(*market, scalar.vol, bool(is_call[i])).vega
            close = abs(found.vol[i] - scalar.vol) <= 1e-12 * scalar.vol + 64 * EPS * float(
                prices[i]
            ) / max(vega, 1e-300)
            repriced = black_price(*market, float(found.vol[i]), bool(is_call[i]))
            assert close or repriced == pytest.approx(float(prices[i]), rel=1e-12), i
        else:
            assert math.isnan(found.vol[i])


@settings(max_examples=300, deadline=None)
@given(
    log_moneyness=st.floats(-8.0, 8.0),
    log_sd=st.floats(math.log(1e-4), math.log(5.0)),
    t=st.floats(1e-5, 10.0),
    is_call=st.booleans(),
    nudge=st.sampled_from([1.0, 1.0 - 1e-9, 1.0 + 1e-9, 0.0, 0.5, 2.0]),
)
def test_the_vectorised_solver_agrees_with_the_scalar_one(
    log_moneyness: float, log_sd: float, t: float, is_call: bool, nudge: float
) -> None:
    """Every status and volatility of the array path is the scalar solver's, across the
    moneyness, volatility and expiry range, and for prices off the model (below intrinsic,
    above the maximum, zero)."""
    forward = 100.0
    strike = forward * math.exp(-log_moneyness)
    vol = math.exp(log_sd) / math.sqrt(t)
    price = black_price(forward, strike, t, 0.03, vol, is_call) * nudge
    n = 9  # a vector's worth, with the element under test among ordinary ones
    prices = np.full(n, black_price(forward, forward, 0.5, 0.03, 0.2, True))
    strikes = np.full(n, forward)
    times = np.full(n, 0.5)
    calls = np.ones(n, dtype=bool)
    prices[4], strikes[4], times[4], calls[4] = price, strike, t, is_call
    _array_vs_scalar(prices, np.full(n, forward), strikes, times, 0.03, calls)


def test_the_vectorised_solver_hands_edge_cases_to_the_scalar_one() -> None:
    forward = 100.0
    cases = [
        (black_price(forward, forward, 1.0, 0.0, 0.2, True), forward, 1.0, True),  # x = 0
        (black_price(forward, 1e-300, 1.0, 0.0, 0.2, True), 1e-300, 1.0, True),  # |x| > 600
        (black_price(forward, forward * 200.0, 1.0, 0.0, 0.3, True), forward * 200.0, 1.0, True),
        (1e-300, forward * 3.0, 1.0, True),  # a price below the vectorised range
        (5e-324, forward * 3.0, 1.0, True),  # subnormal
        (forward - 90.0, 90.0, 1e-6, True),  # at intrinsic, minutes from expiry
        (0.0, 120.0, 1.0, True),
        (0.0, 80.0, 1.0, False),
        (math.inf, forward, 1.0, True),
        (math.nan, forward, 1.0, True),
        (-1.0, forward, 1.0, True),
        (forward * 1.1, forward, 1.0, True),  # above the maximum
        (1.0, forward, 0.0, True),  # no time
    ]
    prices = np.array([c[0] for c in cases])
    strikes = np.array([c[1] for c in cases])
    times = np.array([c[2] for c in cases])
    calls = np.array([c[3] for c in cases])
    valid = times > 0
    _array_vs_scalar(prices[valid], np.full(valid.sum(), forward), strikes[valid],
                     times[valid], 0.0, calls[valid])  # fmt: skip
    no_time = black_implied_vol_array(prices, forward, strikes, times, 0.0, calls)
    assert no_time.status[-1] == ImpliedVolStatus.INVALID_INPUT
