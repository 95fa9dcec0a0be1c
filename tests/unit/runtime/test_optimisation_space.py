"""Parameter spaces: grids, seeded sampling, constraints and Optuna distributions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from optuna.distributions import (
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)

from shrivenquant.runtime.optimisation import Choice, FloatRange, IntRange, ParameterSpace


def test_int_range_grid_and_distribution() -> None:
    dim = IntRange(5, 20, step=5)
    assert dim.grid_values() == [5, 10, 15, 20]
    assert IntRange(1, 7, step=3).grid_values() == [1, 4, 7]
    assert dim.distribution() == IntDistribution(5, 20, step=5)
    assert IntRange(1, 100, log=True).distribution() == IntDistribution(1, 100, log=True)


def test_float_range_grid_is_exact_decimal_steps() -> None:
    assert FloatRange(0.1, 0.5, step=0.1).grid_values() == [0.1, 0.2, 0.3, 0.4, 0.5]
    assert FloatRange(0.0, 1.0, grid_points=3).grid_values() == [0.0, 0.5, 1.0]
    values = FloatRange(1.0, 100.0, log=True, grid_points=3).grid_values()
    assert values == pytest.approx([1.0, 10.0, 100.0])
    with pytest.raises(ValueError, match="needs step or grid_points"):
        FloatRange(0.0, 1.0).grid_values()
    assert FloatRange(0.0, 1.0, step=0.25).distribution() == FloatDistribution(0.0, 1.0, step=0.25)


def test_choice_keeps_plain_values() -> None:
    dim = Choice("a", "b", np.int64(3))
    assert dim.values == ("a", "b", 3)
    assert type(dim.values[2]) is int
    assert Choice(["x", "y"]).grid_values() == ["x", "y"]
    assert dim.distribution() == CategoricalDistribution(("a", "b", 3))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: IntRange(5, 1), "low <= high"),
        (lambda: IntRange(1, 5, step=0), "step >= 1"),
        (lambda: IntRange(1.5, 5), "must be ints"),  # type: ignore[arg-type]
        (lambda: IntRange(0, 5, log=True), "log=True"),
        (lambda: FloatRange(1.0, math.nan), "finite"),
        (lambda: FloatRange(0.0, 1.0, step=-1.0), "step"),
        (lambda: FloatRange(0.0, 1.0, log=True), "log=True"),
        (lambda: FloatRange(0.0, 1.0, grid_points=1), "grid_points"),
        (Choice, "distinct"),
        (lambda: Choice("a", "a"), "distinct"),
        (lambda: Choice(object()), "None, bool, int, float or str"),
    ],
)
def test_dimensions_reject_bad_definitions(make: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()  # type: ignore[operator]


def test_grid_applies_the_constraint_and_adds_fixed_values() -> None:
    space = ParameterSpace(
        {"fast": IntRange(10, 30, step=10), "slow": IntRange(20, 40, step=10), "fee": 0.001},
        constraint=lambda p: p["fast"] < p["slow"],
    )
    assert space.names == ["fast", "slow"]
    assert space.fixed == {"fee": 0.001}
    assert space.grid_size() == 9
    assert space.grid() == [
        {"fast": 10, "slow": 20, "fee": 0.001},
        {"fast": 10, "slow": 30, "fee": 0.001},
        {"fast": 10, "slow": 40, "fee": 0.001},
        {"fast": 20, "slow": 30, "fee": 0.001},
        {"fast": 20, "slow": 40, "fee": 0.001},
        {"fast": 30, "slow": 40, "fee": 0.001},
    ]


def test_space_needs_a_dimension_and_caps_the_grid() -> None:
    with pytest.raises(ValueError, match="at least one"):
        ParameterSpace({"fee": 0.1})
    huge = ParameterSpace({f"p{i}": IntRange(1, 100) for i in range(4)})
    with pytest.raises(ValueError, match="sample instead"):
        huge.grid()


def test_sampling_is_seeded_and_respects_the_constraint() -> None:
    space = ParameterSpace(
        {"fast": IntRange(2, 50), "slow": IntRange(10, 200), "kind": Choice("a", "b")},
        constraint=lambda p: p["fast"] < p["slow"],
    )
    first = space.sample_many(50, seed=11)
    assert first == space.sample_many(50, seed=11)
    assert first != space.sample_many(50, seed=12)
    assert all(p["fast"] < p["slow"] for p in first)
    assert {p["kind"] for p in first} == {"a", "b"}


def test_sampling_gives_up_on_an_infeasible_space() -> None:
    space = ParameterSpace({"x": IntRange(1, 3)}, constraint=lambda p: p["x"] > 5)
    with pytest.raises(ValueError, match="rejected 100 draws"):
        space.sample_many(1, seed=0)


dims = st.one_of(
    st.tuples(st.integers(-50, 50), st.integers(0, 60), st.integers(1, 7)).map(
        lambda t: IntRange(t[0], t[0] + t[1], step=t[2])
    ),
    st.tuples(st.integers(1, 50), st.integers(0, 500)).map(
        lambda t: IntRange(t[0], t[0] + t[1], log=True)
    ),
    st.tuples(st.floats(-10, 10), st.floats(0, 10)).map(lambda t: FloatRange(t[0], t[0] + t[1])),
    st.tuples(st.floats(0.001, 10), st.floats(1, 1000)).map(
        lambda t: FloatRange(t[0], t[0] * t[1], log=True)
    ),
    st.tuples(st.integers(-5, 5), st.integers(0, 20)).map(
        lambda t: FloatRange(t[0] / 4, t[0] / 4 + t[1] * 0.25, step=0.25)
    ),
)


@settings(max_examples=300)
@given(dim=dims, seed=st.integers(0, 2**32 - 1))
def test_samples_stay_inside_their_dimension(dim: IntRange | FloatRange, seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(20):
        value = dim.sample(rng)
        assert dim.low <= value <= dim.high
        if isinstance(dim, IntRange):
            assert type(value) is int
            assert (value - dim.low) % dim.step == 0
        elif dim.step is not None:
            assert value in dim.grid_values()
