"""American options against QuantLib's engines and against each other."""

from __future__ import annotations

import math

import numpy as np
import pytest
import QuantLib as ql  # noqa: N813 - the conventional alias
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.options.american import (
    american_price_array,
    baw_price,
    bjerksund_stensland_price,
)
from shrivenquant.options.bsm import bsm_price
from shrivenquant.options.trees import TreeKind, binomial_price
from shrivenquant.options.types import ExerciseStyle

TODAY = ql.Date(15, 1, 2024)
DAY_COUNT = ql.Actual365Fixed()


def quantlib_american(
    spot: float, strike: float, days: int, r: float, q: float, vol: float, is_call: bool,
    engine: object,
) -> float:  # fmt: skip
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
        ql.PlainVanillaPayoff(right, strike), ql.AmericanExercise(TODAY, TODAY + days)
    )
    option.setPricingEngine(engine(process))  # type: ignore[operator]
    return float(option.NPV())


@st.composite
def american_inputs(draw: st.DrawFn) -> tuple[float, float, int, float, float, float, bool]:
    spot = draw(st.floats(10.0, 1000.0))
    strike = spot * math.exp(draw(st.floats(-0.5, 0.5)))
    days = draw(st.integers(2, 1095))
    r = draw(st.floats(0.001, 0.12))
    # no yields of a few ulp: QuantLib's Barone-Adesi-Whaley Newton loop has no iteration cap
    # and need not terminate there
    q = draw(st.one_of(st.just(0.0), st.floats(1e-4, 0.12)))
    vol = draw(st.floats(0.08, 0.8))
    return spot, strike, days, r, q, vol, draw(st.booleans())


def close(ours: float, theirs: float, spot: float, strike: float) -> bool:
    # 1e-6 relative; QuantLib's normal CDF has an absolute error of ~1e-16 (times the notional),
    # which dominates for prices below ~1e-9 of it
    return abs(ours - theirs) <= 1e-6 * abs(theirs) + 1e-13 * (spot + strike)


@settings(max_examples=300)
@given(american_inputs())
def test_barone_adesi_whaley_matches_quantlib(
    inputs: tuple[float, float, int, float, float, float, bool],
) -> None:
    spot, strike, days, r, q, vol, is_call = inputs
    ours = baw_price(spot, strike, days / 365.0, r, q, vol, is_call)
    theirs = quantlib_american(*inputs, ql.BaroneAdesiWhaleyApproximationEngine)
    assert close(ours, theirs, spot, strike)


@settings(max_examples=300)
@given(american_inputs())
def test_bjerksund_stensland_1993_matches_quantlib(
    inputs: tuple[float, float, int, float, float, float, bool],
) -> None:
    spot, strike, days, r, q, vol, is_call = inputs
    ours = bjerksund_stensland_price(spot, strike, days / 365.0, r, q, vol, is_call, version=1993)
    theirs = quantlib_american(*inputs, ql.BjerksundStenslandApproximationEngine)
    assert close(ours, theirs, spot, strike)


def _steps_ending_at_maturity(t: float, wanted: int) -> int:
    # QuantLib's time grid can end one ulp short of maturity, and its lattice then skips the
    # early-exercise test; compare on step counts whose grid ends exactly at maturity.
    for n in range(wanted, wanted + 200, 2):
        if ql.TimeGrid(t, n)[n] == t:
            return n
    raise AssertionError("no suitable step count")


@settings(max_examples=60)
@given(american_inputs(), st.sampled_from([TreeKind.CRR, TreeKind.LEISEN_REIMER]))
def test_binomial_trees_match_quantlib(
    inputs: tuple[float, float, int, float, float, float, bool], tree: TreeKind
) -> None:
    spot, strike, days, r, q, vol, is_call = inputs
    t = days / 365.0
    steps = _steps_ending_at_maturity(t, 201)  # odd: Leisen-Reimer needs it
    engine = ql.BinomialCRRVanillaEngine if tree is TreeKind.CRR else ql.BinomialLRVanillaEngine
    theirs = quantlib_american(*inputs, lambda p: engine(p, steps))
    ours = binomial_price(spot, strike, t, r, q, vol, is_call, steps=steps, tree=tree)
    assert close(ours, theirs, spot, strike)


@settings(max_examples=100)
@given(american_inputs())
def test_approximations_bracket_sensibly(
    inputs: tuple[float, float, int, float, float, float, bool],
) -> None:
    spot, strike, days, r, q, vol, is_call = inputs
    t = days / 365.0
    european = bsm_price(spot, strike, t, r, q, vol, is_call)
    intrinsic = max(spot - strike, 0.0) if is_call else max(strike - spot, 0.0)
    bs93 = bjerksund_stensland_price(spot, strike, t, r, q, vol, is_call, version=1993)
    bs02 = bjerksund_stensland_price(spot, strike, t, r, q, vol, is_call)
    tree = binomial_price(spot, strike, t, r, q, vol, is_call, steps=1001)
    scale = 1e-9 * (spot + strike)
    assert bs93 >= max(european, intrinsic) - scale
    assert bs02 >= max(european, intrinsic) - scale
    # both are exercise policies, so below the true value (the tree, up to its own error)
    assert bs93 <= tree * (1 + 2e-3) + scale
    assert bs02 <= tree * (1 + 2e-3) + scale


def test_two_step_boundary_is_closer_to_the_true_value_than_the_flat_one() -> None:
    gaps93, gaps02 = [], []
    for strike in (80.0, 90.0, 100.0, 110.0, 120.0):
        for t in (0.25, 1.0, 3.0):
            for is_call, r, q in ((False, 0.08, 0.0), (True, 0.03, 0.07), (False, 0.05, 0.03)):
                tree = binomial_price(100.0, strike, t, r, q, 0.3, is_call, steps=2001)
                bs93 = bjerksund_stensland_price(100.0, strike, t, r, q, 0.3, is_call, version=1993)
                bs02 = bjerksund_stensland_price(100.0, strike, t, r, q, 0.3, is_call)
                gaps93.append(abs(bs93 - tree) / tree)
                gaps02.append(abs(bs02 - tree) / tree)
    assert np.mean(gaps02) < 0.8 * np.mean(gaps93)
    assert max(gaps02) < 2e-2


def _two_step_policy_value(
    s: float, x: float, t: float, r: float, b: float, v: float, steps: int = 8000
) -> float:
    """Exact value (up to the tree) of exercising a call when the spot reaches I2 before t1 or
    I1 after it: the policy whose value Bjerksund-Stensland 2002 gives in closed form."""
    v2 = v * v
    beta = (0.5 - b / v2) + math.sqrt((b / v2 - 0.5) ** 2 + 2.0 * r / v2)
    b_inf = beta / (beta - 1.0) * x
    b0 = max(x, r / (r - b) * x)
    t1 = 0.5 * (math.sqrt(5.0) - 1.0) * t
    spread = (b_inf - b0) * b0
    i1 = b0 + (b_inf - b0) * (1 - math.exp(-(b * t1 + 2 * v * math.sqrt(t1)) * x * x / spread))
    i2 = b0 + (b_inf - b0) * (1 - math.exp(-(b * t + 2 * v * math.sqrt(t)) * x * x / spread))
    dt = t / steps
    up = math.exp(v * math.sqrt(dt))
    p = (math.exp(b * dt) - 1.0 / up) / (up - 1.0 / up)
    disc = math.exp(-r * dt)
    values = np.maximum(s * up ** (2 * np.arange(steps + 1) - steps) - x, 0.0)
    for i in range(steps - 1, -1, -1):
        values = disc * (p * values[1:] + (1 - p) * values[:-1])
        nodes = s * up ** (2 * np.arange(i + 1) - i)
        boundary = i2 if i * dt < t1 else i1
        values = np.where(nodes >= boundary, nodes - x, values)
    return float(values[0])


@pytest.mark.parametrize(
    ("s", "x", "t", "r", "q", "v"),
    [(42.0, 40.0, 0.75, 0.04, 0.08, 0.35), (100.0, 100.0, 1.0, 0.05, 0.08, 0.3),
     (100.0, 90.0, 3.0, 0.03, 0.07, 0.3)],
)  # fmt: skip
def test_bjerksund_stensland_2002_is_the_value_of_its_exercise_policy(
    s: float, x: float, t: float, r: float, q: float, v: float
) -> None:
    closed_form = bjerksund_stensland_price(s, x, t, r, q, v, True)
    assert closed_form == pytest.approx(_two_step_policy_value(s, x, t, r, r - q, v), rel=3e-4)
    # and the put through the put-call transformation P(S, K, r, q) = C(K, S, q, r)
    put = bjerksund_stensland_price(x, s, t, q, r, v, False)
    assert put == pytest.approx(closed_form, rel=1e-12)


def test_leisen_reimer_converges_to_black_scholes_for_european_options() -> None:
    exact = bsm_price(100.0, 105.0, 0.75, 0.05, 0.02, 0.3, True)
    coarse = binomial_price(100.0, 105.0, 0.75, 0.05, 0.02, 0.3, True, steps=101,
                            exercise=ExerciseStyle.EUROPEAN)  # fmt: skip
    fine = binomial_price(100.0, 105.0, 0.75, 0.05, 0.02, 0.3, True, steps=1001,
                          exercise=ExerciseStyle.EUROPEAN)  # fmt: skip
    assert abs(coarse - exact) < 1e-4
    assert abs(fine - exact) < 1e-6
    assert abs(fine - exact) < abs(coarse - exact) / 50  # second-order convergence


def test_american_put_against_quantlib_finite_differences() -> None:
    # at-the-money put, one year, 6% rate, 20% vol, against a fine PDE grid
    fd = quantlib_american(
        100.0, 100.0, 365, 0.06, 0.0, 0.2, False,
        lambda p: ql.FdBlackScholesVanillaEngine(p, 1000, 1000),
    )  # fmt: skip
    value = binomial_price(100.0, 100.0, 1.0, 0.06, 0.0, 0.2, False, steps=2001)
    assert value == pytest.approx(fd, rel=2e-4)
    assert baw_price(100.0, 100.0, 1.0, 0.06, 0.0, 0.2, False) == pytest.approx(value, rel=1e-2)
    # Bjerksund-Stensland is a lower bound, about 1% low for an at-the-money put
    lower = bjerksund_stensland_price(100.0, 100.0, 1.0, 0.06, 0.0, 0.2, False)
    assert value * 0.98 < lower < value


def test_calls_without_dividends_are_european() -> None:
    european = bsm_price(100.0, 95.0, 0.5, 0.05, 0.0, 0.25, True)
    assert baw_price(100.0, 95.0, 0.5, 0.05, 0.0, 0.25, True) == pytest.approx(european)
    assert bjerksund_stensland_price(100.0, 95.0, 0.5, 0.05, 0.0, 0.25, True) == pytest.approx(
        european
    )


def test_array_api_and_input_errors() -> None:
    strikes = np.array([80.0, 100.0, 120.0])
    for method in ("baw", "bjerksund_stensland_1993", "bjerksund_stensland_2002"):
        prices = american_price_array(100.0, strikes, 0.5, 0.05, 0.03, 0.3, False, method=method)
        assert prices.shape == (3,)
        assert np.all(np.diff(prices) > 0)  # puts gain value with the strike
    scalar = baw_price(100.0, 120.0, 0.5, 0.05, 0.03, 0.3, False)
    assert american_price_array(100.0, 120.0, 0.5, 0.05, 0.03, 0.3, False, method="baw") == (
        pytest.approx(scalar)
    )
    with pytest.raises(InvalidInputError, match="method"):
        american_price_array(100.0, 100.0, 1.0, 0.05, 0.0, 0.2, True, method="tree")
    with pytest.raises(InvalidInputError, match="r must be >= 0"):
        baw_price(100.0, 100.0, 1.0, -0.01, 0.0, 0.2, False)
    with pytest.raises(InvalidInputError, match="version"):
        bjerksund_stensland_price(100.0, 100.0, 1.0, 0.05, 0.0, 0.2, False, version=2000)
    with pytest.raises(InvalidInputError, match="outside"):
        binomial_price(100.0, 100.0, 10.0, 0.5, 0.0, 0.05, True, steps=3, tree=TreeKind.CRR)
