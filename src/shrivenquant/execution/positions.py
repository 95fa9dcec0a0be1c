"""Fills into positions: NETTING (one position per instrument and strategy) or HEDGING (one per
opening order), with the position events the engine publishes.

Position ids:
- the fill's own ``position_id`` when the venue gives one;
- else the id already bound to the order (by ``SubmitOrder.position_id`` or an earlier fill);
- else ``INSTRUMENT-STRATEGY`` when netting, the opening order's client order id when hedging.
"""

from __future__ import annotations

from collections.abc import Callable

from shrivenquant.cache import Cache
from shrivenquant.core.clock import Clock
from shrivenquant.model.enums import OmsType
from shrivenquant.model.events import (
    OrderFilled,
    PositionChanged,
    PositionClosed,
    PositionEvent,
    PositionOpened,
)
from shrivenquant.model.identifiers import InstrumentId, PositionId, StrategyId
from shrivenquant.model.orders import Order
from shrivenquant.model.position import Position
from shrivenquant.telemetry.logging import get_logger


def netting_position_id(order: Order) -> PositionId:
    """The one position of the order's instrument and strategy: ``INSTRUMENT-STRATEGY``."""
    return PositionId(f"{order.instrument_id}-{order.strategy_id}")


class PositionKeeper:
    """Applies fills to positions in the cache and describes each change as an event."""

    __slots__ = (
        "_cache",
        "_clock",
        "_log",
        "_netting_ids",
        "fills_without_instrument",
        "rejected_fills",
    )

    def __init__(self, cache: Cache, clock: Clock) -> None:
        self._cache = cache
        self._clock = clock
        self._log = get_logger("ExecEngine.positions")
        self._netting_ids: dict[tuple[InstrumentId, StrategyId], PositionId] = {}
        self.fills_without_instrument = 0
        self.rejected_fills = 0

    def position_id_for(self, order: Order, fill: OrderFilled, oms_type: OmsType) -> PositionId:
        """The position ``fill`` of ``order`` belongs to (see the module docstring)."""
        if fill.position_id is not None:
            return fill.position_id
        bound = self._cache.position_id_for_order(order.client_order_id)
        if bound is not None:
            return bound
        return self._new_position_id(order, oms_type)

    def _new_position_id(self, order: Order, oms_type: OmsType) -> PositionId:
        if oms_type is OmsType.HEDGING:
            return PositionId(order.client_order_id.value)
        key = (order.instrument_id, order.strategy_id)
        position_id = self._netting_ids.get(key)
        if position_id is None:
            position_id = self._netting_ids[key] = netting_position_id(order)
        return position_id

    def apply_fill(
        self,
        order: Order,
        fill: OrderFilled,
        oms_type: OmsType | Callable[[Order], OmsType],
        describe: bool = True,
    ) -> PositionEvent | None:
        """Apply ``fill`` (already applied to ``order``) to its position.

        ``oms_type`` may be given as a function of the order, called only when the fill opens
        a position that has no id yet.

        Returns:
            The position event to publish (only when ``describe``), or None when the fill
            could not be booked (no instrument in the cache, or the position refused it; both
            are logged and counted).
        """
        cache = self._cache
        instrument = cache.instrument(fill.instrument_id)
        if instrument is None:
            self.fills_without_instrument += 1
            self._log.error(
                "fill not booked to a position: instrument not in the cache",
                instrument_id=str(fill.instrument_id),
                client_order_id=str(fill.client_order_id),
                trade_id=str(fill.trade_id),
            )
            return None
        client_order_id = order.client_order_id
        bound = cache.position_id_for_order(client_order_id)
        position_id = fill.position_id
        if position_id is None:
            position_id = bound
            if position_id is None:
                kind = oms_type if isinstance(oms_type, OmsType) else oms_type(order)
                position_id = self._new_position_id(order, kind)
        if bound is None:
            cache.set_position_id(client_order_id, position_id)
        position = cache.position(position_id)
        if position is None:
            position = Position(instrument, fill, position_id)
            cache.add_position(position)
            return self._event(position, PositionOpened) if describe else None
        was_flat = position.is_closed
        try:
            position.apply(fill)
        except ValueError as exc:
            self.rejected_fills += 1
            self._log.error(
                "fill refused by position", position_id=str(position_id), error=str(exc)
            )
            return None
        cache.update_position(position)
        if not describe:
            return None
        if position.is_closed:
            return self._event(position, PositionClosed)
        return self._event(position, PositionOpened if was_flat else PositionChanged)

    def _event(self, position: Position, cls: type[PositionEvent]) -> PositionEvent:
        return position.to_event(ts_init=self._clock.timestamp_ns(), event_type=cls)
