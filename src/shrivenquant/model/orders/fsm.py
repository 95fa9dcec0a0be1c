"""The order state machine: one explicit ``(status, trigger) -> status`` table.

Orders change state only by applying order events (see `Order.apply`). Each event maps to one
`OrderTrigger`; a fill maps to `FILL_PARTIAL` or `FILL_COMPLETE` depending on whether it
completes the order. A pair missing from `ORDER_TRANSITIONS` is an invalid transition.

Two kinds of entry need more than a table lookup:

- `RESTORE_PREVIOUS`: leaving ``PENDING_UPDATE``/``PENDING_CANCEL`` because the modify or cancel
  was answered (updated, modify rejected, cancel rejected) returns the order to the last status
  it had before it became pending (``SUBMITTED``, ``ACCEPTED``, ``TRIGGERED`` or
  ``PARTIALLY_FILLED``).
- Self-loops: a late modify/cancel rejection is information, not a state change, so it is
  accepted in the states a venue race can leave the order in.

The reasons for each odd-looking transition are in ``docs/concepts/order-lifecycle.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum, StrEnum, unique
from types import MappingProxyType
from typing import Final

from shrivenquant.core.errors import InvalidStateTransition
from shrivenquant.model.enums import OrderStatus


@unique
class OrderTrigger(StrEnum):
    """What an order event asks of the state machine."""

    DENY = "DENY"
    EMULATE = "EMULATE"
    RELEASE = "RELEASE"
    SUBMIT = "SUBMIT"
    ACCEPT = "ACCEPT"
    REJECT = "REJECT"
    CANCEL = "CANCEL"
    EXPIRE = "EXPIRE"
    TRIGGER = "TRIGGER"
    PENDING_UPDATE = "PENDING_UPDATE"
    PENDING_CANCEL = "PENDING_CANCEL"
    MODIFY_REJECT = "MODIFY_REJECT"
    CANCEL_REJECT = "CANCEL_REJECT"
    UPDATE = "UPDATE"
    FILL_PARTIAL = "FILL_PARTIAL"
    FILL_COMPLETE = "FILL_COMPLETE"


@unique
class Restore(Enum):
    """A table target meaning "the status before the order became pending"."""

    PREVIOUS = "PREVIOUS"


RESTORE_PREVIOUS: Final = Restore.PREVIOUS

_S = OrderStatus
_T = OrderTrigger

LOCAL_STATUSES: Final = frozenset({_S.INITIALIZED, _S.EMULATED, _S.RELEASED})
"""Not sent to a venue yet."""
OPEN_STATUSES: Final = frozenset(
    {_S.SUBMITTED, _S.ACCEPTED, _S.TRIGGERED, _S.PENDING_UPDATE, _S.PENDING_CANCEL,
     _S.PARTIALLY_FILLED}
)  # fmt: skip
"""Sent and not finished."""
CLOSED_STATUSES: Final = frozenset({_S.DENIED, _S.REJECTED, _S.CANCELED, _S.EXPIRED, _S.FILLED})
"""Finished (terminal): no event reopens the order."""
INFLIGHT_STATUSES: Final = frozenset({_S.SUBMITTED, _S.PENDING_UPDATE, _S.PENDING_CANCEL})
"""Waiting for the venue to answer a request."""
PENDING_STATUSES: Final = frozenset({_S.PENDING_UPDATE, _S.PENDING_CANCEL})
"""A modify or cancel request is in flight."""


def _answers_are_noops(status: OrderStatus) -> dict[tuple[OrderStatus, OrderTrigger], OrderStatus]:
    """Late modify/cancel answers leave ``status`` as it is."""
    return {(status, _T.MODIFY_REJECT): status, (status, _T.CANCEL_REJECT): status}


def _settled_open(status: OrderStatus) -> dict[tuple[OrderStatus, OrderTrigger], OrderStatus]:
    """Transitions shared by every open, non-pending status the venue knows about."""
    return {
        (status, _T.UPDATE): status,
        **_answers_are_noops(status),
        (status, _T.CANCEL): _S.CANCELED,
        (status, _T.EXPIRE): _S.EXPIRED,
        (status, _T.PENDING_UPDATE): _S.PENDING_UPDATE,
        (status, _T.PENDING_CANCEL): _S.PENDING_CANCEL,
        (status, _T.FILL_PARTIAL): _S.PARTIALLY_FILLED,
        (status, _T.FILL_COMPLETE): _S.FILLED,
    }


_TABLE: dict[tuple[OrderStatus, OrderTrigger], OrderStatus | Restore] = {
    # Held locally, not yet sent.
    (_S.INITIALIZED, _T.DENY): _S.DENIED,
    (_S.INITIALIZED, _T.EMULATE): _S.EMULATED,
    (_S.INITIALIZED, _T.SUBMIT): _S.SUBMITTED,
    (_S.INITIALIZED, _T.ACCEPT): _S.ACCEPTED,  # reconciliation adopts an order found at the venue
    (_S.INITIALIZED, _T.CANCEL): _S.CANCELED,  # an unsent contingent child canceled locally
    (_S.INITIALIZED, _T.EXPIRE): _S.EXPIRED,  # an unsent GTD child expired locally
    (_S.INITIALIZED, _T.UPDATE): _S.INITIALIZED,
    **_answers_are_noops(_S.INITIALIZED),
    # Emulated: held by the order emulator until its trigger condition is met.
    (_S.EMULATED, _T.RELEASE): _S.RELEASED,
    (_S.EMULATED, _T.CANCEL): _S.CANCELED,
    (_S.EMULATED, _T.EXPIRE): _S.EXPIRED,
    (_S.EMULATED, _T.UPDATE): _S.EMULATED,
    **_answers_are_noops(_S.EMULATED),
    # Released by the emulator, on its way to the venue.
    (_S.RELEASED, _T.SUBMIT): _S.SUBMITTED,
    (_S.RELEASED, _T.DENY): _S.DENIED,
    (_S.RELEASED, _T.CANCEL): _S.CANCELED,
    # Sent; the venue has not answered yet. Fills and IOC/FOK cancels may overtake the ack.
    **_settled_open(_S.SUBMITTED),
    (_S.SUBMITTED, _T.ACCEPT): _S.ACCEPTED,
    (_S.SUBMITTED, _T.REJECT): _S.REJECTED,
    (_S.SUBMITTED, _T.TRIGGER): _S.TRIGGERED,
    # Working at the venue. A broker may accept and the exchange still reject.
    **_settled_open(_S.ACCEPTED),
    (_S.ACCEPTED, _T.REJECT): _S.REJECTED,
    (_S.ACCEPTED, _T.TRIGGER): _S.TRIGGERED,
    # A stop-limit / limit-if-touched whose trigger fired: now a working limit order.
    **_settled_open(_S.TRIGGERED),
    (_S.TRIGGERED, _T.REJECT): _S.REJECTED,
    **_settled_open(_S.PARTIALLY_FILLED),
    # A modify is in flight.
    (_S.PENDING_UPDATE, _T.UPDATE): RESTORE_PREVIOUS,
    (_S.PENDING_UPDATE, _T.MODIFY_REJECT): RESTORE_PREVIOUS,
    (_S.PENDING_UPDATE, _T.CANCEL_REJECT): _S.PENDING_UPDATE,
    (_S.PENDING_UPDATE, _T.PENDING_UPDATE): _S.PENDING_UPDATE,
    (_S.PENDING_UPDATE, _T.PENDING_CANCEL): _S.PENDING_CANCEL,
    (_S.PENDING_UPDATE, _T.ACCEPT): _S.ACCEPTED,
    (_S.PENDING_UPDATE, _T.REJECT): _S.REJECTED,
    (_S.PENDING_UPDATE, _T.CANCEL): _S.CANCELED,
    (_S.PENDING_UPDATE, _T.EXPIRE): _S.EXPIRED,
    (_S.PENDING_UPDATE, _T.TRIGGER): _S.TRIGGERED,
    (_S.PENDING_UPDATE, _T.FILL_PARTIAL): _S.PARTIALLY_FILLED,
    (_S.PENDING_UPDATE, _T.FILL_COMPLETE): _S.FILLED,
    # A cancel is in flight; the order keeps trading until the venue confirms.
    (_S.PENDING_CANCEL, _T.CANCEL): _S.CANCELED,
    (_S.PENDING_CANCEL, _T.CANCEL_REJECT): RESTORE_PREVIOUS,
    (_S.PENDING_CANCEL, _T.MODIFY_REJECT): _S.PENDING_CANCEL,
    (_S.PENDING_CANCEL, _T.UPDATE): _S.PENDING_CANCEL,
    (_S.PENDING_CANCEL, _T.PENDING_CANCEL): _S.PENDING_CANCEL,
    (_S.PENDING_CANCEL, _T.ACCEPT): _S.ACCEPTED,
    (_S.PENDING_CANCEL, _T.REJECT): _S.REJECTED,
    (_S.PENDING_CANCEL, _T.EXPIRE): _S.EXPIRED,
    (_S.PENDING_CANCEL, _T.TRIGGER): _S.TRIGGERED,
    (_S.PENDING_CANCEL, _T.FILL_PARTIAL): _S.PARTIALLY_FILLED,
    (_S.PENDING_CANCEL, _T.FILL_COMPLETE): _S.FILLED,
    # Closed. Only late answers and late fills (trades done before the cancel/expiry was
    # confirmed) are accepted; none of them reopens the order.
    **_answers_are_noops(_S.REJECTED),
    **_answers_are_noops(_S.CANCELED),
    (_S.CANCELED, _T.FILL_PARTIAL): _S.CANCELED,
    (_S.CANCELED, _T.FILL_COMPLETE): _S.FILLED,
    **_answers_are_noops(_S.EXPIRED),
    (_S.EXPIRED, _T.FILL_PARTIAL): _S.EXPIRED,
    (_S.EXPIRED, _T.FILL_COMPLETE): _S.FILLED,
    **_answers_are_noops(_S.FILLED),
}

ORDER_TRANSITIONS: Final[Mapping[tuple[OrderStatus, OrderTrigger], OrderStatus | Restore]] = (
    MappingProxyType(_TABLE)
)
"""Every valid ``(status, trigger)`` pair and the status it leads to."""


class OrderStateMachine:
    """Tracks one order's status through `ORDER_TRANSITIONS`.

    Args:
        name: names the order in `InvalidStateTransition` messages.
        initial: the starting status.
    """

    __slots__ = ("_name", "_order_id", "_settled", "_status")

    def __init__(
        self,
        name: str = "",
        initial: OrderStatus = OrderStatus.INITIALIZED,
        *,
        order_id: object | None = None,
    ) -> None:
        self._name = name
        self._order_id = order_id  # names the machine "Order(<order_id>)", formatted on error
        self._status = initial
        self._settled = initial

    @property
    def name(self) -> str:
        """How the machine is named in `InvalidStateTransition` messages."""
        return self._name if self._order_id is None else f"Order({self._order_id})"

    @property
    def status(self) -> OrderStatus:
        """The current status."""
        return self._status

    @property
    def status_before_pending(self) -> OrderStatus:
        """The last status that was not ``PENDING_UPDATE`` or ``PENDING_CANCEL``."""
        return self._settled

    def can_trigger(self, trigger: OrderTrigger) -> bool:
        """Return whether ``trigger`` is valid in the current status."""
        return (self._status, trigger) in ORDER_TRANSITIONS

    def peek(self, trigger: OrderTrigger) -> OrderStatus:
        """Return the status ``trigger`` would lead to, without changing anything.

        Raises:
            InvalidStateTransition: the pair is not in the table.
        """
        target = _TABLE.get((self._status, trigger))
        if target is None:
            raise InvalidStateTransition(self.name, self._status, trigger)
        if target is RESTORE_PREVIOUS:
            return self._settled
        return target

    def trigger(self, trigger: OrderTrigger) -> OrderStatus:
        """Apply ``trigger`` and return the new status (state unchanged if it raises)."""
        new = self.peek(trigger)
        self.advance_to(new)
        return new

    def advance_to(self, status: OrderStatus) -> None:
        """Move to ``status``, a result of `peek` in the current status (not checked again)."""
        self._status = status
        if status not in PENDING_STATUSES:
            self._settled = status
