"""Bar aggregation: time, tick, volume and value bars from trades.

One builder class serves both the live DataEngine (`BarBuilder.update`, trade by trade) and
history (`BarBuilder.process`, vectorised over columnar trades); both give identical bars.

```python
builder = bar_builder(BarType.from_str("BTCUSDT.BINANCE-1-MINUTE-LAST-INTERNAL"), 2, 5)
for bar in builder.update(trade):           # live
    ...
bars = builder.process(trade_arrays)        # history: BarArrays, ready for the catalog
```
"""

from shrivenquant.data.aggregation.base import BarBuilder, PartialBar
from shrivenquant.data.aggregation.factory import bar_builder, bar_builder_for
from shrivenquant.data.aggregation.history import aggregate_trades
from shrivenquant.data.aggregation.threshold_bars import ThresholdBarBuilder
from shrivenquant.data.aggregation.time_bars import TimeBarBuilder

__all__ = [
    "BarBuilder",
    "PartialBar",
    "ThresholdBarBuilder",
    "TimeBarBuilder",
    "aggregate_trades",
    "bar_builder",
    "bar_builder_for",
]
