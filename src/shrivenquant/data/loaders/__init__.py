"""Generic historical data loaders: CSV/Parquet bars, trades and quotes to the catalog's
columnar containers, exactly and validated. Venue file formats (Binance public data archives,
Kite historical candles) live in their adapters and build on these.

```python
bars = load_bars("nifty.csv", "NIFTY24JANFUT.NSE-1-MINUTE-LAST-EXTERNAL",
                 columns={"ts": "date"}, time=TimeFormat(timezone="Asia/Kolkata"))
```

Prices and sizes are parsed from their decimal text, never through a float. Every load is
validated: unsorted, duplicated or inconsistent rows are refused with the file and row named
(`LoadValidationError`), or dropped with ``repair=True``; the report is ``result.report``.
See ``docs/guides/loading-data.md``.
"""

from shrivenquant.data.loaders.build import Precisions
from shrivenquant.data.loaders.columns import BarColumns, CsvFormat, QuoteColumns, TradeColumns
from shrivenquant.data.loaders.decimals import parse_decimal_strings, scaled_values
from shrivenquant.data.loaders.errors import DataLoadError, LoadValidationError, SourceRows
from shrivenquant.data.loaders.generic import load_bars, load_quotes, load_trades
from shrivenquant.data.loaders.result import LoadResult
from shrivenquant.data.loaders.timestamps import TimeFormat

__all__ = [
    "BarColumns",
    "CsvFormat",
    "DataLoadError",
    "LoadResult",
    "LoadValidationError",
    "Precisions",
    "QuoteColumns",
    "SourceRows",
    "TimeFormat",
    "TradeColumns",
    "load_bars",
    "load_quotes",
    "load_trades",
    "parse_decimal_strings",
    "scaled_values",
]
