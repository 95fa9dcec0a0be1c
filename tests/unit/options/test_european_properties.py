"""Model-free properties of the European pricers: parity, Greeks as derivatives, edge cases."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.options.bachelier import bachelier_greeks, bachelier_price
from shrivenquant.options.black import black_greeks, black_greeks_array, black_price
from shrivenquant.options.bsm import (
    bsm_greeks,
    bsm_greeks_array,
    bsm_price,
    bsm_price_array,
    bsm_second_order_greeks_array,
)
from shrivenquant.options.types import Greeks

Model = Callable[[float, float, float, float, float, bool], Greeks]
spots = st.floats(10.0, 1000.0)
vols = st.floats(0.05, 1.0)
times = st.floats(1.0 / 365.0, 5.0)
rates = st.floats(-0.02, 0.12)
yields = st.floats(0.0, 0.08)
log_moneyness = st.floats(-1.5, 1.5)


@settings(max_examples=300)
@given(spots, log_moneyness, times, rates, yields, vols)
def test_put_call_parity(s: float, m: float, t: float, r: float, q: float, vol: float) -> None:
    k = s * math.exp(m)
    call = bsm_price(s, k, t, r, q, vol, True)
    put = bsm_price(s, k, t, r, q, vol, False)
    forward_value = s * math.exp(-q * t) - k * math.exp(-r * t)
    assert call - put == pytest.approx(forward_value, abs=1e-12 * (s + k))
    # Black-76 and Bachelier parity on the forward
    f = s * math.exp((r - q) * t)
    df = math.exp(-r * t)
    black_gap = black_price(f, k, t, r, vol, True) - black_price(f, k, t, r, vol, False)
    assert black_gap == pytest.approx(df * (f - k), abs=1e-12 * (f + k))
    normal_vol = vol * f
    bach_gap = bachelier_price(f, k, t, r, normal_vol, True) - bachelier_price(
        f, k, t, r, normal_vol, False
    )
    assert bach_gap == pytest.approx(df * (f - k), abs=1e-12 * (f + k))


def _central(fn: Callable[[float], float], x: float, h: float) -> float:
    return (fn(x + h) - fn(x - h)) / (2.0 * h)


@settings(max_examples=200)
@given(spots, st.floats(-0.5, 0.5), st.floats(0.05, 3.0), rates, yields, st.floats(0.1, 0.8),
       st.booleans())  # fmt: skip
def test_bsm_greeks_are_the_derivatives_of_the_price(
    s: float, m: float, t: float, r: float, q: float, vol: float, is_call: bool
) -> None:
    k = s * math.exp(m)
    g = bsm_greeks(s, k, t, r, q, vol, is_call)

    def greeks_at(**kw: float) -> Greeks:
        args = {"spot": s, "strike": k, "t": t, "r": r, "q": q, "vol": vol} | kw
        return bsm_greeks(**args, is_call=is_call)

    def near(ours: float, numeric: float, scale: float) -> bool:
        return abs(ours - numeric) <= 1e-5 * scale

    # natural scales of each Greek (so the check is relative where the Greek is not tiny)
    sd = vol * math.sqrt(t)
    hs, hv, ht, hr = 1e-4 * s * sd, 1e-5, 1e-6 * t, 1e-6
    assert near(g.delta, _central(lambda x: greeks_at(spot=x).price, s, hs), 1.0)
    assert near(g.gamma, _central(lambda x: greeks_at(spot=x).delta, s, hs), 1.0 / (s * sd))
    assert near(g.vega, _central(lambda x: greeks_at(vol=x).price, vol, hv), s * math.sqrt(t))
    theta_scale = s * (vol / math.sqrt(t) + abs(r) + abs(q))
    assert near(g.theta, -_central(lambda x: greeks_at(t=x).price, t, ht), theta_scale)
    assert near(g.rho, _central(lambda x: greeks_at(r=x).price, r, hr), s * t)
    assert near(g.vanna, _central(lambda x: greeks_at(vol=x).delta, vol, hv), 1.0 / vol)
    assert near(g.volga, _central(lambda x: greeks_at(vol=x).vega, vol, hv), s * math.sqrt(t) / vol)
    assert near(g.charm, -_central(lambda x: greeks_at(t=x).delta, t, ht), 1.0 / t)
    assert near(g.speed, _central(lambda x: greeks_at(spot=x).gamma, s, hs), 1.0 / (s * sd) ** 2)


@settings(max_examples=200)
@given(spots, st.floats(-0.5, 0.5), st.floats(0.05, 3.0), rates, st.floats(0.1, 0.8),
       st.booleans())  # fmt: skip
def test_black_and_bachelier_greeks_are_derivatives(
    f: float, m: float, t: float, r: float, vol: float, is_call: bool
) -> None:
    k = f * math.exp(m)
    models: tuple[tuple[Model, float], ...] = ((black_greeks, vol), (bachelier_greeks, vol * f))
    for model, v in models:
        g = model(f, k, t, r, v, is_call)

        def at(
            fwd: float = f, tt: float = t, rr: float = r, vv: float = v, model: Model = model
        ) -> Greeks:
            return model(fwd, k, tt, rr, vv, is_call)

        sd = vol * math.sqrt(t)  # lognormal-equivalent standard deviation
        hf, hv, ht = 1e-4 * f * sd, 1e-5 * v, 1e-6 * t

        def near(ours: float, numeric: float, scale: float) -> bool:
            return abs(ours - numeric) <= 1e-5 * scale

        assert near(g.delta, _central(lambda x: at(fwd=x).price, f, hf), 1.0)
        assert near(g.gamma, _central(lambda x: at(fwd=x).delta, f, hf), 1.0 / (f * sd))
        assert near(g.vega, _central(lambda x: at(vv=x).price, v, hv), f * math.sqrt(t) / (v / vol))
        theta = -_central(lambda x: at(tt=x).price, t, ht)
        assert near(g.theta, theta, f * (vol / math.sqrt(t) + abs(r)))
        assert near(g.rho, _central(lambda x: at(rr=x).price, r, 1e-6), f * t)
        assert near(g.vanna, _central(lambda x: at(vv=x).delta, v, hv), 1.0 / v)
        assert near(
            g.volga, _central(lambda x: at(vv=x).vega, v, hv), f * math.sqrt(t) / (v * v / vol)
        )
        assert near(g.charm, -_central(lambda x: at(tt=x).delta, t, ht), 1.0 / t)
        assert near(g.speed, _central(lambda x: at(fwd=x).gamma, f, hf), 1.0 / (f * sd) ** 2)


def test_arrays_broadcast_and_match_scalars() -> None:
    spot = np.array([[90.0], [100.0], [110.0]])
    strike = np.array([80.0, 95.0, 105.0, 130.0])
    is_call = np.array([True, False, True, False])
    prices = bsm_price_array(spot, strike, 0.5, 0.06, 0.01, 0.25, is_call)
    greeks = bsm_greeks_array(spot, strike, 0.5, 0.06, 0.01, 0.25, is_call)
    second = bsm_second_order_greeks_array(spot, strike, 0.5, 0.06, 0.01, 0.25, is_call)
    assert prices.shape == (3, 4)
    assert greeks.theta.shape == (3, 4)
    for i in range(3):
        for j in range(4):
            g = bsm_greeks(
                float(spot[i, 0]), float(strike[j]), 0.5, 0.06, 0.01, 0.25, bool(is_call[j])
            )
            assert prices[i, j] == pytest.approx(g.price, rel=1e-13)
            assert greeks.gamma[i, j] == pytest.approx(g.gamma, rel=1e-13)
            assert greeks.rho[i, j] == pytest.approx(g.rho, rel=1e-13)
            assert second.vanna[i, j] == pytest.approx(g.vanna, rel=1e-12)
            assert second.speed[i, j] == pytest.approx(g.speed, rel=1e-12)
    black = black_greeks_array([100.0, 101.0], 100.0, [0.25, 0.5], 0.05, 0.2, True)
    scalar = black_greeks(101.0, 100.0, 0.5, 0.05, 0.2, True)
    assert black.rho[1] == pytest.approx(scalar.rho, rel=1e-13)
    assert black.rho[1] == pytest.approx(-0.5 * scalar.price, rel=1e-13)


def test_expiry_and_zero_vol_give_the_deterministic_payoff() -> None:
    assert bsm_price(110.0, 100.0, 0.0, 0.05, 0.0, 0.3, True) == 10.0
    assert bsm_price(110.0, 100.0, 0.0, 0.05, 0.0, 0.3, False) == 0.0
    forward_intrinsic = 110.0 * math.exp(-0.02) - 100.0 * math.exp(-0.05)
    assert bsm_price(110.0, 100.0, 1.0, 0.05, 0.02, 0.0, True) == pytest.approx(forward_intrinsic)
    g = bsm_greeks(110.0, 100.0, 1.0, 0.05, 0.02, 0.0, True)
    assert g.delta == pytest.approx(math.exp(-0.02))
    assert g.gamma == g.vega == g.vanna == g.volga == g.speed == 0.0
    assert g.rho == pytest.approx(100.0 * math.exp(-0.05))
    otm = bsm_greeks(90.0, 100.0, 1.0, 0.05, 0.0, 0.0, True)
    assert otm.price == otm.delta == otm.theta == otm.rho == 0.0
    arrays = bsm_greeks_array([110.0, 90.0], 100.0, [0.0, 1.0], 0.05, 0.0, [0.3, 0.0], True)
    np.testing.assert_array_equal(arrays.price, [10.0, 0.0])
    np.testing.assert_array_equal(arrays.delta, [1.0, 0.0])
    assert bachelier_price(-5.0, -10.0, 0.0, 0.0, 3.0, True) == 5.0


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"spot": -1.0}, "spot"),
        ({"strike": 0.0}, "strike"),
        ({"t": -0.1}, "t"),
        ({"vol": math.nan}, "vol"),
        ({"r": math.inf}, "r"),
        ({"is_call": 1}, "is_call"),
    ],
)
def test_scalar_api_rejects_bad_input_by_name(kwargs: dict[str, object], name: str) -> None:
    args: dict[str, object] = {"spot": 100.0, "strike": 100.0, "t": 1.0, "r": 0.05, "q": 0.0,
                               "vol": 0.2, "is_call": True} | kwargs  # fmt: skip
    with pytest.raises(InvalidInputError, match=name):
        bsm_price(**args)  # type: ignore[arg-type]


def test_array_api_gives_nan_for_invalid_elements() -> None:
    prices = bsm_price_array([100.0, -1.0, 100.0, 100.0], [100.0, 100.0, 0.0, 100.0], 1.0, 0.05,
                             0.0, [0.2, 0.2, 0.2, math.nan], True)  # fmt: skip
    assert math.isfinite(prices[0])
    assert np.isnan(prices[1:]).all()
    greeks = bsm_greeks_array(100.0, 100.0, [-1.0, 1.0], 0.05, 0.0, 0.2, False)
    assert np.isnan(greeks.delta[0])
    assert math.isfinite(greeks.delta[1])
    with pytest.raises(InvalidInputError, match="broadcast"):
        bsm_price_array([1.0, 2.0], [1.0, 2.0, 3.0], 1.0, 0.0, 0.0, 0.2, True)
    with pytest.raises(InvalidInputError, match="is_call"):
        bsm_price_array(100.0, 100.0, 1.0, 0.0, 0.0, 0.2, "call")


def test_deep_tail_prices_keep_relative_precision() -> None:
    # 12 standard deviations out of the money: a naive 1 - N(d) would return 0
    price = bsm_price(100.0, 100.0 * math.exp(12 * 0.2), 1.0, 0.0, 0.0, 0.2, True)
    assert 0.0 < price < 1e-30
    array_price = bsm_price_array(100.0, 100.0 * math.exp(12 * 0.2), 1.0, 0.0, 0.0, 0.2, True)
    assert float(array_price) == pytest.approx(price, rel=1e-12)
