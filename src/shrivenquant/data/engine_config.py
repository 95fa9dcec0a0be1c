"""Configuration of the data engine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from shrivenquant.core.errors import InvalidInputError


@dataclass(frozen=True, slots=True, kw_only=True)
class DataEngineConfig:
    """Settings of the `DataEngine`.

    Attributes:
        validate_data: run the cheap checks on incoming data (zero-size trades, crossed quotes,
            OHLC relations of bars, empty or inconsistent book updates) and drop what fails.
        drop_crossed_quotes: drop quotes whose bid is above the ask (always counted); off by
            default because real feeds cross briefly.
        maintain_books: keep an L2 book per instrument that receives book data, in the cache.
        time_bars_origin_ns: where internal time-bar boundaries are anchored (epoch default).
        time_bars_emit_empty: internal time bars for intervals without trades (flat, volume 0).
        time_bar_close_delay_ns: close an internal time bar this long after its end, giving
            late prints of the interval a chance to join it.
    """

    validate_data: bool = True
    drop_crossed_quotes: bool = False
    maintain_books: bool = True
    time_bars_origin_ns: int = 0
    time_bars_emit_empty: bool = False
    time_bar_close_delay_ns: int = 0

    def __post_init__(self) -> None:
        flags = ("validate_data", "drop_crossed_quotes", "maintain_books", "time_bars_emit_empty")
        for name in flags:
            if not isinstance(getattr(self, name), bool):
                raise InvalidInputError(f"{name}: expected a bool, got {getattr(self, name)!r}")
        for name in ("time_bars_origin_ns", "time_bar_close_delay_ns"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidInputError(f"{name}: expected an int, got {value!r}")
        if self.time_bar_close_delay_ns < 0:
            raise InvalidInputError(
                f"time_bar_close_delay_ns: must not be negative, got {self.time_bar_close_delay_ns}"
            )

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> DataEngineConfig:
        """Build from a mapping (a parsed TOML table), rejecting unknown keys.

        Raises:
            InvalidInputError: an unknown key or an invalid value; the message names the field.
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise InvalidInputError(
                f"unknown data engine config field(s): {', '.join(unknown)};"
                f" known: {', '.join(sorted(known))}"
            )
        return cls(**values)
