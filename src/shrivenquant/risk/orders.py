"""The gate trading commands pass: checks, throttles, the ledger, then the execution engine.

- `SubmitOrder`: checked, throttled, recorded in the ledger, forwarded.
- `SubmitOrderList`: every order is checked as if the earlier ones were already working; one
  refusal refuses the whole list (the culprit with its own reason, the others with
  ``ORDER_LIST``). The list takes one throttle token per order.
- `ModifyOrder`: checked for what it adds (a larger quantity, a new price), throttled like a
  submit; refused with an `OrderModifyRejected`.
- `CancelOrder`/`CancelAllOrders`: always forwarded, in any trading state; the cancel throttle
  only delays them.

Throttled commands in QUEUE mode wait in arrival order and are checked again when released.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from shrivenquant.bus import topics
from shrivenquant.core.clock import TimeEvent, TimeEventCallback
from shrivenquant.model.commands import (
    CancelAllOrders,
    CancelOrder,
    ModifyOrder,
    SubmitOrder,
    SubmitOrderList,
)
from shrivenquant.model.enums import OrderSide
from shrivenquant.model.events import OrderInitialized
from shrivenquant.risk.config_sections import ThrottleConfig, ThrottleMode
from shrivenquant.risk.reasons import Denial, RiskReason
from shrivenquant.risk.throttle import CancelThrottle, ThrottleQueue, TokenBucket

if TYPE_CHECKING:
    from shrivenquant.risk.engine import RiskEngine

OrderCommand = SubmitOrder | SubmitOrderList | ModifyOrder
CancelCommand = CancelOrder | CancelAllOrders

_ORDER_ALERT: Final = "RiskEngine-order-throttle"


class OrderGate:
    """Checks, throttles and forwards trading commands for the `RiskEngine`."""

    __slots__ = (
        "_cancels",
        "_checks",
        "_clock",
        "_engine",
        "_ledger",
        "_order_bucket",
        "_order_config",
        "_order_queue",
        "_send",
    )

    def __init__(self, engine: RiskEngine) -> None:
        self._engine = engine
        self._checks = engine.checks
        self._ledger = engine.ledger
        self._clock = engine.clock
        self._send = engine.bus.send
        config = engine.config
        now = engine.clock.timestamp_ns()
        self._order_config: ThrottleConfig | None = config.order_throttle
        self._order_bucket = _bucket(config.order_throttle, now)
        self._order_queue: ThrottleQueue[OrderCommand] | None = _queue(config.order_throttle)
        self._cancels = CancelThrottle(
            config.cancel_throttle,
            engine.clock,
            lambda command: self._send(topics.EXEC_ENGINE_EXECUTE, command),
            engine.log,
        )

    def handle(self, command: OrderCommand | CancelCommand) -> None:
        """Check, throttle and forward one trading command."""
        if isinstance(command, SubmitOrder):
            self._submit(command, False)
        elif isinstance(command, CancelOrder | CancelAllOrders):
            if self._cancels.admit(command):
                self._engine.counters.queued += 1
        elif isinstance(command, ModifyOrder):
            self._modify(command, False)
        else:
            self._submit_list(command, False)

    def stop(self) -> None:
        """Cancel the release alerts (queued commands stay queued)."""
        if _ORDER_ALERT in self._clock.timer_names:
            self._clock.cancel_timer(_ORDER_ALERT)
        self._cancels.stop()

    @property
    def order_bucket(self) -> TokenBucket | None:
        """The order throttle's token bucket (None: no order throttle)."""
        return self._order_bucket

    @property
    def queued(self) -> int:
        """Commands waiting for a throttle token."""
        return len(self._order_queue or ()) + self._cancels.queued

    # -- submits -----------------------------------------------------------------------------

    def _submit(self, command: SubmitOrder, released: bool) -> None:
        init = command.order
        now = self._clock.timestamp_ns()
        engine = self._engine
        engine.counters.checked += 1
        if init.client_order_id.value in self._ledger.orders:
            engine.deny(init, _duplicate(init))
            return
        denial = self._checks.check(
            init.instrument_id,
            init.strategy_id,
            init.order_side,
            init.quantity,
            init.price,
            init.trigger_price,
            init.reduce_only,
            now,
        )
        if denial is not None:
            engine.deny(init, denial)
            return
        if not released and not self._admit(command, 1, now):
            return
        self._record(init)
        engine.counters.passed += 1
        self._send(topics.EXEC_ENGINE_EXECUTE, command)

    def _record(self, init: OrderInitialized) -> None:
        checks = self._checks
        instrument = init.instrument_id
        self._ledger.add(
            init.client_order_id.value,
            instrument.value,
            init.strategy_id.value,
            instrument.venue.value,
            1 if init.order_side is OrderSide.BUY else -1,
            init.quantity.raw,
            0 if init.price is None else init.price.raw,
            checks.funds.pending_key,
            checks.funds.pending_raw,
        )
        checks.exposures.fallback[instrument.value] = checks.passed_price

    def _submit_list(self, command: SubmitOrderList, released: bool) -> None:
        engine = self._engine
        now = self._clock.timestamp_ns()
        recorded: list[str] = []
        failed: tuple[OrderInitialized, Denial] | None = None
        for init in command.orders:
            engine.counters.checked += 1
            if init.client_order_id.value in self._ledger.orders:
                failed = (init, _duplicate(init))
                break
            denial = self._checks.check(
                init.instrument_id,
                init.strategy_id,
                init.order_side,
                init.quantity,
                init.price,
                init.trigger_price,
                init.reduce_only,
                now,
            )
            if denial is not None:
                failed = (init, denial)
                break
            self._record(init)
            recorded.append(init.client_order_id.value)
        if failed is not None or (
            not released and not self._admit(command, len(command.orders), now)
        ):
            for cid in recorded:  # the list does not go (now): forget its orders again
                self._ledger.remove(cid)
            if failed is not None:
                self._deny_list(command, failed)
            return
        engine.counters.passed += len(command.orders)
        self._send(topics.EXEC_ENGINE_EXECUTE, command)

    def _deny_list(self, command: SubmitOrderList, failed: tuple[OrderInitialized, Denial]) -> None:
        culprit, denial = failed
        for init in command.orders:
            if init is culprit:
                self._engine.deny(init, denial)
            else:
                self._engine.deny(
                    init,
                    (
                        RiskReason.ORDER_LIST,
                        f"order {culprit.client_order_id} of list {command.order_list_id} was "
                        f"denied ({denial[0].value})",
                    ),
                )

    # -- modifies ----------------------------------------------------------------------------

    def _modify(self, command: ModifyOrder, released: bool) -> None:
        order = self._engine.cache.order(command.client_order_id)
        if order is None or order.is_closed:
            self._send(topics.EXEC_ENGINE_EXECUTE, command)  # the OMS answers it
            return
        now = self._clock.timestamp_ns()
        quantity = command.quantity if command.quantity is not None else order.quantity
        cid = order.client_order_id.value
        working = self._ledger.orders.get(cid)
        leaves_before = working.leaves if working is not None else order.leaves_qty.raw
        added = max(quantity.raw - order.filled_qty.raw - leaves_before, 0)
        self._engine.counters.checked += 1
        denial = self._checks.check(
            order.instrument_id,
            order.strategy_id,
            order.side,
            quantity,
            command.price if command.price is not None else order.price,
            command.trigger_price if command.trigger_price is not None else order.trigger_price,
            order.reduce_only,
            now,
            added,
            cid,
        )
        if denial is not None:
            self._engine.refusals.reject_modify(order, denial)
            return
        if not released and not self._admit(command, 1, now):
            return
        self._ledger.reserve(cid, quantity.raw)
        self._engine.counters.passed += 1
        self._send(topics.EXEC_ENGINE_EXECUTE, command)

    # -- the order throttle ------------------------------------------------------------------

    def _admit(self, command: OrderCommand, tokens: int, now: int) -> bool:
        """Take the throttle's tokens for ``command``, or queue/refuse it; True to go now."""
        bucket, queue, config = self._order_bucket, self._order_queue, self._order_config
        if bucket is None or config is None:
            return True
        if tokens > config.limit:
            self._refuse(command, f"{tokens} orders exceed the throttle's burst of {config.limit}")
            return False
        if (queue is None or not len(queue)) and bucket.try_acquire(now, tokens):
            return True
        if queue is not None and queue.push(command):
            self._engine.counters.queued += 1
            self._schedule(_ORDER_ALERT, bucket, now, self._release_orders)
            return False
        what = "the queue is full" if queue is not None else "no token is free"
        self._refuse(
            command,
            f"more than {config.limit} orders per {config.interval_ns / 1e9:g}s; {what}",
        )
        return False

    def _release_orders(self, event: TimeEvent) -> None:
        bucket, queue = self._order_bucket, self._order_queue
        assert bucket is not None
        assert queue is not None
        now = self._clock.timestamp_ns()
        while len(queue):
            command = queue.peek()
            tokens = len(command.orders) if isinstance(command, SubmitOrderList) else 1
            if not bucket.try_acquire(now, tokens):
                break
            queue.pop()
            if isinstance(command, SubmitOrder):
                self._submit(command, True)
            elif isinstance(command, ModifyOrder):
                self._modify(command, True)
            else:
                self._submit_list(command, True)
        if len(queue):
            self._schedule(_ORDER_ALERT, bucket, now, self._release_orders)

    def _refuse(self, command: OrderCommand, sentence: str) -> None:
        denial = (RiskReason.ORDER_RATE, sentence)
        if isinstance(command, SubmitOrder):
            self._engine.deny(command.order, denial)
        elif isinstance(command, SubmitOrderList):
            for init in command.orders:
                self._engine.deny(init, denial)
        else:
            order = self._engine.cache.order(command.client_order_id)
            if order is not None:
                self._engine.refusals.reject_modify(order, denial)

    def drop_queued(self, reason: str) -> None:
        """Refuse every queued submit and modify (trading was halted)."""
        if self._order_queue is None:
            return
        for command in self._order_queue.drain():
            sentence = f"trading halted while the order waited for the throttle: {reason}"
            denial = (RiskReason.TRADING_HALTED, sentence)
            if isinstance(command, SubmitOrder):
                self._engine.deny(command.order, denial)
            elif isinstance(command, SubmitOrderList):
                for init in command.orders:
                    self._engine.deny(init, denial)
            else:
                order = self._engine.cache.order(command.client_order_id)
                if order is not None:
                    self._engine.refusals.reject_modify(order, denial)

    def _schedule(
        self, name: str, bucket: TokenBucket, now: int, callback: TimeEventCallback
    ) -> None:
        clock = self._clock
        if name in clock.timer_names:
            return
        clock.set_time_alert(name, bucket.release_time_ns(now), callback)


def _duplicate(init: OrderInitialized) -> Denial:
    # The OMS would refuse it too, and its denial would make the ledger forget the order
    # already working under that id.
    return (
        RiskReason.DUPLICATE_ORDER,
        f"client order id {init.client_order_id} is already in use by a working order",
    )


def _bucket(config: ThrottleConfig | None, now: int) -> TokenBucket | None:
    return None if config is None else TokenBucket(config.limit, config.interval_ns, now)


def _queue(config: ThrottleConfig | None) -> ThrottleQueue[Any] | None:
    if config is None or config.mode is not ThrottleMode.QUEUE:
        return None
    return ThrottleQueue(config.max_queue)
