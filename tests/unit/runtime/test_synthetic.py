"""The synthetic GBM bars: deterministic, consistent, opening away from the last close."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.data.loaders import load_bars
from shrivenquant.runtime.synthetic import DEFAULT_BAR_TYPE, GbmSpec, gbm_bars, write_bars_csv


@settings(max_examples=200)
@given(st.integers(1, 400), st.integers(0, 2**32), st.sampled_from([0, 2, 4]))
def test_bars_are_consistent_and_open_away_from_the_previous_close(
    count: int, seed: int, precision: int
) -> None:
    bars = gbm_bars(GbmSpec(count=count, seed=seed, price_precision=precision, initial_price=250.0))
    o, h, low, c = bars.open, bars.high, bars.low, bars.close
    assert (h >= np.maximum(o, c)).all()
    assert (low <= np.minimum(o, c)).all()
    assert (low >= 1).all()
    assert (bars.volume > 0).all()
    assert (o[1:] != c[:-1]).all()
    assert (np.diff(bars.ts_event) == 60_000_000_000).all()


def test_the_same_seed_gives_the_same_bars() -> None:
    a = gbm_bars(GbmSpec(count=1_000, seed=5))
    b = gbm_bars(GbmSpec(count=1_000, seed=5))
    other = gbm_bars(GbmSpec(count=1_000, seed=6))
    for name in ("open", "high", "low", "close", "volume", "ts_event"):
        assert np.array_equal(getattr(a, name), getattr(b, name))
    assert not np.array_equal(a.close, other.close)


def test_csv_round_trips_through_the_loader(tmp_path: Path) -> None:
    bars = gbm_bars(GbmSpec(count=500))
    path = write_bars_csv(bars, tmp_path / "bars.csv")
    loaded = load_bars(path, DEFAULT_BAR_TYPE).data
    assert loaded.price_precision == bars.price_precision
    for name in ("open", "high", "low", "close", "volume", "ts_event"):
        assert np.array_equal(getattr(loaded, name), getattr(bars, name)), name


def test_bad_specs_are_refused() -> None:
    with pytest.raises(ValueError, match="count"):
        GbmSpec(count=0)
    with pytest.raises(ValueError, match="price_precision"):
        GbmSpec(count=1, price_precision=12)
