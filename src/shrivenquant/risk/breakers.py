"""Circuit breakers that halt trading on their own and lift after a cool-down.

- `MarketMoveBreaker`: the price of an instrument moved more than ``move_pct`` from any price
  seen within the last ``window_ns`` (up from the window's low, or down from its high): that
  instrument is halted for ``cooldown_ns``.
- `VenueErrorBreaker`: ``max_errors`` errors of a venue (rejected orders, disconnects,
  timeouts) within ``window_ns``: the venue is halted for ``cooldown_ns``.

The stale-data breaker needs no state of its own: the pre-trade check compares the age of an
instrument's last market data with the limit on every order.

A breaker only detects; it reports a trip to its ``on_trip`` callback (the risk engine, which
sets the state, journals it and lifts it when the cool-down ends).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from shrivenquant.risk.config_sections import MarketMoveBreakerConfig, VenueErrorBreakerConfig

TripCallback = Callable[[str, str, int], None]
"""``on_trip(key, reason, until_ns)``: the instrument or venue key, why, when it lifts."""


class _PriceWindow:
    """Prices of the last window with their running minimum and maximum (monotonic deques)."""

    __slots__ = ("highs", "lows")

    def __init__(self) -> None:
        self.lows: deque[tuple[int, int]] = deque()  # (ts, price), prices increasing
        self.highs: deque[tuple[int, int]] = deque()  # (ts, price), prices decreasing

    def add(self, ts: int, price: int, oldest: int) -> tuple[int, int]:
        """Add a price and drop those before ``oldest``; return (low, high) of the window."""
        lows, highs = self.lows, self.highs
        while lows and lows[-1][1] >= price:
            lows.pop()
        lows.append((ts, price))
        while highs and highs[-1][1] <= price:
            highs.pop()
        highs.append((ts, price))
        while lows[0][0] < oldest:
            lows.popleft()
        while highs[0][0] < oldest:
            highs.popleft()
        return lows[0][1], highs[0][1]

    def clear(self) -> None:
        """Start a new window."""
        self.lows.clear()
        self.highs.clear()


class MarketMoveBreaker:
    """Trips when an instrument's price moves too far within the window."""

    __slots__ = ("_den", "_num", "_on_trip", "_tripped_until", "_windows", "config")

    def __init__(self, config: MarketMoveBreakerConfig, on_trip: TripCallback) -> None:
        self.config = config
        self._num, self._den = config.move_pct.as_integer_ratio()
        self._on_trip = on_trip
        self._windows: dict[str, _PriceWindow] = {}
        self._tripped_until: dict[str, int] = {}

    def on_price(self, key: str, price: int, ts: int) -> None:
        """Feed the instrument's latest price (raw) at ``ts``."""
        if price <= 0:
            return
        until = self._tripped_until.get(key)
        if until is not None:
            if ts < until:
                return
            del self._tripped_until[key]
        window = self._windows.get(key)
        if window is None:
            window = self._windows[key] = _PriceWindow()
        low, high = window.add(ts, price, ts - self.config.window_ns)
        num, den = self._num, self._den
        if (price - low) * den > low * num:
            move, base = price - low, low
        elif (high - price) * den > high * num:
            move, base = price - high, high
        else:
            return
        window.clear()
        until = ts + self.config.cooldown_ns
        self._tripped_until[key] = until
        percent = move * 100 / base
        self._on_trip(
            key,
            f"{key} moved {percent:+.2f}% within {self.config.window_ns / 1e9:g}s "
            f"(limit {self.config.move_pct:%})",
            until,
        )

    def reset(self) -> None:
        """Forget every window and trip."""
        self._windows.clear()
        self._tripped_until.clear()


class VenueErrorBreaker:
    """Trips when a venue reports too many errors within the window."""

    __slots__ = ("_errors", "_on_trip", "_tripped_until", "config")

    def __init__(self, config: VenueErrorBreakerConfig, on_trip: TripCallback) -> None:
        self.config = config
        self._on_trip = on_trip
        self._errors: dict[str, deque[tuple[int, str]]] = {}
        self._tripped_until: dict[str, int] = {}

    def record(self, venue: str, kind: str, ts: int) -> bool:
        """Count one error of ``kind`` (reject, disconnect, timeout) at ``ts``; True if the
        venue tripped."""
        until = self._tripped_until.get(venue)
        if until is not None:
            if ts < until:
                return False
            del self._tripped_until[venue]
        errors = self._errors.get(venue)
        if errors is None:
            errors = self._errors[venue] = deque()
        errors.append((ts, kind))
        oldest = ts - self.config.window_ns
        while errors[0][0] < oldest:
            errors.popleft()
        if len(errors) < self.config.max_errors:
            return False
        kinds: dict[str, int] = {}
        for _, name in errors:
            kinds[name] = kinds.get(name, 0) + 1
        errors.clear()
        until = ts + self.config.cooldown_ns
        self._tripped_until[venue] = until
        shown = ", ".join(f"{count} {name}" for name, count in sorted(kinds.items()))
        self._on_trip(
            venue,
            f"{venue} had {shown} within {self.config.window_ns / 1e9:g}s "
            f"(limit {self.config.max_errors})",
            until,
        )
        return True

    def count(self, venue: str) -> int:
        """Errors of the venue in the current window."""
        return len(self._errors.get(venue, ()))

    def reset(self) -> None:
        """Forget every error and trip."""
        self._errors.clear()
        self._tripped_until.clear()
