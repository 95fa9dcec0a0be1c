"""The `Actor`: a component driven by user hooks, that talks only to the bus and the clock.

An actor sees the world through its subscriptions (`MarketDataSubscriptions`), its timers, a
read-only `CacheView` (``self.cache``) and a read-only portfolio (``self.portfolio``). It never
calls an engine, so the same class runs unchanged in backtest, paper and live: only the kernel
that registers it differs.

Build it with its config, then the kernel registers it (``register``) and starts it::

    actor = MyActor(ActorConfig(component_id="Monitor"))
    actor.register(trader_id, bus, clock, cache, portfolio)
    actor.start()

Every call into user code is wrapped: an exception in a hook is logged with its traceback and
the ``ts_event`` of the message being handled, counted (``strategy_hook_errors`` metric,
`hook_error_count`, `hook_errors`), and then, per ``config.on_hook_error``, the actor is
FAULTED (the default: it receives nothing more until reset, and the rest of the kernel goes on)
or the error is isolated and the actor keeps going. An exception in ``on_start``/``on_stop``/
``on_reset``/``on_dispose`` always faults it and is raised to the caller.
"""

from __future__ import annotations

import traceback
from collections import deque
from collections.abc import Callable
from typing import Any, Final

from shrivenquant.bus.component import Component
from shrivenquant.bus.message_bus import MessageBus
from shrivenquant.cache import Cache, CacheView
from shrivenquant.core.clock import Clock
from shrivenquant.core.lifecycle import ComponentState
from shrivenquant.core.time import unix_nanos_to_iso8601
from shrivenquant.model.data import BarType
from shrivenquant.model.identifiers import ComponentId, InstrumentId, TraderId
from shrivenquant.strategy.config import ActorConfig, ComponentConfig, HookErrorPolicy
from shrivenquant.strategy.hook_errors import HookError
from shrivenquant.strategy.hooks import ActorHooks
from shrivenquant.strategy.indicators import Indicator
from shrivenquant.strategy.portfolio_view import PortfolioFacade, PortfolioView
from shrivenquant.strategy.subscriptions import MarketDataSubscriptions, Subscription
from shrivenquant.strategy.timers import ActorTimer, ActorTimers

HOOK_ERRORS_KEPT: Final = 100
"""How many `HookError` records an actor keeps (the oldest are dropped first)."""

_ACTIVE: Final = frozenset(
    {
        ComponentState.STARTING,
        ComponentState.RUNNING,
        ComponentState.DEGRADED,
        ComponentState.STOPPING,
    }
)
"""States in which the actor's hooks are called (``on_start`` may already submit orders, and
``on_stop`` may cancel them, so their events must reach it)."""


class Actor(Component, MarketDataSubscriptions, ActorTimers):
    """A component run by user hooks (see the module docstring).

    Args:
        config: the actor's settings (default: `ActorConfig()`).
    """

    def __init__(self, config: ComponentConfig | None = None) -> None:
        if config is None:
            config = ActorConfig()
        if not isinstance(config, ComponentConfig):
            raise TypeError(f"{type(self).__name__}: config must be a config class, got {config!r}")
        self.config = config
        self.id = self._make_component_id()
        self._registered = False
        self._active = False
        self._cache_view: CacheView | None = None
        self._portfolio: PortfolioFacade | None = None
        self._subscriptions: dict[str, Subscription] = {}
        self._bar_indicators: dict[BarType, list[Indicator]] = {}
        self._bar_close_feeds: dict[BarType, list[Callable[[float], None]]] = {}
        self._fed_bar_type: BarType | None = None  # the series `_handle_bar` met last
        self._fed_closes: list[Callable[[float], None]] | None = None
        self._fed_bars: list[Indicator] | None = None
        self._trade_indicators: dict[InstrumentId, list[Indicator]] = {}
        self._quote_indicators: dict[InstrumentId, list[Indicator]] = {}
        self._timers: dict[str, ActorTimer] = {}
        self._hook_errors: deque[HookError] = deque(maxlen=HOOK_ERRORS_KEPT)
        self._hook_error_count = 0
        self._event_hook: Callable[[Any], None] | None = None

    def _make_component_id(self) -> ComponentId:
        config = self.config
        if isinstance(config, ActorConfig) and config.component_id is not None:
            return config.component_id
        return ComponentId(type(self).__name__)

    # -- registration ------------------------------------------------------------------------

    def register(
        self,
        trader_id: TraderId,
        bus: MessageBus,
        clock: Clock,
        cache: Cache | CacheView,
        portfolio: PortfolioView | None = None,
    ) -> None:
        """Attach the actor to a kernel (done by the kernel, or by hand in tests).

        Args:
            trader_id: the trader the kernel runs for.
            bus: the kernel's message bus.
            clock: the kernel's clock.
            cache: the kernel's cache; the actor gets its read-only view.
            portfolio: the kernel's portfolio; the actor gets a read-only facade.

        Raises:
            RuntimeError: the actor is already registered.
        """
        if self._registered:
            raise RuntimeError(f"{self.id} is already registered")
        Component.__init__(self, self.id, trader_id, bus, clock)
        self._cache_view = cache.view() if isinstance(cache, Cache) else cache
        self._portfolio = None if portfolio is None else PortfolioFacade(portfolio)
        self._hook_errors_total = bus.metrics.counter(
            "strategy_hook_errors",
            "Exceptions raised by user hooks of actors and strategies.",
            ("component", "hook"),
        )
        self._lifecycle.add_listener(self._on_state_change)
        self._registered = True
        self._on_register()

    def _on_register(self) -> None:
        """Finish registration (subclass hook)."""

    @property
    def state(self) -> ComponentState:
        """The lifecycle state (PRE_INITIALIZED until the actor is registered)."""
        if not self._registered:
            return ComponentState.PRE_INITIALIZED
        return self._lifecycle.state

    @property
    def is_registered(self) -> bool:
        """Whether the actor is attached to a kernel."""
        return self._registered

    @property
    def cache(self) -> CacheView:
        """Read-only access to instruments, market data, orders, positions and accounts."""
        if self._cache_view is None:
            raise RuntimeError(f"{self.id}: the cache is available once the actor is registered")
        return self._cache_view

    @property
    def portfolio(self) -> PortfolioFacade:
        """Read-only access to PnL, exposure, balances and equity."""
        if self._portfolio is None:
            raise RuntimeError(f"{self.id}: no portfolio was registered with the actor")
        return self._portfolio

    def _require_registered(self, what: str) -> None:
        if not self._registered:
            raise RuntimeError(f"{self.id}: cannot {what} before the actor is registered")

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start the actor: runs `on_start` (raises if the actor is not registered)."""
        self._require_registered("start")
        super().start()

    def _on_start(self) -> None:
        self._prepare_dispatch()
        self._on_starting()
        self._call_lifecycle_hook("on_start", self.on_start)
        self._raise_if_faulted("starting")

    def _on_starting(self) -> None:
        """Subscribe to what the component itself needs, before `on_start` (subclass hook)."""

    def _on_stop(self) -> None:
        try:
            self._call_lifecycle_hook("on_stop", self.on_stop)
        finally:
            self._teardown()
        self._raise_if_faulted("stopping")

    def _raise_if_faulted(self, doing: str) -> None:
        # A hook that raised while on_start/on_stop ran (an order event their commands caused)
        # faulted the component: the start or stop cannot complete.
        if self.state is ComponentState.FAULTED:
            last = self.last_hook_error
            cause = last.describe() if last is not None else "faulted"
            raise RuntimeError(f"{self.id} faulted while {doing}: {cause}")

    def _on_reset(self) -> None:
        self._teardown()
        for indicator in self.registered_indicators:
            indicator.reset()
        self._hook_errors.clear()
        self._call_lifecycle_hook("on_reset", self.on_reset)

    def _on_dispose(self) -> None:
        self._teardown()
        self._call_lifecycle_hook("on_dispose", self.on_dispose)

    def _on_state_change(self, old: ComponentState, new: ComponentState) -> None:
        self._active = new in _ACTIVE
        if new is ComponentState.FAULTED:
            self._teardown()

    def _teardown(self) -> None:
        """End every subscription and cancel every timer."""
        self._unsubscribe_all()
        self._cancel_all_timers()

    def _prepare_dispatch(self) -> None:
        """Work out which catch-all hooks are overridden, so unused ones cost nothing."""
        self._event_hook = self.on_event if self._overrides("on_event", ActorHooks) else None

    def _overrides(self, name: str, base: type) -> bool:
        hook = getattr(self, name)
        return getattr(hook, "__func__", None) is not getattr(base, name)

    # -- errors in user code -----------------------------------------------------------------

    @property
    def hook_error_count(self) -> int:
        """How many exceptions the actor's hooks have raised since it was built."""
        return self._hook_error_count

    @property
    def hook_errors(self) -> tuple[HookError, ...]:
        """The latest hook errors (at most `HOOK_ERRORS_KEPT`), oldest first."""
        return tuple(self._hook_errors)

    @property
    def last_hook_error(self) -> HookError | None:
        """The latest hook error, or None."""
        return self._hook_errors[-1] if self._hook_errors else None

    def _hook_failed(self, hook: str, exc: Exception, msg: object) -> None:
        """Record an exception from user code, then fault or go on per the config."""
        record = self._record_hook_error(hook, exc, msg)
        if self.config.on_hook_error is HookErrorPolicy.FAULT and self._lifecycle.can_transition(
            ComponentState.FAULTED
        ):
            self.fault(record.describe())

    def _call_lifecycle_hook(self, hook: str, call: Callable[[], None]) -> None:
        try:
            call()
        except Exception as exc:
            self._record_hook_error(hook, exc, None)
            raise

    def _record_hook_error(self, hook: str, exc: Exception, msg: object) -> HookError:
        ts_event = getattr(msg, "ts_event", None)
        if not isinstance(ts_event, int):
            ts_event = self.clock.timestamp_ns()
        record = HookError(
            component_id=self.id.value,
            hook=hook,
            error_type=type(exc).__name__,
            message=str(exc),
            traceback="".join(traceback.format_exception(exc)),
            ts_event=ts_event,
            message_type=None if msg is None else type(msg).__name__,
            exception=exc,
        )
        self._hook_errors.append(record)
        self._hook_error_count += 1
        self._hook_errors_total.labels(component=self.id.value, hook=hook).inc()
        self.log.error(
            "user hook raised",
            hook=hook,
            error=f"{record.error_type}: {record.message}",
            ts_event=ts_event,
            ts_event_iso=unix_nanos_to_iso8601(ts_event),
            message_type=record.message_type,
            policy=self.config.on_hook_error.value,
            exc_info=exc,
        )
        return record

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.id}, {self.state.value})"
