"""The kill switch: cancel every open order and, optionally, close every position.

It sends `CancelOrder` for each unfinished order (not already being canceled) and, with
``flatten``, a reduce-only MARKET IOC order tagged `FLATTEN_TAG` against each open position,
straight to the execution engine: these commands are exempt from the trading state they come
with. Firing it again is harmless, also after a restart (it reads everything from the cache):
orders already being canceled are not canceled twice, flattening orders are left working, and
a position is only flattened by what its working flattening orders leave open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from shrivenquant.bus import topics
from shrivenquant.bus.message_bus import MessageBus
from shrivenquant.cache import Cache
from shrivenquant.core.clock import Clock
from shrivenquant.core.uuid import UUID4
from shrivenquant.model.commands import CancelOrder, SubmitOrder
from shrivenquant.model.enums import OrderSide, OrderType, PositionSide, TimeInForce
from shrivenquant.model.events import OrderInitialized
from shrivenquant.model.identifiers import ClientOrderId, PositionId, TraderId, Venue
from shrivenquant.model.values import Quantity

FLATTEN_TAG: Final = "kill-switch"
"""Tag of the orders the kill switch sends to close positions."""


class KillSwitch:
    """Cancels and flattens through the execution engine.

    Args:
        trader_id: the trader.
        bus: the kernel's bus (commands go to ``EXEC_ENGINE_EXECUTE``).
        clock: the kernel's clock.
        cache: orders and positions to act on.
        on_flatten_order: called with each flattening order before it is sent (the engine
            records it in its ledger).
    """

    __slots__ = ("_bus", "_cache", "_clock", "_count", "_on_flatten", "_trader_id")

    def __init__(
        self,
        trader_id: TraderId,
        bus: MessageBus,
        clock: Clock,
        cache: Cache,
        on_flatten_order: Callable[[OrderInitialized], None],
    ) -> None:
        self._trader_id = trader_id
        self._bus = bus
        self._clock = clock
        self._cache = cache
        self._on_flatten = on_flatten_order
        self._count = 0

    def fire(self, venue: Venue | None, flatten: bool) -> tuple[int, int]:
        """Cancel (and flatten) everything, or everything on ``venue``.

        Returns:
            How many cancels and how many flattening orders were sent.
        """
        canceled = self.cancel_all(venue)
        flattened = self.flatten_all(venue) if flatten else 0
        return canceled, flattened

    def cancel_all(self, venue: Venue | None) -> int:
        """Cancel every unfinished order (except flattening orders); return how many."""
        sent = 0
        now = self._clock.timestamp_ns()
        for order in self._cache.orders(venue=venue):
            if order.is_closed or order.is_pending_cancel or FLATTEN_TAG in order.tags:
                continue
            command = CancelOrder(
                trader_id=order.trader_id,
                strategy_id=order.strategy_id,
                instrument_id=order.instrument_id,
                client_id=self._cache.client_id_for_order(order.client_order_id),
                client_order_id=order.client_order_id,
                venue_order_id=order.venue_order_id,
                command_id=UUID4(),
                ts_event=now,
                ts_init=now,
            )
            self._bus.send(topics.EXEC_ENGINE_EXECUTE, command)
            sent += 1
        return sent

    def flatten_all(self, venue: Venue | None) -> int:
        """Send an order closing each open position (less what is already closing it)."""
        sent = 0
        for position in self._cache.positions_open(venue=venue):
            remaining = position.quantity.raw - self._closing_raw(position.id, venue)
            if remaining <= 0:
                continue
            side = OrderSide.SELL if position.side is PositionSide.LONG else OrderSide.BUY
            quantity = Quantity.from_raw(remaining, position.quantity.precision)
            now = self._clock.timestamp_ns()
            self._count += 1
            cid = ClientOrderId(f"KS-{now}-{self._count}")
            init = OrderInitialized(
                trader_id=position.trader_id,
                strategy_id=position.strategy_id,
                instrument_id=position.instrument_id,
                client_order_id=cid,
                order_side=side,
                order_type=OrderType.MARKET,
                quantity=quantity,
                time_in_force=TimeInForce.IOC,
                reduce_only=True,
                tags=(FLATTEN_TAG,),
                event_id=UUID4(),
                ts_event=now,
                ts_init=now,
            )
            self._on_flatten(init)
            self._bus.send(
                topics.EXEC_ENGINE_EXECUTE,
                SubmitOrder(
                    trader_id=position.trader_id,
                    strategy_id=position.strategy_id,
                    instrument_id=position.instrument_id,
                    order=init,
                    position_id=position.id,
                    command_id=UUID4(),
                    ts_event=now,
                    ts_init=now,
                ),
            )
            sent += 1
        return sent

    def _closing_raw(self, position_id: PositionId, venue: Venue | None) -> int:
        """Unfilled quantity of the flattening orders still working on a position."""
        cache = self._cache
        return sum(
            order.leaves_qty.raw
            for order in cache.orders(venue=venue)
            if FLATTEN_TAG in order.tags
            and not order.is_closed
            and cache.position_id_for_order(order.client_order_id) == position_id
        )
