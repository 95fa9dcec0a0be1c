"""What a loader returns, and the validation every loader runs before returning it.

Loaded data is refused when validation would drop rows of it: timestamps going back,
duplicates, inconsistent OHLC, non-positive prices (and outliers, when the config checks
them). The error names the file and row of the first such problem and carries the full report;
with ``repair=True`` those rows are dropped instead and listed in the report. Problems that
repair only flags (gaps, rows outside trading sessions, locked quotes) never refuse a file:
real data has them; they are in ``result.report`` and ``result.flagged``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import numpy as np
import numpy.typing as npt

from shrivenquant.data.loaders.errors import LoadValidationError, SourceRows
from shrivenquant.data.validation import (
    Problem,
    ValidationConfig,
    ValidationMode,
    ValidationReport,
    validate,
)
from shrivenquant.model.data import Data
from shrivenquant.persistence.catalog import BarArrays, QuoteTickArrays, TradeTickArrays
from shrivenquant.persistence.catalog.decode import iter_bars, iter_quote_ticks, iter_trade_ticks

ArraysT = TypeVar("ArraysT", TradeTickArrays, QuoteTickArrays, BarArrays)
Rows = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class LoadResult(Generic[ArraysT]):
    """One loaded file: its data in the catalog's columnar form and its validation report.

    Attributes:
        data: the rows kept, in file order (sorted by time, as validation requires).
        report: the validation report (``report.rows_dropped`` rows were repaired away).
        source: the file (and archive member) the data came from.
        dropped: file-order indices of the rows repair dropped.
        flagged: file-order indices of the rows with flag-only problems (gaps...).
        extra: further columns of the kept rows that the model has no field for
            (``open_interest`` of Kite candles).
    """

    data: ArraysT
    report: ValidationReport
    source: str
    dropped: Rows = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    flagged: Mapping[Problem, Rows] = field(default_factory=dict)
    extra: Mapping[str, npt.NDArray[Any]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.data)

    def records(self) -> list[Data]:
        """The rows as model records (`TradeTick`, `QuoteTick` or `Bar`), in order."""
        data = self.data
        if isinstance(data, TradeTickArrays):
            return list(iter_trade_ticks(data, self.source))
        if isinstance(data, QuoteTickArrays):
            return list(iter_quote_ticks(data, self.source))
        return list(iter_bars(data, self.source))


def validated(
    data: ArraysT,
    rows: SourceRows,
    *,
    repair: bool,
    config: ValidationConfig | None,
    extra: Mapping[str, npt.NDArray[Any]] | None = None,
) -> LoadResult[ArraysT]:
    """Validate freshly loaded data and refuse it, or repair it (see the module docstring).

    Raises:
        LoadValidationError: rows validation would drop, without ``repair``; the message
            names the file and row of the first one.
    """
    result = validate(data, ValidationMode.REPAIR, config, source=rows.name)
    report = result.report
    refused = {p: s for p, s in report.problems.items() if p.repair == "drop"}
    if refused and not repair:
        report.mode = ValidationMode.STRICT
        report.rows_dropped = 0
        for summary in refused.values():
            summary.action = "refused"
        row, problem, detail = min(
            (s.examples[0].row, p, s.examples[0].detail) for p, s in refused.items()
        )
        total = sum(summary.count for summary in refused.values())
        kinds = ", ".join(f"{s.count} {p.value}" for p, s in sorted(refused.items()))
        raise LoadValidationError(
            report,
            f"{rows.at(row)}: {problem.value}: {detail} ({total} bad rows: {kinds}; "
            f"load with repair to drop them)",
        )
    if not repair:
        report.mode = ValidationMode.STRICT
    kept_extra = dict(extra or {})
    if len(result.dropped):
        keep = np.ones(len(data), dtype=bool)
        keep[result.dropped] = False
        kept_extra = {name: values[keep] for name, values in kept_extra.items()}
    return LoadResult(
        result.data, report, rows.name, result.dropped, dict(result.flagged), kept_extra
    )
