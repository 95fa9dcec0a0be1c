"""What a backtest decides from its data before it starts.

From what the sources are known to hold (`Source.contents`), a run adapts the node config
(how positions are marked, how often the risk engine evaluates), tells which records were
checked before the run (the data engine need not check them one by one), chooses which
instruments the equity sampler follows, and which catalog series a catalog slice reads.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from shrivenquant.model.data import Bar, BarType, QuoteTick, TradeTick
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.model.instruments import Instrument
from shrivenquant.persistence.catalog import DataKind, ParquetDataCatalog, SeriesKey
from shrivenquant.portfolio import MarkPriceType
from shrivenquant.runtime.backtest.data import Source
from shrivenquant.runtime.config import NodeConfig


def adapt_config(
    config: NodeConfig, sources: Sequence[Source], instruments: Sequence[Instrument]
) -> NodeConfig:
    """The node config of the run: with every instrument definition, no venues (the engine
    builds them) and adjusted to the data.

    When the data has no quotes, positions are marked at the last trade (or bar close) rather
    than the mid. When it holds only bars, the risk engine's evaluation interval is raised to
    the bar step: nothing it looks at changes between two bars.
    """
    config = dataclasses.replace(config, instruments=tuple(instruments), venues=())
    kinds = [s.kinds for s in sources]
    if None in kinds:
        return config
    present: frozenset[type] = frozenset().union(*(k for k in kinds if k is not None))
    portfolio = config.portfolio
    if portfolio.mark_price_type is MarkPriceType.MID and QuoteTick not in present:
        mark = MarkPriceType.LAST_TRADE if TradeTick in present else MarkPriceType.BAR_CLOSE
        config = dataclasses.replace(
            config, portfolio=dataclasses.replace(portfolio, mark_price_type=mark)
        )
    bar_step = shortest_bar(sources) if present == {Bar} else None
    risk = config.risk
    if bar_step is not None and risk.evaluation_interval_ns < bar_step:
        config = dataclasses.replace(
            config, risk=dataclasses.replace(risk, evaluation_interval_ns=bar_step)
        )
    return config


def checked_routes(sources: Sequence[Source]) -> frozenset[Any]:
    """The route keys (a `BarType`, else ``(record type, instrument id)``) whose records all
    come from sources checked on their columns (`Source.checked`): the replay hands those to
    the data engine's trusted entry point, every other record to its checking one.

    A key any unchecked source may hold is left out; so is every key when an unchecked
    source does not say what it holds.
    """
    trusted: set[Any] = set()
    doubtful: set[Any] = set()
    doubtful_bars: set[InstrumentId] = set()  # bars of unknown types from unchecked sources
    for source in sources:
        if source.contents is None:
            if not source.checked:
                return frozenset()
            continue
        keys = doubtful if not source.checked else trusted
        for instrument_id, kinds in source.contents.items():
            for kind in kinds:
                if kind is not Bar:
                    keys.add((kind, instrument_id))
                elif source.bar_types is None:
                    if not source.checked:
                        doubtful_bars.add(instrument_id)
                else:
                    keys.update(b for b in source.bar_types if b.instrument_id == instrument_id)
    return frozenset(
        key
        for key in trusted - doubtful
        if not (isinstance(key, BarType) and key.instrument_id in doubtful_bars)
    )


def traded_instruments(
    sources: Sequence[Source], instruments: Mapping[InstrumentId, Instrument]
) -> set[InstrumentId]:
    """The instruments the data holds (every defined one when a source is not described)."""
    traded: set[InstrumentId] = set()
    for source in sources:
        if source.instrument_ids is None:
            return set(instruments)
        traded |= source.instrument_ids
    return traded


def time_span(sources: Sequence[Source]) -> tuple[int | None, int | None]:
    """The first and last ``ts_init`` over the sources; None where a source does not know."""
    firsts = [s.first_ts for s in sources]
    lasts = [s.last_ts for s in sources]
    first = None if not firsts or None in firsts else min(t for t in firsts if t is not None)
    last = None if not lasts or None in lasts else max(t for t in lasts if t is not None)
    return first, last


def shortest_bar(sources: Sequence[Source]) -> int | None:
    """The shortest time-bar length in the sources (None if a bar type has no fixed length)."""
    lengths = []
    for source in sources:
        for bar_type in source.bar_types or ():
            try:
                lengths.append(bar_type.spec.timedelta_ns())
            except ValueError:
                return None
    return min(lengths) if lengths else None


def selected_series(
    catalog: ParquetDataCatalog,
    kinds: Sequence[DataKind | str] | None,
    instrument_ids: Sequence[InstrumentId] | None,
    bar_types: Sequence[BarType] | None,
) -> list[SeriesKey]:
    """The catalog series a stream with these filters reads (as `ParquetDataCatalog.stream`)."""
    wanted_kinds = None if kinds is None else {kind_of(k) for k in kinds}
    wanted_ids = None if instrument_ids is None else {i.value for i in instrument_ids}
    wanted_bars = None if bar_types is None else {str(b) for b in bar_types}
    selected = []
    for key in catalog.series():
        if key.kind is DataKind.INSTRUMENT:
            continue
        if wanted_kinds is not None and key.kind not in wanted_kinds:
            continue
        if wanted_ids is not None and key.instrument not in wanted_ids:
            continue
        if key.kind is DataKind.BAR and wanted_bars is not None and key.bar_type not in wanted_bars:
            continue
        selected.append(key)
    return selected


def kind_of(kind: DataKind | str) -> DataKind:
    """A `DataKind` from itself or its name (``"bar"``, ``"trade_tick"``)."""
    return kind if isinstance(kind, DataKind) else DataKind.from_str(kind)
