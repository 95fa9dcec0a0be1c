"""Loading strategy classes from files and modules, and building them from parameters."""

from __future__ import annotations

from pathlib import Path

import pytest

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.runtime import load_strategy, load_strategy_class
from shrivenquant.runtime.strategy_loader import config_fields, strategy_config_class
from shrivenquant.strategy import Strategy, StrategyConfig

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
BAR_TYPE = "BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL"

TWO = """
from shrivenquant.strategy import Strategy

class First(Strategy):
    pass

class Second(Strategy):
    pass
"""


def test_the_only_strategy_of_a_file_is_found() -> None:
    cls = load_strategy_class(str(EXAMPLES / "sma_crossover.py"))
    assert cls.__name__ == "SMACross"
    assert strategy_config_class(cls).__name__ == "SMACrossConfig"
    assert {"bar_type", "fast", "slow", "trade_size"} <= config_fields(cls)


def test_a_named_class_is_loaded(tmp_path: Path) -> None:
    path = tmp_path / "two.py"
    path.write_text(TWO)
    assert load_strategy_class(f"{path}:Second").__name__ == "Second"
    with pytest.raises(InvalidInputError, match="First, Second"):
        load_strategy_class(str(path))
    with pytest.raises(InvalidInputError, match="'Third' is not a Strategy class"):
        load_strategy_class(f"{path}:Third")


def test_module_paths_load_too() -> None:
    assert load_strategy_class("shrivenquant.strategy:Strategy") is Strategy
    with pytest.raises(InvalidInputError, match="cannot import strategy module"):
        load_strategy_class("no_such_package.strategies:Thing")


def test_missing_and_broken_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="strategy file not found"):
        load_strategy_class(str(tmp_path / "nothing.py"))
    broken = tmp_path / "broken.py"
    broken.write_text("raise ImportError('no numpy here')\n")
    with pytest.raises(InvalidInputError, match=r"broken\.py: loading the strategy file failed"):
        load_strategy_class(str(broken))


def test_parameters_build_the_config_and_unknown_ones_are_refused() -> None:
    strategy = load_strategy(
        str(EXAMPLES / "sma_crossover.py"), {"bar_type": BAR_TYPE, "fast": 5, "slow": 20}
    )
    assert strategy.config.fast == 5  # type: ignore[attr-defined]
    with pytest.raises(InvalidInputError, match="fsat"):
        load_strategy(str(EXAMPLES / "sma_crossover.py"), {"bar_type": BAR_TYPE, "fsat": 5})
    with pytest.raises(InvalidInputError, match="fast"):
        load_strategy(
            str(EXAMPLES / "sma_crossover.py"), {"bar_type": BAR_TYPE, "fast": 30, "slow": 10}
        )


def test_every_example_loads_with_defaults() -> None:
    for name in ("sma_crossover.py", "rsi_mean_reversion.py", "bollinger_breakout.py"):
        strategy = load_strategy(str(EXAMPLES / name), {"bar_type": BAR_TYPE})
        assert isinstance(strategy.config, StrategyConfig)
