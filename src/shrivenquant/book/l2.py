"""`L2Book`: a market-by-price order book maintained from snapshots and deltas.

The data structure and the queries are in `L2BookView`; this module applies updates. A size
update of an existing level touches only a dict; a new level costs one ``insort``, a removed
level one ``bisect`` and ``del``.

Semantics:
- Sizes are absolute: ADD and UPDATE set the level's total size (an UPDATE of a level the book
  does not hold adds it); DELETE removes the level; CLEAR empties the book.
- Deleting a level the book does not hold is ignored and counted in `unknown_deletes`: venues
  send such deletes after a resynchronisation, for levels beyond the depth we were sent.
- The book records the last applied ``sequence`` and ``ts_event`` but does not judge them;
  dropping stale or duplicate updates and detecting gaps belongs to the snapshot+diff
  synchronisation that feeds the book.
- The book may be crossed between the deltas of one venue message; `is_crossed` reports it.
- Invalid input (wrong instrument, a price or size off the book's precision, a negative size,
  an order id on a market-by-price delta) raises ``ValueError``. Updates before the bad one in
  a batch have been applied; resynchronise the book from a snapshot after such an error.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable, Sequence
from operator import neg
from typing import Final, NoReturn

import numpy as np
import numpy.typing as npt

from shrivenquant.book._shared import check_side
from shrivenquant.book.l2_view import L2BookView
from shrivenquant.model.data import (
    BookLevel,
    OrderBookDelta,
    OrderBookDeltas,
    OrderBookSnapshot,
)
from shrivenquant.model.enums import BookAction, OrderSide
from shrivenquant.model.values import Price, Quantity

SIDE_BID: Final = 1
"""Side code of a bid level in the raw batch API (`L2Book.apply_raw_batch`)."""
SIDE_ASK: Final = 2
"""Side code of an ask level in the raw batch API (`L2Book.apply_raw_batch`)."""

_BUY: Final = OrderSide.BUY
_SELL: Final = OrderSide.SELL
_CLEAR: Final = BookAction.CLEAR
_DELETE: Final = BookAction.DELETE

RawArray = Sequence[int] | npt.NDArray[np.integer]
"""Raw values for the batch API: a sequence of ints or a numpy integer array."""


def _as_lists(
    sides: RawArray, prices_raw: RawArray, sizes_raw: RawArray
) -> tuple[Sequence[int], Sequence[int], Sequence[int]]:
    """Turn numpy arrays into lists of Python ints; leave other sequences as they are."""
    converted: list[Sequence[int]] = []
    for name, values in (("sides", sides), ("prices_raw", prices_raw), ("sizes_raw", sizes_raw)):
        if isinstance(values, np.ndarray):
            if values.dtype.kind not in "iu":
                raise ValueError(
                    f"L2Book.apply_raw_batch: {name} must hold integers, got {values.dtype}"
                )
            converted.append(values.tolist())
        else:
            converted.append(values)
    return converted[0], converted[1], converted[2]


class L2Book(L2BookView):
    """A market-by-price order book for one instrument, kept from snapshots and deltas.

    See the module docstring for the update semantics and `L2BookView` for the queries.
    """

    __slots__ = ()

    def clear(self) -> None:
        """Remove every level; `sequence` and `ts_last` keep recording the last update."""
        self._bid_sizes.clear()
        self._ask_sizes.clear()
        self._bid_keys.clear()
        self._ask_keys.clear()

    def update_raw(self, side: OrderSide, price_raw: int, size_raw: int) -> None:
        """Set the size of one level from raw ints; a size of 0 deletes the level.

        Args:
            side: ``BUY`` for a bid level, ``SELL`` for an ask level.
            price_raw: the level's price in units of 10**-9, a whole tick at `price_precision`.
            size_raw: the level's total size in units of 10**-9 (0 deletes), a whole lot at
                `size_precision`.
        """
        if (
            type(price_raw) is not int
            or type(size_raw) is not int
            or price_raw % self._price_step
            or size_raw % self._size_step
            or size_raw < 0
        ):
            self._reject_raw(price_raw, size_raw)
        if side is _BUY:
            sizes = self._bid_sizes
            if size_raw:
                if price_raw not in sizes:
                    insort(self._bid_keys, price_raw)
                sizes[price_raw] = size_raw
            elif sizes.pop(price_raw, None) is None:
                self._unknown_deletes += 1
            else:
                keys = self._bid_keys
                del keys[bisect_left(keys, price_raw)]
        elif side is _SELL:
            sizes = self._ask_sizes
            if size_raw:
                if price_raw not in sizes:
                    insort(self._ask_keys, -price_raw)
                sizes[price_raw] = size_raw
            elif sizes.pop(price_raw, None) is None:
                self._unknown_deletes += 1
            else:
                keys = self._ask_keys
                del keys[bisect_left(keys, -price_raw)]
        else:
            check_side(side, f"L2Book {self._instrument_id} update_raw")
        self._update_count += 1

    def apply_raw_batch(
        self,
        sides: RawArray,
        prices_raw: RawArray,
        sizes_raw: RawArray,
        *,
        sequence: int | None = None,
        ts_event: int | None = None,
    ) -> None:
        """Apply many level updates given as parallel arrays, in order; the fastest path.

        Args:
            sides: `SIDE_BID` (1) or `SIDE_ASK` (2) per update.
            prices_raw: raw prices (units of 10**-9), whole ticks at `price_precision`.
            sizes_raw: raw absolute level sizes; 0 deletes the level.
            sequence: when given, recorded as the last applied sequence.
            ts_event: when given, recorded as `ts_last`.

        numpy arrays must hold integers (int64 covers prices up to about 9.2e9 units);
        sequences of Python ints have no such bound.
        """
        if type(prices_raw) is not list or type(sizes_raw) is not list or type(sides) is not list:
            # numpy arrays iterate as numpy scalars: convert them to lists of ints
            sides, prices_raw, sizes_raw = _as_lists(sides, prices_raw, sizes_raw)
        count = len(sides)
        if len(prices_raw) != count or len(sizes_raw) != count:
            raise ValueError(
                f"L2Book {self._instrument_id} apply_raw_batch: sides, prices_raw and sizes_raw "
                f"must have one length, got {count}, {len(prices_raw)} and {len(sizes_raw)}"
            )
        price_step = self._price_step
        size_step = self._size_step
        bid_sizes = self._bid_sizes
        ask_sizes = self._ask_sizes
        bid_keys = self._bid_keys
        ask_keys = self._ask_keys
        unknown = 0
        try:
            for side, price, size in zip(sides, prices_raw, sizes_raw, strict=False):
                if (
                    type(price) is not int
                    or type(size) is not int
                    or price % price_step
                    or size % size_step
                    or size < 0
                ):
                    self._reject_raw(price, size)
                if side == SIDE_BID:
                    if size:
                        if price not in bid_sizes:
                            insort(bid_keys, price)
                        bid_sizes[price] = size
                    elif bid_sizes.pop(price, None) is None:
                        unknown += 1
                    else:
                        del bid_keys[bisect_left(bid_keys, price)]
                elif side == SIDE_ASK:
                    if size:
                        if price not in ask_sizes:
                            insort(ask_keys, -price)
                        ask_sizes[price] = size
                    elif ask_sizes.pop(price, None) is None:
                        unknown += 1
                    else:
                        del ask_keys[bisect_left(ask_keys, -price)]
                else:
                    self._reject_side_code(side)
        except ValueError:
            # The loop stopped at the first invalid update; everything before it was applied.
            self._update_count += self._valid_prefix(sides, prices_raw, sizes_raw)
            raise
        finally:
            self._unknown_deletes += unknown
        self._update_count += count
        if sequence is not None:
            self._sequence = sequence
        if ts_event is not None:
            self._ts_last = ts_event

    def _reject_side_code(self, side: object) -> NoReturn:
        raise ValueError(
            f"L2Book {self._instrument_id} apply_raw_batch: side code must be "
            f"{SIDE_BID} (bid) or {SIDE_ASK} (ask), got {side!r}"
        )

    def _valid_prefix(self, sides: RawArray, prices_raw: RawArray, sizes_raw: RawArray) -> int:
        """The number of leading updates that pass `apply_raw_batch`'s checks."""
        price_step = self._price_step
        size_step = self._size_step
        for index, (side, price, size) in enumerate(
            zip(sides, prices_raw, sizes_raw, strict=False)
        ):
            if (
                type(price) is not int
                or type(size) is not int
                or price % price_step
                or size % size_step
                or size < 0
                or side not in (SIDE_BID, SIDE_ASK)
            ):
                return index
        return len(sides)

    def apply_delta(self, delta: OrderBookDelta) -> None:
        """Apply one market-by-price delta and record its sequence and ``ts_event``."""
        instrument_id = delta.instrument_id
        if instrument_id is not self._instrument_id and instrument_id != self._instrument_id:
            raise ValueError(
                f"L2Book {self._instrument_id}: got a delta for {instrument_id} "
                f"(seq {delta.sequence})"
            )
        self._apply_deltas((delta,))

    def apply_deltas(self, deltas: OrderBookDeltas) -> None:
        """Apply the deltas of one venue message in order and record the last one's sequence
        and ``ts_event``.

        The deltas are taken to be for the message's instrument (`OrderBookDeltas.validate`
        checks that).
        """
        instrument_id = deltas.instrument_id
        if instrument_id is not self._instrument_id and instrument_id != self._instrument_id:
            raise ValueError(
                f"L2Book {self._instrument_id}: got deltas for {instrument_id} "
                f"(seq {deltas.sequence})"
            )
        self._apply_deltas(deltas.deltas)

    def _apply_deltas(self, deltas: Iterable[OrderBookDelta]) -> None:
        # update_raw inlined: this loop is the market data hot path.
        price_step = self._price_step
        size_step = self._size_step
        bid_sizes = self._bid_sizes
        ask_sizes = self._ask_sizes
        bid_keys = self._bid_keys
        ask_keys = self._ask_keys
        last: OrderBookDelta | None = None
        applied = 0
        try:
            for delta in deltas:
                action = delta.action
                if action is _CLEAR:
                    self.clear()  # in place: the local names stay bound to the live containers
                else:
                    order = delta.order
                    if order is None or order.order_id:
                        self._reject_delta(delta)
                    price = order.price.raw
                    size = 0 if action is _DELETE else order.size.raw
                    if price % price_step or size % size_step or not (size or action is _DELETE):
                        self._reject_delta(delta)
                    side = order.side
                    if side is _BUY:
                        if size:
                            if price not in bid_sizes:
                                insort(bid_keys, price)
                            bid_sizes[price] = size
                        elif bid_sizes.pop(price, None) is None:
                            self._unknown_deletes += 1
                        else:
                            del bid_keys[bisect_left(bid_keys, price)]
                    elif side is _SELL:
                        if size:
                            if price not in ask_sizes:
                                insort(ask_keys, -price)
                            ask_sizes[price] = size
                        elif ask_sizes.pop(price, None) is None:
                            self._unknown_deletes += 1
                        else:
                            del ask_keys[bisect_left(ask_keys, -price)]
                    else:
                        self._reject_delta(delta)
                last = delta
                applied += 1
        finally:
            self._update_count += applied
            if last is not None:
                self._sequence = last.sequence
                self._ts_last = last.ts_event

    def _reject_delta(self, delta: OrderBookDelta) -> NoReturn:
        where = f"L2Book {self._instrument_id}: {delta.action} delta (seq {delta.sequence})"
        order = delta.order
        if order is None:
            raise ValueError(f"{where} has no order")
        if order.order_id:
            raise ValueError(
                f"{where} has order_id {order.order_id}; an L2 book takes market-by-price "
                f"deltas (order_id 0)"
            )
        if order.side is not _BUY and order.side is not _SELL:
            raise ValueError(f"{where}: side must be BUY (bid) or SELL (ask), got {order.side}")
        if not order.size and delta.action is not _DELETE:
            raise ValueError(f"{where} has size 0; use DELETE to remove a level")
        raise ValueError(
            f"{where}: level {order.price} x {order.size} is off the book's precision "
            f"(price {self._price_precision}, size {self._size_precision} decimal places)"
        )

    def apply_snapshot(self, snapshot: OrderBookSnapshot) -> None:
        """Replace the whole book with a snapshot and record its sequence and ``ts_event``.

        The book is untouched when the snapshot is rejected. Levels may come in any order;
        a price given twice keeps its last size.
        """
        instrument_id = snapshot.instrument_id
        if instrument_id is not self._instrument_id and instrument_id != self._instrument_id:
            raise ValueError(
                f"L2Book {self._instrument_id}: got a snapshot for {instrument_id} "
                f"(seq {snapshot.sequence})"
            )
        bid_sizes = self._load_levels(snapshot.bids, "bids")
        ask_sizes = self._load_levels(snapshot.asks, "asks")
        self._bid_sizes = bid_sizes
        self._ask_sizes = ask_sizes
        self._bid_keys = sorted(bid_sizes)
        self._ask_keys = sorted(map(neg, ask_sizes))
        self._sequence = snapshot.sequence
        self._ts_last = snapshot.ts_event
        self._update_count += 1

    def _load_levels(self, levels: Iterable[BookLevel], name: str) -> dict[int, int]:
        sizes = {level.price.raw: level.size.raw for level in levels}
        price_step = self._price_step
        size_step = self._size_step
        for price, size in sizes.items():
            if price % price_step or size % size_step or size <= 0:
                raise ValueError(
                    f"L2Book {self._instrument_id}: snapshot {name} level "
                    f"{self._show(price, size)} must have a positive size, price at precision "
                    f"{self._price_precision} and size at precision {self._size_precision}"
                )
        return sizes

    def _reject_raw(self, price_raw: object, size_raw: object) -> NoReturn:
        where = f"L2Book {self._instrument_id}"
        if type(price_raw) is not int:
            raise ValueError(f"{where}: price_raw must be an int, got {price_raw!r}")
        if type(size_raw) is not int:
            raise ValueError(f"{where}: size_raw must be an int, got {size_raw!r}")
        if size_raw < 0:
            raise ValueError(f"{where}: size_raw must not be negative, got {size_raw}")
        raise ValueError(
            f"{where}: level {self._show(price_raw, size_raw)} is off the book's precision "
            f"(price {self._price_precision}, size {self._size_precision} decimal places)"
        )

    @staticmethod
    def _show(price_raw: int, size_raw: int) -> str:
        return f"{Price.from_raw(price_raw, 9)} x {Quantity.from_raw(max(size_raw, 0), 9)}"
