"""The `Indicator` base classes shared by every incremental indicator.

An indicator is fed one observation at a time and keeps just enough state to produce its
current value in O(1) (amortised) per update. Three families differ in what one observation is:

- `PriceIndicator`: one price (`update_raw(value)`); bars feed the close, trades the price,
  quotes the mid.
- `RangeIndicator`: high, low and close (`update_raw(high, low, close)`); a trade or quote
  counts as a bar whose high, low and close are all the one price.
- `VWAP` (in its own module) takes price, volume and time.

Outputs are ``float('nan')`` until enough observations have arrived for them (the warm-up);
`Indicator.initialized` turns true when every output has a value.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Final

from shrivenquant.model.data import Bar, QuoteTick, TradeTick

NAN: Final = math.nan


def check_period(owner: str, name: str, period: object, minimum: int = 1) -> int:
    """Return ``period`` when it is an int of at least ``minimum``; raise naming it otherwise.

    Raises:
        TypeError: ``period`` is not an int (``bool`` is refused too).
        ValueError: ``period`` is below ``minimum``.
    """
    if type(period) is not int:
        raise TypeError(f"{owner} {name} must be an int, got {period!r}")
    if period < minimum:
        raise ValueError(f"{owner} {name} must be >= {minimum}, got {period}")
    return period


def bad_input(owner: Indicator, name: str, value: float) -> ValueError:
    """The error raised when an indicator is fed a non-finite (or otherwise bad) number."""
    return ValueError(f"{owner!r} was fed {name}={value!r}; inputs must be finite numbers")


class Indicator(ABC):
    """Common state of every indicator: the update count and the warm-up flag.

    Subclasses set ``self._initialized`` once every output has a value and implement
    `handle_bar`, `handle_trade`, `handle_quote` and `_reset`.
    """

    __slots__ = ("_count", "_initialized")

    def __init__(self) -> None:
        self._count = 0
        self._initialized = False

    @property
    @abstractmethod
    def value(self) -> float:
        """The main output (``nan`` during warm-up)."""

    @property
    def initialized(self) -> bool:
        """Whether enough observations have arrived for every output to have a value."""
        return self._initialized

    @property
    def count(self) -> int:
        """How many observations have been fed since construction or the last `reset`."""
        return self._count

    def reset(self) -> None:
        """Forget every observation, as if newly built."""
        self._count = 0
        self._initialized = False
        self._reset()

    @abstractmethod
    def _reset(self) -> None:
        """Clear the subclass state."""

    @abstractmethod
    def handle_bar(self, bar: Bar) -> None:
        """Feed one bar."""

    @abstractmethod
    def handle_trade(self, trade: TradeTick) -> None:
        """Feed one trade."""

    @abstractmethod
    def handle_quote(self, quote: QuoteTick) -> None:
        """Feed one quote."""

    @abstractmethod
    def _params(self) -> str:
        """The parameters shown in ``repr`` (``"20"`` for ``SMA(20)``)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._params()})"


class PriceIndicator(Indicator):
    """An indicator of one price series.

    Bars feed their close, trades their price, quotes their mid price (the mean of bid and
    ask as floats). To use another input (a bar's typical price, a quote's bid), call
    `update_raw` with it.
    """

    __slots__ = ()

    @abstractmethod
    def update_raw(self, value: float) -> None:
        """Feed one price.

        Raises:
            ValueError: ``value`` is not finite.
        """

    def handle_bar(self, bar: Bar) -> None:
        """Feed the bar's close."""
        self.update_raw(bar.close.as_double())

    def handle_trade(self, trade: TradeTick) -> None:
        """Feed the trade price."""
        self.update_raw(trade.price.as_double())

    def handle_quote(self, quote: QuoteTick) -> None:
        """Feed the mid price."""
        self.update_raw((quote.bid_price.as_double() + quote.ask_price.as_double()) * 0.5)


class RangeIndicator(Indicator):
    """An indicator of high, low and close.

    A trade feeds its price as high, low and close; a quote its mid price.
    """

    __slots__ = ()

    @abstractmethod
    def update_raw(self, high: float, low: float, close: float) -> None:
        """Feed one high, low and close.

        Raises:
            ValueError: an input is not finite, or ``low`` is above ``high``.
        """

    def handle_bar(self, bar: Bar) -> None:
        """Feed the bar's high, low and close."""
        self.update_raw(bar.high.as_double(), bar.low.as_double(), bar.close.as_double())

    def handle_trade(self, trade: TradeTick) -> None:
        """Feed the trade price as high, low and close."""
        price = trade.price.as_double()
        self.update_raw(price, price, price)

    def handle_quote(self, quote: QuoteTick) -> None:
        """Feed the mid price as high, low and close."""
        mid = (quote.bid_price.as_double() + quote.ask_price.as_double()) * 0.5
        self.update_raw(mid, mid, mid)


def check_range(owner: Indicator, high: float, low: float, close: float) -> None:
    """Raise `ValueError` unless the three inputs are finite and ``low <= high``."""
    if not (math.isfinite(high) and math.isfinite(low) and math.isfinite(close)):
        raise ValueError(
            f"{owner!r} was fed high={high!r}, low={low!r}, close={close!r}; "
            f"inputs must be finite numbers"
        )
    if low > high:
        raise ValueError(f"{owner!r} was fed low={low!r} above high={high!r}")
