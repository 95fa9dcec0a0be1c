"""The execution engine (OMS), order emulation, reconciliation and the execution-client port."""

from shrivenquant.execution.client import ALL_ORDER_TYPES, ExecutionClient
from shrivenquant.execution.config import ExecEngineConfig
from shrivenquant.execution.counters import Anomaly
from shrivenquant.execution.engine import ExecutionEngine
from shrivenquant.execution.journal import MessageJournal
from shrivenquant.execution.reconciliation import ReconciliationResult
from shrivenquant.execution.recovery import trading_state_snapshot

__all__ = [
    "ALL_ORDER_TYPES",
    "Anomaly",
    "ExecEngineConfig",
    "ExecutionClient",
    "ExecutionEngine",
    "MessageJournal",
    "ReconciliationResult",
    "trading_state_snapshot",
]
