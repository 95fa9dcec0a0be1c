"""Bars the data engine builds itself (INTERNAL bar types), from the trades it processes.

One `BarBuilder` (`shrivenquant.data.aggregation`) per bar type, fed with every trade of its
instrument after the trade is cached and published. Time bars also close on the clock: after
each trade the builder's `next_close_ns` (plus the configured delay) is set as a time alert,
so a bar closes at its end even when no later trade comes. A close time that is already past
on the clock is not scheduled (the next trade closes the bar): this keeps the historical times
of a replay on the LiveClock from closing bars early.

A builder needs the instrument's precisions; a bar type subscribed before its instrument is
known waits for the definition.
"""

from __future__ import annotations

from collections.abc import Callable

from shrivenquant.core.clock import Clock, TimeEvent
from shrivenquant.data.aggregation import BarBuilder, TimeBarBuilder, bar_builder_for
from shrivenquant.data.counters import DataAnomaly, DataEngineCounters
from shrivenquant.data.engine_config import DataEngineConfig
from shrivenquant.model.data import Bar, BarType, TradeTick
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.model.instruments import Instrument
from shrivenquant.telemetry.logging import get_logger


class _TimeBarTimer:
    """The time alert closing one time-bar builder's current bar."""

    __slots__ = ("builder", "name", "scheduled_ns")

    def __init__(self, builder: TimeBarBuilder) -> None:
        self.builder = builder
        self.name = f"bars-close:{builder.bar_type}"
        self.scheduled_ns: int | None = None


class BarFeed:
    """One builder fed with its instrument's trades, and its close timer (time bars)."""

    __slots__ = ("builder", "timer")

    def __init__(self, builder: BarBuilder) -> None:
        self.builder = builder
        self.timer = _TimeBarTimer(builder) if isinstance(builder, TimeBarBuilder) else None


class InternalBars:
    """The engine's bar builders (see the module docstring).

    Args:
        clock: the kernel's clock (time bars close on its alerts).
        config: the engine's settings (origin, empty bars, close delay).
        emit: receives every completed bar (the engine caches and publishes it).
        counters: the engine's counters.
        component: the name to log under.
    """

    def __init__(
        self,
        clock: Clock,
        config: DataEngineConfig,
        emit: Callable[[Bar], None],
        counters: DataEngineCounters,
        component: str,
    ) -> None:
        self._clock = clock
        self._config = config
        self._emit = emit
        self._counters = counters
        self._log = get_logger(component)
        self.builders: dict[BarType, BarBuilder] = {}
        self._feeds: dict[BarType, BarFeed] = {}
        # One list per instrument, kept (possibly empty) for good so callers may hold it.
        self._by_instrument: dict[InstrumentId, list[BarFeed]] = {}
        self._pending: dict[InstrumentId, set[BarType]] = {}

    def feeds(self, instrument_id: InstrumentId) -> list[BarFeed]:
        """The live list of the feeds of ``instrument_id`` (empty while there are none)."""
        feeds = self._by_instrument.get(instrument_id)
        if feeds is None:
            feeds = self._by_instrument[instrument_id] = []
        return feeds

    @property
    def pending(self) -> frozenset[BarType]:
        """Bar types waiting for their instrument's definition."""
        return frozenset(bt for types in self._pending.values() for bt in types)

    def add(self, bar_type: BarType, instrument: Instrument | None) -> None:
        """Start building ``bar_type`` (now, or when ``instrument`` becomes known).

        Raises:
            ValueError: bars of that type cannot be built from trades.
        """
        if bar_type in self.builders:
            return
        if instrument is None:
            self._pending.setdefault(bar_type.instrument_id, set()).add(bar_type)
            self._log.info("internal bars wait for their instrument", bar_type=str(bar_type))
            return
        cfg = self._config
        builder = bar_builder_for(
            bar_type,
            instrument,
            origin_ns=cfg.time_bars_origin_ns,
            emit_empty=cfg.time_bars_emit_empty,
        )
        feed = BarFeed(builder)
        self.builders[bar_type] = builder
        self._feeds[bar_type] = feed
        self.feeds(bar_type.instrument_id).append(feed)

    def remove(self, bar_type: BarType) -> None:
        """Stop building ``bar_type``; its partial bar is dropped."""
        pending = self._pending.get(bar_type.instrument_id)
        if pending is not None:
            pending.discard(bar_type)
            if not pending:
                del self._pending[bar_type.instrument_id]
        feed = self._feeds.pop(bar_type, None)
        if feed is None:
            return
        del self.builders[bar_type]
        self.feeds(bar_type.instrument_id).remove(feed)
        if feed.timer is not None:
            self._cancel(feed.timer)

    def on_instrument(self, instrument: Instrument) -> None:
        """Start the builders that were waiting for ``instrument``."""
        waiting = self._pending.pop(instrument.id, None)
        if not waiting:
            return
        for bar_type in sorted(waiting):
            try:
                self.add(bar_type, instrument)
            except ValueError as exc:
                self._counters.anomaly(DataAnomaly.BAR_BUILD_ERROR)
                self._log.error("cannot build bars", bar_type=str(bar_type), reason=str(exc))

    def on_trade(self, feeds: list[BarFeed], trade: TradeTick) -> None:
        """Feed ``trade`` to the builders of its instrument and emit the bars it completes."""
        emit = self._emit
        for feed in feeds:
            builder = feed.builder
            try:
                bars = builder.update(trade)
            except ValueError as exc:
                self._counters.anomaly(DataAnomaly.BAR_BUILD_ERROR)
                self._log.error(
                    "trade refused by bar builder", bar_type=str(builder.bar_type), reason=str(exc)
                )
                continue
            for bar in bars:
                emit(bar)
            timer = feed.timer
            if timer is not None:
                close = timer.builder.next_close_ns
                if close != timer.scheduled_ns:
                    self._schedule(timer, close)

    def stop(self) -> None:
        """Cancel every close timer (builders and their partial bars stay)."""
        for feed in self._feeds.values():
            if feed.timer is not None:
                self._cancel(feed.timer)

    def clear(self) -> None:
        """Forget every builder and pending bar type."""
        self.stop()
        self.builders.clear()
        self._feeds.clear()
        for feeds in self._by_instrument.values():
            feeds.clear()  # in place: the engine holds these lists
        self._pending.clear()

    # -- timers -------------------------------------------------------------------------------

    def _schedule(self, timer: _TimeBarTimer, close_ns: int | None) -> None:
        self._cancel(timer)
        if close_ns is None:
            return
        due = close_ns + self._config.time_bar_close_delay_ns
        timer.scheduled_ns = close_ns
        if due < self._clock.timestamp_ns():
            return  # already past on this clock: the next trade closes the bar
        bar_type = timer.builder.bar_type
        self._clock.set_time_alert(timer.name, due, lambda event: self._on_close(bar_type, event))

    def _cancel(self, timer: _TimeBarTimer) -> None:
        if timer.name in self._clock.timer_names:
            self._clock.cancel_timer(timer.name)
        timer.scheduled_ns = None

    def _on_close(self, bar_type: BarType, event: TimeEvent) -> None:
        feed = self._feeds.get(bar_type)
        if feed is None or feed.timer is None:
            return
        timer = feed.timer
        timer.scheduled_ns = None
        builder = timer.builder
        for bar in builder.on_timer(event.ts_init):
            self._emit(bar)
        next_close = builder.next_close_ns
        if next_close is None and builder.emit_empty:
            interval, origin = builder.interval_ns, builder.origin_ns
            now = event.ts_init
            next_close = origin + ((now - origin) // interval + 1) * interval
        self._schedule(timer, next_close)
