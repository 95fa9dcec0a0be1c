"""When the risk monitor evaluates: on what happens, and at the moments time alone matters.

What the periodic checks look at (PnL, equity, maintenance margin) changes only with market
data, fills and account states, so those events drive the evaluation, at most once per
``evaluation_interval`` of clock time; an event that comes sooner arms one alert for the end of
the interval, so the last change before the data stops is still evaluated. That alert does not
start a new interval: data arriving at the same moment (the next bar, whose time the clock
fires the alert at first) still evaluates at once, after its own update, and a steady feed of
one event per interval never needs an alert at all. A polling timer
would wake the kernel every interval whether anything changed or not (in a backtest on
one-minute bars a one-second timer fires sixty times per bar, for nothing).

Time alone matters at known moments, and those get one-shot clock alerts:

- the start of the next trading day of an account with a drawdown rule (the daily loss limit
  rolls, and a breach may lift);
- the moment the oldest order waiting for the venue times out (the venue-error breaker).

The stale-data breaker needs neither: the pre-trade check compares the age of the
instrument's last data with the clock on every order, so it refuses orders after the data
stops without any event arriving.
"""

from __future__ import annotations

from collections.abc import Callable

from shrivenquant.core.clock import Clock, TimeEvent

TimeCallback = Callable[[int], None]
"""Called with the clock's time when an alert fires."""


class OneShotAlerts:
    """Named one-shot clock alerts that can be brought forward, never pushed back.

    Each arming gets its own token: a firing of an alert that was disarmed or re-armed after
    the clock took it off its schedule (a `TestClock` advanced with ``fire=False`` hands the due
    events to its caller to dispatch later) is ignored.
    """

    __slots__ = ("_armed", "_callbacks", "_clock", "_tokens")

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._armed: dict[str, int] = {}
        self._callbacks: dict[str, TimeCallback] = {}
        self._tokens: dict[str, object] = {}

    def arm(self, name: str, at_ns: int, callback: TimeCallback) -> None:
        """Fire ``callback`` at ``at_ns``, unless ``name`` already fires at or before then."""
        armed = self._armed.get(name)
        if armed is not None:
            if armed <= at_ns:
                return
            self._disarm_clock(name)
        token = object()
        self._armed[name] = at_ns
        self._callbacks[name] = callback
        self._tokens[name] = token
        self._clock.set_time_alert(name, at_ns, lambda event: self._fire(event, token))

    def armed(self, name: str) -> int | None:
        """When ``name`` fires (None: not armed)."""
        return self._armed.get(name)

    def cancel(self, name: str) -> None:
        """Disarm ``name`` (nothing happens when it is not armed)."""
        if self._armed.pop(name, None) is not None:
            self._callbacks.pop(name, None)
            self._tokens.pop(name, None)
            self._disarm_clock(name)

    def cancel_all(self) -> None:
        """Disarm every alert."""
        for name in list(self._armed):
            self.cancel(name)

    def _disarm_clock(self, name: str) -> None:
        if name in self._clock.timer_names:  # gone already when it fell due and waits dispatch
            self._clock.cancel_timer(name)

    def _fire(self, event: TimeEvent, token: object) -> None:
        name = event.name
        if self._tokens.get(name) is not token:
            return  # disarmed or re-armed since this alert was set
        del self._tokens[name]
        self._armed.pop(name, None)
        callback = self._callbacks.pop(name, None)
        if callback is not None:
            callback(event.ts_event)


class EvaluationSchedule:
    """Runs ``evaluate`` on events, at most once per ``interval_ns`` (see the module docstring).

    Args:
        clock: the kernel's clock.
        alerts: where the trailing alert is armed.
        interval_ns: the least clock time between two evaluations driven by events.
        evaluate: the evaluation, called with the clock's time.
    """

    __slots__ = ("_alerts", "_clock", "_due_ns", "_evaluate", "_interval_ns")

    ALERT = "RiskEngine-evaluate"

    def __init__(
        self, clock: Clock, alerts: OneShotAlerts, interval_ns: int, evaluate: TimeCallback
    ) -> None:
        self._clock = clock
        self._alerts = alerts
        self._interval_ns = interval_ns
        self._evaluate = evaluate
        self._due_ns = 0

    def on_event(self) -> None:
        """Something the evaluation looks at changed: evaluate now, or at the interval's end."""
        now = self._clock.timestamp_ns()
        if now >= self._due_ns:
            self.run(now)
        elif self._alerts.armed(self.ALERT) is None:
            self._alerts.arm(self.ALERT, self._due_ns, self._evaluate)

    def run(self, now: int) -> None:
        """Evaluate now; the next event-driven evaluation waits for the interval."""
        self._alerts.cancel(self.ALERT)
        self._due_ns = now + self._interval_ns
        self._evaluate(now)

    def reset(self) -> None:
        """Evaluate at the next event, whenever it comes."""
        self._alerts.cancel(self.ALERT)
        self._due_ns = 0
