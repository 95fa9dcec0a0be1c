"""Market data validation with a report, in strict, repair or warn mode.

```python
result = validate(trades, ValidationMode.REPAIR, ValidationConfig.crypto(), source="file.parquet")
console.print(result.report)          # a rich table; result.report.to_json() for machines
clean = result.data
```
"""

from shrivenquant.data.validation.config import Problem, ValidationConfig, ValidationMode
from shrivenquant.data.validation.report import (
    DataValidationError,
    ProblemExample,
    ProblemSummary,
    ValidationReport,
)
from shrivenquant.data.validation.series import validate_series
from shrivenquant.data.validation.sessions import TradingSessions
from shrivenquant.data.validation.validator import ValidationResult, validate

__all__ = [
    "DataValidationError",
    "Problem",
    "ProblemExample",
    "ProblemSummary",
    "TradingSessions",
    "ValidationConfig",
    "ValidationMode",
    "ValidationReport",
    "ValidationResult",
    "validate",
    "validate_series",
]
