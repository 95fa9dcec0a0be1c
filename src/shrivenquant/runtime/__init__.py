"""The kernel (composition root), node configuration and node builders.

`Kernel` builds one trader's components from a `NodeConfig`; `BacktestEngine` runs a
backtest assembled in code and `BacktestNode` one described by a config. Only this package
knows which mode a node runs in: backtest, paper or live differ in the clients and the clock
the kernel is given.
"""

from shrivenquant.runtime.backtest.config import BacktestConfig, BarExecution
from shrivenquant.runtime.backtest.engine import BacktestEngine
from shrivenquant.runtime.backtest.errors import StrategyError
from shrivenquant.runtime.backtest.node import BacktestNode
from shrivenquant.runtime.backtest.results import BacktestResult, RunStats
from shrivenquant.runtime.config import LoggingConfig, NodeConfig, StrategySpec, load_node_config
from shrivenquant.runtime.config_sources import load_settings
from shrivenquant.runtime.kernel import Kernel
from shrivenquant.runtime.strategy_loader import load_strategy, load_strategy_class

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
