"""Positions in the cache: by id, open/closed, and indexed by strategy, instrument and venue.

`PositionIndex` holds the state (written by the execution engine through `Cache`);
`PositionQueries` is the read side shared by `Cache` and `CacheView`.
"""

from __future__ import annotations

from collections.abc import Iterable

from shrivenquant.model.enums import PositionSide
from shrivenquant.model.identifiers import InstrumentId, PositionId, StrategyId, Venue
from shrivenquant.model.position import Position

_IdSet = dict[PositionId, None]


class PositionIndex:
    """The positions and the indexes over them; `update` keeps open/closed in step."""

    __slots__ = ("by_instrument", "by_strategy", "by_venue", "closed", "open", "positions")

    def __init__(self) -> None:
        self.positions: dict[PositionId, Position] = {}
        self.by_strategy: dict[StrategyId, _IdSet] = {}
        self.by_instrument: dict[InstrumentId, _IdSet] = {}
        self.by_venue: dict[Venue, _IdSet] = {}
        self.open: _IdSet = {}
        self.closed: _IdSet = {}

    def clear(self) -> None:
        """Forget everything (views keep working: the containers are cleared in place)."""
        for name in self.__slots__:
            getattr(self, name).clear()

    def add(self, position: Position) -> None:
        """Add a new position and index it.

        Raises:
            ValueError: a position with the same id is already cached.
        """
        pid = position.id
        if pid in self.positions:
            raise ValueError(f"position {pid} is already in the cache")
        self.positions[pid] = position
        self.by_strategy.setdefault(position.strategy_id, {})[pid] = None
        self.by_instrument.setdefault(position.instrument_id, {})[pid] = None
        self.by_venue.setdefault(position.instrument_id.venue, {})[pid] = None
        self.update(position)

    def update(self, position: Position) -> None:
        """Move the position between the open and closed sets after a fill.

        Raises:
            KeyError: the position is not in the cache.
        """
        pid = position.id
        if self.positions.get(pid) is not position:
            raise KeyError(f"position {pid} is not in the cache")
        if position.is_open:
            self.open[pid] = None
            self.closed.pop(pid, None)
        else:
            self.closed[pid] = None
            self.open.pop(pid, None)

    def select(
        self,
        base: _IdSet | None,
        venue: Venue | None,
        instrument_id: InstrumentId | None,
        strategy_id: StrategyId | None,
        side: PositionSide | None,
    ) -> list[Position]:
        """Positions in ``base`` (all when None) matching every filter given."""
        if base is not None:
            if not base:
                return []  # the common "nothing open" case, without building filters
            if len(base) == 1:  # the other common one: one position open
                return _one(
                    self.positions[next(iter(base))], venue, instrument_id, strategy_id, side
                )
        filters: list[_IdSet] = []
        if venue is not None:
            filters.append(self.by_venue.get(venue, {}))
        if instrument_id is not None:
            filters.append(self.by_instrument.get(instrument_id, {}))
        if strategy_id is not None:
            filters.append(self.by_strategy.get(strategy_id, {}))
        source: Iterable[PositionId]
        if base is not None:
            source = base
        elif filters:
            filters.sort(key=len)
            source = filters.pop(0)
        else:
            source = self.positions.keys()
        for keep in filters:  # one pass per filter: no generator per element
            source = [pid for pid in source if pid in keep]
        positions = self.positions
        if side is None:
            return [positions[pid] for pid in source]
        return [p for pid in source if (p := positions[pid]).side is side]


def _one(
    position: Position,
    venue: Venue | None,
    instrument_id: InstrumentId | None,
    strategy_id: StrategyId | None,
    side: PositionSide | None,
) -> list[Position]:
    """``[position]`` if it matches every filter given, else ``[]``: its own fields compared,
    no index looked up."""
    # Identifiers compare in Python: the identity check first spares that call when the
    # caller holds the very object the position does (its instrument's id, usually).
    own_instrument = position.instrument_id
    if (
        instrument_id is not None
        and own_instrument is not instrument_id
        and own_instrument != instrument_id
    ):
        return []
    own_strategy = position.strategy_id
    if strategy_id is not None and own_strategy is not strategy_id and own_strategy != strategy_id:
        return []
    if venue is not None and own_instrument.venue != venue:
        return []
    if side is not None and position.side is not side:
        return []
    return [position]


class PositionQueries:
    """Read-only position queries, shared by `Cache` and `CacheView`.

    Filters combine with AND; None means no filter. Results come in the order added.
    """

    __slots__ = ()
    _positions: PositionIndex

    def position(self, position_id: PositionId) -> Position | None:
        """The position ``position_id``, or None."""
        return self._positions.positions.get(position_id)

    def position_exists(self, position_id: PositionId) -> bool:
        """Whether the position is cached."""
        return position_id in self._positions.positions

    def positions(
        self,
        venue: Venue | None = None,
        instrument_id: InstrumentId | None = None,
        strategy_id: StrategyId | None = None,
        side: PositionSide | None = None,
    ) -> list[Position]:
        """Every cached position matching the filters."""
        return self._positions.select(None, venue, instrument_id, strategy_id, side)

    def positions_open(
        self,
        venue: Venue | None = None,
        instrument_id: InstrumentId | None = None,
        strategy_id: StrategyId | None = None,
        side: PositionSide | None = None,
    ) -> list[Position]:
        """Positions with quantity open."""
        index = self._positions
        return index.select(index.open, venue, instrument_id, strategy_id, side)

    def positions_closed(
        self,
        venue: Venue | None = None,
        instrument_id: InstrumentId | None = None,
        strategy_id: StrategyId | None = None,
    ) -> list[Position]:
        """Flat positions."""
        index = self._positions
        return index.select(index.closed, venue, instrument_id, strategy_id, None)

    def positions_open_count(
        self,
        venue: Venue | None = None,
        instrument_id: InstrumentId | None = None,
        strategy_id: StrategyId | None = None,
    ) -> int:
        """How many open positions match the filters."""
        if venue is None and instrument_id is None and strategy_id is None:
            return len(self._positions.open)
        return len(self.positions_open(venue, instrument_id, strategy_id))

    def is_position_open(self, position_id: PositionId) -> bool:
        """Whether the position has quantity open."""
        return position_id in self._positions.open

    def is_position_closed(self, position_id: PositionId) -> bool:
        """Whether the position is flat."""
        return position_id in self._positions.closed
