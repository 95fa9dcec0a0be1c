"""The validation report: counts and first examples per problem, as a rich table and JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from rich.table import Table

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.data.validation.config import Problem, ValidationMode


@dataclass(frozen=True, slots=True)
class ProblemExample:
    """One problem row: its index in the data as given, its ``ts_event`` and what is wrong."""

    row: int
    ts_event: int
    detail: str


@dataclass(slots=True)
class ProblemSummary:
    """How many rows have one problem, the first few of them, and what was done."""

    problem: Problem
    count: int = 0
    action: str = "none"
    examples: list[ProblemExample] = field(default_factory=list)


@dataclass(slots=True)
class ValidationReport:
    """The outcome of validating one source (a file, a series, a list of records).

    ``rows_dropped`` is set in REPAIR mode; ``problems`` holds only problems that occurred.
    """

    source: str
    kind: str
    mode: ValidationMode
    rows: int = 0
    rows_dropped: int = 0
    problems: dict[Problem, ProblemSummary] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether no problem was found."""
        return not self.problems

    def count(self, problem: Problem) -> int:
        """Rows with ``problem`` (0 when none)."""
        summary = self.problems.get(problem)
        return summary.count if summary is not None else 0

    def first_problem(self) -> tuple[Problem, ProblemExample] | None:
        """The problem example with the lowest row, if any."""
        found = [
            (example.row, problem, example)
            for problem, summary in self.problems.items()
            for example in summary.examples[:1]
        ]
        if not found:
            return None
        _, problem, example = min(found, key=lambda item: item[0])
        return problem, example

    def merge(self, other: ValidationReport) -> None:
        """Add another report's counts and examples (for a series validated file by file)."""
        self.rows += other.rows
        self.rows_dropped += other.rows_dropped
        for problem, summary in other.problems.items():
            mine = self.problems.setdefault(problem, ProblemSummary(problem, action=summary.action))
            mine.count += summary.count
            room = max(0, len(summary.examples) - len(mine.examples))
            mine.examples.extend(summary.examples[:room])

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "source": self.source,
            "kind": self.kind,
            "mode": self.mode.value,
            "rows": self.rows,
            "rows_dropped": self.rows_dropped,
            "ok": self.ok,
            "problems": {
                problem.value: {
                    "count": summary.count,
                    "action": summary.action,
                    "description": problem.description,
                    "examples": [
                        {"row": e.row, "ts_event": e.ts_event, "detail": e.detail}
                        for e in summary.examples
                    ],
                }
                for problem, summary in sorted(self.problems.items())
            },
        }

    def to_json(self, *, indent: int | None = None) -> str:
        """The report as JSON."""
        return json.dumps(self.to_dict(), indent=indent)

    def __rich__(self) -> Table:
        status = "ok" if self.ok else f"{sum(s.count for s in self.problems.values())} problems"
        table = Table(
            title=f"{self.kind} validation of {self.source}: {self.rows:,} rows, {status}",
            caption=f"mode {self.mode.value}, {self.rows_dropped:,} rows dropped",
        )
        table.add_column("problem")
        table.add_column("rows", justify="right")
        table.add_column("action")
        table.add_column("first examples (row: detail)")
        for problem, summary in sorted(self.problems.items()):
            examples = "\n".join(f"{e.row}: {e.detail}" for e in summary.examples)
            table.add_row(problem.value, f"{summary.count:,}", summary.action, examples)
        return table


class DataValidationError(InvalidInputError):
    """Data failed validation in STRICT mode; ``report`` holds every problem found."""

    def __init__(self, report: ValidationReport) -> None:
        first = report.first_problem()
        if first is None:  # pragma: no cover - only raised for reports with problems
            message = f"{report.source}: invalid {report.kind} data"
        else:
            problem, example = first
            total = sum(summary.count for summary in report.problems.values())
            message = (
                f"{report.source} row {example.row}: {problem.value}: {example.detail} "
                f"({total} problem rows in all; see the report)"
            )
        super().__init__(message)
        self.report = report
