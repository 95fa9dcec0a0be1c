"""Journal replay: rebuild orders, order lists, positions and account states on start.

Replay feeds every journaled message back through the engine's own handlers with publishing,
client calls and journaling switched off, so the rebuilt state is exactly what the live engine
had after the last durable record. Commands only recreate what they created (orders and order
lists); every state change comes from the journaled events. Anything the live engine refused it
refuses again, identically.

`trading_state_snapshot` renders the trading state as plain data, to compare two engines (a
replayed one against a live one, in tests and in the crash test).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shrivenquant.cache import Cache
from shrivenquant.model.commands import COMMAND_TYPES
from shrivenquant.model.events import AccountState
from shrivenquant.model.events.order import ORDER_EVENT_TYPES
from shrivenquant.telemetry.logging import get_logger

if TYPE_CHECKING:
    from shrivenquant.execution.engine import ExecutionEngine
    from shrivenquant.execution.journal import MessageJournal

_COMMANDS = frozenset(COMMAND_TYPES)
_ORDER_EVENTS = frozenset(ORDER_EVENT_TYPES)
_log = get_logger("ExecEngine.recovery")


def replay_journal(engine: ExecutionEngine, journal: MessageJournal) -> int:
    """Rebuild the engine's trading state from ``journal``; return the records replayed.

    The cache's orders, positions and account states are cleared first, so replaying twice
    gives the same state as replaying once.
    """
    engine.cache.clear_trading_state()
    count = 0
    skipped = 0
    for _seq, message in journal.replay():
        count += 1
        kind = type(message)
        if kind in _ORDER_EVENTS:
            engine.apply_event(message)  # type: ignore[arg-type]
        elif kind in _COMMANDS:
            engine.commands.replay(message)  # type: ignore[arg-type]
        elif kind is AccountState:
            engine.apply_account_state(message)  # type: ignore[arg-type]
        else:
            skipped += 1
    if skipped:
        _log.warning("journal records of other kinds were skipped", skipped=skipped)
    return count


def trading_state_snapshot(cache: Cache) -> dict[str, Any]:
    """The orders, order lists, positions and account states in ``cache`` as plain data.

    Ids, statuses, quantities, prices, fills and event sequences are included; event ids and
    timestamps of creation are not, so two engines fed the same flow compare equal.
    """
    orders = {}
    for order in cache.orders():
        orders[order.client_order_id.value] = {
            "strategy_id": order.strategy_id.value,
            "instrument_id": order.instrument_id.value,
            "status": order.status.value,
            "quantity": str(order.quantity),
            "filled_qty": str(order.filled_qty),
            "price": None if order.price is None else str(order.price),
            "trigger_price": None if order.trigger_price is None else str(order.trigger_price),
            "avg_px": None if order.avg_px is None else str(order.avg_px),
            "venue_order_id": None if order.venue_order_id is None else order.venue_order_id.value,
            "trade_ids": [t.value for t in order.trade_ids],
            "events": [type(e).__name__ for e in order.events],
            "position_id": _id(cache.position_id_for_order(order.client_order_id)),
        }
    positions = {}
    for position in cache.positions():
        positions[position.id.value] = {
            "instrument_id": position.instrument_id.value,
            "strategy_id": position.strategy_id.value,
            "side": position.side.value,
            "signed_qty": str(position.signed_qty),
            "avg_px_open": str(position.avg_px_open),
            "realized_pnl": str(position.realized_pnl),
            "trade_ids": [t.value for t in position.trade_ids],
            "is_open": position.is_open,
        }
    accounts = {
        state.account_id.value: [str(b.total) for b in state.balances]
        for state in cache.account_states()
    }
    return {
        "orders": orders,
        "order_lists": sorted(ol.order_list_id.value for ol in cache.order_lists()),
        "positions": positions,
        "accounts": accounts,
        "open_orders": sorted(o.client_order_id.value for o in cache.orders_open()),
        "open_positions": sorted(p.id.value for p in cache.positions_open()),
    }


def _id(value: object | None) -> str | None:
    return None if value is None else str(value)
