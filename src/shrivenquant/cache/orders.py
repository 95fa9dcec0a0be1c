"""Orders in the cache: the orders themselves and the indexes that answer queries fast.

`OrderIndex` holds the state and is written only by the execution engine (through `Cache`);
`OrderQueries` is the read side shared by `Cache` and `CacheView`. Every index is an insertion
ordered ``dict`` used as a set, so adds and removes are O(1) and query results come back in the
order the orders were added.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from shrivenquant.model.enums import OrderSide, OrderStatus
from shrivenquant.model.identifiers import (
    ClientId,
    ClientOrderId,
    InstrumentId,
    OrderListId,
    PositionId,
    StrategyId,
    Venue,
    VenueOrderId,
)
from shrivenquant.model.orders import (
    CLOSED_STATUSES,
    INFLIGHT_STATUSES,
    LOCAL_STATUSES,
    OPEN_STATUSES,
    Order,
    OrderList,
)

_IdSet = dict[ClientOrderId, None]
K = TypeVar("K")

# For each status: (local, open, closed, inflight, emulated) membership.
_MEMBERSHIP: dict[OrderStatus, tuple[bool, bool, bool, bool, bool]] = {
    status: (
        status in LOCAL_STATUSES,
        status in OPEN_STATUSES,
        status in CLOSED_STATUSES,
        status in INFLIGHT_STATUSES,
        status is OrderStatus.EMULATED,
    )
    for status in OrderStatus
}
_NOWHERE = (False, False, False, False, False)


def _moves(old: OrderStatus | None, new: OrderStatus) -> tuple[tuple[int, bool], ...]:
    """The status sets (by position) an order enters (True) or leaves (False) from old to new."""
    was = _NOWHERE if old is None else _MEMBERSHIP[old]
    now = _MEMBERSHIP[new]
    return tuple(
        (i, after)
        for i, (before, after) in enumerate(zip(was, now, strict=True))
        if before != after
    )


# For each (old status or None, new status): the set changes, computed once.
_MOVES: dict[tuple[OrderStatus | None, OrderStatus], tuple[tuple[int, bool], ...]] = {
    (old, new): _moves(old, new) for old in (None, *OrderStatus) for new in OrderStatus
}


def _index(indexes: dict[K, _IdSet], key: K) -> _IdSet:
    """The index of ``key`` in ``indexes``, created empty when new."""
    index = indexes.get(key)
    if index is None:
        index = indexes[key] = {}
    return index


class OrderIndex:
    """The orders, order lists and every index over them.

    Status sets (local, open, closed, inflight, emulated) are kept in step with each order's
    status by `update`, which the execution engine calls after it applies an event.
    """

    __slots__ = (
        "by_instrument",
        "by_strategy",
        "by_venue",
        "client_ids",
        "closed",
        "emulated",
        "inflight",
        "lists",
        "local",
        "open",
        "orders",
        "position_ids",
        "status_sets",
        "statuses",
        "venue_ids",
        "venue_order_ids",
    )

    def __init__(self) -> None:
        self.orders: dict[ClientOrderId, Order] = {}
        self.venue_ids: dict[VenueOrderId, ClientOrderId] = {}
        self.venue_order_ids: dict[ClientOrderId, VenueOrderId] = {}
        self.client_ids: dict[ClientOrderId, ClientId] = {}
        self.position_ids: dict[ClientOrderId, PositionId] = {}
        self.statuses: dict[ClientOrderId, OrderStatus] = {}
        self.by_strategy: dict[StrategyId, _IdSet] = {}
        self.by_instrument: dict[InstrumentId, _IdSet] = {}
        self.by_venue: dict[Venue, _IdSet] = {}
        self.lists: dict[OrderListId, OrderList] = {}
        self.local: _IdSet = {}
        self.open: _IdSet = {}
        self.closed: _IdSet = {}
        self.inflight: _IdSet = {}
        self.emulated: _IdSet = {}
        self.status_sets = (self.local, self.open, self.closed, self.inflight, self.emulated)

    def clear(self) -> None:
        """Forget everything (views keep working: the containers are cleared in place)."""
        for name in self.__slots__:
            container = getattr(self, name)
            if isinstance(container, dict):
                container.clear()

    def add(
        self,
        order: Order,
        client_id: ClientId | None = None,
        position_id: PositionId | None = None,
    ) -> None:
        """Add a new order and index it.

        Raises:
            ValueError: an order with the same client order id is already cached.
        """
        cid = order.client_order_id
        if cid in self.orders:
            raise ValueError(f"order {cid} is already in the cache")
        self.orders[cid] = order
        instrument_id = order.instrument_id
        _index(self.by_strategy, order.strategy_id)[cid] = None
        _index(self.by_instrument, instrument_id)[cid] = None
        _index(self.by_venue, instrument_id.venue)[cid] = None
        if client_id is not None:
            self.client_ids[cid] = client_id
        if position_id is not None:
            self.position_ids[cid] = position_id
        self.update(order)

    def update(self, order: Order) -> None:
        """Re-index ``order`` after its status or venue order id changed.

        Raises:
            KeyError: the order is not in the cache.
        """
        cid = order.client_order_id
        if self.orders.get(cid) is not order:
            raise KeyError(f"order {cid} is not in the cache")
        status = order.status
        statuses = self.statuses
        old = statuses.get(cid)
        if old is not status:
            statuses[cid] = status
            sets = self.status_sets
            for position, enters in _MOVES[(old, status)]:
                if enters:
                    sets[position][cid] = None
                else:
                    del sets[position][cid]
        venue_order_id = order.venue_order_id
        if venue_order_id is not None:
            known = self.venue_order_ids.get(cid)
            if known is None or (known is not venue_order_id and known != venue_order_id):
                self.venue_order_ids[cid] = venue_order_id
                self.venue_ids[venue_order_id] = cid

    def add_list(self, order_list: OrderList) -> None:
        """Add an order list (its orders are added one by one with `add`).

        Raises:
            ValueError: a list with the same id is already cached.
        """
        if order_list.order_list_id in self.lists:
            raise ValueError(f"order list {order_list.order_list_id} is already in the cache")
        self.lists[order_list.order_list_id] = order_list

    def select(
        self,
        base: _IdSet | None,
        venue: Venue | None,
        instrument_id: InstrumentId | None,
        strategy_id: StrategyId | None,
        side: OrderSide | None,
    ) -> list[Order]:
        """Orders in ``base`` (all when None) that match every filter given."""
        if base is not None and not base:
            return []  # the common "nothing open" case, without building filters
        filters: list[_IdSet] = []
        if venue is not None:
            filters.append(self.by_venue.get(venue, {}))
        if instrument_id is not None:
            filters.append(self.by_instrument.get(instrument_id, {}))
        if strategy_id is not None:
            filters.append(self.by_strategy.get(strategy_id, {}))
        source: Iterable[ClientOrderId]
        if base is not None:
            source = base
        elif filters:
            filters.sort(key=len)
            source = filters.pop(0)
        else:
            source = self.orders.keys()
        for keep in filters:  # one pass per filter: no generator per element
            source = [cid for cid in source if cid in keep]
        orders = self.orders
        if side is None or side is OrderSide.NO_ORDER_SIDE:
            return [orders[cid] for cid in source]
        return [order for cid in source if (order := orders[cid]).side is side]

    def count(
        self,
        base: _IdSet,
        venue: Venue | None,
        instrument_id: InstrumentId | None,
        strategy_id: StrategyId | None,
        side: OrderSide | None,
    ) -> int:
        """How many orders `select` would return."""
        if venue is None and instrument_id is None and strategy_id is None and side is None:
            return len(base)
        return len(self.select(base, venue, instrument_id, strategy_id, side))


class OrderQueries:
    """Read-only order queries, shared by `Cache` and `CacheView`.

    Filters (``venue``, ``instrument_id``, ``strategy_id``, ``side``) combine with AND; leave
    one as None to not filter by it. Results come back in the order the orders were added.
    """

    __slots__ = ()
    _orders: OrderIndex

    def order(self, client_order_id: ClientOrderId) -> Order | None:
        """The order with ``client_order_id``, or None."""
        return self._orders.orders.get(client_order_id)

    def order_exists(self, client_order_id: ClientOrderId) -> bool:
        """Whether an order with ``client_order_id`` is cached."""
        return client_order_id in self._orders.orders

    def order_by_venue_order_id(self, venue_order_id: VenueOrderId) -> Order | None:
        """The order the venue calls ``venue_order_id``, or None."""
        cid = self._orders.venue_ids.get(venue_order_id)
        return None if cid is None else self._orders.orders.get(cid)

    def client_order_id(self, venue_order_id: VenueOrderId) -> ClientOrderId | None:
        """Our id for the venue's ``venue_order_id``, or None."""
        return self._orders.venue_ids.get(venue_order_id)

    def venue_order_id(self, client_order_id: ClientOrderId) -> VenueOrderId | None:
        """The venue's id for our ``client_order_id``, once known."""
        return self._orders.venue_order_ids.get(client_order_id)

    def client_id_for_order(self, client_order_id: ClientOrderId) -> ClientId | None:
        """The execution client the order was routed to explicitly, if any."""
        return self._orders.client_ids.get(client_order_id)

    def position_id_for_order(self, client_order_id: ClientOrderId) -> PositionId | None:
        """The position the order's fills go to, once known."""
        return self._orders.position_ids.get(client_order_id)

    def orders(
        self,
        venue: Venue | None = None,
        instrument_id: InstrumentId | None = None,
        strategy_id: StrategyId | None = None,
        side: OrderSide | None = None,
    ) -> list[Order]:
        """Every cached order matching the filters."""
        return self._orders.select(None, venue, instrument_id, strategy_id, side)

    def orders_open(
        self,
        venue: Venue | None = None,
        instrument_id: InstrumentId | None = None,
        strategy_id: StrategyId | None = None,
        side: OrderSide | None = None,
    ) -> list[Order]:
        """Orders sent to a venue and not finished."""
        return self._orders.select(self._orders.open, venue, instrument_id, strategy_id, side)

    def orders_closed(
        self,
        venue: Venue | None = None,
        instrument_id: InstrumentId | None = None,
        strategy_id: StrategyId | None = None,
        side: OrderSide | None = None,
    ) -> list[Order]:
        """Finished orders (denied, rejected, canceled, expired, filled)."""
        return self._orders.select(self._orders.closed, venue, instrument_id, strategy_id, side)

    def orders_inflight(
        self,
        venue: Venue | None = None,
        instrument_id: InstrumentId | None = None,
        strategy_id: StrategyId | None = None,
        side: OrderSide | None = None,
    ) -> list[Order]:
        """Orders waiting for the venue to answer a submit, modify or cancel."""
        return self._orders.select(self._orders.inflight, venue, instrument_id, strategy_id, side)

    def orders_emulated(
        self,
        venue: Venue | None = None,
        instrument_id: InstrumentId | None = None,
        strategy_id: StrategyId | None = None,
        side: OrderSide | None = None,
    ) -> list[Order]:
        """Orders held by the local order emulator."""
        return self._orders.select(self._orders.emulated, venue, instrument_id, strategy_id, side)

    def orders_local(
        self,
        venue: Venue | None = None,
        instrument_id: InstrumentId | None = None,
        strategy_id: StrategyId | None = None,
        side: OrderSide | None = None,
    ) -> list[Order]:
        """Orders not sent to a venue yet (initialized, emulated or released)."""
        return self._orders.select(self._orders.local, venue, instrument_id, strategy_id, side)

    def orders_open_count(
        self,
        venue: Venue | None = None,
        instrument_id: InstrumentId | None = None,
        strategy_id: StrategyId | None = None,
        side: OrderSide | None = None,
    ) -> int:
        """How many open orders match the filters."""
        return self._orders.count(self._orders.open, venue, instrument_id, strategy_id, side)

    def orders_total_count(self) -> int:
        """How many orders are cached."""
        return len(self._orders.orders)

    def is_order_open(self, client_order_id: ClientOrderId) -> bool:
        """Whether the order is open (sent and not finished)."""
        return client_order_id in self._orders.open

    def is_order_closed(self, client_order_id: ClientOrderId) -> bool:
        """Whether the order is finished."""
        return client_order_id in self._orders.closed

    def is_order_inflight(self, client_order_id: ClientOrderId) -> bool:
        """Whether the order awaits a venue answer."""
        return client_order_id in self._orders.inflight

    def is_order_emulated(self, client_order_id: ClientOrderId) -> bool:
        """Whether the order emulator holds the order."""
        return client_order_id in self._orders.emulated

    def order_list(self, order_list_id: OrderListId) -> OrderList | None:
        """The order list ``order_list_id``, or None."""
        return self._orders.lists.get(order_list_id)

    def order_lists(
        self, instrument_id: InstrumentId | None = None, strategy_id: StrategyId | None = None
    ) -> list[OrderList]:
        """Cached order lists, optionally of one instrument and/or strategy."""
        return [
            order_list
            for order_list in self._orders.lists.values()
            if (instrument_id is None or order_list.instrument_id == instrument_id)
            and (strategy_id is None or order_list.strategy_id == strategy_id)
        ]

    def strategy_ids(self) -> list[StrategyId]:
        """Every strategy that has orders in the cache."""
        return list(self._orders.by_strategy)
