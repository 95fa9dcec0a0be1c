"""Performance metrics, trade statistics, tearsheets and reports."""

from shrivenquant.analysis.metrics import MetricsConfig, compute_performance
from shrivenquant.analysis.report import PerformanceReport
from shrivenquant.analysis.tearsheet import TearsheetFiles, render_tearsheet, write_tearsheet
from shrivenquant.analysis.trades import TradeRecord, trades_frame

__all__ = [
    "MetricsConfig",
    "PerformanceReport",
    "TearsheetFiles",
    "TradeRecord",
    "compute_performance",
    "render_tearsheet",
    "trades_frame",
    "write_tearsheet",
]
