"""`BacktestConfig`: how a backtest runs (the ``[backtest]`` section of a node config)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import StrEnum, unique
from typing import Any, Final

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.core.time import NANOS_PER_SECOND
from shrivenquant.model.currency import Currency
from shrivenquant.persistence.catalog import CatalogError, to_ns


@unique
class BarExecution(StrEnum):
    """When an order sent while a strategy handles a bar reaches the simulated venue."""

    NEXT_OPEN = "NEXT_OPEN"
    """After the venue has seen the next bar's open: a market order fills at that open (the
    venue's latency, at least one nanosecond, takes the command past the bar's close)."""
    CLOSE = "CLOSE"
    """With the venue's own latency: with none, at once, so a market order fills at the
    close of the bar that triggered it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BacktestConfig:
    """Settings of a backtest run.

    Attributes:
        start: first ``ts_init`` replayed (ns); None from the first record.
        end: first ``ts_init`` not replayed (ns); None to the last record. When given, the
            clock finally moves to it, so timers due before it fire.
        bar_execution: when orders sent on a bar reach the venue (`BarExecution`).
        equity_interval_ns: how often the equity curve is sampled; None chooses about 5,000
            samples over the data's time span (one per hour when the span is unknown).
        report_currency: the currency of the equity curve and the report; None takes the
            first venue's base currency, else the settlement currency of the first
            instrument, else its first starting balance's currency.
        progress: show a progress bar; None shows one on a terminal for long runs.
        record_events: keep every event published (encoded) in the result's ``event_log``.
        id_seed: seed of message ids (UUIDs) during the run, so a run repeats bit for bit;
            None draws them at random.
    """

    start: int | None = None
    end: int | None = None
    bar_execution: BarExecution = BarExecution.NEXT_OPEN
    equity_interval_ns: int | None = None
    report_currency: Currency | None = None
    progress: bool | None = None
    record_events: bool = False
    id_seed: int | None = 0

    def __post_init__(self) -> None:
        setter = object.__setattr__
        for name in ("start", "end"):
            setter(self, name, _time(name, getattr(self, name)))
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise InvalidInputError(f"end: {self.end} is not after start {self.start}")
        execution: Any = self.bar_execution
        if not isinstance(execution, BarExecution):
            try:
                execution = BarExecution(str(execution).strip().upper())
            except ValueError:
                raise InvalidInputError(
                    f"bar_execution: expected NEXT_OPEN or CLOSE, got {self.bar_execution!r}"
                ) from None
        setter(self, "bar_execution", execution)
        interval: Any = self.equity_interval_ns
        if interval is not None and (
            isinstance(interval, bool) or not isinstance(interval, int) or interval <= 0
        ):
            raise InvalidInputError(
                f"equity_interval_ns: expected a positive int or None, got {interval!r}"
            )
        currency: Any = self.report_currency
        if isinstance(currency, str):
            try:
                currency = Currency.from_str(currency.strip().upper())
            except ValueError as exc:
                raise InvalidInputError(f"report_currency: {exc}") from None
        if currency is not None and not isinstance(currency, Currency):
            raise InvalidInputError(f"report_currency: expected a currency code, got {currency!r}")
        setter(self, "report_currency", currency)
        for name in ("progress",):
            value = getattr(self, name)
            if value is not None and not isinstance(value, bool):
                raise InvalidInputError(f"{name}: expected true, false or none, got {value!r}")
        if not isinstance(self.record_events, bool):
            raise InvalidInputError(f"record_events: expected a bool, got {self.record_events!r}")
        seed: Any = self.id_seed
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise InvalidInputError(f"id_seed: expected an int or None, got {seed!r}")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> BacktestConfig:
        """Build from a ``[backtest]`` table; ``equity_interval_secs`` gives the interval in
        seconds; ``start``/``end`` may be ISO 8601 strings.

        Raises:
            InvalidInputError: an unknown key or an invalid value; the message names the field.
        """
        unknown = sorted(set(values) - _MAPPING_KEYS)
        if unknown:
            raise InvalidInputError(
                f"unknown backtest config field(s): {', '.join(unknown)};"
                f" known: {', '.join(sorted(_MAPPING_KEYS))}"
            )
        parsed = dict(values)
        if "equity_interval_secs" in parsed:
            seconds = parsed.pop("equity_interval_secs")
            if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds <= 0:
                raise InvalidInputError(
                    f"equity_interval_secs: expected a positive whole number, got {seconds!r}"
                )
            parsed["equity_interval_ns"] = seconds * NANOS_PER_SECOND
        return cls(**parsed)


def _time(name: str, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidInputError(f"{name}: expected an ISO 8601 time or int ns, got {value!r}")
    try:
        return to_ns(value, name)
    except CatalogError as exc:
        raise InvalidInputError(str(exc)) from None


_MAPPING_KEYS: Final = frozenset(
    {f.name for f in fields(BacktestConfig) if f.name != "equity_interval_ns"}
    | {"equity_interval_secs"}
)
