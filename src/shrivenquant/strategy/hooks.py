"""The user hooks of actors and strategies: override the ones you need.

Every hook is a no-op here. The actor calls them on the kernel's thread, one message at a time,
and wraps every call: an exception is logged with its traceback and the triggering message's
``ts_event``, counted, and then (per ``on_hook_error`` in the config) either faults the
component or is isolated.
"""

from __future__ import annotations

from typing import Any

from shrivenquant.core.clock import TimeEvent
from shrivenquant.model.data import (
    Bar,
    OrderBookDelta,
    OrderBookDeltas,
    OrderBookSnapshot,
    QuoteTick,
    TradeTick,
)
from shrivenquant.model.events import (
    OrderAccepted,
    OrderCanceled,
    OrderCancelRejected,
    OrderDenied,
    OrderEmulated,
    OrderEvent,
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
    PositionEvent,
    PositionOpened,
)
from shrivenquant.model.instruments import Instrument


class ActorHooks:
    """Lifecycle, market data, timer and event hooks."""

    __slots__ = ()

    # -- lifecycle ---------------------------------------------------------------------------

    def on_start(self) -> None:
        """The component is starting: subscribe to data, set timers, submit initial orders."""

    def on_stop(self) -> None:
        """The component is stopping (subscriptions and timers are removed after this)."""

    def on_reset(self) -> None:
        """Clear state between runs (registered indicators are reset already)."""

    def on_dispose(self) -> None:
        """Release resources for good."""

    # -- market data -------------------------------------------------------------------------

    def on_bar(self, bar: Bar) -> None:
        """A bar of a subscribed bar type (registered indicators are updated first)."""

    def on_trade(self, trade: TradeTick) -> None:
        """A trade of a subscribed instrument (registered indicators are updated first)."""

    def on_quote(self, quote: QuoteTick) -> None:
        """A quote of a subscribed instrument (registered indicators are updated first)."""

    def on_book_deltas(self, deltas: OrderBookDelta | OrderBookDeltas) -> None:
        """Order book changes of a subscribed instrument; the cache's book already has them."""

    def on_book(self, snapshot: OrderBookSnapshot) -> None:
        """An order book snapshot of a subscribed instrument."""

    def on_instrument(self, instrument: Instrument) -> None:
        """A new or changed definition of a subscribed instrument."""

    # -- time and events ---------------------------------------------------------------------

    def on_timer(self, event: TimeEvent) -> None:
        """A timer or time alert set with ``set_timer``/``set_time_alert`` fired (``event.name``
        is the name it was set with)."""

    def on_event(self, event: Any) -> None:
        """Every event the component receives, after its own hook: time events, order and
        position events (strategies), and messages on topics subscribed with
        ``subscribe_events``."""


class StrategyHooks:
    """Order and position hooks: each order event calls its own hook, then `on_order_event`,
    then `on_event`; each position event likewise."""

    __slots__ = ()

    def on_order_initialized(self, event: OrderInitialized) -> None:
        """The execution engine created the order (the first event of every submitted order)."""

    def on_order_denied(self, event: OrderDenied) -> None:
        """The order was refused before reaching a venue (risk, throttle, duplicate id)."""

    def on_order_emulated(self, event: OrderEmulated) -> None:
        """The local emulator holds the order until its trigger."""

    def on_order_released(self, event: OrderReleased) -> None:
        """The emulator released the order to its venue."""

    def on_order_submitted(self, event: OrderSubmitted) -> None:
        """The order was sent to the venue."""

    def on_order_accepted(self, event: OrderAccepted) -> None:
        """The venue accepted the order."""

    def on_order_rejected(self, event: OrderRejected) -> None:
        """The venue rejected the order."""

    def on_order_canceled(self, event: OrderCanceled) -> None:
        """The order was canceled."""

    def on_order_expired(self, event: OrderExpired) -> None:
        """The order's time in force ran out."""

    def on_order_triggered(self, event: OrderTriggered) -> None:
        """The order's trigger fired at the venue."""

    def on_order_pending_update(self, event: OrderPendingUpdate) -> None:
        """A modify request is on its way to the venue."""

    def on_order_pending_cancel(self, event: OrderPendingCancel) -> None:
        """A cancel request is on its way to the venue."""

    def on_order_modify_rejected(self, event: OrderModifyRejected) -> None:
        """A modify request was refused; the order is unchanged."""

    def on_order_cancel_rejected(self, event: OrderCancelRejected) -> None:
        """A cancel request was refused (often: the order had already filled)."""

    def on_order_updated(self, event: OrderUpdated) -> None:
        """The order's quantity or prices changed."""

    def on_order_filled(self, event: OrderFilled) -> None:
        """The order traded (fully or in part); the position event follows."""

    def on_order_event(self, event: OrderEvent) -> None:
        """Every order event of the strategy, after its own hook."""

    def on_position_opened(self, event: PositionOpened) -> None:
        """A position of the strategy opened."""

    def on_position_changed(self, event: PositionChanged) -> None:
        """A fill changed an open position without closing it."""

    def on_position_closed(self, event: PositionClosed) -> None:
        """A position of the strategy went flat."""

    def on_position_event(self, event: PositionEvent) -> None:
        """Every position event of the strategy, after its own hook."""
