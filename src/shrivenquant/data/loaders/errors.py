"""Errors of the historical data loaders, and how they name the file and row of a problem."""

from __future__ import annotations

from dataclasses import dataclass

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.data.validation import DataValidationError, ValidationReport


@dataclass(frozen=True, slots=True)
class SourceRows:
    """Names the rows of one source in messages: ``BTCUSDT-trades.csv line 12``.

    Args:
        name: the file (and archive member) the rows come from.
        first: the number of data row 0 in the source's own counting (a CSV with a header
            line has its first data row on line 2).
        unit: what the source counts: ``line`` (text files), ``row`` (Parquet), ``candle``.
    """

    name: str
    first: int = 0
    unit: str = "row"

    def at(self, row: int) -> str:
        """Where data row ``row`` (0-based, in file order) is: ``file.csv line 7``."""
        return f"{self.name} {self.unit} {self.first + int(row)}"


class DataLoadError(InvalidInputError):
    """A data file cannot be loaded as asked; the message names the file and the row."""


class LoadValidationError(DataValidationError, DataLoadError):
    """Loaded data has rows that validation refuses (unsorted, duplicated, inconsistent...).

    ``report`` holds every problem found; load again with ``repair=True`` to drop the rows.
    """

    def __init__(self, report: ValidationReport, message: str) -> None:
        DataValidationError.__init__(self, report)
        self.args = (message,)
