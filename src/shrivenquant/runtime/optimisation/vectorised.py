"""The vectorised fast path: simple signal strategies over whole arrays, many at once.

Rules (the same as the event-driven backtest with ``BarExecution.NEXT_OPEN``):

- a signal (see `shrivenquant.runtime.optimisation.signals`) gives the target position
  decided on each bar's close: long, short or flat, ``config.quantity`` units;
- the target is reached at the **next bar's open**: a change of target on bar ``i`` fills at
  ``open[i + 1]`` (a flip closes one trade and opens the next at the same price);
- a run over bars ``first..last-1`` starts flat at bar ``first``'s close, with equity
  ``initial_cash``; equity is marked at every close; a target decided on the last bar has no
  next open and is ignored; a position still open at the end stays open (marked at the last
  close, not a trade) unless ``close_at_end`` closes it at that close;
- each fill pays ``fee_rate`` times its notional; a trade's PnL is net of its entry and exit
  fees.

Metrics follow `shrivenquant.analysis.compute_performance` (same names and formulas), computed
in compiled code; ``full_report=True`` calls `compute_performance` itself, for every field of
`PerformanceReport`, at a higher cost per run.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd  # type: ignore[import-untyped]
from numba.typed import List as TypedList

from shrivenquant.analysis import MetricsConfig, PerformanceReport, TradeRecord, compute_performance
from shrivenquant.model.enums import PositionSide
from shrivenquant.runtime.optimisation import _kernels
from shrivenquant.runtime.optimisation._worker import in_worker
from shrivenquant.runtime.optimisation.averages import AverageCache
from shrivenquant.runtime.optimisation.evaluation import Metrics, Params, metrics_from_report
from shrivenquant.runtime.optimisation.prices import PriceSeries
from shrivenquant.runtime.optimisation.signals import Signal, SmaCross, to_targets

if TYPE_CHECKING:
    from shrivenquant.runtime.optimisation.walk_forward import WalkForwardWindow, WindowRun

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Targets = npt.NDArray[np.int8]

FAST_METRICS: tuple[str, ...] = _kernels.METRIC_NAMES
"""The metrics every vectorised run reports (``pnl`` is final minus initial equity)."""
_INT_METRICS = frozenset({"trade_count", "periods"})
_MAX_AVERAGES_PER_CHUNK = 24  # bounds the moving averages held at once in a crossover sweep


@dataclass(frozen=True, slots=True, kw_only=True)
class VectorisedConfig:
    """How a vectorised run trades and measures.

    Attributes:
        quantity: units held while long or short.
        fee_rate: fee per fill as a fraction of its notional (0.001 is 10 basis points).
        initial_cash: equity at the start of the run.
        long_only: a short target (-1) means flat.
        close_at_end: close a position still open at the last bar's close.
        metrics: return sampling and annualisation (`MetricsConfig`).
        full_report: metrics from `compute_performance` (every `PerformanceReport` field)
            instead of the compiled subset `FAST_METRICS`.
    """

    quantity: float = 1.0
    fee_rate: float = 0.0
    initial_cash: float = 100_000.0
    long_only: bool = True
    close_at_end: bool = False
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    full_report: bool = False

    def __post_init__(self) -> None:
        if not (math.isfinite(self.quantity) and self.quantity > 0.0):
            raise ValueError(f"VectorisedConfig quantity must be positive, got {self.quantity!r}")
        if not (math.isfinite(self.fee_rate) and 0.0 <= self.fee_rate < 1.0):
            raise ValueError(f"VectorisedConfig fee_rate must be in [0, 1), got {self.fee_rate!r}")
        if not (math.isfinite(self.initial_cash) and self.initial_cash > 0.0):
            raise ValueError(
                f"VectorisedConfig initial_cash must be positive, got {self.initial_cash!r}"
            )
        if not isinstance(self.metrics, MetricsConfig):
            raise TypeError(
                f"VectorisedConfig metrics must be a MetricsConfig, got {self.metrics!r}"
            )


@dataclass(frozen=True, slots=True)
class VectorisedRun:
    """Everything one vectorised run produced.

    Attributes:
        params: the parameters run.
        equity: equity at each close of the run (UTC timestamps).
        position: the position held during each bar of the run (-1, 0, 1).
        trades: closed trades, in order.
        metrics: the run's metrics (``nan`` where undefined).
        config: the settings of the run.
    """

    params: dict[str, Any]
    equity: pd.Series
    position: Targets
    trades: list[TradeRecord]
    metrics: dict[str, float]
    config: VectorisedConfig

    @property
    def pnl(self) -> float:
        """Final minus initial equity (realised, fees and the open position's mark)."""
        return float(self.equity.iloc[-1] - self.equity.iloc[0])

    def report(self) -> PerformanceReport:
        """The full `PerformanceReport` of the run."""
        return compute_performance(self.equity, self.trades, self.config.metrics)


def sample_indices(ts_event: Ints, frequency: str | None) -> Ints:
    """Indices of the curve points period returns are taken between.

    The same points `shrivenquant.analysis.equity.period_returns` uses: the last point of each
    period with observations, preceded by the first point when that is not a period's last.
    """
    if frequency is None:
        return np.arange(len(ts_event), dtype=np.int64)
    index = pd.to_datetime(ts_event, unit="ns", utc=True)
    positions = pd.Series(np.arange(len(ts_event), dtype=np.float64), index=index)
    last = positions.resample(frequency).last().dropna().to_numpy().astype(np.int64)
    if last[0] != 0:
        last = np.concatenate(([0], last))
    return np.ascontiguousarray(last)


def _as_metrics(row: Floats) -> dict[str, float]:
    return {
        name: int(value) if name in _INT_METRICS else float(value)
        for name, value in zip(FAST_METRICS, row.tolist(), strict=True)
    }


class VectorisedBacktest:
    """A signal on one price series: run it for one parameter set or sweep many.

    Instances are evaluators for the search runners (``backtest(params) -> metrics``, and
    `evaluate_batch` for many at once) and subjects of `walk_forward`. They pickle, so they
    run in worker processes; the signal must pickle too (a module-level function or a class
    instance such as `SmaCross`).

    Args:
        prices: the bars.
        signal: the signal (see `shrivenquant.runtime.optimisation.signals`).
        config: trading and metrics settings.
        first: the bar at whose close the run starts (signals still see earlier bars, so
            indicators are warm).
        last: one past the run's last bar; None for the end of the series.
        instrument_id: the instrument named in trade records.
    """

    def __init__(
        self,
        prices: PriceSeries,
        signal: Signal,
        config: VectorisedConfig | None = None,
        *,
        first: int = 0,
        last: int | None = None,
        instrument_id: str = "",
    ) -> None:
        n = len(prices)
        last = n if last is None else last
        if not 0 <= first < last <= n or last - first < 2:
            raise ValueError(
                f"VectorisedBacktest window first={first}, last={last} must satisfy "
                f"0 <= first, first + 2 <= last <= {n} (the number of bars)"
            )
        self.prices = prices
        self.signal = signal
        self.config = config or VectorisedConfig()
        self.first = first
        self.last = last
        self.instrument_id = instrument_id
        self._samples: Ints | None = None
        self._averages = AverageCache(prices.close)

    def __repr__(self) -> str:
        return (
            f"VectorisedBacktest(signal={self.signal!r}, bars={self.first}..{self.last - 1}, "
            f"config={self.config!r})"
        )

    @property
    def initial_equity(self) -> float:
        """Equity at the start of the run (``config.initial_cash``)."""
        return self.config.initial_cash

    @property
    def metrics_config(self) -> MetricsConfig:
        """Sampling and annualisation of the run's metrics."""
        return self.config.metrics

    def window(self, first: int, last: int, **changes: Any) -> VectorisedBacktest:
        """The same backtest over bars ``first..last-1``, with config ``changes`` applied
        (moving averages already computed are shared)."""
        config = replace(self.config, **changes) if changes else self.config
        windowed = VectorisedBacktest(
            self.prices,
            self.signal,
            config,
            first=first,
            last=last,
            instrument_id=self.instrument_id,
        )
        windowed._averages = self._averages
        return windowed

    def targets(self, params: Params) -> Targets:
        """The resolved target per bar of the whole series (see `to_targets`)."""
        raw = self.signal(self.prices, params)
        return to_targets(raw, len(self.prices), self.config.long_only)

    def run(self, params: Params) -> VectorisedRun:
        """Run one parameter set, keeping the equity curve, positions and trades."""
        target = self.targets(params)
        cfg, p = self.config, self.prices
        size = _kernels.count_changes(target, self.first, self.last) + 1
        length = self.last - self.first
        equity = np.empty(length)
        position = np.empty(length, dtype=np.int8)
        trades = np.empty((size, 5))
        times = np.empty((size, 2), dtype=np.int64)
        count = _kernels.simulate(
            p.open, p.close, p.ts_open, p.ts_event, target, self.first, self.last,
            cfg.quantity, cfg.fee_rate, cfg.initial_cash, cfg.close_at_end,
            equity, position, trades, times,
        )  # fmt: skip
        ts = p.ts_event[self.first : self.last]
        curve = pd.Series(equity, index=pd.to_datetime(ts, unit="ns", utc=True), name="equity")
        records = [
            TradeRecord(
                entry_time=int(times[k, 0]),
                exit_time=int(times[k, 1]),
                side=PositionSide.LONG if trades[k, 0] > 0 else PositionSide.SHORT,
                quantity=cfg.quantity,
                entry_price=float(trades[k, 1]),
                exit_price=float(trades[k, 2]),
                pnl=float(trades[k, 3]),
                fees=float(trades[k, 4]),
                instrument_id=self.instrument_id,
            )
            for k in range(count)
        ]
        row = np.empty(_kernels.N_METRICS)
        _kernels.metrics(
            equity, self._sample_indices(), int(ts[-1] - ts[0]), cfg.quantity, trades, times,
            count, cfg.metrics.periods_per_year, self._risk_free(), row,
        )  # fmt: skip
        run = VectorisedRun(dict(params), curve, position, records, _as_metrics(row), cfg)
        if cfg.full_report:
            return replace(run, metrics=metrics_from_report(run.report()))
        return run

    def __call__(self, params: Params) -> Metrics:
        """The metrics of one parameter set (the evaluator interface)."""
        if self.config.full_report:
            return self.run(params).metrics
        return self.evaluate_batch([params])[0]

    def evaluate_batch(self, params: Sequence[Params]) -> list[Metrics]:
        """The metrics of many parameter sets, in order, in compiled loops.

        Crossover signals (`SmaCross`) compute each moving average once; other signals are
        called once per parameter set. Outside worker processes the loops use numba's
        threads.
        """
        if not params:
            return []
        if self.config.full_report:
            return [self.run(p).metrics for p in params]
        if isinstance(self.signal, SmaCross):
            rows = self._sweep_cross(self.signal, params)
        else:
            rows = self._sweep_targets(params)
        return [_as_metrics(row) for row in rows]

    def in_sample_evaluator(self, window: WalkForwardWindow) -> VectorisedBacktest:
        """Walk-forward: this backtest over the window's in-sample bars."""
        return self.window(window.in_sample.start, window.in_sample.stop)

    def out_of_sample_run(
        self, window: WalkForwardWindow, params: Params, initial_equity: float
    ) -> WindowRun:
        """Walk-forward: run ``params`` over the window's out-of-sample bars.

        The run starts flat at the close before the window (so a signal there fills at the
        window's first open) and closes any position at the window's last close.
        """
        from shrivenquant.runtime.optimisation.walk_forward import WindowRun  # noqa: PLC0415

        start = window.out_of_sample.start
        run = self.window(
            start - 1, window.out_of_sample.stop, initial_cash=initial_equity, close_at_end=True
        ).run(params)
        return WindowRun(metrics=run.metrics, equity=run.equity, trades=run.trades)

    # -- internals ------------------------------------------------------------------------

    def _risk_free(self) -> float:
        m = self.config.metrics
        return float((1.0 + m.risk_free_rate) ** (1.0 / m.periods_per_year) - 1.0)

    def _sample_indices(self) -> Ints:
        if self._samples is None:
            ts = self.prices.ts_event[self.first : self.last]
            self._samples = sample_indices(ts, self.config.metrics.return_frequency)
        return self._samples

    def _common_args(self) -> tuple[Any, ...]:
        cfg = self.config
        return (
            self.first,
            self.last,
            cfg.quantity,
            cfg.fee_rate,
            cfg.initial_cash,
            cfg.close_at_end,
            self._sample_indices(),
            cfg.metrics.periods_per_year,
            self._risk_free(),
        )

    def _sweep_targets(self, params: Sequence[Params]) -> Floats:
        p = self.prices
        targets = np.empty((len(params), len(p)), dtype=np.int8)
        for row, values in enumerate(params):
            targets[row] = self.targets(values)
        out = np.empty((len(params), _kernels.N_METRICS))
        kernel: Callable[..., None] = _kernels.sweep_targets_serial
        if len(params) > 1 and not in_worker():
            kernel = _kernels.sweep_targets_parallel
        kernel(p.open, p.close, p.ts_open, p.ts_event, targets, *self._common_args(), out)
        return out

    def _sweep_cross(self, signal: SmaCross, params: Sequence[Params]) -> Floats:
        p = self.prices
        pairs = [signal.periods(values) for values in params]
        out = np.empty((len(params), _kernels.N_METRICS))
        kernel: Callable[..., None] = _kernels.sweep_cross_serial
        if len(params) > 1 and not in_worker():
            kernel = _kernels.sweep_cross_parallel
        for chunk in _chunks_by_periods(pairs, _MAX_AVERAGES_PER_CHUNK):
            periods = sorted({period for i in chunk for period in pairs[i]})
            row_of = {period: row for row, period in enumerate(periods)}
            averages = TypedList([self._averages.get(period) for period in periods])
            fast_rows = np.array([row_of[pairs[i][0]] for i in chunk], dtype=np.int64)
            slow_rows = np.array([row_of[pairs[i][1]] for i in chunk], dtype=np.int64)
            chunk_out = np.empty((len(chunk), _kernels.N_METRICS))
            kernel(
                p.open, p.close, p.ts_open, p.ts_event, averages, fast_rows, slow_rows,
                self.config.long_only, *self._common_args(), chunk_out,
            )  # fmt: skip
            out[chunk] = chunk_out
        return out


def _chunks_by_periods(pairs: Sequence[tuple[int, int]], limit: int) -> list[list[int]]:
    """Group pair indices so that each group needs at most ``limit`` distinct periods."""
    order = sorted(range(len(pairs)), key=lambda i: pairs[i])
    chunks: list[list[int]] = []
    current: list[int] = []
    periods: set[int] = set()
    for i in order:
        needed = periods | set(pairs[i])
        if current and len(needed) > limit:
            chunks.append(current)
            current, needed = [], set(pairs[i])
        current.append(i)
        periods = needed
    if current:
        chunks.append(current)
    return chunks
