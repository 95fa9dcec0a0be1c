"""Refusals as events: every order the risk engine refuses becomes one event with a coded
reason, counted per code and logged, in one place.

- A refused order becomes an `OrderDenied`, handed to the OMS (``EXEC_ENGINE_PROCESS``) to
  journal and publish like any order event; the refusal of a duplicate client order id is
  published directly (the OMS would apply it to the working order under that id).
- A refused modify becomes an `OrderModifyRejected`, applied by the OMS when the order's state
  allows it, else published directly.

The event's ``reason`` is ``"<CODE>: <sentence>"`` (`shrivenquant.risk.reasons`): a program
branches on the code with `split_reason`, a person reads the sentence.
"""

from __future__ import annotations

from typing import Final

from structlog.typing import FilteringBoundLogger

from shrivenquant.bus import topics
from shrivenquant.bus.message_bus import MessageBus
from shrivenquant.core.clock import Clock
from shrivenquant.core.uuid import UUID4
from shrivenquant.model.events import OrderDenied, OrderInitialized, OrderModifyRejected
from shrivenquant.model.orders import ORDER_TRANSITIONS, Order, OrderTrigger
from shrivenquant.risk.counters import RiskCounters
from shrivenquant.risk.reasons import Denial, RiskReason, format_reason

_DUPLICATE: Final = RiskReason.DUPLICATE_ORDER


class Refusals:
    """Emits the events of refused orders and modifies (see the module docstring).

    Args:
        bus: the kernel's bus.
        clock: the kernel's clock (the events' timestamps).
        counters: where each refusal is counted under its code.
        log: the risk engine's logger.
    """

    __slots__ = ("_bus", "_clock", "_counters", "_log")

    def __init__(
        self, bus: MessageBus, clock: Clock, counters: RiskCounters, log: FilteringBoundLogger
    ) -> None:
        self._bus = bus
        self._clock = clock
        self._counters = counters
        self._log = log

    def deny(self, init: OrderInitialized, denial: Denial) -> OrderDenied:
        """Refuse an order (its `OrderInitialized`); returns the `OrderDenied` sent."""
        code, sentence = self._counted("order denied", init.client_order_id.value, denial)
        now = self._clock.timestamp_ns()
        event = OrderDenied(
            trader_id=init.trader_id,
            strategy_id=init.strategy_id,
            instrument_id=init.instrument_id,
            client_order_id=init.client_order_id,
            reason=format_reason(code, sentence),
            event_id=UUID4(),
            ts_event=now,
            ts_init=now,
        )
        if code is _DUPLICATE:
            self._bus.publish(topics.order_events(init.strategy_id), event)
        else:
            self._bus.send(topics.EXEC_ENGINE_PROCESS, event)
        return event

    def reject_modify(self, order: Order, denial: Denial) -> OrderModifyRejected:
        """Refuse a modify of ``order``; returns the `OrderModifyRejected` sent."""
        code, sentence = self._counted("modify denied", order.client_order_id.value, denial)
        now = self._clock.timestamp_ns()
        event = OrderModifyRejected(
            trader_id=order.trader_id,
            strategy_id=order.strategy_id,
            instrument_id=order.instrument_id,
            client_order_id=order.client_order_id,
            reason=format_reason(code, sentence),
            venue_order_id=order.venue_order_id,
            account_id=order.account_id,
            event_id=UUID4(),
            ts_event=now,
            ts_init=now,
        )
        if (order.status, OrderTrigger.MODIFY_REJECT) in ORDER_TRANSITIONS:
            self._bus.send(topics.EXEC_ENGINE_PROCESS, event)  # journaled and applied by the OMS
        else:
            self._bus.publish(topics.order_events(order.strategy_id), event)
        return event

    def _counted(self, what: str, client_order_id: str, denial: Denial) -> Denial:
        code, sentence = denial
        if not isinstance(code, RiskReason):
            raise TypeError(f"a refusal needs a RiskReason code, got {denial!r}")  # a bug
        if not sentence.strip():
            # Still refused, and still coded; the missing sentence is a bug worth an error.
            self._log.error("refusal without a sentence", reason=code.value)
            sentence = f"refused by the risk engine ({code.value})"
        self._counters.denied(code)
        self._log.info(what, client_order_id=client_order_id, reason=code.value, detail=sentence)
        return code, sentence
