"""Errors that end a backtest."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shrivenquant.core.errors import ShrivenQuantError
from shrivenquant.strategy import HookError

if TYPE_CHECKING:
    from shrivenquant.runtime.backtest.results import BacktestResult


class StrategyError(ShrivenQuantError):
    """A strategy raised in one of its hooks and faulted: the backtest stopped there.

    The message names the strategy, the hook, the exception and the ``ts_event`` of the record
    being handled (a bar's close time for ``on_bar``), followed by the traceback.

    Attributes:
        hook_error: the recorded error (hook, exception, traceback, timestamp).
        result: what the run produced up to the failure (None if it could not be built).
    """

    def __init__(self, hook_error: HookError, result: BacktestResult | None) -> None:
        super().__init__(
            f"backtest stopped: {hook_error.describe()}\n{hook_error.traceback.rstrip()}"
        )
        self.hook_error = hook_error
        self.result = result
