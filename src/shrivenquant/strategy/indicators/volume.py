"""Volume-weighted average price (`VWAP`), per session or over a rolling window."""

from __future__ import annotations

import math
from typing import Final

from shrivenquant.model.data import Bar, QuoteTick, TradeTick
from shrivenquant.strategy.indicators.base import NAN, Indicator, check_period

NS_PER_DAY: Final = 86_400_000_000_000


class VWAP(Indicator):
    """Volume-weighted average price: ``sum(price * volume) / sum(volume)``.

    Two modes:

    - **Session** (``period=None``, the default): the sums restart at each session
      boundary, which is UTC midnight shifted by ``session_offset_ns``. UTC midnight suits
      crypto, and NSE too (its 09:15-15:30 IST session lies inside one UTC day). Every update
      needs its timestamp; time must not go backwards.
    - **Rolling** (``period=N``): the sums run over the last ``N`` updates (a count, not a
      time span); the timestamp is ignored. The sums are recomputed exactly each time the
      window wraps.

    Bars feed their typical price ``(high + low + close) / 3`` and volume; a bar stamped at
    its close (``ts_event``) belongs to the session its last instant lies in, so the bar
    closing at midnight ends the old session. Trades feed price and size. Quotes carry no
    traded volume and are refused. The value is ``nan`` until the rolling window is full, and
    while the window (or session) has no volume; `initialized` is true while there is a value.
    """

    __slots__ = (
        "_index",
        "_last_ts",
        "_offset",
        "_period",
        "_pv_buffer",
        "_session",
        "_sum_pv",
        "_sum_v",
        "_v_buffer",
    )

    _index: int
    _last_ts: int
    _pv_buffer: list[float]
    _session: int | None
    _sum_pv: float
    _sum_v: float
    _v_buffer: list[float]

    def __init__(self, period: int | None = None, session_offset_ns: int = 0) -> None:
        super().__init__()
        self._period = None if period is None else check_period("VWAP", "period", period)
        if type(session_offset_ns) is not int or not 0 <= session_offset_ns < NS_PER_DAY:
            raise ValueError(
                f"VWAP session_offset_ns must be an int in [0, {NS_PER_DAY}), "
                f"got {session_offset_ns!r}"
            )
        self._offset = session_offset_ns
        self._reset()

    @property
    def period(self) -> int | None:
        """The rolling window length, or None in session mode."""
        return self._period

    @property
    def session_offset_ns(self) -> int:
        """How far after UTC midnight each session starts."""
        return self._offset

    @property
    def value(self) -> float:
        """The volume-weighted average price."""
        if not self._initialized:
            return NAN
        return self._sum_pv / self._sum_v

    @property
    def volume(self) -> float:
        """The volume in the current window or session."""
        return self._sum_v

    def update_raw(self, price: float, volume: float, ts_event: int | None = None) -> None:
        """Feed one price and the volume traded at it.

        Args:
            price: the traded (or typical) price.
            volume: the volume, not negative.
            ts_event: nanoseconds since the epoch, UTC; required in session mode.

        Raises:
            ValueError: a non-finite price, a negative or non-finite volume, a missing
                timestamp in session mode, or a timestamp before the previous one.
        """
        if not (math.isfinite(price) and math.isfinite(volume)) or volume < 0.0:
            raise ValueError(
                f"{self!r} was fed price={price!r}, volume={volume!r}; expected a finite "
                f"price and a finite volume >= 0"
            )
        self._count += 1
        period = self._period
        if period is None:
            self._update_session(price, volume, ts_event)
            self._initialized = self._sum_v > 0.0
        else:
            self._update_rolling(price, volume, period)
            self._initialized = self._count >= period and self._sum_v > 0.0

    def _update_session(self, price: float, volume: float, ts_event: int | None) -> None:
        if ts_event is None:
            raise ValueError(f"{self!r} (session mode) needs the ts_event of every update")
        if ts_event < self._last_ts:
            raise ValueError(
                f"{self!r} was fed ts_event={ts_event} before the previous {self._last_ts}"
            )
        self._last_ts = ts_event
        session = (ts_event - self._offset) // NS_PER_DAY
        if session != self._session:
            self._session = session
            self._sum_pv = 0.0
            self._sum_v = 0.0
        self._sum_pv += price * volume
        self._sum_v += volume

    def _update_rolling(self, price: float, volume: float, period: int) -> None:
        index = self._index
        pv = price * volume
        self._sum_pv += pv - self._pv_buffer[index]
        self._sum_v += volume - self._v_buffer[index]
        self._pv_buffer[index] = pv
        self._v_buffer[index] = volume
        index += 1
        if index == period:
            index = 0
            self._sum_pv = math.fsum(self._pv_buffer)
            self._sum_v = math.fsum(self._v_buffer)
        self._index = index

    def handle_bar(self, bar: Bar) -> None:
        """Feed the bar's typical price and volume."""
        typical = (bar.high.as_double() + bar.low.as_double() + bar.close.as_double()) / 3.0
        self.update_raw(typical, bar.volume.as_double(), bar.ts_event - 1)

    def handle_trade(self, trade: TradeTick) -> None:
        """Feed the trade's price and size."""
        self.update_raw(trade.price.as_double(), trade.size.as_double(), trade.ts_event)

    def handle_quote(self, quote: QuoteTick) -> None:
        """Refuse: a quote has no traded volume.

        Raises:
            TypeError: always.
        """
        raise TypeError(f"{self!r} needs traded volume: feed it bars or trades, not quotes")

    def _reset(self) -> None:
        size = self._period or 0
        self._pv_buffer = [0.0] * size
        self._v_buffer = [0.0] * size
        self._index = 0
        self._sum_pv = 0.0
        self._sum_v = 0.0
        self._session = None
        self._last_ts = -(2**63)

    def _params(self) -> str:
        if self._period is None:
            return f"session_offset_ns={self._offset}"
        return f"period={self._period}"
