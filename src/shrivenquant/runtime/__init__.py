"""The kernel (composition root), node configuration and node builders.

`Kernel` builds one trader's components from a `NodeConfig`; `BacktestEngine` runs a
backtest assembled in code and `BacktestNode` one described by a config. Only this package
knows which mode a node runs in: backtest, paper or live differ in the clients and the clock
the kernel is given.

The names below are imported on first use: ``shrivenquant.runtime.paths`` or ``.backends`` (what
``sq info`` needs) then load without the backtest machinery and its pandas/pyarrow imports.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shrivenquant.runtime.backtest.config import BacktestConfig, BarExecution
    from shrivenquant.runtime.backtest.engine import BacktestEngine
    from shrivenquant.runtime.backtest.errors import StrategyError
    from shrivenquant.runtime.backtest.node import BacktestNode
    from shrivenquant.runtime.backtest.results import BacktestResult, RunStats
    from shrivenquant.runtime.config import (
        LoggingConfig,
        NodeConfig,
        StrategySpec,
        load_node_config,
    )
    from shrivenquant.runtime.config_sources import load_settings
    from shrivenquant.runtime.kernel import Kernel
    from shrivenquant.runtime.strategy_loader import load_strategy, load_strategy_class

_EXPORTS = {
    "BacktestConfig": "shrivenquant.runtime.backtest.config",
    "BarExecution": "shrivenquant.runtime.backtest.config",
    "BacktestEngine": "shrivenquant.runtime.backtest.engine",
    "StrategyError": "shrivenquant.runtime.backtest.errors",
    "BacktestNode": "shrivenquant.runtime.backtest.node",
    "BacktestResult": "shrivenquant.runtime.backtest.results",
    "RunStats": "shrivenquant.runtime.backtest.results",
    "LoggingConfig": "shrivenquant.runtime.config",
    "NodeConfig": "shrivenquant.runtime.config",
    "StrategySpec": "shrivenquant.runtime.config",
    "load_node_config": "shrivenquant.runtime.config",
    "load_settings": "shrivenquant.runtime.config_sources",
    "Kernel": "shrivenquant.runtime.kernel",
    "load_strategy": "shrivenquant.runtime.strategy_loader",
    "load_strategy_class": "shrivenquant.runtime.strategy_loader",
}

__all__ = [
    "BacktestConfig",
    "BacktestEngine",
    "BacktestNode",
    "BacktestResult",
    "BarExecution",
    "Kernel",
    "LoggingConfig",
    "NodeConfig",
    "RunStats",
    "StrategyError",
    "StrategySpec",
    "load_node_config",
    "load_settings",
    "load_strategy",
    "load_strategy_class",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
