"""Barriers, digitals and Asian options against QuantLib and against model identities."""

from __future__ import annotations

import math

import numpy as np
import pytest
import QuantLib as ql  # noqa: N813 - the conventional alias
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.options.asian import (
    arithmetic_asian_mc_price,
    geometric_asian_continuous_price,
    geometric_asian_discrete_price,
)
from shrivenquant.options.barriers import BarrierKind, barrier_price, barrier_price_array
from shrivenquant.options.bsm import bsm_price
from shrivenquant.options.digitals import (
    DigitalKind,
    digital_greeks,
    digital_price,
    digital_price_array,
)

TODAY = ql.Date(15, 1, 2024)
DAY_COUNT = ql.Actual365Fixed()
QL_BARRIER = {
    BarrierKind.DOWN_AND_IN: ql.Barrier.DownIn,
    BarrierKind.UP_AND_IN: ql.Barrier.UpIn,
    BarrierKind.DOWN_AND_OUT: ql.Barrier.DownOut,
    BarrierKind.UP_AND_OUT: ql.Barrier.UpOut,
}


def process(spot: float, r: float, q: float, vol: float) -> ql.BlackScholesMertonProcess:
    ql.Settings.instance().evaluationDate = TODAY
    return ql.BlackScholesMertonProcess(
        ql.QuoteHandle(ql.SimpleQuote(spot)),
        ql.YieldTermStructureHandle(ql.FlatForward(TODAY, q, DAY_COUNT)),
        ql.YieldTermStructureHandle(ql.FlatForward(TODAY, r, DAY_COUNT)),
        ql.BlackVolTermStructureHandle(
            ql.BlackConstantVol(TODAY, ql.NullCalendar(), vol, DAY_COUNT)
        ),
    )


def close(ours: float, theirs: float, notional: float, rel: float) -> bool:
    # QuantLib's normal CDF has an absolute error near 1e-16 of the notional
    return abs(ours - theirs) <= rel * abs(theirs) + 1e-13 * notional


@settings(max_examples=400)
@given(
    kind=st.sampled_from(list(BarrierKind)),
    log_strike=st.floats(-0.4, 0.4),
    barrier_gap=st.floats(0.005, 0.4),
    rebate=st.one_of(st.just(0.0), st.floats(0.0, 10.0)),
    days=st.integers(2, 1095),
    r=st.floats(0.0, 0.12),
    q=st.floats(0.0, 0.1),
    vol=st.floats(0.05, 0.8),
    is_call=st.booleans(),
)
def test_barriers_match_quantlib(
    kind: BarrierKind, log_strike: float, barrier_gap: float, rebate: float, days: int,
    r: float, q: float, vol: float, is_call: bool,
) -> None:  # fmt: skip
    spot = 100.0
    strike = spot * math.exp(log_strike)
    barrier = spot * math.exp(-barrier_gap if kind.is_down else barrier_gap)
    right = ql.Option.Call if is_call else ql.Option.Put
    option = ql.BarrierOption(
        QL_BARRIER[kind], barrier, rebate, ql.PlainVanillaPayoff(right, strike),
        ql.EuropeanExercise(TODAY + days),
    )  # fmt: skip
    option.setPricingEngine(ql.AnalyticBarrierEngine(process(spot, r, q, vol)))
    ours = barrier_price(spot, strike, barrier, days / 365.0, r, q, vol, is_call, kind,
                         rebate=rebate)  # fmt: skip
    # the reflection terms carry (H/S)^(2 mu) with mu = (r - q - vol^2/2) / vol^2, which can be
    # large at low vol: both sides then lose digits to cancellation in proportion to it
    mu = (r - q - 0.5 * vol * vol) / (vol * vol)
    reflection = max(1.0, (barrier / spot) ** (2 * mu + 2), (barrier / spot) ** (2 * mu))
    assert close(ours, option.NPV(), (spot + strike + rebate) * reflection, 1e-9)


@settings(max_examples=200)
@given(
    log_strike=st.floats(-0.4, 0.4),
    barrier_gap=st.floats(0.005, 0.4),
    t=st.floats(0.01, 3.0),
    r=st.floats(0.0, 0.1),
    q=st.floats(0.0, 0.1),
    vol=st.floats(0.05, 0.8),
    is_call=st.booleans(),
)
def test_in_plus_out_is_the_vanilla(
    log_strike: float, barrier_gap: float, t: float, r: float, q: float, vol: float,
    is_call: bool,
) -> None:  # fmt: skip
    spot, strike = 100.0, 100.0 * math.exp(log_strike)
    vanilla = bsm_price(spot, strike, t, r, q, vol, is_call)
    for down in (True, False):
        barrier = spot * math.exp(-barrier_gap if down else barrier_gap)
        knock_in = BarrierKind.DOWN_AND_IN if down else BarrierKind.UP_AND_IN
        knock_out = BarrierKind.DOWN_AND_OUT if down else BarrierKind.UP_AND_OUT
        total = barrier_price(spot, strike, barrier, t, r, q, vol, is_call, knock_in) + (
            barrier_price(spot, strike, barrier, t, r, q, vol, is_call, knock_out)
        )
        assert total == pytest.approx(vanilla, rel=1e-9, abs=1e-12 * (spot + strike))


def test_breached_barriers_and_arrays() -> None:
    vanilla = bsm_price(110.0, 100.0, 1.0, 0.05, 0.0, 0.2, True)
    up_and_in = barrier_price(110.0, 100.0, 105.0, 1.0, 0.05, 0.0, 0.2, True, BarrierKind.UP_AND_IN)
    assert up_and_in == pytest.approx(vanilla, rel=1e-15)
    assert barrier_price(100.0, 100.0, 105.0, 1.0, 0.05, 0.0, 0.2, True, BarrierKind.DOWN_AND_OUT,
                         rebate=3.0) == 3.0  # fmt: skip
    prices = barrier_price_array(100.0, [90.0, 100.0, 110.0], 120.0, 0.5, 0.05, 0.01, 0.25, True,
                                 BarrierKind.UP_AND_OUT)  # fmt: skip
    scalar = barrier_price(100.0, 100.0, 120.0, 0.5, 0.05, 0.01, 0.25, True, BarrierKind.UP_AND_OUT)
    assert prices[1] == pytest.approx(scalar, rel=1e-14)
    with pytest.raises(InvalidInputError, match="kind"):
        barrier_price(100.0, 100.0, 90.0, 1.0, 0.05, 0.0, 0.2, True, "down-and-out")  # type: ignore[arg-type]


@settings(max_examples=300)
@given(
    kind=st.sampled_from(list(DigitalKind)),
    log_strike=st.floats(-0.5, 0.5),
    cash=st.floats(0.5, 50.0),
    days=st.integers(1, 1095),
    r=st.floats(-0.02, 0.12),
    q=st.floats(0.0, 0.1),
    vol=st.floats(0.05, 0.8),
    is_call=st.booleans(),
)
def test_digitals_match_quantlib(
    kind: DigitalKind, log_strike: float, cash: float, days: int, r: float, q: float, vol: float,
    is_call: bool,
) -> None:  # fmt: skip
    spot = 100.0
    strike = spot * math.exp(log_strike)
    right = ql.Option.Call if is_call else ql.Option.Put
    payoff = (
        ql.AssetOrNothingPayoff(right, strike)
        if kind is DigitalKind.ASSET_OR_NOTHING
        else ql.CashOrNothingPayoff(right, strike, cash)
    )
    option = ql.VanillaOption(payoff, ql.EuropeanExercise(TODAY + days))
    option.setPricingEngine(ql.AnalyticEuropeanEngine(process(spot, r, q, vol)))
    t = days / 365.0
    g = digital_greeks(spot, strike, t, r, q, vol, is_call, kind, cash=cash)
    notional = spot if kind is DigitalKind.ASSET_OR_NOTHING else cash
    assert close(g.price, option.NPV(), notional, 1e-10)
    assert close(g.delta, option.delta(), notional / spot, 1e-9)
    assert close(g.gamma, option.gamma(), notional / spot**2, 1e-9)
    assert close(g.vega, option.vega(), notional, 1e-9)
    assert close(g.rho, option.rho(), notional * t, 1e-9)
    assert close(g.theta, option.theta(), notional * (1 + abs(r) + q) / math.sqrt(t), 1e-9)
    assert digital_price(spot, strike, t, r, q, vol, is_call, kind, cash=cash) == g.price


def test_digital_identities_and_arrays() -> None:
    # a call-spread of vanillas approaches the cash digital; asset - strike * cash = vanilla
    args = (100.0, 105.0, 0.5, 0.04, 0.01, 0.3)
    asset = digital_price(*args, True, DigitalKind.ASSET_OR_NOTHING)
    cash = digital_price(*args, True, DigitalKind.CASH_OR_NOTHING, cash=105.0)
    assert asset - cash == pytest.approx(bsm_price(*args, True), rel=1e-12)
    h = 1e-4
    spread = (bsm_price(100.0, 105.0 - h, 0.5, 0.04, 0.01, 0.3, True)
              - bsm_price(100.0, 105.0 + h, 0.5, 0.04, 0.01, 0.3, True)) / (2 * h)  # fmt: skip
    assert digital_price(*args, True, DigitalKind.CASH_OR_NOTHING) == pytest.approx(
        spread, rel=1e-6
    )
    prices = digital_price_array(100.0, [90.0, 110.0], 0.5, 0.04, 0.01, 0.3, [True, False],
                                 DigitalKind.CASH_OR_NOTHING, cash=10.0)  # fmt: skip
    assert prices[0] == pytest.approx(
        digital_price(
            100.0, 90.0, 0.5, 0.04, 0.01, 0.3, True, DigitalKind.CASH_OR_NOTHING, cash=10.0
        )
    )
    assert math.isnan(digital_greeks(*args, True, DigitalKind.CASH_OR_NOTHING).vanna)


@pytest.mark.parametrize("is_call", [True, False])
def test_asian_options_match_quantlib(is_call: bool) -> None:
    spot, strike, r, q, vol, days = 100.0, 95.0, 0.05, 0.02, 0.3, 365
    proc = process(spot, r, q, vol)
    right = ql.Option.Call if is_call else ql.Option.Put
    payoff = ql.PlainVanillaPayoff(right, strike)
    exercise = ql.EuropeanExercise(TODAY + days)
    continuous = ql.ContinuousAveragingAsianOption(ql.Average.Geometric, payoff, exercise)
    continuous.setPricingEngine(ql.AnalyticContinuousGeometricAveragePriceAsianEngine(proc))
    ours = geometric_asian_continuous_price(spot, strike, days / 365.0, r, q, vol, is_call)
    assert ours == pytest.approx(continuous.NPV(), rel=1e-12)

    dates = [TODAY + 30 * i for i in range(1, 12)] + [TODAY + days]
    times = [DAY_COUNT.yearFraction(TODAY, d) for d in dates]
    geometric = ql.DiscreteAveragingAsianOption(
        ql.Average.Geometric, 1.0, 0, dates, payoff, exercise
    )
    geometric.setPricingEngine(ql.AnalyticDiscreteGeometricAveragePriceAsianEngine(proc))
    ours = geometric_asian_discrete_price(spot, strike, days / 365.0, r, q, vol, is_call, times)
    assert ours == pytest.approx(geometric.NPV(), rel=1e-12)

    arithmetic = ql.DiscreteAveragingAsianOption(
        ql.Average.Arithmetic, 0.0, 0, dates, payoff, exercise
    )
    arithmetic.setPricingEngine(
        ql.MCDiscreteArithmeticAPEngine(
            proc, "pseudorandom", requiredSamples=100_000, controlVariate=True, seed=7
        )
    )
    mc = arithmetic_asian_mc_price(spot, strike, days / 365.0, r, q, vol, is_call, times,
                                   paths=100_000)  # fmt: skip
    combined = math.hypot(mc.std_error, arithmetic.errorEstimate())
    assert abs(mc.price - arithmetic.NPV()) < 4.0 * combined
    assert mc.std_error < 2e-3  # the control variate at work


def test_asian_limits_and_inputs() -> None:
    # one fixing at expiry: every average is the European payoff
    european = bsm_price(100.0, 100.0, 0.5, 0.05, 0.0, 0.25, True)
    assert geometric_asian_discrete_price(100.0, 100.0, 0.5, 0.05, 0.0, 0.25, True, [0.5]) == (
        pytest.approx(european, rel=1e-12)
    )
    mc = arithmetic_asian_mc_price(100.0, 100.0, 0.5, 0.05, 0.0, 0.25, True, [0.5], paths=20_000)
    assert mc.price == pytest.approx(european, rel=1e-12)  # the control variate is exact
    # already-observed fixings count in the average
    fixed = geometric_asian_discrete_price(100.0, 100.0, 0.5, 0.05, 0.0, 0.25, True, [0.25, 0.5],
                                           observed_fixings=[130.0])  # fmt: skip
    free = geometric_asian_discrete_price(100.0, 100.0, 0.5, 0.05, 0.0, 0.25, True, [0.25, 0.5])
    assert fixed > free
    repeat = arithmetic_asian_mc_price(100.0, 100.0, 0.5, 0.05, 0.0, 0.25, True, [0.25, 0.5],
                                       paths=10_000, seed=3)  # fmt: skip
    again = arithmetic_asian_mc_price(100.0, 100.0, 0.5, 0.05, 0.0, 0.25, True, [0.25, 0.5],
                                      paths=10_000, seed=3)  # fmt: skip
    assert repeat == again
    with pytest.raises(InvalidInputError, match="fixing_times"):
        geometric_asian_discrete_price(100.0, 100.0, 0.5, 0.05, 0.0, 0.25, True, [0.6])
    with pytest.raises(InvalidInputError, match="increasing"):
        geometric_asian_discrete_price(100.0, 100.0, 0.5, 0.05, 0.0, 0.25, True, [0.3, 0.2])
    assert np.isfinite(geometric_asian_continuous_price(100.0, 100.0, 0.5, 0.05, 0.0, 0.25, False))
