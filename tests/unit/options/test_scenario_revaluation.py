"""Scenario revaluation and SPAN-style scanning risk."""

from __future__ import annotations

import numpy as np
import pytest

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.options.black import black_price
from shrivenquant.options.bsm import bsm_price
from shrivenquant.options.scenario import (
    OptionBook,
    revalue_grid,
    span_position_pnl,
    span_risk,
    span_scenarios,
)


def straddle(quantity: float) -> OptionBook:
    return OptionBook.from_arrays(
        underlying_price=24_000.0, strike=24_000.0, t=7 / 365, r=0.065, q=0.0, vol=0.14,
        is_call=[True, False], quantity=quantity,
    )  # fmt: skip


def test_grid_is_the_full_revaluation_of_each_position() -> None:
    book = straddle(75.0)
    grid = revalue_grid(book, [-0.05, 0.0, 0.05], [-0.02, 0.0, 0.03])
    assert grid.pnl.shape == (3, 3)
    assert grid.pnl[1, 1] == pytest.approx(0.0, abs=1e-9)
    base = 75.0 * sum(
        bsm_price(24_000.0, 24_000.0, 7 / 365, 0.065, 0.0, 0.14, c) for c in (True, False)
    )
    assert grid.base_value == pytest.approx(base, rel=1e-12)
    shocked = 75.0 * sum(
        bsm_price(24_000.0 * 1.05, 24_000.0, 7 / 365, 0.065, 0.0, 0.17, c) for c in (True, False)
    )
    assert grid.pnl[2, 2] == pytest.approx(shocked - base, rel=1e-10)
    # a long straddle gains on big moves either way and on vol; a short one loses
    assert grid.pnl[0, 1] > 0
    assert grid.pnl[2, 1] > 0
    assert grid.pnl[1, 2] > 0
    short = revalue_grid(straddle(-75.0), [-0.05, 0.0, 0.05], [-0.02, 0.0, 0.03])
    np.testing.assert_allclose(short.pnl, -grid.pnl, rtol=1e-12, atol=1e-9)
    assert short.worst_loss == pytest.approx(-short.pnl.min())


def test_black_model_prices_off_the_forward() -> None:
    book = OptionBook.from_arrays(underlying_price=24_100.0, strike=[23_900.0, 24_300.0],
                                  t=0.05, r=0.065, q=0.0, vol=[0.15, 0.13],
                                  is_call=[False, True], quantity=[-50.0, 25.0])  # fmt: skip
    grid = revalue_grid(book, [0.02], [0.01], model="black")
    base = -50.0 * black_price(24_100.0, 23_900.0, 0.05, 0.065, 0.15, False) + 25.0 * black_price(
        24_100.0, 24_300.0, 0.05, 0.065, 0.13, True
    )
    moved = -50.0 * black_price(24_582.0, 23_900.0, 0.05, 0.065, 0.16, False) + 25.0 * black_price(
        24_582.0, 24_300.0, 0.05, 0.065, 0.14, True
    )
    assert grid.pnl[0, 0] == pytest.approx(moved - base, rel=1e-10)


def test_span_scenarios_and_scanning_risk() -> None:
    scenarios = span_scenarios(0.06, 0.04)
    assert len(scenarios) == 16
    assert sum(1 for s in scenarios if s.weight == 0.35) == 2
    assert {round(s.price_move, 12) for s in scenarios} == {
        0.0, 0.02, -0.02, 0.04, -0.04, 0.06, -0.06, 0.12, -0.12
    }  # fmt: skip
    short = span_risk(straddle(-75.0), 0.06, 0.04)
    assert short.scanning_risk > 0.0
    worst = short.scenarios[short.worst_scenario]
    assert abs(worst.price_move) >= 0.06  # a short straddle's worst case is a large move
    assert short.scanning_risk == pytest.approx(-short.pnl.min())
    long = span_risk(straddle(75.0), 0.06, 0.04)
    assert long.scanning_risk < short.scanning_risk  # long options lose at most their time value


def test_inputs_are_checked() -> None:
    with pytest.raises(InvalidInputError, match="model"):
        revalue_grid(straddle(1.0), [0.0], [0.0], model="heston")
    with pytest.raises(InvalidInputError, match="price moves"):
        revalue_grid(straddle(1.0), [-1.5], [0.0])
    with pytest.raises(InvalidInputError, match="vol must be finite"):
        OptionBook.from_arrays(underlying_price=1.0, strike=1.0, t=1.0, r=0.0, q=0.0,
                               vol=float("nan"), is_call=True, quantity=1.0)  # fmt: skip
    with pytest.raises(InvalidInputError, match="price_scan"):
        span_scenarios(0.0, 0.04)


def test_span_position_pnl_splits_the_scanning_risk_by_position() -> None:
    book = OptionBook.from_arrays(underlying_price=24_000.0, strike=[24_000.0, 24_500.0],
                                  t=30 / 365, r=0.065, q=0.0, vol=[0.14, 0.13],
                                  is_call=True, quantity=[75.0, -75.0])  # fmt: skip
    rows = span_position_pnl(book, 0.06, 0.04)
    whole = span_risk(book, 0.06, 0.04)
    assert rows.shape == (2, 16)
    np.testing.assert_allclose(rows.sum(axis=0), whole.pnl, rtol=1e-12, atol=1e-8)
    alone = span_risk(OptionBook.from_arrays(underlying_price=24_000.0, strike=24_500.0,
                                             t=30 / 365, r=0.065, q=0.0, vol=0.13, is_call=True,
                                             quantity=-75.0), 0.06, 0.04)  # fmt: skip
    np.testing.assert_allclose(rows[1], alone.pnl, rtol=1e-12, atol=1e-8)
    # the spread loses less together than its legs do one by one
    assert whole.scanning_risk < -rows.min(axis=1).clip(max=0.0).sum()
