"""The `ExecutionEngine`: the order management system, and the only place order state changes.

Commands that passed risk arrive at ``EXEC_ENGINE_EXECUTE``; events from execution clients at
``EXEC_ENGINE_PROCESS``. Every message is appended to the journal before the engine acts on it,
so replaying the journal rebuilds exactly the state the engine had (see
``docs/concepts/persistence-and-recovery.md``). Applying an event: look the order up, apply the
event to it (the order's state machine refuses invalid transitions), re-index it in the cache,
publish it on the strategy's order topic, book fills into positions, then let the emulator and
the contingency manager react.
"""

from __future__ import annotations

from shrivenquant.bus import topics
from shrivenquant.bus.component import Component
from shrivenquant.bus.message_bus import MessageBus
from shrivenquant.cache import Cache
from shrivenquant.core.clock import Clock
from shrivenquant.core.errors import InvalidStateTransition
from shrivenquant.core.lifecycle import ComponentState
from shrivenquant.execution.client import ExecutionClient
from shrivenquant.execution.command_handler import CommandHandler
from shrivenquant.execution.config import ExecEngineConfig
from shrivenquant.execution.contingencies import ContingencyManager
from shrivenquant.execution.counters import Anomaly, EngineCounters
from shrivenquant.execution.emulator import OrderEmulator
from shrivenquant.execution.event_factory import OrderEventFactory
from shrivenquant.execution.journal import MessageJournal
from shrivenquant.execution.order_changes import OrderChanges
from shrivenquant.execution.positions import PositionKeeper
from shrivenquant.execution.reconciliation import Reconciler, ReconciliationResult
from shrivenquant.execution.recovery import replay_journal
from shrivenquant.execution.routing import ClientRouter
from shrivenquant.model.commands import COMMAND_TYPES, TradingCommand
from shrivenquant.model.enums import OmsType
from shrivenquant.model.events import (
    AccountState,
    OrderDenied,
    OrderEvent,
    OrderFilled,
    OrderInitialized,
)
from shrivenquant.model.events.order import ORDER_EVENT_TYPES
from shrivenquant.model.identifiers import AccountId, ClientId, StrategyId, TraderId
from shrivenquant.model.messages import Message
from shrivenquant.model.orders import Order
from shrivenquant.model.reports import FillReport, OrderStatusReport

_COMMANDS = frozenset(COMMAND_TYPES)
_ORDER_EVENTS = frozenset(ORDER_EVENT_TYPES)


class ExecutionEngine(Component):
    """Routes trading commands to execution clients and applies their events to orders.

    Args:
        trader_id: the trader the kernel runs for.
        bus: the kernel's message bus.
        clock: the kernel's clock.
        cache: the kernel's cache (the engine writes orders and positions into it).
        config: engine settings.
        journal: where every command and event is appended before it is acted on; None runs
            without persistence (backtests).

    Register clients with `register_client` before `start`; `start` replays the journal;
    then ``await reconcile()`` brings the state in line with the venues and resumes what the
    restart interrupted.
    """

    def __init__(
        self,
        trader_id: TraderId,
        bus: MessageBus,
        clock: Clock,
        cache: Cache,
        config: ExecEngineConfig | None = None,
        *,
        journal: MessageJournal | None = None,
    ) -> None:
        super().__init__("ExecEngine", trader_id, bus, clock)
        self.cache = cache
        self.config = config or ExecEngineConfig()
        self.journal = journal
        self.router = ClientRouter()
        self.events = OrderEventFactory(clock)
        self.counters = EngineCounters(bus.metrics)
        self.positions = PositionKeeper(cache, clock)
        self.commands = CommandHandler(self)
        self.changes = OrderChanges(self)
        self.emulator = OrderEmulator(self)
        self.contingencies = ContingencyManager(self)
        self.reconciler = Reconciler(self)
        self._replaying = False
        self._journal_ok = True
        self._order_topics: dict[StrategyId, str] = {}
        self._last_strategy_id: StrategyId | None = None
        self._last_order_topic = ""
        self._position_topics: dict[StrategyId, str] = {}
        self._account_topics: dict[AccountId, str] = {}

    # -- clients -----------------------------------------------------------------------------

    def register_client(self, client: ExecutionClient, default: bool = False) -> None:
        """Add an execution client; with ``default`` it also takes commands no client serves.

        Raises:
            ValueError: a client with the same id is already registered.
        """
        self.router.register(client, default)
        self.log.info("execution client registered", client_id=str(client.client_id))

    def deregister_client(self, client_id: ClientId) -> None:
        """Remove an execution client (``KeyError`` if unknown)."""
        self.router.deregister(client_id)

    def oms_type_for(self, order: Order) -> OmsType:
        """How positions are kept for ``order``: the config's choice, else its client's."""
        if self.config.oms_type is not None:
            return self.config.oms_type
        client = self.router.route(
            order.instrument_id, self.cache.client_id_for_order(order.client_order_id)
        )
        return OmsType.NETTING if client is None else client.oms_type

    # -- lifecycle ---------------------------------------------------------------------------

    def _on_start(self) -> None:
        if self.config.replay_on_start and self.journal is not None:
            self.rebuild_from_journal()
        self.emulator.start()
        self.bus.register(topics.EXEC_ENGINE_EXECUTE, self.execute)
        self.bus.register(topics.EXEC_ENGINE_PROCESS, self.process)

    def _on_stop(self) -> None:
        self.bus.deregister(topics.EXEC_ENGINE_EXECUTE)
        self.bus.deregister(topics.EXEC_ENGINE_PROCESS)
        self.emulator.stop()

    def rebuild_from_journal(self) -> int:
        """Rebuild orders, positions and account states from the journal; return the number
        of records replayed. Runs in `start` unless ``config.replay_on_start`` is off."""
        if self.journal is None:
            return 0
        self._replaying = True
        try:
            count = replay_journal(self, self.journal)
        finally:
            self._replaying = False
        self.counters.replayed += count
        self.log.info(
            "journal replayed",
            records=count,
            orders=self.cache.orders_total_count(),
            open_orders=self.cache.orders_open_count(),
            open_positions=self.cache.positions_open_count(),
        )
        return count

    async def reconcile(self) -> list[ReconciliationResult]:
        """Reconcile with every client's venue, then resume interrupted work.

        Emits the events for what happened while the engine was down; a position that still
        disagrees with the venue afterwards moves the engine to DEGRADED.
        """
        results = [await self.reconciler.reconcile(client) for client in self.router.clients()]
        self.resume()
        mismatches = [m for r in results for m in r.position_mismatches]
        if mismatches and self.state is ComponentState.RUNNING:
            self.degrade("position mismatch after reconciliation: " + "; ".join(mismatches))
        return results

    def resume(self) -> None:
        """Finish what a restart interrupted: contingencies whose trigger already happened."""
        self.contingencies.resume()

    @property
    def is_replaying(self) -> bool:
        """Whether the engine is replaying its journal (no publishing, no client calls)."""
        return self._replaying

    # -- endpoints ---------------------------------------------------------------------------

    def execute(self, command: TradingCommand) -> None:
        """Handle a trading command (the ``EXEC_ENGINE_EXECUTE`` endpoint)."""
        if type(command) not in _COMMANDS:
            self._unexpected(command, topics.EXEC_ENGINE_EXECUTE)
            return
        self.counters.commands += 1
        command = self.commands.prepare(command)
        if not self.journal_append(command):
            self.commands.refuse(command, "journal unavailable: not accepting new commands")
            return
        self.commands.handle(command)

    def process(self, message: Message) -> None:
        """Handle an event or report from an execution client (``EXEC_ENGINE_PROCESS``)."""
        if type(message) in _ORDER_EVENTS:
            self.journal_append(message)
            self.apply_event(message)  # type: ignore[arg-type]
        elif isinstance(message, AccountState):
            self.journal_append(message)
            self.apply_account_state(message)
        elif isinstance(message, OrderStatusReport | FillReport):
            self.reconciler.reconcile_report(message)
        else:
            self._unexpected(message, topics.EXEC_ENGINE_PROCESS)

    # -- the one place order state changes ---------------------------------------------------

    def emit(self, event: OrderEvent) -> None:
        """Journal and apply an event the engine (or its emulator/reconciler) created."""
        self.journal_append(event)
        self.apply_event(event)

    def apply_event(self, event: OrderEvent) -> Order | None:
        """Apply ``event`` to its order, publish it and react; return the order if applied.

        Unknown orders, duplicate fills and invalid transitions are logged, counted and
        dropped; the order stays as it was.
        """
        self.counters.events += 1
        if isinstance(event, OrderInitialized):
            return self.commands.create_order(event, None, None)
        order = self.cache.order(event.client_order_id)
        if order is None:
            if isinstance(event, OrderDenied):
                # Denied before the engine ever saw the order (e.g. by risk): nothing to apply.
                if not self._replaying:
                    self.publish(event)
                return None
            self._refuse_event(event, Anomaly.UNKNOWN_ORDER, "event for an unknown order")
            return None
        is_fill = isinstance(event, OrderFilled)
        if is_fill and order.has_trade_id(event.trade_id):  # type: ignore[union-attr]
            self._refuse_event(event, Anomaly.DUPLICATE_FILL, "duplicate fill ignored")
            return None
        try:
            order.apply(event)
        except (InvalidStateTransition, ValueError, TypeError) as exc:
            self._refuse_event(event, Anomaly.INVALID_TRANSITION, str(exc))
            return None
        self.cache.update_order(order)
        replaying = self._replaying
        if not replaying:
            self.publish(event)
        if is_fill:
            self._book_fill(order, event, replaying)  # type: ignore[arg-type]
        if not replaying:
            self.emulator.on_order_event(order, event)
            self.contingencies.on_order_event(order, event)
        return order

    def _book_fill(self, order: Order, fill: OrderFilled, replaying: bool) -> None:
        strategy_id = order.strategy_id
        topic = self._position_topics.get(strategy_id)
        if topic is None:
            topic = self._position_topics[strategy_id] = topics.position_events(strategy_id)
        # The position event costs more than the booking: build it only for a listener.
        describe = not replaying and self.bus.has_subscribers(topic)
        oms_type = self.config.oms_type
        position_event = self.positions.apply_fill(
            order, fill, self.oms_type_for if oms_type is None else oms_type, describe=describe
        )
        if position_event is not None:
            self.bus.publish(topic, position_event)

    def apply_account_state(self, state: AccountState) -> None:
        """Store an account state and publish it on the account's topic."""
        self.cache.add_account_state(state)
        if not self._replaying:
            account_id = state.account_id
            topic = self._account_topics.get(account_id)
            if topic is None:
                topic = self._account_topics[account_id] = topics.account_state(account_id)
            self.bus.publish(topic, state)

    def publish(self, event: OrderEvent) -> None:
        """Publish an order event on its strategy's order topic."""
        strategy_id = event.strategy_id
        if strategy_id is self._last_strategy_id:  # events of one order share the id object
            topic = self._last_order_topic
        else:
            found = self._order_topics.get(strategy_id)
            if found is None:
                found = self._order_topics[strategy_id] = topics.order_events(strategy_id)
            topic = self._last_order_topic = found
            self._last_strategy_id = strategy_id
        self.bus.publish(topic, event)

    def journal_append(self, message: Message) -> bool:
        """Append ``message`` to the journal (a no-op while replaying or without a journal).

        Returns:
            False if the journal failed (logged, counted, the engine degraded).
        """
        if self.journal is None or self._replaying:
            return True
        try:
            self.journal.append(message)
        except Exception as exc:
            self.counters.anomaly(Anomaly.JOURNAL_FAILURE)
            self.log.exception("journal append failed", msg_type=type(message).__name__)
            if self._journal_ok and self.state is ComponentState.RUNNING:
                self.degrade(f"journal failed: {type(exc).__name__}: {exc}")
            self._journal_ok = False
            return False
        return True

    def _refuse_event(self, event: OrderEvent, kind: Anomaly, reason: str) -> None:
        self.counters.anomaly(kind)
        log = self.log.debug if self._replaying else self.log.warning
        log(
            reason,
            kind=kind.value,
            event_type=type(event).__name__,
            client_order_id=str(event.client_order_id),
            replaying=self._replaying,
        )

    def _unexpected(self, message: object, endpoint: str) -> None:
        self.counters.anomaly(Anomaly.UNEXPECTED_MESSAGE)
        self.log.error(
            "unexpected message at endpoint", endpoint=endpoint, msg_type=type(message).__name__
        )
