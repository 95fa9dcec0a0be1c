"""European prices and Greeks against QuantLib's analytic engines, on hypothesis-drawn inputs.

Tolerance: 1e-10 relative. QuantLib's normal CDF is ``0.5 * (1 + erf(x / sqrt 2))`` down to
1e-8, which has an absolute (not relative) error of about 1e-16 in the lower tail, and its theta
is assembled from the pricing PDE (``r V - b S delta - vol^2 S^2 gamma / 2``); so each comparison
also allows an absolute 1e-12 of the scale that multiplies the normal CDF in the quantity.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import QuantLib as ql  # noqa: N813 - the conventional alias
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.options.bachelier import bachelier_greeks, bachelier_greeks_array
from shrivenquant.options.black import black_greeks, black_price
from shrivenquant.options.bsm import (
    bsm_dividend_rho,
    bsm_greeks,
    bsm_greeks_array,
    bsm_price,
    bsm_price_array,
)

REL = 1e-10
ABS = 1e-12
TODAY = ql.Date(15, 1, 2024)
DAY_COUNT = ql.Actual365Fixed()


def close(ours: float, theirs: float, scale: float) -> bool:
    return abs(ours - theirs) <= REL * abs(theirs) + ABS * abs(scale)


@st.composite
def european_inputs(draw: st.DrawFn) -> tuple[float, float, int, float, float, float, bool]:
    spot = draw(st.floats(5.0, 50_000.0))
    vol = draw(st.floats(0.02, 1.5))
    days = draw(st.integers(1, 1825))
    # strikes from deep in to deep out of the money: up to 4 standard deviations away
    sd = vol * math.sqrt(days / 365.0)
    strike = spot * math.exp(draw(st.floats(-4.0, 4.0)) * sd)
    r = draw(st.floats(-0.02, 0.15))
    q = draw(st.floats(0.0, 0.1))
    return spot, strike, days, r, q, vol, draw(st.booleans())


def quantlib_european(
    spot: float, strike: float, days: int, r: float, q: float, vol: float, is_call: bool
) -> ql.VanillaOption:
    ql.Settings.instance().evaluationDate = TODAY
    process = ql.BlackScholesMertonProcess(
        ql.QuoteHandle(ql.SimpleQuote(spot)),
        ql.YieldTermStructureHandle(ql.FlatForward(TODAY, q, DAY_COUNT)),
        ql.YieldTermStructureHandle(ql.FlatForward(TODAY, r, DAY_COUNT)),
        ql.BlackVolTermStructureHandle(
            ql.BlackConstantVol(TODAY, ql.NullCalendar(), vol, DAY_COUNT)
        ),
    )
    right = ql.Option.Call if is_call else ql.Option.Put
    option = ql.VanillaOption(
        ql.PlainVanillaPayoff(right, strike), ql.EuropeanExercise(TODAY + days)
    )
    option.setPricingEngine(ql.AnalyticEuropeanEngine(process))
    return option


@settings(max_examples=300)
@given(european_inputs())
def test_bsm_price_and_greeks_match_quantlib(
    inputs: tuple[float, float, int, float, float, float, bool],
) -> None:
    spot, strike, days, r, q, vol, is_call = inputs
    t = days / 365.0
    expected = quantlib_european(*inputs)
    g = bsm_greeks(spot, strike, t, r, q, vol, is_call)
    size = spot + strike
    assert close(g.price, expected.NPV(), size)
    assert close(g.delta, expected.delta(), 1.0)
    assert close(g.gamma, expected.gamma(), 1.0 / spot)
    assert close(g.vega, expected.vega(), size * math.sqrt(t))
    assert close(g.rho, expected.rho(), t * strike)
    assert close(g.theta, expected.theta(), (abs(r) + abs(q) + vol**2) * size)
    assert close(
        bsm_dividend_rho(spot, strike, t, r, q, vol, is_call), expected.dividendRho(), t * spot
    )


@settings(max_examples=300)
@given(european_inputs())
def test_bsm_arrays_match_quantlib(
    inputs: tuple[float, float, int, float, float, float, bool],
) -> None:
    spot, strike, days, r, q, vol, is_call = inputs
    t = days / 365.0
    expected = quantlib_european(*inputs)
    prices = bsm_price_array([spot], strike, t, r, q, vol, is_call)
    greeks = bsm_greeks_array(spot, [strike, strike], t, r, q, vol, is_call)
    assert close(float(prices[0]), expected.NPV(), spot + strike)
    assert close(float(greeks.price[1]), expected.NPV(), spot + strike)
    assert close(float(greeks.delta[0]), expected.delta(), 1.0)
    assert close(float(greeks.vega[0]), expected.vega(), (spot + strike) * math.sqrt(t))


@settings(max_examples=300)
@given(european_inputs())
def test_black76_matches_quantlib_black_calculator(
    inputs: tuple[float, float, int, float, float, float, bool],
) -> None:
    forward, strike, days, r, _, vol, is_call = inputs
    t = days / 365.0
    right = ql.Option.Call if is_call else ql.Option.Put
    discount = math.exp(-r * t)
    payoff = ql.PlainVanillaPayoff(right, strike)
    calc = ql.BlackCalculator(payoff, forward, vol * math.sqrt(t), discount)
    g = black_greeks(forward, strike, t, r, vol, is_call)
    size = forward + strike
    assert close(black_price(forward, strike, t, r, vol, is_call), calc.value(), size)
    assert close(
        g.price, ql.blackFormula(right, strike, forward, vol * math.sqrt(t), discount), size
    )
    assert close(g.delta, calc.deltaForward(), 1.0)
    assert close(g.gamma, calc.gammaForward(), 1.0 / forward)
    assert close(g.vega, calc.vega(t), size * math.sqrt(t))
    assert close(g.vanna, calc.vanna(forward, t), math.sqrt(t))
    # with spot = forward QuantLib's spot theta is the Black-76 theta at a fixed forward
    assert close(g.theta, calc.theta(forward, t), (abs(r) + vol**2) * size)


@settings(max_examples=300)
@given(
    forward=st.floats(-200.0, 200.0),
    moneyness=st.floats(-4.0, 4.0),
    days=st.integers(1, 1825),
    r=st.floats(-0.02, 0.15),
    vol=st.floats(0.1, 80.0),
    is_call=st.booleans(),
)
def test_bachelier_matches_quantlib(
    forward: float, moneyness: float, days: int, r: float, vol: float, is_call: bool
) -> None:
    t = days / 365.0
    sd = vol * math.sqrt(t)
    strike = forward + moneyness * sd
    right = ql.Option.Call if is_call else ql.Option.Put
    discount = math.exp(-r * t)
    calc = ql.BachelierCalculator(ql.PlainVanillaPayoff(right, strike), forward, sd, discount)
    g = bachelier_greeks(forward, strike, t, r, vol, is_call)
    assert close(g.price, ql.bachelierBlackFormula(right, strike, forward, sd, discount), sd)
    assert close(g.price, calc.value(), sd)
    assert close(g.delta, calc.deltaForward(), 1.0)
    assert close(g.gamma, calc.gammaForward(), 1.0 / sd)
    assert close(g.vega, calc.vega(t), math.sqrt(t))
    arrays = bachelier_greeks_array(forward, strike, t, r, vol, is_call)
    assert close(float(arrays.price), g.price, sd)
    assert close(float(arrays.theta), g.theta, sd / t)


@pytest.mark.parametrize("is_call", [True, False])
def test_large_vectorised_batch_matches_quantlib(is_call: bool) -> None:
    rng = np.random.default_rng(7)
    n = 20_000  # above the threshold for the multi-threaded kernels
    spot = rng.uniform(50.0, 150.0, n)
    strike = rng.uniform(50.0, 150.0, n)
    days = rng.integers(1, 730, n)
    vol = rng.uniform(0.05, 0.8, n)
    prices = bsm_price_array(spot, strike, days / 365.0, 0.05, 0.02, vol, is_call)
    for i in range(0, n, 997):
        expected = quantlib_european(
            float(spot[i]), float(strike[i]), int(days[i]), 0.05, 0.02, float(vol[i]), is_call
        ).NPV()
        assert close(float(prices[i]), expected, spot[i] + strike[i])
    scalar = [
        bsm_price(
            float(spot[i]), float(strike[i]), days[i] / 365.0, 0.05, 0.02, float(vol[i]), is_call
        )
        for i in range(0, n, 97)
    ]
    np.testing.assert_allclose(prices[::97], scalar, rtol=1e-13, atol=1e-15)
