"""`BacktestNode`: a backtest described entirely by a `NodeConfig` plus its data.

The config gives the venues, instruments, risk and portfolio settings and the strategies (by
path, with their parameters); the node loads the strategies, builds a `BacktestEngine` and
runs it::

    config = load_node_config("backtest.toml")
    result = BacktestNode(config, data=[load_bars("bars.csv", bar_type).data]).run()
"""

from __future__ import annotations

from collections.abc import Sequence

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.model.data import BarType
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.persistence.catalog import DataKind, ParquetDataCatalog
from shrivenquant.runtime.backtest.data import DataSource
from shrivenquant.runtime.backtest.engine import BacktestEngine
from shrivenquant.runtime.backtest.results import BacktestResult
from shrivenquant.runtime.config import NodeConfig
from shrivenquant.runtime.strategy_loader import load_strategy
from shrivenquant.strategy import Strategy


class BacktestNode:
    """A config-driven backtest (see the module docstring).

    Args:
        config: the node settings, with at least one venue and one strategy.
        data: records to replay (any `DataSource`).
        catalog: a catalog to replay from as well (the config's start and end apply).
        kinds, instrument_ids, bar_types: which part of the catalog.
        strategies: strategy objects to run besides the config's.
    """

    def __init__(
        self,
        config: NodeConfig,
        data: Sequence[DataSource] = (),
        *,
        catalog: ParquetDataCatalog | None = None,
        kinds: Sequence[DataKind | str] | None = None,
        instrument_ids: Sequence[InstrumentId] | None = None,
        bar_types: Sequence[BarType] | None = None,
        strategies: Sequence[Strategy] = (),
    ) -> None:
        self.config = config
        self._data = list(data)
        self._catalog = catalog
        self._slice = (kinds, instrument_ids, bar_types)
        self._extra = list(strategies)
        self.engine: BacktestEngine | None = None

    def build(self) -> BacktestEngine:
        """Load the strategies and assemble the engine (not run yet).

        Raises:
            InvalidInputError: no strategy, or a strategy that cannot be loaded or built.
        """
        strategies = [load_strategy(spec.path, spec.config) for spec in self.config.strategies]
        strategies += self._extra
        if not strategies:
            raise InvalidInputError("no strategy: add [[strategies]] to the config")
        engine = BacktestEngine(self.config)
        for index, records in enumerate(self._data):
            engine.add_data(records, name=f"data[{index}]")
        if self._catalog is not None:
            kinds, instrument_ids, bar_types = self._slice
            engine.add_catalog(
                self._catalog, kinds=kinds, instrument_ids=instrument_ids, bar_types=bar_types
            )
        for strategy in strategies:
            engine.add_strategy(strategy)
        self.engine = engine
        return engine

    def run(self) -> BacktestResult:
        """Build and run the backtest (see `BacktestEngine.run` for the errors)."""
        return self.build().run()
