"""The `Strategy`: an `Actor` that trades through commands and hears back through events.

Orders are built with ``self.order_factory`` and sent with ``submit_order`` and friends
(`StrategyCommands`): to the risk engine (``topics.RISK_ENGINE_EXECUTE``) when one is
registered, which is always the case in a kernel, else (unit tests, tools) straight to the
execution engine (``topics.EXEC_ENGINE_EXECUTE``). The strategy never touches an engine and
never adds orders to the cache: the execution engine builds the live order from the command's
`OrderInitialized` and owns it, so after submitting, ``self.cache.order(client_order_id)`` is
the order to read (the factory's object is only the draft that was sent).

Events come back on the strategy's own topics, ``topics.order_events(strategy_id)`` and
``topics.position_events(strategy_id)``: each order event calls its own hook
(``on_order_filled``, ...), then `on_order_event`, then `on_event`; each position event calls
``on_position_opened/changed/closed``, then `on_position_event`, then `on_event`. A fill's
order event comes before the position event it causes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from shrivenquant.bus import topics
from shrivenquant.model.events import (
    OrderAccepted,
    OrderCanceled,
    OrderCancelRejected,
    OrderDenied,
    OrderEmulated,
    OrderExpired,
    OrderFilled,
    OrderInitialized,
    OrderModifyRejected,
    OrderPendingCancel,
    OrderPendingUpdate,
    OrderRejected,
    OrderReleased,
    OrderSubmitted,
    OrderTriggered,
    OrderUpdated,
    PositionChanged,
    PositionClosed,
    PositionOpened,
)
from shrivenquant.model.identifiers import (
    ComponentId,
    StrategyId,
)
from shrivenquant.strategy.actor import Actor
from shrivenquant.strategy.commands import StrategyCommands
from shrivenquant.strategy.config import StrategyConfig
from shrivenquant.strategy.hooks import ActorHooks, StrategyHooks
from shrivenquant.strategy.order_factory import OrderFactory
from shrivenquant.strategy.subscriptions import Subscription

_ORDER_HOOKS: Final[dict[type, str]] = {
    OrderInitialized: "on_order_initialized",
    OrderDenied: "on_order_denied",
    OrderEmulated: "on_order_emulated",
    OrderReleased: "on_order_released",
    OrderSubmitted: "on_order_submitted",
    OrderAccepted: "on_order_accepted",
    OrderRejected: "on_order_rejected",
    OrderCanceled: "on_order_canceled",
    OrderExpired: "on_order_expired",
    OrderTriggered: "on_order_triggered",
    OrderPendingUpdate: "on_order_pending_update",
    OrderPendingCancel: "on_order_pending_cancel",
    OrderModifyRejected: "on_order_modify_rejected",
    OrderCancelRejected: "on_order_cancel_rejected",
    OrderUpdated: "on_order_updated",
    OrderFilled: "on_order_filled",
}
_POSITION_HOOKS: Final[dict[type, str]] = {
    PositionOpened: "on_position_opened",
    PositionChanged: "on_position_changed",
    PositionClosed: "on_position_closed",
}

Hooks = tuple[Callable[[Any], None], ...]


class Strategy(Actor, StrategyCommands, StrategyHooks):
    """A trading strategy (see the module docstring).

    Args:
        config: the strategy's parameters (default: `StrategyConfig()`); the strategy id is
            ``config.strategy_id``, else ``<ClassName>-<order_id_tag>``.
    """

    config: StrategyConfig

    def __init__(self, config: StrategyConfig | None = None) -> None:
        if config is None:
            config = StrategyConfig()
        if not isinstance(config, StrategyConfig):
            raise TypeError(
                f"{type(self).__name__}: config must be a StrategyConfig, got {config!r}"
            )
        self.strategy_id = config.strategy_id or StrategyId(
            f"{type(self).__name__}-{config.resolved_tag()}"
        )
        super().__init__(config)
        self._order_factory: OrderFactory | None = None
        self._order_dispatch: dict[type, Hooks] = {}
        self._position_dispatch: dict[type, Hooks] = {}

    def _make_component_id(self) -> ComponentId:
        return ComponentId(self.strategy_id.value)

    def _on_register(self) -> None:
        self._order_factory = OrderFactory(
            self.trader_id,
            self.strategy_id,
            self.clock,
            order_id_tag=self.config.resolved_tag(),
            instruments=self.cache,
        )

    @property
    def order_factory(self) -> OrderFactory:
        """Builds this strategy's orders (ids, checks); see `OrderFactory`."""
        if self._order_factory is None:
            raise RuntimeError(f"{self.id}: the order factory is available once registered")
        return self._order_factory

    # -- lifecycle ---------------------------------------------------------------------------

    def _on_starting(self) -> None:
        # Never reuse an id: continue past the strategy's orders already in the cache.
        self.order_factory.ids.continue_after(
            (o.client_order_id for o in self.cache.orders(strategy_id=self.strategy_id)),
            (ol.order_list_id for ol in self.cache.order_lists(strategy_id=self.strategy_id)),
        )
        self._subscribe(
            topics.order_events(self.strategy_id), Subscription(self._handle_order_event)
        )
        self._subscribe(
            topics.position_events(self.strategy_id), Subscription(self._handle_position_event)
        )

    def _prepare_dispatch(self) -> None:
        super()._prepare_dispatch()
        self._order_dispatch = self._dispatch_table(_ORDER_HOOKS, "on_order_event")
        self._position_dispatch = self._dispatch_table(_POSITION_HOOKS, "on_position_event")

    def _dispatch_table(self, hooks: dict[type, str], catch_all: str) -> dict[type, Hooks]:
        """For each event type, the overridden hooks to call, in order."""
        tail: list[Callable[[Any], None]] = []
        if self._overrides(catch_all, StrategyHooks):
            tail.append(getattr(self, catch_all))
        if self._overrides("on_event", ActorHooks):
            tail.append(self.on_event)
        table: dict[type, Hooks] = {}
        for event_type, name in hooks.items():
            own = [getattr(self, name)] if self._overrides(name, StrategyHooks) else []
            table[event_type] = (*own, *tail)
        return table

    # -- event handlers ----------------------------------------------------------------------

    def _handle_order_event(self, event: Any) -> None:
        if self._active:
            self._dispatch(self._order_dispatch.get(type(event), ()), event)

    def _handle_position_event(self, event: Any) -> None:
        if self._active:
            self._dispatch(self._position_dispatch.get(type(event), ()), event)

    def _dispatch(self, hooks: Hooks, event: Any) -> None:
        for hook in hooks:
            try:
                hook(event)
            except Exception as exc:  # noqa: BLE001 - user code may raise anything
                self._hook_failed(getattr(hook, "__name__", "hook"), exc, event)
                if not self._active:
                    return
