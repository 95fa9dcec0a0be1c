"""Client order ids and order list ids for one strategy: unique and deterministic.

``O-<YYYYMMDD>-<HHMMSS>-<TRADER_TAG>-<STRATEGY_TAG>-<COUNT>``, e.g.
``O-20240102-030405-001-SMA-7``; order lists use the prefix ``OL``. The date and time are the
clock's (UTC, to the second), the trader tag is the part of the trader id after its last ``-``,
the strategy tag is the strategy's ``order_id_tag`` and the count goes up by one per id. The
same clock times and the same sequence of calls give the same ids (so backtests are
repeatable); tags unique per trader and a count that only grows keep them unique.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime

from shrivenquant.core.clock import Clock
from shrivenquant.model.identifiers import ClientOrderId, OrderListId, TraderId

_NANOS_PER_SECOND = 1_000_000_000


def tag_of(identifier: str) -> str:
    """The part of ``identifier`` after its last ``-`` (the whole of it if it has none)."""
    return identifier.rpartition("-")[2]


class OrderIdGenerator:
    """Makes the client order ids and order list ids of one strategy.

    Args:
        trader_id: the trader; its tag is the part after the last ``-``.
        order_id_tag: the strategy's tag (unique per trader).
        clock: the time source of the date and time part.
    """

    __slots__ = ("_clock", "_list_count", "_order_count", "_prefix", "_second", "_stamp")

    def __init__(self, trader_id: TraderId, order_id_tag: str, clock: Clock) -> None:
        if not order_id_tag or "-" in order_id_tag:
            raise ValueError(f"order_id_tag must be non-empty without '-', got {order_id_tag!r}")
        self._clock = clock
        self._prefix = f"{tag_of(trader_id.value)}-{order_id_tag}"
        self._order_count = 0
        self._list_count = 0
        self._second: int | None = None
        self._stamp = ""

    @property
    def order_count(self) -> int:
        """How many client order ids have been made (the count of the last one)."""
        return self._order_count

    @property
    def order_list_count(self) -> int:
        """How many order list ids have been made."""
        return self._list_count

    def set_counts(self, order_count: int, order_list_count: int) -> None:
        """Continue counting after ``order_count`` orders and ``order_list_count`` lists (e.g.
        the strategy's orders already in the cache after a restart).

        Raises:
            ValueError: a count is negative.
        """
        for name, value in (("order_count", order_count), ("order_list_count", order_list_count)):
            if type(value) is not int or value < 0:
                raise ValueError(f"{name} must be an int >= 0, got {value!r}")
        self._order_count = order_count
        self._list_count = order_list_count

    def continue_after(
        self, client_order_ids: Iterable[ClientOrderId], order_list_ids: Iterable[OrderListId]
    ) -> None:
        """Raise the counts past every id of this generator's form among the given ones (the
        strategy's orders found in the cache at start), so no id is ever made twice."""
        self._order_count = max(self._order_count, self._highest("O", client_order_ids))
        self._list_count = max(self._list_count, self._highest("OL", order_list_ids))

    def _highest(self, kind: str, ids: Iterable[ClientOrderId | OrderListId]) -> int:
        pattern = re.compile(rf"^{kind}-\d{{8}}-\d{{6}}-{re.escape(self._prefix)}-(\d+)$")
        highest = 0
        for identifier in ids:
            match = pattern.match(identifier.value)
            if match is not None:
                highest = max(highest, int(match.group(1)))
        return highest

    def reset(self) -> None:
        """Start counting from zero again."""
        self.set_counts(0, 0)

    def client_order_id(self) -> ClientOrderId:
        """The next client order id."""
        self._order_count += 1
        return ClientOrderId(f"O-{self._timestamp()}-{self._prefix}-{self._order_count}")

    def order_list_id(self) -> OrderListId:
        """The next order list id."""
        self._list_count += 1
        return OrderListId(f"OL-{self._timestamp()}-{self._prefix}-{self._list_count}")

    def take_back(self, orders: int, order_lists: int = 0) -> None:
        """Undo the last ``orders`` client order ids and ``order_lists`` list ids (when the
        order they were made for could not be built), so failures leave no gaps."""
        self._order_count -= orders
        self._list_count -= order_lists

    def _timestamp(self) -> str:
        second = self._clock.timestamp_ns() // _NANOS_PER_SECOND
        if second != self._second:
            self._second = second
            self._stamp = datetime.fromtimestamp(second, UTC).strftime("%Y%m%d-%H%M%S")
        return self._stamp
