"""`BacktestEngine`: one backtest run, assembled in code.

```python
engine = BacktestEngine(NodeConfig(risk=RiskConfig(check_balance=True)))
engine.add_venue(SimulatedVenueConfig(venue="BINANCE", starting_balances=("100000 USDT",)))
engine.add_instrument(btcusdt)
engine.add_data(bars)                      # model records, catalog arrays, a LoadResult...
engine.add_strategy(SMACross(config))
result = engine.run()                      # BacktestResult: frames, equity, report, files
```

The engine builds a `Kernel` on a `TestClock` (the composition root wires data engine, risk
engine, OMS and portfolio), one `SimulatedVenue` with a `SimExecutionClient` per venue, and
replays the merged data through them (`ReplayLoop`). A run is deterministic: message ids are
drawn from a generator seeded by ``backtest.id_seed``, so the same inputs give the same events,
bit for bit. An engine runs once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from typing import Any

from shrivenquant.core.clock import TestClock
from shrivenquant.core.errors import InvalidInputError
from shrivenquant.core.lifecycle import ComponentState
from shrivenquant.model.currency import Currency
from shrivenquant.model.data import BarType
from shrivenquant.model.events import ComponentStateChanged
from shrivenquant.model.identifiers import AccountId, InstrumentId
from shrivenquant.model.instruments import Instrument
from shrivenquant.model.values import Money
from shrivenquant.persistence.catalog import DataKind, ParquetDataCatalog, TimeLike
from shrivenquant.runtime.backtest.config import BarExecution
from shrivenquant.runtime.backtest.data import (
    DataSource,
    Source,
    catalog_source,
    make_source,
    merge,
)
from shrivenquant.runtime.backtest.equity import EquitySampler, choose_interval
from shrivenquant.runtime.backtest.errors import StrategyError
from shrivenquant.runtime.backtest.event_log import EventLog
from shrivenquant.runtime.backtest.loop import ReplayLoop
from shrivenquant.runtime.backtest.plan import (
    adapt_config,
    checked_routes,
    kind_of,
    selected_series,
    time_span,
    traded_instruments,
)
from shrivenquant.runtime.backtest.progress import RunProgress, wants_progress
from shrivenquant.runtime.backtest.results import BacktestResult, build_result
from shrivenquant.runtime.backtest.venues import SimVenues
from shrivenquant.runtime.config import NodeConfig
from shrivenquant.runtime.ids import seeded_ids
from shrivenquant.runtime.kernel import Kernel
from shrivenquant.sim import LatencyModel, SimExecutionClient, SimulatedVenue, SimulatedVenueConfig
from shrivenquant.strategy import Actor, HookError, Strategy

_ONE_NS = LatencyModel.fixed(1)


@dataclasses.dataclass(frozen=True, slots=True)
class _VenueSpec:
    config: SimulatedVenueConfig
    account_id: AccountId | None
    starting_balances: tuple[Money, ...] | None


class BacktestEngine:
    """One backtest (see the module docstring).

    Args:
        config: the node settings; its venues, instruments and ``[backtest]`` section are
            used, its strategies are not (add strategy objects with `add_strategy`).
    """

    def __init__(self, config: NodeConfig | None = None) -> None:
        self.config = config or NodeConfig()
        self._venue_specs: list[_VenueSpec] = [
            _VenueSpec(venue, None, None) for venue in self.config.venues
        ]
        self._instruments: dict[InstrumentId, Instrument] = {
            i.id: i for i in self.config.instruments
        }
        self._sources: list[Source] = []
        self._actors: list[Actor] = []
        self._catalog: ParquetDataCatalog | None = None
        self._kernel: Kernel | None = None
        self._venues = SimVenues()
        self._failed: list[Actor] = []

    # -- building ------------------------------------------------------------------------------

    def add_venue(
        self,
        config: SimulatedVenueConfig,
        *,
        account_id: AccountId | None = None,
        starting_balances: Sequence[Money] | None = None,
    ) -> None:
        """Add a simulated venue and the account the run trades there (default
        ``<VENUE>-001`` with the config's starting balances).

        Raises:
            InvalidInputError: the venue was added already.
        """
        self._require_not_run()
        if any(spec.config.venue == config.venue for spec in self._venue_specs):
            raise InvalidInputError(f"venue {config.venue} added twice")
        balances = None if starting_balances is None else tuple(starting_balances)
        self._venue_specs.append(_VenueSpec(config, account_id, balances))

    def add_instrument(self, instrument: Instrument) -> None:
        """Add (or replace) an instrument definition; it is listed at its simulated venue."""
        self._require_not_run()
        self._instruments[instrument.id] = instrument

    def add_data(self, data: DataSource, name: str | None = None) -> None:
        """Add records to replay: model records, catalog arrays (`BarArrays`...), a loader's
        `LoadResult` or a catalog stream; ``name`` appears in errors about it.

        Raises:
            InvalidInputError: the data is of a kind a backtest cannot replay.
        """
        self._require_not_run()
        backtest = self.config.backtest
        label = name or f"data[{len(self._sources)}]"
        source = make_source(data, start=backtest.start, end=backtest.end, name=label)
        self._sources.append(source)

    def add_catalog(
        self,
        catalog: ParquetDataCatalog,
        *,
        kinds: Sequence[DataKind | str] | None = None,
        instrument_ids: Sequence[InstrumentId] | None = None,
        bar_types: Sequence[BarType] | None = None,
    ) -> None:
        """Replay a slice of a catalog (within the config's start and end), and take the
        catalog's definitions of the instruments not added otherwise."""
        self._require_not_run()
        self._catalog = catalog
        for instrument in catalog.instruments(instrument_ids):
            self._instruments.setdefault(instrument.id, instrument)
        backtest = self.config.backtest
        start: TimeLike | None = backtest.start
        end: TimeLike | None = backtest.end
        # Definitions were taken above; the stream carries market data only.
        chosen = list(DataKind) if kinds is None else [kind_of(k) for k in kinds]
        wanted = [k for k in chosen if k is not DataKind.INSTRUMENT]
        stream = catalog.stream(wanted, instrument_ids, bar_types, start, end)
        keys = selected_series(catalog, wanted, instrument_ids, bar_types)
        self._sources.append(catalog_source(stream, keys, start=backtest.start, end=backtest.end))

    def add_strategy(self, strategy: Strategy) -> None:
        """Add a strategy (a fresh object: the run registers it with its kernel)."""
        self.add_actor(strategy)

    def add_actor(self, actor: Actor) -> None:
        """Add an actor or strategy."""
        self._require_not_run()
        if not isinstance(actor, Actor):
            raise InvalidInputError(f"add_strategy: expected a Strategy, got {actor!r}")
        self._actors.append(actor)

    # -- after a run ---------------------------------------------------------------------------

    @property
    def kernel(self) -> Kernel:
        """The kernel of the run.

        Raises:
            RuntimeError: before `run`.
        """
        if self._kernel is None:
            raise RuntimeError("the kernel is built by run()")
        return self._kernel

    @property
    def venues(self) -> SimVenues:
        """The simulated venues of the run (filled by `run`)."""
        return self._venues

    # -- running -------------------------------------------------------------------------------

    def run(self) -> BacktestResult:
        """Replay the data through a fresh kernel and return what it produced.

        Raises:
            InvalidInputError: nothing to replay, no venue, or data of an instrument without
                a definition.
            StrategyError: a strategy raised in a hook and faulted; the run stopped there
                (``error.result`` holds what it produced so far).
            RuntimeError: the engine has run already.
        """
        self._require_not_run()
        if not self._sources:
            raise InvalidInputError("nothing to replay: add data with add_data or add_catalog")
        if not self._venue_specs:
            raise InvalidInputError("no venue: add one with add_venue (or [venues] in the config)")
        self._check_definitions()
        self._check_journal()
        backtest = self.config.backtest
        records = merge(self._sources)
        first_ts, last_ts = time_span(self._sources)
        if first_ts is None:
            records, first_ts = _peek(records)
        clock = TestClock(backtest.start if backtest.start is not None else first_ts or 0)
        with seeded_ids(backtest.id_seed):
            kernel = self._build(clock)
            try:
                result = self._run(kernel, clock, records, first_ts, last_ts)
            finally:
                kernel.dispose()
        failed = self._first_hook_error()
        if failed is not None:
            raise StrategyError(failed, result)
        return result

    # -- internals -----------------------------------------------------------------------------

    def _run(
        self,
        kernel: Kernel,
        clock: TestClock,
        records: Iterator[Any],
        first_ts: int | None,
        last_ts: int | None,
    ) -> BacktestResult:
        backtest = self.config.backtest
        log = EventLog(kernel.bus) if backtest.record_events else None
        kernel.start()
        sampler = EquitySampler(
            kernel.portfolio,
            self._venues.account_ids(),
            self._report_currency(),
            sorted(traded_instruments(self._sources, self._instruments), key=lambda i: i.value),
            choose_interval(backtest.equity_interval_ns, first_ts, last_ts),
        )
        loop = ReplayLoop(
            clock=clock,
            data_engine=kernel.data_engine,
            checked=checked_routes(self._sources),
            venues=self._venues,
            sampler=sampler,
            next_open=backtest.bar_execution is BarExecution.NEXT_OPEN,
            on_instrument=self._venues.list_instrument,
        )
        kernel.on_failure(lambda event: self._on_failure(event, loop))
        count = sum(s.count or 0 for s in self._sources) if last_ts is not None else None
        if wants_progress(backtest.progress, count):
            with RunProgress(first_ts, last_ts) as progress:
                stats = loop.run(records, end_ns=backtest.end, progress=progress)
        else:
            stats = loop.run(records, end_ns=backtest.end)
        kernel.stop()
        if log is not None:
            log.close()
        return build_result(kernel, self._venues.account_ids(), stats, sampler, log)

    def _build(self, clock: TestClock) -> Kernel:
        config = adapt_config(self.config, self._sources, tuple(self._instruments.values()))
        kernel = Kernel(config, clock, catalog=self._catalog)
        self._kernel = kernel
        next_open = config.backtest.bar_execution is BarExecution.NEXT_OPEN
        for spec in self._venue_specs:
            venue_config = spec.config
            if next_open and venue_config.latency_model.is_zero:
                venue_config = dataclasses.replace(venue_config, latency_model=_ONE_NS)
            venue = SimulatedVenue(venue_config, clock)
            client = SimExecutionClient(
                kernel.trader_id,
                kernel.bus,
                clock,
                sim_venue=venue,
                account_id=spec.account_id,
                starting_balances=spec.starting_balances,
            )
            kernel.add_execution_client(client)
            self._venues.add(venue, client)
        for instrument in self._instruments.values():
            kernel.add_instrument(instrument)
            self._venues.list_instrument(instrument)
        for actor in self._actors:
            kernel.add_actor(actor)
        return kernel

    def _check_journal(self) -> None:
        journal = self.config.journal
        if journal is not None and journal.path.exists() and any(journal.path.iterdir()):
            raise InvalidInputError(
                f"journal: {journal.path} is not empty; a backtest starts from nothing, so give "
                f"it a new directory"
            )

    def _check_definitions(self) -> None:
        for source in self._sources:
            for instrument_id in source.instrument_ids or ():
                if instrument_id not in self._instruments:
                    raise InvalidInputError(
                        f"no definition of {instrument_id}: add it with add_instrument "
                        f"(or [instruments] in the config)"
                    )

    def _report_currency(self) -> Currency:
        configured = self.config.backtest.report_currency
        if configured is not None:
            return configured
        first = self._venue_specs[0].config
        if first.base_currency is not None:
            return first.base_currency
        for instrument in self._instruments.values():
            if instrument.id.venue == first.venue:
                return instrument.settlement_currency
        return first.starting_balances[0].currency

    def _on_failure(self, event: ComponentStateChanged, loop: ReplayLoop) -> None:
        if event.state != ComponentState.FAULTED.value:
            return
        for actor in self._actors:
            if actor.id == event.component_id:
                self._failed.append(actor)
                loop.stop()

    def _first_hook_error(self) -> HookError | None:
        for actor in self._failed:
            if actor.last_hook_error is not None:
                return actor.last_hook_error
        return None

    def _require_not_run(self) -> None:
        if self._kernel is not None:
            raise RuntimeError("a BacktestEngine runs once; build a new one for another run")


def _peek(records: Iterator[Any]) -> tuple[Iterator[Any], int | None]:
    first = next(records, None)
    if first is None:
        return iter(()), None

    def chained() -> Iterator[Any]:
        yield first
        yield from records

    return chained(), first.ts_init
