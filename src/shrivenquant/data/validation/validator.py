"""Validating market data: run the checks of its kind, then report, raise, repair or warn."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.data.validation.checks import (
    BoolArray,
    Finding,
    crossed_and_locked,
    duplicates,
    gaps,
    non_positive,
    ohlc_inconsistent,
    out_of_session,
    outliers,
    sequence_checks,
    timestamps_not_increasing,
)
from shrivenquant.data.validation.config import Problem, ValidationConfig, ValidationMode
from shrivenquant.data.validation.report import (
    DataValidationError,
    ProblemExample,
    ProblemSummary,
    ValidationReport,
)
from shrivenquant.model.data import Bar, OrderBookDelta, QuoteTick, TradeTick
from shrivenquant.persistence.catalog import (
    BarArrays,
    BookDeltaArrays,
    ColumnarData,
    QuoteTickArrays,
    TradeTickArrays,
)
from shrivenquant.persistence.catalog.encode import (
    bars_to_arrays,
    book_deltas_to_arrays,
    quote_ticks_to_arrays,
    trade_ticks_to_arrays,
)
from shrivenquant.telemetry.logging import get_logger

_log = get_logger("DataValidation")


@dataclass(slots=True)
class ValidationResult:
    """The data (cleaned in REPAIR mode, else as given), the report, and the problem rows.

    ``dropped`` and ``flagged`` hold row indices into the data as given; ``flagged`` maps each
    flag-only problem (gaps, sessions, locked books, sequence gaps) to its rows.
    """

    data: Any
    report: ValidationReport
    dropped: np.ndarray[Any, np.dtype[np.int64]] = field(
        default_factory=lambda: np.zeros(0, dtype=np.int64)
    )
    flagged: dict[Problem, np.ndarray[Any, np.dtype[np.int64]]] = field(default_factory=dict)


def validate(
    data: ColumnarData | Sequence[TradeTick | QuoteTick | Bar | OrderBookDelta],
    mode: ValidationMode | str = ValidationMode.WARN,
    config: ValidationConfig | None = None,
    *,
    source: str = "data",
) -> ValidationResult:
    """Validate trades, quotes, bars or book deltas of one series.

    Args:
        data: a columnar container, or a list of records of one instrument or bar type.
        mode: STRICT raises, REPAIR drops problem rows, WARN logs (see `ValidationMode`).
        config: thresholds and sessions (defaults: 24/7, no tick gap or outlier checks).
        source: names the data (a file path) in the report and errors.

    Raises:
        DataValidationError: in STRICT mode, naming ``source`` and the first problem row.
        InvalidInputError: records of several series, or of a kind that is not validated.
    """
    mode = ValidationMode(mode)
    config = config or ValidationConfig()
    arrays = _as_arrays(data)
    findings = _findings(arrays, config)
    report = ValidationReport(source, arrays.kind.directory, mode, rows=len(arrays))
    drop = np.zeros(len(arrays), dtype=bool)
    flagged: dict[Problem, np.ndarray[Any, np.dtype[np.int64]]] = {}
    for finding in findings:
        rows = np.flatnonzero(finding.mask)
        if not len(rows):
            continue
        action = finding.problem.repair if mode is ValidationMode.REPAIR else "none"
        if mode is ValidationMode.WARN:
            action = "warned"
        examples = [
            ProblemExample(int(row), int(arrays.ts_event[row]), finding.describe(int(row)))
            for row in rows[: config.max_examples]
        ]
        report.problems[finding.problem] = ProblemSummary(
            finding.problem, len(rows), action, examples
        )
        if finding.problem.repair == "drop":
            drop |= finding.mask
        else:
            flagged[finding.problem] = rows
    if mode is ValidationMode.STRICT and report.problems:
        raise DataValidationError(report)
    if mode is ValidationMode.WARN:
        _warn(report)
        return ValidationResult(data, report, np.flatnonzero(drop), flagged)
    if mode is ValidationMode.REPAIR and drop.any():
        kept = np.flatnonzero(~drop)
        report.rows_dropped = int(drop.sum())
        data = [data[int(row)] for row in kept] if isinstance(data, Sequence) else data.take(kept)
    return ValidationResult(data, report, np.flatnonzero(drop), flagged)


def _as_arrays(data: object) -> ColumnarData:
    if isinstance(data, (TradeTickArrays, QuoteTickArrays, BarArrays, BookDeltaArrays)):
        return data
    if not isinstance(data, Sequence) or not data:
        raise InvalidInputError(
            "validate expects a columnar container or a non-empty list of records"
        )
    first = data[0]
    if isinstance(first, TradeTick):
        return trade_ticks_to_arrays(data)
    if isinstance(first, QuoteTick):
        return quote_ticks_to_arrays(data)
    if isinstance(first, Bar):
        return bars_to_arrays(data)
    if isinstance(first, OrderBookDelta):
        return book_deltas_to_arrays(data)
    raise InvalidInputError(f"cannot validate {type(first).__name__} records")


def _findings(arrays: ColumnarData, config: ValidationConfig) -> list[Finding]:
    sessions = config.sessions
    ts = arrays.ts_event
    findings = [timestamps_not_increasing(ts, arrays.ts_init)]
    p, s = arrays.price_precision, arrays.size_precision
    if isinstance(arrays, TradeTickArrays):
        findings.append(duplicates({"trade_id": arrays.trade_id}, "trade id"))
        findings.append(
            non_positive([("price", arrays.price, p, None), ("size", arrays.size, s, None)])
        )
        reference = arrays.price
    elif isinstance(arrays, QuoteTickArrays):
        columns = ("ts_event", "bid_price", "ask_price", "bid_size", "ask_size")
        findings.append(duplicates({c: getattr(arrays, c) for c in columns}, "quote"))
        findings.append(
            non_positive(
                [
                    ("bid_price", arrays.bid_price, p, None),
                    ("ask_price", arrays.ask_price, p, None),
                    ("bid_size", arrays.bid_size, s, None),
                    ("ask_size", arrays.ask_size, s, None),
                ]
            )
        )
        findings.extend(crossed_and_locked(arrays.bid_price, arrays.ask_price, p))
        reference = (arrays.bid_price + arrays.ask_price) // 2
    elif isinstance(arrays, BarArrays):
        findings.append(duplicates({"ts_event": ts}, "bar close time"))
        findings.append(ohlc_inconsistent(arrays.open, arrays.high, arrays.low, arrays.close, p))
        findings.append(
            non_positive(
                [(n, getattr(arrays, n), p, None) for n in ("open", "high", "low", "close")]
            )
        )
        reference = arrays.close
    else:
        fields = ("ts_event", "action", "side", "price", "size", "order_id", "flags", "sequence")
        findings.append(duplicates({c: getattr(arrays, c) for c in fields}, "delta"))
        has_order = arrays.side >= 0
        sized = has_order & (arrays.action <= 1)  # ADD, UPDATE
        findings.append(
            non_positive([("price", arrays.price, p, has_order), ("size", arrays.size, s, sized)])
        )
        findings.extend(sequence_checks(arrays.sequence, gaps_too=config.check_sequence_gaps))
        reference = None
    findings.extend(_time_findings(arrays, config))
    if reference is not None:
        findings.append(outliers(reference, p, ~_drop_mask(findings), config))
    if not sessions.is_always_open:
        findings.append(out_of_session(ts, sessions))
    return findings


def _time_findings(arrays: ColumnarData, config: ValidationConfig) -> list[Finding]:
    if isinstance(arrays, BarArrays):
        spec = arrays.bar_type.spec
        if spec.is_time_aggregated() and spec.aggregation.name != "MONTH":
            return [gaps(arrays.ts_event, config.sessions, spec.timedelta_ns(), unit="bars")]
        return []
    if config.max_tick_gap_ns is None:
        return []
    return [gaps(arrays.ts_event, config.sessions, config.max_tick_gap_ns)]


def _drop_mask(findings: list[Finding]) -> BoolArray:
    mask = np.zeros(len(findings[0].mask), dtype=bool)
    for finding in findings:
        if finding.problem.repair == "drop":
            mask |= finding.mask
    return mask


def _warn(report: ValidationReport) -> None:
    for problem, summary in sorted(report.problems.items()):
        first = summary.examples[0]
        _log.warning(
            "data problem",
            source=report.source,
            kind=report.kind,
            problem=problem.value,
            rows=summary.count,
            first_row=first.row,
            detail=first.detail,
        )
