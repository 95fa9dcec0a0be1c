"""A backtest from files: a strategy file, data files (or a catalog) and a settings table.

This is what ``sq backtest`` runs. The settings table is the merged node config (file, then
environment, then overrides) with one more section, ``[strategy]``: the parameters of the
strategy in the file. Whatever the files leave out gets a default, each one reported in
`PreparedBacktest.notes`:

- a strategy parameter ``bar_type`` that is not given is the bar type of the data, when the
  data holds exactly one;
- an instrument without a definition in ``[instruments]`` is taken for a fee-free spot pair
  when its symbol ends in a known quote currency (``BTCUSDT`` -> BTC/USDT), at the data's
  precisions;
- with no ``[venues]``, every instrument's venue is simulated with a cash account holding
  1,000,000 of the instrument's quote currency.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.data.loaders import LoadResult, TimeFormat, load_bars, load_quotes, load_trades
from shrivenquant.model.data import BarType
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.model.instruments import Instrument
from shrivenquant.model.values import Money
from shrivenquant.persistence.catalog import BarArrays, DataKind, ParquetDataCatalog
from shrivenquant.runtime.backtest.engine import BacktestEngine
from shrivenquant.runtime.config import NodeConfig
from shrivenquant.runtime.instruments import infer_spot_pair
from shrivenquant.runtime.strategy_loader import (
    config_fields,
    load_strategy_class,
    strategy_config_class,
)
from shrivenquant.sim import SimulatedVenueConfig
from shrivenquant.strategy import Strategy

DEFAULT_BALANCE: Final = "1000000"
"""What a default venue account holds, in the quote currency of its first instrument."""

DataKindName = Literal["bars", "trades", "quotes"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DataFiles:
    """CSV or Parquet files of one kind of data.

    Attributes:
        paths: the files (each read whole, then merged by time).
        kind: ``bars``, ``trades`` or ``quotes``.
        bar_type: the bar type of bar files (default: the strategy's ``bar_type``).
        instrument_id: the instrument of trade and quote files.
        columns: which column holds what (``{"ts": "Date"}``), as for the loaders.
        timezone: the zone of date-times written without an offset.
        repair: drop rows validation refuses instead of failing.
    """

    paths: tuple[Path, ...]
    kind: DataKindName = "bars"
    bar_type: str | None = None
    instrument_id: str | None = None
    columns: Mapping[str, str] = field(default_factory=dict)
    timezone: str = "UTC"
    repair: bool = False


@dataclass(frozen=True, slots=True)
class PreparedBacktest:
    """A backtest ready to run, and the defaults that were filled in."""

    engine: BacktestEngine
    strategy: Strategy
    notes: tuple[str, ...]


def prepare_backtest(
    strategy_path: str,
    settings: Mapping[str, Any],
    data: DataFiles | None = None,
    catalog: str | Path | None = None,
) -> PreparedBacktest:
    """Build the engine for a strategy file, data files and a merged settings table.

    Raises:
        InvalidInputError: bad settings, data, strategy or parameters; the message names the
            file, field or row (`DataLoadError` for data files).
    """
    table = dict(settings)
    parameters = dict(_mapping(table.pop("strategy", {}), "strategy"))
    config = NodeConfig.from_mapping(table)
    cls = load_strategy_class(strategy_path)
    notes: list[str] = []
    instruments: dict[InstrumentId, Instrument] = {i.id: i for i in config.instruments}
    results = [] if data is None else _load(data, parameters, instruments)
    source_catalog = None if catalog is None else ParquetDataCatalog(catalog)
    if source_catalog is not None:
        for instrument in source_catalog.instruments():
            instruments.setdefault(instrument.id, instrument)
    if not results and source_catalog is None:
        raise InvalidInputError("no data: give data files or a catalog")
    inferred = _infer_instruments(results, instruments, notes)
    found = {str(r.data.bar_type) for r in results if isinstance(r.data, BarArrays)}
    if source_catalog is not None:
        found |= {key.bar_type for key in source_catalog.series(DataKind.BAR)}
    bar_types = sorted(found)
    if "bar_type" in config_fields(cls) and "bar_type" not in parameters and len(bar_types) == 1:
        parameters["bar_type"] = bar_types[0]
        notes.append(f"strategy parameter bar_type = {bar_types[0]} (from the data)")
    strategy = cls(strategy_config_class(cls).from_mapping(parameters))
    engine = BacktestEngine(config)
    for instrument in inferred:
        engine.add_instrument(instrument)
    if not config.venues:
        for venue in _default_venues({**instruments, **{i.id: i for i in inferred}}, results):
            engine.add_venue(venue)
            notes.append(
                f"venue {venue.venue}: simulated cash account with {venue.starting_balances[0]}"
            )
    for index, result in enumerate(results):
        engine.add_data(result, name=result.source or f"data[{index}]")
    if source_catalog is not None:
        engine.add_catalog(source_catalog)
    engine.add_strategy(strategy)
    return PreparedBacktest(engine, strategy, tuple(notes))


def _load(
    data: DataFiles, parameters: Mapping[str, Any], instruments: Mapping[InstrumentId, Instrument]
) -> list[LoadResult[Any]]:
    if not data.paths:
        return []
    time = TimeFormat(timezone=data.timezone)
    results: list[LoadResult[Any]] = []
    if data.kind == "bars":
        given = data.bar_type or parameters.get("bar_type")
        if given is None:
            raise InvalidInputError(
                "bar files need a bar type: pass one, or set bar_type in [strategy]"
            )
        bar_type = _bar_type(str(given))
        definition = instruments.get(bar_type.instrument_id)
        return [
            load_bars(
                path,
                bar_type,
                columns=dict(data.columns),
                time=time,
                instrument=definition,
                repair=data.repair,
            )
            for path in data.paths
        ]
    if data.instrument_id is None:
        raise InvalidInputError(f"{data.kind} files need an instrument id")
    instrument_id = _instrument_id(data.instrument_id)
    loader = load_trades if data.kind == "trades" else load_quotes
    results.extend(
        loader(
            path,
            instrument_id,
            columns=dict(data.columns),
            time=time,
            instrument=instruments.get(instrument_id),
            repair=data.repair,
        )
        for path in data.paths
    )
    return results


def _infer_instruments(
    results: Sequence[LoadResult[Any]],
    instruments: Mapping[InstrumentId, Instrument],
    notes: list[str],
) -> list[Instrument]:
    inferred: dict[InstrumentId, Instrument] = {}
    for result in results:
        arrays = result.data
        instrument_id = arrays.instrument_id
        if instrument_id in instruments or instrument_id in inferred:
            continue
        pair = infer_spot_pair(instrument_id, arrays.price_precision, arrays.size_precision)
        if pair is None:
            raise InvalidInputError(
                f"{result.source}: no definition of {instrument_id}; add "
                f'[instruments."{instrument_id}"] to the config'
            )
        inferred[instrument_id] = pair
        notes.append(
            f"instrument {instrument_id}: spot pair {pair.base_currency}/{pair.quote_currency}, "
            f"no fees, price precision {pair.price_precision}, size precision "
            f"{pair.size_precision} (from the data; define it in [instruments] to change)"
        )
    return list(inferred.values())


def _default_venues(
    instruments: Mapping[InstrumentId, Instrument], results: Sequence[LoadResult[Any]]
) -> list[SimulatedVenueConfig]:
    wanted = [r.data.instrument_id for r in results] or list(instruments)
    venues: dict[str, SimulatedVenueConfig] = {}
    for instrument_id in wanted:
        name = instrument_id.venue.value
        instrument = instruments.get(instrument_id)
        if name in venues or instrument is None:
            continue
        venues[name] = SimulatedVenueConfig(
            venue=name,
            starting_balances=(Money(DEFAULT_BALANCE, instrument.quote_currency),),
        )
    return list(venues.values())


def _mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidInputError(f"[{where}]: expected a table, got {value!r}")
    return value


def _bar_type(text: str) -> BarType:
    try:
        return BarType.from_str(text)
    except ValueError as exc:
        raise InvalidInputError(f"bar type: {exc}") from None


def _instrument_id(text: str) -> InstrumentId:
    try:
        return InstrumentId(text)
    except ValueError as exc:
        raise InvalidInputError(f"instrument id: {exc}") from None
