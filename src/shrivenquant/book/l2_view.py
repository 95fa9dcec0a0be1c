"""`L2BookView`: the read-only side of an `L2Book` (best levels, depth, prices to fill).

Each side is a ``dict`` from raw price to raw size (units of 10**-9) plus a sorted list of the
prices. Bid prices are kept ascending and ask prices negated and ascending, so the best level of
either side is the last item of its list and the busy part of the book, near the top, is where
insertions and deletions move the fewest items. Components that only read a book (strategies,
risk) are given it typed as this view.
"""

from __future__ import annotations

from decimal import Decimal

from shrivenquant.book._shared import (
    average_price,
    check_precision,
    check_side,
    mid_decimal,
    raw_step,
    top_keys,
)
from shrivenquant.model.data import BookLevel, OrderBookSnapshot
from shrivenquant.model.enums import OrderSide
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.model.values import Price, Quantity


class L2BookView:
    """Queries on a market-by-price order book for one instrument; `L2Book` adds updates.

    Args:
        instrument_id: the instrument; deltas and snapshots for any other are rejected.
        price_precision: the instrument's price precision; prices must be whole ticks of it.
        size_precision: the instrument's size precision; sizes must be whole lots of it.
    """

    __slots__ = (
        "_ask_keys",
        "_ask_sizes",
        "_bid_keys",
        "_bid_sizes",
        "_instrument_id",
        "_price_precision",
        "_price_step",
        "_sequence",
        "_size_precision",
        "_size_step",
        "_ts_last",
        "_unknown_deletes",
        "_update_count",
    )

    def __init__(
        self, instrument_id: InstrumentId, price_precision: int, size_precision: int
    ) -> None:
        if not isinstance(instrument_id, InstrumentId):
            raise TypeError(
                f"L2Book instrument_id must be an InstrumentId, got {type(instrument_id).__name__}"
            )
        self._instrument_id = instrument_id
        self._price_precision = check_precision(price_precision, "L2Book price_precision")
        self._size_precision = check_precision(size_precision, "L2Book size_precision")
        self._price_step = raw_step(price_precision)
        self._size_step = raw_step(size_precision)
        self._bid_sizes: dict[int, int] = {}
        self._ask_sizes: dict[int, int] = {}
        self._bid_keys: list[int] = []  # ascending prices: best bid last
        self._ask_keys: list[int] = []  # ascending negated prices: best ask last
        self._sequence = 0
        self._ts_last = 0
        self._update_count = 0
        self._unknown_deletes = 0

    @property
    def instrument_id(self) -> InstrumentId:
        """The instrument this book is for."""
        return self._instrument_id

    @property
    def price_precision(self) -> int:
        """Decimal places of prices in this book."""
        return self._price_precision

    @property
    def size_precision(self) -> int:
        """Decimal places of sizes in this book."""
        return self._size_precision

    @property
    def sequence(self) -> int:
        """The sequence of the last applied delta or snapshot (0 before any)."""
        return self._sequence

    @property
    def ts_last(self) -> int:
        """The ``ts_event`` of the last applied delta or snapshot, in ns (0 before any)."""
        return self._ts_last

    @property
    def update_count(self) -> int:
        """How many deltas and snapshots have been applied."""
        return self._update_count

    @property
    def unknown_deletes(self) -> int:
        """How many deletes named a level the book did not hold (they were ignored)."""
        return self._unknown_deletes

    @property
    def bid_depth(self) -> int:
        """The number of bid levels."""
        return len(self._bid_keys)

    @property
    def ask_depth(self) -> int:
        """The number of ask levels."""
        return len(self._ask_keys)

    # --- updates ------------------------------------------------------------------------------

    # --- queries ------------------------------------------------------------------------------

    def best_bid_raw(self) -> tuple[int, int] | None:
        """The best bid as ``(price_raw, size_raw)``, or None when there are no bids."""
        keys = self._bid_keys
        if not keys:
            return None
        price = keys[-1]
        return price, self._bid_sizes[price]

    def best_ask_raw(self) -> tuple[int, int] | None:
        """The best ask as ``(price_raw, size_raw)``, or None when there are no asks."""
        keys = self._ask_keys
        if not keys:
            return None
        price = -keys[-1]
        return price, self._ask_sizes[price]

    def best_bid(self) -> BookLevel | None:
        """The highest bid level, or None when there are no bids."""
        keys = self._bid_keys
        if not keys:
            return None
        return self._level(keys[-1], self._bid_sizes)

    def best_ask(self) -> BookLevel | None:
        """The lowest ask level, or None when there are no asks."""
        keys = self._ask_keys
        if not keys:
            return None
        return self._level(-keys[-1], self._ask_sizes)

    def spread(self) -> Price | None:
        """Best ask minus best bid (negative when crossed), or None when a side is empty."""
        if not self._bid_keys or not self._ask_keys:
            return None
        return Price.from_raw(-self._ask_keys[-1] - self._bid_keys[-1], self._price_precision)

    def mid(self) -> Decimal | None:
        """The exact midpoint of the best bid and ask, or None when a side is empty.

        It has `price_precision` decimal places, or one more when it falls between two ticks.
        """
        if not self._bid_keys or not self._ask_keys:
            return None
        return mid_decimal(self._bid_keys[-1], -self._ask_keys[-1], self._price_precision)

    def is_crossed(self) -> bool:
        """Whether the best bid is at or above the best ask (crossed or locked)."""
        return bool(self._bid_keys and self._ask_keys) and (
            self._bid_keys[-1] >= -self._ask_keys[-1]
        )

    def bids(self, depth: int | None = None) -> list[BookLevel]:
        """Bid levels, best (highest) first; at most ``depth`` of them when given."""
        sizes = self._bid_sizes
        return [self._level(price, sizes) for price in self._top_keys(self._bid_keys, depth)]

    def asks(self, depth: int | None = None) -> list[BookLevel]:
        """Ask levels, best (lowest) first; at most ``depth`` of them when given."""
        sizes = self._ask_sizes
        return [self._level(-key, sizes) for key in self._top_keys(self._ask_keys, depth)]

    def bids_raw(self, depth: int | None = None) -> list[tuple[int, int]]:
        """Bid levels as ``(price_raw, size_raw)``, best first; at most ``depth`` when given."""
        sizes = self._bid_sizes
        return [(price, sizes[price]) for price in self._top_keys(self._bid_keys, depth)]

    def asks_raw(self, depth: int | None = None) -> list[tuple[int, int]]:
        """Ask levels as ``(price_raw, size_raw)``, best first; at most ``depth`` when given."""
        sizes = self._ask_sizes
        return [(-key, sizes[-key]) for key in self._top_keys(self._ask_keys, depth)]

    def size_at(self, side: OrderSide, price: Price) -> Quantity:
        """The size resting at ``price`` on the bid (``BUY``) or ask (``SELL``) side; 0 if none."""
        is_bid = check_side(side, f"L2Book {self._instrument_id} size_at")
        sizes = self._bid_sizes if is_bid else self._ask_sizes
        return Quantity.from_raw(sizes.get(price.raw, 0), self._size_precision)

    def avg_px_for_size(self, taker_side: OrderSide, quantity: Quantity) -> Decimal | None:
        """The average price an order of ``taker_side`` would pay to fill ``quantity`` now.

        A ``BUY`` walks the asks from the best, a ``SELL`` the bids. Returns None when the
        side holds less than ``quantity``. The result is exact when it terminates within 28
        significant digits, otherwise rounded half-even to 28.
        """
        is_buy = check_side(taker_side, f"L2Book {self._instrument_id} avg_px_for_size")
        wanted = quantity.raw
        if wanted <= 0:
            raise ValueError(
                f"L2Book {self._instrument_id} avg_px_for_size: quantity must be > 0, "
                f"got {quantity}"
            )
        if is_buy:
            keys, sizes, sign = self._ask_keys, self._ask_sizes, -1
        else:
            keys, sizes, sign = self._bid_keys, self._bid_sizes, 1
        remaining = wanted
        notional = 0
        for key in reversed(keys):
            price = sign * key
            size = sizes[price]
            if size >= remaining:
                return average_price(notional + price * remaining, wanted)
            notional += price * size
            remaining -= size
        return None

    def qty_for_price(self, taker_side: OrderSide, price: Price) -> Quantity:
        """The size an order of ``taker_side`` limited at ``price`` could fill now.

        A ``BUY`` counts the asks at or below ``price``, a ``SELL`` the bids at or above it.
        """
        is_buy = check_side(taker_side, f"L2Book {self._instrument_id} qty_for_price")
        limit = price.raw
        total = 0
        if is_buy:
            sizes = self._ask_sizes
            for key in reversed(self._ask_keys):
                if -key > limit:
                    break
                total += sizes[-key]
        else:
            sizes = self._bid_sizes
            for key in reversed(self._bid_keys):
                if key < limit:
                    break
                total += sizes[key]
        return Quantity.from_raw(total, self._size_precision)

    def to_snapshot(self, depth: int | None = None, *, ts_init: int) -> OrderBookSnapshot:
        """The book (or its top ``depth`` levels) as a snapshot stamped with `ts_last`."""
        return OrderBookSnapshot(
            instrument_id=self._instrument_id,
            bids=self.bids(depth),
            asks=self.asks(depth),
            sequence=self._sequence,
            ts_event=self._ts_last,
            ts_init=ts_init,
        )

    def _level(self, price: int, sizes: dict[int, int]) -> BookLevel:
        return BookLevel(
            price=Price.from_raw(price, self._price_precision),
            size=Quantity.from_raw(sizes[price], self._size_precision),
        )

    def _top_keys(self, keys: list[int], depth: int | None) -> list[int]:
        return top_keys(keys, depth, f"{type(self).__name__} {self._instrument_id}")

    def __repr__(self) -> str:
        bid = self.best_bid()
        ask = self.best_ask()
        return (
            f"{type(self).__name__}({self._instrument_id}, bids={self.bid_depth}, "
            f"asks={self.ask_depth}, "
            f"best={bid.price if bid else None}/{ask.price if ask else None}, "
            f"seq={self._sequence})"
        )
