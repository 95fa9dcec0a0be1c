"""`NodeConfig`: every setting of a node, typed, frozen, with unknown keys rejected.

Each section is the config class of the package that owns it (`RiskConfig`,
`PortfolioConfig`, `SimulatedVenueConfig`, ...); this module only assembles them. Build one
with `NodeConfig.from_mapping` from the table `load_settings` merged (file, then
``SQ_SECTION__KEY`` environment variables, then command-line overrides), or with
`load_node_config`, which does both::

    [node]
    trader_id = "TRADER-001"
    [logging]
    level = "WARNING"
    [risk]
    check_balance = true
    [risk.span_margin]              # SPAN-style margin of short options
    price_scan = "0.06"
    [venues.BINANCE]
    starting_balances = ["100000 USDT"]
    [instruments."BTCUSDT.BINANCE"]
    type = "CurrencyPair"
    base_currency = "BTC"
    quote_currency = "USDT"
    price_precision = 2
    size_precision = 5
    [[strategies]]
    path = "examples/sma_crossover.py:SMACross"
    config = { bar_type = "BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL", trade_size = "1" }
    [backtest]
    bar_execution = "NEXT_OPEN"
    [secrets]
    binance_api_key = "..."

Secrets are `pydantic.SecretStr`: their repr is masked, and `NodeConfig.describe` (what the
kernel logs) leaves them out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Literal

from pydantic import SecretStr

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.data.engine_config import DataEngineConfig
from shrivenquant.execution import ExecEngineConfig
from shrivenquant.model.identifiers import TraderId
from shrivenquant.model.instruments import Instrument
from shrivenquant.persistence.journal import JournalConfig
from shrivenquant.portfolio import PortfolioConfig
from shrivenquant.risk import RiskConfig
from shrivenquant.runtime.backtest.config import BacktestConfig
from shrivenquant.runtime.config_sources import load_settings
from shrivenquant.runtime.instruments import instrument_from_table
from shrivenquant.sim import SimulatedVenueConfig

LOG_LEVELS: Final = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True, slots=True, kw_only=True)
class LoggingConfig:
    """How the node logs.

    Attributes:
        level: the minimum level (DEBUG, INFO, WARNING, ERROR, CRITICAL).
        format: ``console`` for people, ``json`` for machines.
    """

    level: str = "WARNING"
    format: Literal["console", "json"] = "console"

    def __post_init__(self) -> None:
        if not isinstance(self.level, str) or self.level.upper() not in LOG_LEVELS:
            raise InvalidInputError(
                f"logging.level: expected one of {', '.join(LOG_LEVELS)}, got {self.level!r}"
            )
        object.__setattr__(self, "level", self.level.upper())
        if self.format not in ("console", "json"):
            raise InvalidInputError(
                f"logging.format: expected console or json, got {self.format!r}"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class StrategySpec:
    """A strategy to load: where its class is and its parameters.

    Attributes:
        path: ``package.module:ClassName`` or ``path/to/file.py:ClassName`` (the class may
            be left out when the file defines exactly one strategy).
        config: the parameters, as a table for the strategy's config class.
    """

    path: str
    config: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if not isinstance(self.path, str) or not self.path.strip():
            raise InvalidInputError(
                f"strategies.path: expected a non-empty string, got {self.path!r}"
            )
        if not isinstance(self.config, Mapping):
            raise InvalidInputError(f"strategies.config: expected a table, got {self.config!r}")
        object.__setattr__(self, "config", MappingProxyType(dict(self.config)))


def _empty() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeConfig:
    """Every setting of a node (see the module docstring).

    Attributes:
        trader_id: the trader the node runs for.
        logging: logging setup; None leaves logging as the process configured it.
        journal: the event journal; None runs without one (the default for backtests).
        data_engine: data engine settings.
        exec_engine: execution engine settings.
        risk: risk engine settings (``bypass`` passes every command through unchecked).
        portfolio: portfolio settings.
        venues: simulated venues (backtest and paper trading), one per venue name.
        instruments: instrument definitions.
        strategies: strategies to load by path.
        backtest: how backtests run.
        secrets: named secrets (API keys, tokens); masked in every repr and log.
    """

    trader_id: TraderId = field(default_factory=lambda: TraderId("TRADER-001"))
    logging: LoggingConfig | None = None
    journal: JournalConfig | None = None
    data_engine: DataEngineConfig = field(default_factory=DataEngineConfig)
    exec_engine: ExecEngineConfig = field(default_factory=ExecEngineConfig)
    risk: RiskConfig = field(default_factory=RiskConfig)
    portfolio: PortfolioConfig = field(default_factory=PortfolioConfig)
    venues: tuple[SimulatedVenueConfig, ...] = ()
    instruments: tuple[Instrument, ...] = ()
    strategies: tuple[StrategySpec, ...] = ()
    backtest: BacktestConfig = field(default_factory=BacktestConfig)
    secrets: Mapping[str, SecretStr] = field(default_factory=_empty)

    def __post_init__(self) -> None:
        trader_id: Any = self.trader_id
        if not isinstance(trader_id, TraderId):
            object.__setattr__(self, "trader_id", _trader_id(trader_id))
        for name, kind in _SECTION_TYPES.items():
            value = getattr(self, name)
            if not isinstance(value, kind) and not (value is None and name in _OPTIONAL):
                raise InvalidInputError(f"{name}: expected a {kind.__name__}, got {value!r}")
        names = [str(v.venue) for v in self.venues]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise InvalidInputError(f"venues: {', '.join(duplicates)} configured twice")
        ids = [i.id.value for i in self.instruments]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise InvalidInputError(f"instruments: {', '.join(repeated)} defined twice")
        if self.instruments:
            # Risk settings naming an instrument of a configured venue that is not configured
            # fail here, at load, rather than when the risk engine starts.
            try:
                self.risk.check_instruments(
                    (i.id for i in self.instruments), loaded_venues_only=True
                )
            except InvalidInputError as exc:
                raise InvalidInputError(f"[risk] {exc}") from None
        secrets = {}
        for key, given in dict(self.secrets).items():
            secret = SecretStr(given) if isinstance(given, str) else given
            if not isinstance(secret, SecretStr):
                raise InvalidInputError(f"secrets.{key}: expected a string")
            secrets[str(key)] = secret
        object.__setattr__(self, "secrets", MappingProxyType(secrets))

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> NodeConfig:
        """Build from a merged settings table, rejecting unknown sections and keys.

        Raises:
            InvalidInputError: the message names the section and field.
        """
        _reject_unknown("the node config", values, _SECTIONS)
        node = _table(values.get("node", {}), "node")
        _reject_unknown("node", node, ("trader_id",))
        kwargs: dict[str, Any] = {}
        if "trader_id" in node:
            kwargs["trader_id"] = _trader_id(node["trader_id"])
        if "logging" in values:
            kwargs["logging"] = _build("logging", values["logging"], _logging)
        if "journal" in values:
            kwargs["journal"] = _build("journal", values["journal"], JournalConfig.from_mapping)
        for name, parse in _SECTION_PARSERS.items():
            if name in values:
                kwargs[name] = _build(name, values[name], parse)
        if "venues" in values:
            kwargs["venues"] = _venues(_table(values["venues"], "venues"))
        if "instruments" in values:
            table = _table(values["instruments"], "instruments")
            kwargs["instruments"] = tuple(
                instrument_from_table(key, spec) for key, spec in table.items()
            )
        if "strategies" in values:
            kwargs["strategies"] = _strategies(values["strategies"])
        if "secrets" in values:
            kwargs["secrets"] = _table(values["secrets"], "secrets")
        return cls(**kwargs)

    def describe(self) -> dict[str, Any]:
        """A loggable summary: section names and counts, secrets named but never shown."""
        return {
            "trader_id": self.trader_id.value,
            "journal": None if self.journal is None else str(self.journal.path),
            "venues": [str(v.venue) for v in self.venues],
            "instruments": [i.id.value for i in self.instruments],
            "strategies": [s.path for s in self.strategies],
            "risk_bypass": self.risk.bypass,
            "secrets": sorted(self.secrets),
        }

    def instrument_ids(self) -> list[str]:
        """The ids of the configured instruments."""
        return [i.id.value for i in self.instruments]


def load_node_config(
    path: str | Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Iterable[str] | Mapping[str, Any] = (),
) -> NodeConfig:
    """Merge file, environment and overrides (`load_settings`) and build the config.

    Raises:
        InvalidInputError: anything wrong in any source; the message names the field.
    """
    return NodeConfig.from_mapping(load_settings(path, environ=environ, overrides=overrides))


def _trader_id(value: object) -> TraderId:
    if not isinstance(value, str):
        raise InvalidInputError(f"node.trader_id: expected a string, got {value!r}")
    try:
        return TraderId(value)
    except ValueError as exc:
        raise InvalidInputError(f"node.trader_id: {exc}") from None


def _logging(values: Mapping[str, Any]) -> LoggingConfig:
    _reject_unknown("logging", values, ("level", "format"))
    return LoggingConfig(**values)


def _venues(table: Mapping[str, Any]) -> tuple[SimulatedVenueConfig, ...]:
    venues = []
    for name, spec in table.items():
        values = dict(_table(spec, f"venues.{name}"))
        given = values.setdefault("venue", name)
        if given != name:
            raise InvalidInputError(f"venues.{name}.venue: {given!r} differs from the table name")
        venues.append(_build(f"venues.{name}", values, SimulatedVenueConfig.from_mapping))
    return tuple(venues)


def _strategies(value: object) -> tuple[StrategySpec, ...]:
    if not isinstance(value, list):
        raise InvalidInputError("strategies: expected an array of tables ([[strategies]])")
    specs = []
    for index, item in enumerate(value):
        where = f"strategies[{index}]"
        table = _table(item, where)
        _reject_unknown(where, table, ("path", "config"))
        if "path" not in table:
            raise InvalidInputError(f"{where}.path: required")
        parameters = _table(table.get("config", {}), f"{where}.config")
        specs.append(StrategySpec(path=table["path"], config=parameters))
    return tuple(specs)


def _table(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidInputError(f"{where}: expected a table, got {value!r}")
    return value


def _build(where: str, value: object, parse: Any) -> Any:
    table = _table(value, where)
    try:
        return parse(table)
    except InvalidInputError as exc:
        raise InvalidInputError(f"[{where}] {exc}") from None
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"[{where}] {exc}") from None


def _reject_unknown(where: str, values: Mapping[str, Any], known: Iterable[str]) -> None:
    allowed = set(known)
    unknown = sorted(str(k) for k in values if k not in allowed)
    if unknown:
        raise InvalidInputError(
            f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(allowed))}"
        )


_SECTION_PARSERS: Final[dict[str, Any]] = {
    "data_engine": DataEngineConfig.from_mapping,
    "exec_engine": ExecEngineConfig.from_mapping,
    "risk": RiskConfig.from_mapping,
    "portfolio": PortfolioConfig.from_mapping,
    "backtest": BacktestConfig.from_mapping,
}
_SECTION_TYPES: Final[dict[str, type]] = {
    "logging": LoggingConfig,
    "journal": JournalConfig,
    "data_engine": DataEngineConfig,
    "exec_engine": ExecEngineConfig,
    "risk": RiskConfig,
    "portfolio": PortfolioConfig,
    "backtest": BacktestConfig,
    "venues": tuple,
    "instruments": tuple,
    "strategies": tuple,
}
_OPTIONAL: Final = frozenset({"logging", "journal"})
_SECTIONS: Final = (
    "node",
    "logging",
    "journal",
    *_SECTION_PARSERS,
    "venues",
    "instruments",
    "strategies",
    "secrets",
)
