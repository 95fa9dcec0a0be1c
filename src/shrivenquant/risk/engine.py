"""The `RiskEngine`: every command a strategy sends passes here before the OMS sees it.

Strategies send trading commands to ``RISK_ENGINE_EXECUTE``. New orders and modifies are
checked (`shrivenquant.risk.checks`) and throttled; what passes goes on to the execution
engine's ``EXEC_ENGINE_EXECUTE``. A refused order becomes an `OrderDenied` with a coded reason
(``"MAX_POSITION_QTY: ..."``, see `shrivenquant.risk.reasons`), sent to ``EXEC_ENGINE_PROCESS``
so the OMS journals and publishes it like any order event; a refused modify becomes an
`OrderModifyRejected`; both are counted per code (`shrivenquant.risk.denials`). Cancels always
pass, whatever the trading state.

Risk commands (`SetTradingState`, `UpdateRiskLimits`, `ActivateKillSwitch`) arrive at the same
endpoint and are journaled in the engine's own journal (`RiskControl`); market data, order
events and account states feed the breakers and drawdown controls (`RiskMonitor`), with
clock alerts only where time alone matters (`shrivenquant.risk.schedule`).

Start the risk engine after the execution engine and the portfolio: it seeds its ledger from
the cache the OMS rebuilt, and reads PnL from the portfolio.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from shrivenquant.bus import topics
from shrivenquant.bus.component import Component
from shrivenquant.bus.message_bus import MessageBus
from shrivenquant.cache import Cache
from shrivenquant.core.clock import Clock
from shrivenquant.core.errors import InvalidInputError
from shrivenquant.core.lifecycle import ComponentState
from shrivenquant.core.uuid import UUID4
from shrivenquant.execution.journal import MessageJournal
from shrivenquant.model.accounts import Account
from shrivenquant.model.commands import (
    CancelAllOrders,
    CancelOrder,
    ModifyOrder,
    QueryOrder,
    SubmitOrder,
    SubmitOrderList,
)
from shrivenquant.model.commands_risk import (
    RISK_COMMAND_TYPES,
    ActivateKillSwitch,
    SetTradingState,
    UpdateRiskLimits,
)
from shrivenquant.model.currency import Currency
from shrivenquant.model.enums import InstrumentClass, TradingState
from shrivenquant.model.events import OrderInitialized, RiskScope
from shrivenquant.model.identifiers import AccountId, InstrumentId, StrategyId, TraderId, Venue
from shrivenquant.model.instruments import Instrument
from shrivenquant.model.messages import Message
from shrivenquant.risk.checks import PreTradeChecks
from shrivenquant.risk.config import RiskConfig
from shrivenquant.risk.control import RiskControl
from shrivenquant.risk.counters import RiskCounters
from shrivenquant.risk.denials import Refusals
from shrivenquant.risk.drawdown import DrawdownMonitor
from shrivenquant.risk.kill_switch import KillSwitch
from shrivenquant.risk.ledger import RiskLedger
from shrivenquant.risk.limit_book import LimitBook
from shrivenquant.risk.limits import RiskLimits
from shrivenquant.risk.margin import (
    CashMarginModel,
    LeveragedMarginModel,
    MarginModel,
    MarginModels,
    OptionsMarginModel,
    ScenarioMarginModel,
)
from shrivenquant.risk.market import MarketPrices
from shrivenquant.risk.monitor import RiskMonitor
from shrivenquant.risk.orders import OrderGate
from shrivenquant.risk.reasons import Denial, RiskReason
from shrivenquant.risk.sources import PortfolioSource, RiskPortfolio, no_rate
from shrivenquant.risk.states import StateEntry, TradingStates

RISK_ENGINE_ID: Final = "RiskEngine"
_RISK_COMMANDS: Final = frozenset(RISK_COMMAND_TYPES)
_TRADING: Final = frozenset(
    {SubmitOrder, SubmitOrderList, ModifyOrder, CancelOrder, CancelAllOrders}
)


class RiskEngine(Component):
    """Pre-trade checks, throttles, trading states, breakers, drawdown controls, kill switch.

    Args:
        trader_id: the trader.
        bus: the kernel's bus.
        clock: the kernel's clock.
        cache: the kernel's cache (instruments, orders, positions, accounts).
        config: the risk settings.
        portfolio: PnL, equity and exchange rates (drawdown controls and limits in another
            currency need it).
        journal: where risk commands and automatic state changes are appended (its own
            journal, not the execution engine's); None runs without persistence.
        scenario_margin: the scenario margin model for short options; None builds a
            `SpanMarginModel` from ``config.span_margin`` when that is set. Without either,
            orders adding short option exposure are refused.
        margin_overrides: a margin model per instrument class, replacing the default choice.
    """

    def __init__(
        self,
        trader_id: TraderId,
        bus: MessageBus,
        clock: Clock,
        cache: Cache,
        config: RiskConfig | None = None,
        *,
        portfolio: RiskPortfolio | None = None,
        journal: MessageJournal | None = None,
        scenario_margin: ScenarioMarginModel | None = None,
        margin_overrides: Mapping[InstrumentClass, MarginModel] | None = None,
    ) -> None:
        super().__init__(RISK_ENGINE_ID, trader_id, bus, clock)
        self.cache = cache
        self.config = config or RiskConfig()
        self.journal = journal
        self.counters = RiskCounters(bus.metrics)
        self.refusals = Refusals(bus, clock, self.counters, self.log)
        self.states = TradingStates()
        self.book = LimitBook(self.config)
        self.ledger = RiskLedger()
        self.prices = MarketPrices(self.config.reference_price)
        source = None if portfolio is None else PortfolioSource(portfolio)
        if scenario_margin is None and self.config.span_margin is not None:
            # Imported here: the model needs the options engine (numba), loaded only when used.
            from shrivenquant.risk.span_margin import SpanMarginModel  # noqa: PLC0415

            scenario_margin = SpanMarginModel(cache, clock, self.config.span_margin)
        cash = CashMarginModel()
        self.margins = MarginModels(
            cash,
            LeveragedMarginModel(self.config.leverage_tiers),
            OptionsMarginModel(scenario_margin, self._positions_on, cash),
            margin_overrides,
        )
        self.checks = PreTradeChecks(
            config=self.config,
            cache=cache,
            ledger=self.ledger,
            prices=self.prices,
            book=self.book,
            states=self.states,
            margins=self.margins,
            rates=no_rate if source is None else source.rate,
        )
        self.drawdown = DrawdownMonitor(
            self.config.drawdown, self.config.timezone_of, source, self._base_currency
        )
        self.kill_switch = KillSwitch(trader_id, bus, clock, cache, self._record_flatten_order)
        self.control = RiskControl(self)
        self.monitor = RiskMonitor(self, source)
        self.gate = OrderGate(self)
        self._journal_ok = True

    # -- lifecycle ---------------------------------------------------------------------------

    def _on_start(self) -> None:
        self.config.check_instruments(self.cache.instrument_ids(), loaded_venues_only=True)
        replayed = self.control.replay()
        self.checks.invalidate()
        self.prices.seed(self.cache)
        self.ledger.seed(self.cache)
        self.bus.register(topics.RISK_ENGINE_EXECUTE, self.execute)
        self.monitor.start()
        self.log.info(
            "risk engine started",
            journal_records=replayed,
            open_orders=self.ledger.open_total,
            halted_scopes=len(self.states.entries()),
            bypass=self.config.bypass,
        )

    def _on_stop(self) -> None:
        self.bus.deregister(topics.RISK_ENGINE_EXECUTE)
        self.monitor.stop()
        self.gate.stop()

    def _on_reset(self) -> None:
        self.states.clear()
        self.book = LimitBook(self.config)
        self.checks.rebind(self.book)
        self.ledger.clear()
        self.prices.clear()
        self.monitor.reset()

    # -- the endpoint ------------------------------------------------------------------------

    def execute(self, message: Message) -> None:
        """Handle a command from a strategy or an operator (the ``RISK_ENGINE_EXECUTE``
        endpoint)."""
        kind = type(message)
        if kind in _TRADING:
            if self.config.bypass:
                self.bus.send(topics.EXEC_ENGINE_EXECUTE, message)
            else:
                self.gate.handle(message)  # type: ignore[arg-type]
        elif kind in _RISK_COMMANDS:
            self.control.handle(message)  # type: ignore[arg-type]
        elif kind is QueryOrder:
            self.bus.send(topics.EXEC_ENGINE_EXECUTE, message)
        else:
            self.log.error(
                "unexpected message at endpoint",
                endpoint=topics.RISK_ENGINE_EXECUTE,
                msg_type=kind.__name__,
            )

    # -- operator API ------------------------------------------------------------------------

    def set_trading_state(
        self, state: TradingState, scope: RiskScope | None = None, reason: str = ""
    ) -> bool:
        """Set the trading state of ``scope`` (default: everything) through a journaled
        `SetTradingState`; False if it was refused."""
        now = self.clock.timestamp_ns()
        command = SetTradingState(
            trader_id=self.trader_id,
            scope=scope or RiskScope(),
            state=state,
            reason=reason,
            command_id=UUID4(),
            ts_event=now,
            ts_init=now,
        )
        return self.control.handle(command)

    def update_limits(
        self,
        values: Mapping[str, object],
        scope: RiskScope | None = None,
        clear: tuple[str, ...] = (),
        reason: str = "",
    ) -> RiskLimits:
        """Change limits at runtime through a journaled `UpdateRiskLimits`.

        Returns:
            The scope's limits after the change.

        Raises:
            InvalidInputError: an unknown limit or invalid value (nothing changes); the
                message names the field.
        """
        scope = scope or RiskScope()
        text = {name: _as_text(value) for name, value in values.items()}
        self.book.changed(scope, text, clear)  # raises before anything is journaled
        now = self.clock.timestamp_ns()
        command = UpdateRiskLimits(
            trader_id=self.trader_id,
            scope=scope,
            values=text,
            clear=clear,
            reason=reason,
            command_id=UUID4(),
            ts_event=now,
            ts_init=now,
        )
        if not self.control.handle(command):
            raise InvalidInputError(f"limits of {scope} not changed: the journal is unavailable")
        return self.book.get(scope)

    def activate_kill_switch(
        self, flatten: bool = False, reason: str = "", venue: Venue | None = None
    ) -> bool:
        """Cancel every open order, optionally flatten, and HALT (everything or one venue)."""
        now = self.clock.timestamp_ns()
        command = ActivateKillSwitch(
            trader_id=self.trader_id,
            scope=RiskScope(venue=venue),
            flatten=flatten,
            reason=reason,
            command_id=UUID4(),
            ts_event=now,
            ts_init=now,
        )
        return self.control.handle(command)

    def record_venue_error(self, venue: Venue, kind: str) -> None:
        """Count a venue error (``reject``, ``disconnect``, ``timeout``) for the breaker."""
        self.monitor.record_venue_error(venue.value, kind, self.clock.timestamp_ns())

    def evaluate(self) -> None:
        """Run the evaluation now: drawdown, maintenance margin, order timeouts (it also runs
        on market data, fills and account states; see `shrivenquant.risk.schedule`)."""
        self.monitor.evaluate(self.clock.timestamp_ns())

    # -- queries -----------------------------------------------------------------------------

    def trading_state(self, scope: RiskScope | None = None) -> TradingState:
        """The state set on ``scope`` itself (default: everything)."""
        return self.states.get(scope or RiskScope())

    def effective_state(
        self, instrument_id: InstrumentId, strategy_id: StrategyId
    ) -> StateEntry | None:
        """The most restrictive state over an order's scopes (None: ACTIVE)."""
        return self.states.effective(instrument_id, strategy_id)

    def limits(self, scope: RiskScope | None = None) -> RiskLimits:
        """The limits of ``scope`` (default: everything)."""
        return self.book.get(scope or RiskScope())

    def check(self, init: OrderInitialized) -> Denial | None:
        """Run the pre-trade checks on an order without sending or recording anything."""
        return self.checks.check(
            init.instrument_id,
            init.strategy_id,
            init.order_side,
            init.quantity,
            init.price,
            init.trigger_price,
            init.reduce_only,
            self.clock.timestamp_ns(),
        )

    @property
    def denial_counts(self) -> dict[RiskReason, int]:
        """Denials so far, per reason code."""
        return dict(self.counters.denials)

    # -- helpers for the parts ---------------------------------------------------------------

    def deny(self, init: OrderInitialized, denial: Denial) -> None:
        """Refuse an order with a coded reason (`shrivenquant.risk.denials`)."""
        self.refusals.deny(init, denial)

    def drop_queued_orders(self, reason: str) -> None:
        """Deny every submit waiting in the throttle queue (the kill switch fired)."""
        self.gate.drop_queued(reason)

    def journal_failed(self, reason: str) -> None:
        """The journal refused a record: degrade (once)."""
        if self._journal_ok and self.state is ComponentState.RUNNING:
            self.degrade(f"risk journal failed: {reason}")
        self._journal_ok = False

    def _record_flatten_order(self, init: OrderInitialized) -> None:
        self.ledger.add_init(init)

    def _positions_on(self, account: Account, instrument: Instrument) -> dict[InstrumentId, int]:
        return self.monitor.positions_on(instrument)

    def _base_currency(self, account_id: AccountId) -> Currency | None:
        account = self.cache.account(account_id)
        return account.base_currency if isinstance(account, Account) else None


def _as_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        raise InvalidInputError(f"limit value {value!r}: give a str, int or Decimal, not a float")
    return str(value)
