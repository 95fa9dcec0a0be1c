"""The replay loop of a backtest: simulated time, venues first, then the strategies.

For each record, in ``ts_init`` order:

1. if time moves forward, the equity curve is sampled (when due) and the `TestClock` advances
   to the record's time, firing everything due on the way in time order: commands arriving at
   a venue after their latency, strategy timers, order expiries;
2. the record is shown to the simulated venue listing its instrument (fills of resting
   orders, triggers, the prices market orders take);
3. it is handed to the data engine, which caches and publishes it to the strategies. Records
   of a series checked before the run (catalog arrays, checked on their columns) go through
   the engine's trusted entry point, `DataEngine.process_checked`; every other record through
   `DataEngine.process`, which checks it.

With `BarExecution.NEXT_OPEN`, when commands are on their way to a venue and the next records
are bars, the loop first advances to the bars' open, shows each venue only the open, and then
lets the commands arrive: a market order sent on a bar fills at the next bar's open. All
records of one timestamp are opened together, so several instruments stay in step.

The loop stops early when `stop` is called (a strategy faulted).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from shrivenquant.core.clock import TestClock
from shrivenquant.core.errors import InvalidInputError
from shrivenquant.core.time import unix_nanos_to_iso8601
from shrivenquant.data.engine import DataEngine
from shrivenquant.model.data import Bar
from shrivenquant.model.instruments import Instrument
from shrivenquant.runtime.backtest.equity import EquitySampler
from shrivenquant.runtime.backtest.progress import UPDATE_EVERY, RunProgress
from shrivenquant.runtime.backtest.results import RunStats
from shrivenquant.runtime.backtest.venues import SimVenues

_MASK = UPDATE_EVERY - 1
_MISSING: Any = object()


class ReplayLoop:
    """Drives one backtest's records through the venues and the kernel (see the module doc).

    Args:
        clock: the run's clock.
        data_engine: the kernel's data engine.
        checked: the route keys (`BarType`, else ``(record type, instrument id)``) whose
            records were all checked before the run (see `plan.checked_routes`).
        venues: the simulated venues.
        sampler: the equity sampler.
        next_open: open each bar for the venues before in-flight commands arrive.
        on_instrument: called with instrument definitions met in the data.
    """

    def __init__(
        self,
        *,
        clock: TestClock,
        data_engine: DataEngine,
        checked: frozenset[Any] = frozenset(),
        venues: SimVenues,
        sampler: EquitySampler,
        next_open: bool,
        on_instrument: Callable[[Instrument], object],
    ) -> None:
        self._clock = clock
        self._process = data_engine.process
        self._process_checked = data_engine.process_checked
        self._checked = checked
        self._venues = venues
        self._sampler = sampler
        self._next_open = next_open
        self._on_instrument = on_instrument
        # key -> (venue processor or None, data engine entry point)
        self._routes: dict[Any, tuple[Any, Any]] = {}
        self._stop = False
        self._out_of_order = 0
        self._last_bar_type: Any = None
        self._last_route: Any = None

    def stop(self) -> None:
        """End the run after the record being handled."""
        self._stop = True

    @property
    def stopped(self) -> bool:
        """Whether `stop` was called."""
        return self._stop

    def run(
        self,
        records: Iterator[Any],
        *,
        end_ns: int | None = None,
        progress: RunProgress | None = None,
    ) -> RunStats:
        """Replay ``records`` (in ``ts_init`` order); then advance to ``end_ns`` if given."""
        clock = self._clock
        advance = clock.advance_time
        sampler = self._sampler
        in_flight = self._venues.in_flight
        handle = self._handle
        next_open = self._next_open
        now = clock.timestamp_ns()
        first_ts: int | None = None
        count = 0
        held: Any = None
        started = time.perf_counter_ns()
        while not self._stop:
            record = next(records, None) if held is None else held
            held = None
            if record is None:
                break
            ts = record.ts_init
            if first_ts is None:
                first_ts = ts
            if ts > now:
                if count and now >= sampler.next_ns:
                    sampler.take(now)
                if next_open and in_flight():
                    group, held = _same_time(record, records)
                    count += self._replay_group(group, ts)
                    now = ts
                    continue
                advance(ts)
                now = ts
            elif ts < now:
                self._out_of_order += 1
            handle(record)
            count += 1
            if progress is not None and not count & _MASK:
                progress.update(now, count)
        if end_ns is not None and not self._stop and end_ns > now:
            advance(end_ns)
            now = end_ns
        if count:
            sampler.take(now)
        if progress is not None:
            progress.update(now, count)
        elapsed = (time.perf_counter_ns() - started) / 1e9
        last = now if count else None
        return RunStats(count, first_ts, last, self._out_of_order, elapsed, self._stop)

    def _handle(self, record: Any) -> None:
        """Show one record to its venue, then hand it to the data engine."""
        kind = type(record)
        if kind is Bar:
            key: Any = record.bar_type
            # Bars of one series share their BarType object: an identity check finds the
            # route of a run of them without hashing.
            if key is self._last_bar_type:
                processor, deliver = self._last_route
            else:
                route = self._route(key, record)
                self._last_bar_type, self._last_route = key, route
                processor, deliver = route
        elif isinstance(record, Instrument):
            self._on_instrument(record)
            self._routes.clear()  # listing may change the routes
            self._last_bar_type = None
            self._process(record)
            return
        else:
            key = (kind, record.instrument_id)
            found = self._routes.get(key)
            processor, deliver = found if found is not None else self._route(key, record)
        if processor is not None:
            try:
                processor(record)
            except ValueError as exc:
                raise InvalidInputError(
                    f"{kind.__name__} at ts_init={record.ts_init} "
                    f"({unix_nanos_to_iso8601(record.ts_init)}): the simulated venue cannot "
                    f"use it: {exc}"
                ) from exc
        deliver(record)

    def _route(self, key: Any, record: Any) -> tuple[Any, Any]:
        """The venue processor and the data engine entry point of ``key``'s records."""
        route = self._routes.get(key)
        if route is None:
            deliver = self._process_checked if key in self._checked else self._process
            route = self._routes[key] = (self._venues.resolve(key, record), deliver)
        return route

    def _replay_group(self, group: list[Any], ts: int) -> int:
        """Open the group's bars for the venues, then handle its records; return how many
        were handled."""
        self._open(group, ts)
        handled = 0
        for record in group:
            self._handle(record)
            handled += 1
            if self._stop:
                break
        return handled

    def _open(self, group: list[Any], ts: int) -> None:
        """Advance to the open of the group's bars, show the venues the opens, then advance
        to ``ts`` (commands due by then arrive after the opens)."""
        clock = self._clock
        venues = self._venues
        bars = [r for r in group if type(r) is Bar]
        if bars:
            start = min(venues.bar_start(bar) for bar in bars)
            if start > clock.timestamp_ns():
                clock.advance_time(start)
            if venues.in_flight():
                for bar in bars:
                    venues.process_open(bar)
        clock.advance_time(ts)


def _same_time(first: Any, records: Iterator[Any]) -> tuple[list[Any], Any]:
    """``first`` and the records after it with the same ``ts_init``; and the next record
    (None at the end)."""
    ts = first.ts_init
    group = [first]
    for record in records:
        if record.ts_init != ts:
            return group, record
        group.append(record)
    return group, None
