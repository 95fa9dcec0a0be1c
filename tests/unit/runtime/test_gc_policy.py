"""The garbage collection policy a kernel applies once started, and restores when disposed."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from shrivenquant.core.clock import TestClock
from shrivenquant.core.errors import InvalidInputError
from shrivenquant.model.data import Bar, BarType
from shrivenquant.runtime import BacktestConfig, BacktestEngine, Kernel, NodeConfig
from shrivenquant.runtime.gc_policy import GcConfig, apply_gc_policy
from shrivenquant.sim import SimulatedVenueConfig

from .backtest_helpers import RoundTrip, RoundTripConfig, bars, pair


@pytest.fixture(autouse=True)
def collector_state() -> Iterator[None]:
    """Each test starts from known thresholds and nothing frozen, and leaves it that way."""
    before = gc.get_threshold()
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


def test_kernel_applies_the_policy_once_started_and_restores_it_on_dispose() -> None:
    config = NodeConfig(gc=GcConfig(gen0_threshold=12_345, gen1_threshold=7, gen2_threshold=9))
    kernel = Kernel(config, TestClock(0))
    assert gc.get_threshold() == (700, 10, 10)  # building alone changes nothing
    kernel.start()
    assert gc.get_threshold() == (12_345, 7, 9)
    assert gc.get_freeze_count() > 0
    kernel.stop()
    kernel.start()  # a restart keeps the policy in force without applying it twice
    assert gc.get_threshold() == (12_345, 7, 9)
    kernel.dispose()
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() == 0


def _scanned(obj: object) -> bool:
    """Whether a collection would scan ``obj`` (frozen objects are in no generation)."""
    return any(o is obj for o in gc.get_objects())


def test_a_backtest_runs_under_the_policy_and_restores_it() -> None:
    seen: list[tuple[int, int, int]] = []
    bar_type = "BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL"

    class Watching(RoundTrip):
        def on_bar(self, bar: Bar) -> None:
            seen.append(gc.get_threshold())
            super().on_bar(bar)

    config = NodeConfig(backtest=BacktestConfig(progress=False), gc=GcConfig(gen0_threshold=4_321))
    engine = BacktestEngine(config)
    engine.add_venue(SimulatedVenueConfig(venue="BINANCE", starting_balances=("1000 USDT",)))
    engine.add_instrument(pair("BTCUSDT.BINANCE"))
    engine.add_data(bars(bar_type, ["100.00", "101.00", "102.00"]))
    engine.add_strategy(
        Watching(RoundTripConfig(strategy_id="RT-001", bar_type=BarType.from_str(bar_type)))
    )
    engine.run()
    assert seen
    assert set(seen) == {(4_321, 20, 100)}
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() == 0


def test_objects_made_before_start_are_frozen_and_later_ones_are_not() -> None:
    before = [1, 2, 3]
    kernel = Kernel(NodeConfig(), TestClock(0))
    kernel.start()
    after = [4, 5, 6]
    assert not _scanned(before)
    assert _scanned(after)
    kernel.dispose()
    assert _scanned(before)


def test_a_disabled_policy_leaves_the_collector_alone() -> None:
    kernel = Kernel(NodeConfig(gc=GcConfig(enabled=False)), TestClock(0))
    kernel.start()
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() == 0
    kernel.dispose()
    assert gc.get_threshold() == (700, 10, 10)


def test_thresholds_without_freezing() -> None:
    policy = apply_gc_policy(GcConfig(freeze_on_start=False, gen0_threshold=900))
    assert gc.get_threshold() == (900, 20, 100)
    assert gc.get_freeze_count() == 0
    assert policy.active
    policy.restore()
    policy.restore()  # idempotent
    assert not policy.active
    assert gc.get_threshold() == (700, 10, 10)


def test_freeze_survivors_freezes_what_each_collection_leaves_alive() -> None:
    policy = apply_gc_policy(GcConfig(freeze_on_start=False, freeze_survivors=True))
    kept = [1, 2]
    assert _scanned(kept)
    gc.collect(0)
    assert not _scanned(kept)  # survived a collection: never scanned again
    later = [3, 4]
    assert _scanned(later)
    policy.restore()
    assert _scanned(kept)
    assert gc.get_freeze_count() == 0
    gc.collect(0)
    assert _scanned(later)  # the hook is gone
    assert not policy.active


def test_the_gc_section_loads_from_a_table() -> None:
    config = NodeConfig.from_mapping({"gc": {"gen0_threshold": 20_000, "freeze_on_start": False}})
    assert config.gc == GcConfig(gen0_threshold=20_000, freeze_on_start=False)
    assert NodeConfig().gc == GcConfig()


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"gen0_threshold": 0}, r"\[gc\] gc\.gen0_threshold: expected an integer from 1"),
        ({"gen1_threshold": "10"}, r"gc\.gen1_threshold"),
        ({"gen2_threshold": 1.5}, r"gc\.gen2_threshold"),
        ({"gen0_threshold": True}, r"gc\.gen0_threshold"),
        ({"gen0_threshold": 10**9}, r"gc\.gen0_threshold"),
        ({"freeze_on_start": "yes"}, r"gc\.freeze_on_start: expected true or false"),
        ({"enabled": 1}, r"gc\.enabled"),
        ({"freeze_survivors": "true"}, r"gc\.freeze_survivors: expected true or false"),
        ({"gen0": 100}, r"gc: unknown key\(s\) gen0"),
    ],
)
def test_bad_values_fail_at_load_naming_the_field(table: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        NodeConfig.from_mapping({"gc": table})
