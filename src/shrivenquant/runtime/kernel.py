"""The `Kernel`: the composition root that builds one trader's components from a `NodeConfig`.

The kernel is the only place that constructs engines. It builds, in this order, the message
bus, the cache (with the configured instruments), the event journals (optional), the data
engine, the execution engine (OMS), the portfolio, the risk engine and then whatever the node
adds: execution clients, data clients, strategies and actors. Which clients and which clock it
is given is what makes a node a backtest, paper or live node; the kernel does not know.

Start order: data engine, execution engine (it replays its journal into the cache), portfolio
(it adopts the account states the replay restored), risk engine (it seeds its ledger from the
cache and reads the portfolio), execution clients (their account states reach a running
portfolio), data clients, then strategies and actors. Stop is the reverse; `dispose` stops
what still runs and closes the journals.

Strategies send their commands to the risk engine, which forwards what passes to the
execution engine; ``risk.bypass`` in the config passes everything through unchecked. The risk
engine builds its margin models from ``[risk]`` too: ``[risk.span_margin]`` turns on the
SPAN-style scenario margin that funds short options.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from typing import Final, TextIO, cast

from shrivenquant.bus import topics
from shrivenquant.bus.component import Component
from shrivenquant.bus.message_bus import MessageBus
from shrivenquant.cache import Cache
from shrivenquant.core.clock import Clock
from shrivenquant.core.errors import InvalidInputError
from shrivenquant.core.lifecycle import ComponentState
from shrivenquant.data.client import DataClient
from shrivenquant.data.engine import DataEngine
from shrivenquant.execution import ExecutionClient, ExecutionEngine
from shrivenquant.model.codec import MessageCodec
from shrivenquant.model.events import ComponentStateChanged
from shrivenquant.model.instruments import Instrument
from shrivenquant.model.messages import Message
from shrivenquant.persistence.catalog import ParquetDataCatalog
from shrivenquant.persistence.journal import EventJournal, JournalConfig
from shrivenquant.portfolio import Portfolio
from shrivenquant.risk import RiskEngine
from shrivenquant.runtime.config import NodeConfig
from shrivenquant.strategy import Actor, Strategy
from shrivenquant.telemetry.logging import configure_logging, get_logger

_FAILED: Final = frozenset({ComponentState.FAULTED.value, ComponentState.DEGRADED.value})
_LIVE: Final = frozenset({ComponentState.RUNNING, ComponentState.DEGRADED})

FailureListener = Callable[[ComponentStateChanged], None]


class _CurrentStderr:
    """Standard error as it is when a line is written, not when logging was configured (a
    test runner or a CLI runner swaps ``sys.stderr`` and closes the old one)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()

    def isatty(self) -> bool:
        return sys.stderr.isatty()


class Kernel:
    """One trader's components, wired from a config (see the module docstring).

    Args:
        config: the node's settings.
        clock: the clock every component uses (a `TestClock` in backtests).
        catalog: where the data engine answers historical requests from.

    Raises:
        InvalidInputError: the config cannot be built into a kernel (the message says why).
    """

    def __init__(
        self,
        config: NodeConfig,
        clock: Clock,
        *,
        catalog: ParquetDataCatalog | None = None,
    ) -> None:
        if config.logging is not None:
            stream = cast(TextIO, _CurrentStderr())
            configure_logging(config.logging.level, config.logging.format, stream)
        self.config = config
        self.trader_id = config.trader_id
        self.clock = clock
        self.log = get_logger("Kernel", trader_id=config.trader_id.value)
        self.bus = MessageBus(name=f"MessageBus-{config.trader_id.value}")
        self.cache = Cache()
        for instrument in config.instruments:
            self.cache.add_instrument(instrument)
        self._journals: list[EventJournal[Message]] = []
        exec_journal = self._open_journal("execution")
        risk_journal = self._open_journal("risk")
        trader, bus, cache = self.trader_id, self.bus, self.cache
        self.data_engine = DataEngine(
            trader, bus, clock, cache, config.data_engine, catalog=catalog
        )
        self.exec_engine = ExecutionEngine(
            trader, bus, clock, cache, config.exec_engine, journal=exec_journal
        )
        self.portfolio = Portfolio(trader, bus, clock, cache, config.portfolio)
        self.risk_engine = RiskEngine(
            trader, bus, clock, cache, config.risk, portfolio=self.portfolio, journal=risk_journal
        )
        self._exec_clients: list[ExecutionClient] = []
        self._data_clients: list[DataClient] = []
        self._actors: list[Actor] = []
        self._failures: list[ComponentStateChanged] = []
        self._failure_listeners: list[FailureListener] = []
        self._started = False
        self._disposed = False
        bus.subscribe(topics.component_state(), self._on_component_state)

    # -- building ------------------------------------------------------------------------------

    def add_instrument(self, instrument: Instrument) -> None:
        """Put an instrument definition in the cache (before `start`, so risk knows it)."""
        self.cache.add_instrument(instrument)

    def add_execution_client(self, client: ExecutionClient, default: bool = False) -> None:
        """Register an execution client with the OMS; it starts with the kernel."""
        self._require_not_started("add an execution client")
        self.exec_engine.register_client(client, default)
        self._exec_clients.append(client)

    def add_data_client(self, client: DataClient, default: bool = False) -> None:
        """Register a data client with the data engine; it starts with the kernel."""
        self._require_not_started("add a data client")
        self.data_engine.register_client(client, default)
        self._data_clients.append(client)

    def add_actor(self, actor: Actor) -> None:
        """Register a strategy or actor with the kernel; it starts with the kernel.

        Raises:
            InvalidInputError: another strategy has the same id or order id tag.
        """
        self._require_not_started("add a strategy or actor")
        for other in self._actors:
            if other.id == actor.id:
                raise InvalidInputError(f"two strategies or actors with the id {actor.id}")
            if (
                isinstance(actor, Strategy)
                and isinstance(other, Strategy)
                and actor.config.resolved_tag() == other.config.resolved_tag()
            ):
                raise InvalidInputError(
                    f"strategies {other.id} and {actor.id} share the order id tag "
                    f"{actor.config.resolved_tag()!r}: client order ids would collide"
                )
        actor.register(self.trader_id, self.bus, self.clock, self.cache, self.portfolio)
        self._actors.append(actor)

    def add_strategy(self, strategy: Strategy) -> None:
        """Register a strategy (see `add_actor`)."""
        self.add_actor(strategy)

    def on_failure(self, listener: FailureListener) -> None:
        """Call ``listener`` whenever a component moves to DEGRADED or FAULTED."""
        self._failure_listeners.append(listener)

    # -- views ---------------------------------------------------------------------------------

    @property
    def actors(self) -> tuple[Actor, ...]:
        """Registered strategies and actors, in the order they were added."""
        return tuple(self._actors)

    @property
    def strategies(self) -> tuple[Strategy, ...]:
        """Registered strategies."""
        return tuple(a for a in self._actors if isinstance(a, Strategy))

    @property
    def execution_clients(self) -> tuple[ExecutionClient, ...]:
        """Registered execution clients."""
        return tuple(self._exec_clients)

    @property
    def failures(self) -> tuple[ComponentStateChanged, ...]:
        """Every move of a component to DEGRADED or FAULTED, in order."""
        return tuple(self._failures)

    @property
    def is_running(self) -> bool:
        """Whether `start` ran and `stop` has not."""
        return self._started

    def components(self) -> list[Component]:
        """Every component, in start order."""
        return [
            self.data_engine,
            self.exec_engine,
            self.portfolio,
            self.risk_engine,
            *self._exec_clients,
            *self._data_clients,
            *self._actors,
        ]

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        """Start every component in order (see the module docstring).

        Raises:
            RuntimeError: the kernel already runs or was disposed.
            Exception: a component failed to start (it is FAULTED; the ones started before it
                keep running until `stop`).
        """
        if self._started or self._disposed:
            raise RuntimeError("the kernel is already running" if self._started else "disposed")
        self.log.info(
            "kernel starting",
            config=self.config.describe(),
            execution_clients=[c.client_id.value for c in self._exec_clients],
            actors=[a.id.value for a in self._actors],
        )
        self._started = True
        for component in self.components():
            component.start()
        self.log.info("kernel running", components=len(self.components()))

    def stop(self) -> None:
        """Stop every running component, in reverse start order. A component that fails to
        stop is logged and the others still stop."""
        if not self._started:
            return
        for component in reversed(self.components()):
            if component.state in _LIVE:
                try:
                    component.stop()
                except Exception:
                    self.log.exception("component failed to stop", component=component.id.value)
        self._started = False
        for journal in self._journals:
            journal.flush()
        self.log.info("kernel stopped")

    def dispose(self) -> None:
        """Stop (if running), dispose every component and close the journals."""
        if self._disposed:
            return
        self.stop()
        for component in reversed(self.components()):
            if component.state is not ComponentState.DISPOSED:
                try:
                    component.dispose()
                except Exception:
                    self.log.exception("component failed to dispose", component=component.id.value)
        for journal in self._journals:
            journal.close()
        self._disposed = True

    # -- internals -----------------------------------------------------------------------------

    def _open_journal(self, name: str) -> EventJournal[Message] | None:
        base = self.config.journal
        if base is None:
            return None
        config: JournalConfig = dataclasses.replace(base, path=base.path / name)
        journal: EventJournal[Message] = EventJournal.open(config, MessageCodec())
        self._journals.append(journal)
        return journal

    def _require_not_started(self, what: str) -> None:
        if self._started:
            raise RuntimeError(f"cannot {what} while the kernel runs")
        if self._disposed:
            raise RuntimeError(f"cannot {what}: the kernel was disposed")

    def _on_component_state(self, event: ComponentStateChanged) -> None:
        if event.state not in _FAILED:
            return
        self._failures.append(event)
        for listener in self._failure_listeners:
            listener(event)
