"""`OrderExpiry`: the clock alerts that expire GTD and DAY orders at a simulated venue.

A GTD order expires at its ``expire_time_ns``; a DAY order at the next ``day_close_utc`` after
it was accepted. Each is one clock alert, so with a `TestClock` orders expire when the backtest's
time passes them, in time order.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import time
from typing import Final

from shrivenquant.core.clock import Clock, TimeEvent
from shrivenquant.model.enums import TimeInForce
from shrivenquant.model.identifiers import Venue
from shrivenquant.sim.orders import SimOrder

_DAY_NS: Final = 86_400_000_000_000


class OrderExpiry:
    """Schedules and cancels the expiry of orders (see the module docstring).

    Args:
        clock: the venue's clock.
        venue: names the alerts.
        day_close_utc: when DAY orders expire.
        on_expiry: called with an order whose time has come.
    """

    __slots__ = ("_alerts", "_clock", "_close_ns", "_on_expiry", "_orders", "_prefix")

    def __init__(
        self,
        clock: Clock,
        venue: Venue,
        day_close_utc: time,
        on_expiry: Callable[[SimOrder], None],
    ) -> None:
        self._clock = clock
        self._prefix = f"{venue.value}-expire-"
        seconds = day_close_utc.hour * 3600 + day_close_utc.minute * 60 + day_close_utc.second
        self._close_ns = seconds * 1_000_000_000 + day_close_utc.microsecond * 1_000
        self._on_expiry = on_expiry
        self._alerts: dict[int, str] = {}
        self._orders: dict[str, SimOrder] = {}

    def expiry_ns(self, order: SimOrder) -> int | None:
        """When ``order`` expires if accepted now (None: it does not)."""
        tif = order.time_in_force
        if tif is TimeInForce.GTD:
            return order.init.expire_time_ns
        if tif is TimeInForce.DAY:
            now = self._clock.timestamp_ns()
            expiry = now - now % _DAY_NS + self._close_ns
            return expiry if expiry > now else expiry + _DAY_NS
        return None

    def schedule(self, order: SimOrder) -> None:
        """Set the expiry alert of a GTD or DAY order (nothing for other orders)."""
        expiry = self.expiry_ns(order)
        if expiry is None:
            return
        order.expiry_ns = expiry
        name = f"{self._prefix}{order.key}"
        self._alerts[order.key] = name
        self._orders[name] = order
        self._clock.set_time_alert(name, expiry, self._fire)

    def cancel(self, order: SimOrder) -> None:
        """Drop the expiry alert of an order that closed."""
        name = self._alerts.pop(order.key, None)
        if name is not None:
            self._orders.pop(name, None)
            # KeyError: the alert is due and being dispatched; `_fire` finds no order then.
            with contextlib.suppress(KeyError):
                self._clock.cancel_timer(name)

    def _fire(self, event: TimeEvent) -> None:
        order = self._orders.pop(event.name, None)
        if order is None:
            return
        self._alerts.pop(order.key, None)
        self._on_expiry(order)
