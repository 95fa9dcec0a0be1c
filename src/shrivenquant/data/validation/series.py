"""Validating what a catalog holds, file by file, so problems are reported with their file."""

from __future__ import annotations

from shrivenquant.data.validation.config import ValidationConfig, ValidationMode
from shrivenquant.data.validation.report import ValidationReport
from shrivenquant.data.validation.validator import ValidationResult, validate
from shrivenquant.persistence.catalog import CatalogError, DataKind, ParquetDataCatalog, SeriesKey
from shrivenquant.persistence.catalog.layout import list_files
from shrivenquant.persistence.catalog.reader import read_part, to_arrays
from shrivenquant.persistence.catalog.timestamps import TimeLike, to_ns

_VALIDATED = (DataKind.TRADE_TICK, DataKind.QUOTE_TICK, DataKind.BAR, DataKind.BOOK_DELTA)


def validate_series(
    catalog: ParquetDataCatalog,
    key: SeriesKey,
    mode: ValidationMode | str = ValidationMode.WARN,
    config: ValidationConfig | None = None,
    *,
    start: TimeLike | None = None,
    end: TimeLike | None = None,
) -> ValidationResult:
    """Validate one catalog series in ``[start, end)``, one part file at a time.

    Each file is validated on its own (rows are numbered within their file and the file path
    is the source named in examples and errors); the returned report sums them all. In REPAIR
    mode ``data`` is the cleaned series as one columnar container (nothing is rewritten).

    Raises:
        DataValidationError: in STRICT mode, naming the file and row of the first problem.
        CatalogError: the series kind is not validated (snapshots, instruments).
    """
    if key.kind not in _VALIDATED:
        raise CatalogError(f"{key.kind.directory} data is not validated")
    mode = ValidationMode(mode)
    start_ns, end_ns = to_ns(start, "start"), to_ns(end, "end")
    report = ValidationReport(f"{key.kind.directory}:{key.name}", key.kind.directory, mode)
    parts = []
    for part in list_files(catalog.root, key, start_ns, end_ns):
        table = read_part(part.path, key.kind, start_ns, end_ns)
        if not table.num_rows:
            continue
        result = validate(
            to_arrays(key, table, str(part.path)), mode, config, source=str(part.path)
        )
        report.merge(result.report)
        parts.append(result.data)
    data = type(parts[0]).concat(parts) if parts else None
    return ValidationResult(data, report)
