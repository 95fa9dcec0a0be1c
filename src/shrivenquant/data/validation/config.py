"""What validation checks, how strictly, and what repair does with each problem."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum, unique
from typing import Final

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.core.time import NANOS_PER_MINUTE
from shrivenquant.data.validation.sessions import TradingSessions


@unique
class ValidationMode(StrEnum):
    """What to do when data has problems.

    STRICT raises `DataValidationError` naming the source and row of the first problem; REPAIR
    drops or flags problem rows (see `Problem.repair`) and returns the cleaned data; WARN logs
    each problem and returns the data unchanged. Every mode returns the full report.
    """

    STRICT = "strict"
    REPAIR = "repair"
    WARN = "warn"


@unique
class Problem(StrEnum):
    """A kind of data problem."""

    TIMESTAMP_NOT_INCREASING = "timestamp_not_increasing"
    DUPLICATE = "duplicate"
    GAP = "gap"
    OUT_OF_SESSION = "out_of_session"
    OHLC_INCONSISTENT = "ohlc_inconsistent"
    NON_POSITIVE = "non_positive"
    CROSSED_BOOK = "crossed_book"
    LOCKED_BOOK = "locked_book"
    SEQUENCE_NOT_INCREASING = "sequence_not_increasing"
    SEQUENCE_GAP = "sequence_gap"
    OUTLIER = "outlier"

    @property
    def repair(self) -> str:
        """``drop`` when repair removes the rows, ``flag`` when it only reports them."""
        return "flag" if self in _FLAG_ONLY else "drop"

    @property
    def description(self) -> str:
        """What the problem means, for reports."""
        return _DESCRIPTIONS[self]


_FLAG_ONLY: Final = frozenset(
    {Problem.GAP, Problem.OUT_OF_SESSION, Problem.LOCKED_BOOK, Problem.SEQUENCE_GAP}
)
_DESCRIPTIONS: Final = {
    Problem.TIMESTAMP_NOT_INCREASING: "timestamp earlier than a previous row's",
    Problem.DUPLICATE: "repeats an earlier row (same trade id, bar time or all fields)",
    Problem.GAP: "more trading time than expected since the previous row",
    Problem.OUT_OF_SESSION: "timestamp outside the trading sessions",
    Problem.OHLC_INCONSISTENT: "high below open/close/low, or low above open/close",
    Problem.NON_POSITIVE: "price or size zero or negative",
    Problem.CROSSED_BOOK: "bid above ask",
    Problem.LOCKED_BOOK: "bid equal to ask",
    Problem.SEQUENCE_NOT_INCREASING: "sequence number lower than the previous row's",
    Problem.SEQUENCE_GAP: "sequence numbers missing since the previous row",
    Problem.OUTLIER: "price far from its neighbours on both sides (robust z-score or %)",
}


@dataclass(frozen=True, slots=True)
class ValidationConfig:
    """Thresholds of the checks.

    Args:
        sessions: when the market trades (gaps and out-of-session rows are judged on it).
        max_tick_gap_ns: largest trading time allowed between consecutive ticks or deltas;
            None disables the tick gap check. Time bars always use their interval.
        outlier_zscore: flag a price whose robust z-score exceeds this: its distance to the
            nearer of the medians of the rows before and after it (half an ``outlier_window``
            each), over the median absolute deviation of the centred window; None disables it.
        outlier_pct: flag a price further than this fraction from that nearer median
            (0.05 is 5 %); None disables it.
        outlier_window: rows in the window of the outlier checks (odd, >= 3).
        outlier_min_scale: lower bound of the z-score scale as a fraction of the local median,
            so flat stretches (MAD 0) do not turn single ticks into outliers.
        check_sequence_gaps: report jumps of more than one in delta sequence numbers.
        max_examples: examples kept per problem in the report.
    """

    sessions: TradingSessions = field(default_factory=TradingSessions.always_open)
    max_tick_gap_ns: int | None = None
    outlier_zscore: float | None = None
    outlier_pct: float | None = None
    outlier_window: int = 51
    outlier_min_scale: float = 1e-4
    check_sequence_gaps: bool = True
    max_examples: int = 5

    def __post_init__(self) -> None:
        if self.max_tick_gap_ns is not None and self.max_tick_gap_ns <= 0:
            raise InvalidInputError(f"max_tick_gap_ns must be > 0, got {self.max_tick_gap_ns}")
        if self.outlier_zscore is not None and not self.outlier_zscore > 0:
            raise InvalidInputError(f"outlier_zscore must be > 0, got {self.outlier_zscore}")
        if self.outlier_pct is not None and not self.outlier_pct > 0:
            raise InvalidInputError(f"outlier_pct must be > 0, got {self.outlier_pct}")
        if self.outlier_window < 3 or self.outlier_window % 2 == 0:
            raise InvalidInputError(
                f"outlier_window must be odd and >= 3, got {self.outlier_window}"
            )
        if not 0 <= self.outlier_min_scale < 1:
            raise InvalidInputError(
                f"outlier_min_scale must be in [0, 1), got {self.outlier_min_scale}"
            )
        if self.max_examples < 1:
            raise InvalidInputError(f"max_examples must be >= 1, got {self.max_examples}")

    @classmethod
    def crypto(cls, **overrides: object) -> ValidationConfig:
        """24/7 sessions, ticks at least once a minute, outliers beyond z 12 or 5 %."""
        settings: dict[str, object] = {
            "sessions": TradingSessions.always_open(),
            "max_tick_gap_ns": NANOS_PER_MINUTE,
            "outlier_zscore": 12.0,
            "outlier_pct": 0.05,
        }
        settings.update(overrides)
        return cls(**settings)  # type: ignore[arg-type]

    @classmethod
    def nse(cls, holidays: Iterable[date] = (), **overrides: object) -> ValidationConfig:
        """NSE sessions with ``holidays``, ticks at least every 5 minutes, outliers beyond
        z 12 or 20 % (options move fast)."""
        settings: dict[str, object] = {
            "sessions": TradingSessions.nse(holidays),
            "max_tick_gap_ns": 5 * NANOS_PER_MINUTE,
            "outlier_zscore": 12.0,
            "outlier_pct": 0.20,
        }
        settings.update(overrides)
        return cls(**settings)  # type: ignore[arg-type]
