"""The PnL each fill realizes, read off the positions so the account and positions agree.

A `Position` counts realized PnL exactly and hands it out rounded to its currency. The tracker
remembers the last realized amount it saw per position and books the difference when a fill
arrives, so the amounts booked to a margin account add up to exactly the position's realized PnL
(net of the commissions paid in the PnL currency), however many fills there were.
"""

from __future__ import annotations

from shrivenquant.model.events.order import OrderFilled
from shrivenquant.model.identifiers import PositionId, TradeId
from shrivenquant.model.position import Position
from shrivenquant.model.values import Money

_RECENT = 8  # how many of a position's latest trade ids are checked for a fill


class RealizedPnlTracker:
    """Realized PnL already booked per position."""

    __slots__ = ("_booked",)

    def __init__(self) -> None:
        # Keyed by the position id and its first trade id: a new position object reusing an id
        # starts from zero.
        self._booked: dict[tuple[PositionId, TradeId], Money] = {}

    def gross_for_fill(self, position: Position, fill: OrderFilled) -> Money:
        """The PnL ``fill`` realized before commission, in the position's currency.

        ``position`` must already include the fill. Returns the change of the position's
        realized PnL since the last call, plus the fill's commission when it was paid in the
        position's currency (the position nets it out; the account books it separately).
        """
        key = (position.id, position.trade_ids[0])
        realized = position.realized_pnl
        before = self._booked.get(key)
        self._booked[key] = realized
        delta = realized if before is None else realized - before
        commission = fill.commission
        if commission.currency == delta.currency:
            delta = delta + commission
        return delta

    def seed(self, position: Position) -> None:
        """Mark the position's current realized PnL as booked (positions restored at start)."""
        if position.trade_ids:
            self._booked[(position.id, position.trade_ids[0])] = position.realized_pnl

    def clear(self) -> None:
        """Forget everything."""
        self._booked.clear()


def includes_fill(position: Position, trade_id: TradeId) -> bool:
    """Whether the fill with ``trade_id`` is among the position's latest fills.

    Only the last few trade ids are checked, so the test costs the same however long the
    position lives: a fill is looked for just after it was published, when it is the last
    fill applied or not applied yet.
    """
    return trade_id in position.trade_ids[-_RECENT:]
