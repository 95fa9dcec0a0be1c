"""`BacktestResult`: what a run produced, as DataFrames, a performance report and files.

Orders, fills and positions are read from the kernel's cache when the run ends; closed trades
are rebuilt from the positions' fills (`shrivenquant.runtime.backtest.trades`); the equity
curve comes from the sampler. Values in the frames are floats for analysis; the final balances
are kept exact, as text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd  # type: ignore[import-untyped]
from rich.table import Table

from shrivenquant.analysis import (
    MetricsConfig,
    PerformanceReport,
    TradeRecord,
    compute_performance,
    trades_frame,
    write_tearsheet,
)
from shrivenquant.cache import Cache
from shrivenquant.model.events import OrderFilled
from shrivenquant.model.identifiers import AccountId
from shrivenquant.model.orders import Order
from shrivenquant.runtime.backtest.trades import closed_trades

if TYPE_CHECKING:
    from shrivenquant.runtime.backtest.equity import EquitySampler
    from shrivenquant.runtime.backtest.event_log import EventLog
    from shrivenquant.runtime.kernel import Kernel

_ORDER_COLUMNS = [
    "client_order_id",
    "strategy_id",
    "instrument_id",
    "side",
    "type",
    "time_in_force",
    "quantity",
    "price",
    "trigger_price",
    "status",
    "filled_qty",
    "avg_px",
    "account_id",
    "venue_order_id",
    "ts_init",
    "ts_last",
]
_FILL_COLUMNS = [
    "ts_event",
    "client_order_id",
    "venue_order_id",
    "trade_id",
    "strategy_id",
    "instrument_id",
    "account_id",
    "side",
    "last_qty",
    "last_px",
    "commission",
    "commission_currency",
    "liquidity_side",
]
_POSITION_COLUMNS = [
    "position_id",
    "strategy_id",
    "instrument_id",
    "account_id",
    "side",
    "signed_qty",
    "peak_qty",
    "avg_px_open",
    "avg_px_close",
    "realized_pnl",
    "currency",
    "fills",
    "ts_opened",
    "ts_closed",
]


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def orders_frame(orders: Sequence[Order]) -> pd.DataFrame:
    """One row per order, in the order they were created."""
    rows = [
        (
            o.client_order_id.value,
            o.strategy_id.value,
            o.instrument_id.value,
            o.side.value,
            o.order_type.value,
            o.time_in_force.value,
            o.quantity.as_double(),
            None if o.price is None else o.price.as_double(),
            None if o.trigger_price is None else o.trigger_price.as_double(),
            o.status.value,
            o.filled_qty.as_double(),
            _float(o.avg_px),
            None if o.account_id is None else o.account_id.value,
            None if o.venue_order_id is None else o.venue_order_id.value,
            o.init_event.ts_init,
            o.ts_last,
        )
        for o in orders
    ]
    return _with_times(pd.DataFrame(rows, columns=_ORDER_COLUMNS), ("ts_init", "ts_last"))


def fill_events(orders: Sequence[Order]) -> list[OrderFilled]:
    """Every fill of the orders, by time (fills at one time in the order their orders were
    created)."""
    fills = [e for o in orders for e in o.events if isinstance(e, OrderFilled)]
    fills.sort(key=lambda f: f.ts_event)
    return fills


def fills_frame(fills: Sequence[OrderFilled]) -> pd.DataFrame:
    """One row per fill."""
    rows = [
        (
            f.ts_event,
            f.client_order_id.value,
            f.venue_order_id.value,
            f.trade_id.value,
            f.strategy_id.value,
            f.instrument_id.value,
            f.account_id.value,
            f.order_side.value,
            f.last_qty.as_double(),
            f.last_px.as_double(),
            f.commission.as_double(),
            f.commission.currency.code,
            f.liquidity_side.value,
        )
        for f in fills
    ]
    return _with_times(pd.DataFrame(rows, columns=_FILL_COLUMNS), ("ts_event",))


def positions_frame(cache: Cache) -> pd.DataFrame:
    """One row per position (a netting position once, however often it reopened)."""
    rows = [
        (
            p.id.value,
            p.strategy_id.value,
            p.instrument_id.value,
            p.account_id.value,
            p.side.value,
            float(p.signed_qty),
            p.peak_qty.as_double(),
            float(p.avg_px_open),
            _float(p.avg_px_close),
            p.realized_pnl.as_double(),
            p.currency.code,
            len(p.events),
            p.ts_opened,
            p.ts_closed,
        )
        for p in cache.positions()
    ]
    frame = pd.DataFrame(rows, columns=_POSITION_COLUMNS)
    frame["ts_closed"] = frame["ts_closed"].astype("Int64")
    return _with_times(frame, ("ts_opened", "ts_closed"))


def _with_times(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    for column in columns:
        frame[column] = pd.to_datetime(frame[column], unit="ns", utc=True)
    return frame


@dataclass(frozen=True, slots=True)
class RunStats:
    """How the run went.

    Attributes:
        records: records replayed.
        first_ts: ``ts_init`` of the first record (None without data).
        last_ts: the clock at the end.
        out_of_order: records older than the clock when they came (handled anyway).
        elapsed_s: wall time of the replay.
        stopped_early: whether a failure stopped the run before the data ended.
    """

    records: int
    first_ts: int | None
    last_ts: int | None
    out_of_order: int
    elapsed_s: float
    stopped_early: bool

    @property
    def records_per_s(self) -> float:
        """Replay throughput."""
        return self.records / self.elapsed_s if self.elapsed_s > 0 else 0.0


@dataclass(frozen=True)
class BacktestResult:
    """Everything a backtest produced.

    Attributes:
        stats: counts and timing of the replay.
        orders: every order (`orders_frame`).
        fills: every fill (`fills_frame`).
        positions: every position (`positions_frame`).
        trades: closed trades.
        equity: the equity curve in ``report_currency`` (may be empty if nothing could be
            valued).
        marks: each instrument's sampled mark price.
        report: the performance metrics (None when the curve has no sample).
        report_currency: the currency of the curve.
        balances: final balances per account: ``{account: {currency: "123.45 USDT"}}``.
        denials: orders the risk engine denied, per reason.
        failures: components that became DEGRADED or FAULTED, with the reason.
        event_log: every event published during the run, encoded (when recorded).
    """

    stats: RunStats
    orders: pd.DataFrame
    fills: pd.DataFrame
    positions: pd.DataFrame
    trades: tuple[TradeRecord, ...]
    equity: pd.Series
    marks: Mapping[str, pd.Series]
    report: PerformanceReport | None
    report_currency: str
    balances: Mapping[str, Mapping[str, str]]
    denials: Mapping[str, int] = field(default_factory=dict)
    failures: tuple[str, ...] = ()
    event_log: tuple[bytes, ...] = ()

    @property
    def trades_frame(self) -> pd.DataFrame:
        """The closed trades as a DataFrame."""
        return trades_frame(self.trades)

    @property
    def pnl(self) -> float:
        """Net PnL of the closed trades."""
        return float(sum(t.pnl for t in self.trades))

    def summary(self) -> dict[str, Any]:
        """Counts, balances and metrics as plain JSON-compatible values."""
        stats = self.stats
        return {
            "records": stats.records,
            "elapsed_s": round(stats.elapsed_s, 6),
            "records_per_s": round(stats.records_per_s, 1),
            "stopped_early": stats.stopped_early,
            "orders": len(self.orders),
            "fills": len(self.fills),
            "positions": len(self.positions),
            "trades": len(self.trades),
            "trade_pnl": self.pnl,
            "report_currency": self.report_currency,
            "final_equity": float(self.equity.iloc[-1]) if len(self.equity) else None,
            "balances": {k: dict(v) for k, v in self.balances.items()},
            "denials": dict(self.denials),
            "failures": list(self.failures),
            "metrics": None if self.report is None else self.report.to_dict(),
        }

    def write(self, folder: str | Path, title: str = "Backtest") -> dict[str, Path]:
        """Write the report folder: ``orders.csv``, ``fills.csv``, ``positions.csv``,
        ``trades.csv``, ``equity.csv``, ``summary.json`` and, when the curve has samples,
        ``tearsheet.html`` with its ``tearsheet.json``. Returns the paths by name."""
        target = Path(folder)
        target.mkdir(parents=True, exist_ok=True)
        written: dict[str, Path] = {}
        for name, frame in (
            ("orders", self.orders),
            ("fills", self.fills),
            ("positions", self.positions),
            ("trades", self.trades_frame),
        ):
            path = target / f"{name}.csv"
            frame.to_csv(path, index=False)
            written[name] = path
        equity_path = target / "equity.csv"
        self.equity.rename_axis("time").to_csv(equity_path, header=True)
        written["equity"] = equity_path
        summary_path = target / "summary.json"
        summary_path.write_text(
            json.dumps(self.summary(), indent=2, allow_nan=False) + "\n", encoding="utf-8"
        )
        written["summary"] = summary_path
        if self.report is not None:
            files = write_tearsheet(
                target / "tearsheet.html",
                self.equity,
                self.trades,
                prices=dict(self.marks) or None,
                report=self.report,
                title=title,
            )
            written["tearsheet"] = files.html
            written["tearsheet_json"] = files.json
        return written

    def metrics_table(self, title: str = "Backtest") -> Table:
        """The key figures as a rich table."""
        table = Table(title=title, show_header=False, title_justify="left")
        table.add_column("metric")
        table.add_column("value", justify="right")
        stats = self.stats
        rows: list[tuple[str, str]] = [
            ("records", f"{stats.records:,}"),
            ("speed", f"{stats.records_per_s:,.0f} records/s"),
            (
                "orders / fills / positions",
                f"{len(self.orders)} / {len(self.fills)} / {len(self.positions)}",
            ),
            ("closed trades", f"{len(self.trades)}"),
            ("trade PnL", f"{self.pnl:,.2f} {self.report_currency}"),
        ]
        report = self.report
        if report is not None:
            rows += [
                ("initial equity", f"{report.initial_equity:,.2f} {self.report_currency}"),
                ("final equity", f"{report.final_equity:,.2f} {self.report_currency}"),
                ("total return", _pct(report.total_return)),
                ("annualised return", _pct(report.annualised_return)),
                ("Sharpe", _num(report.sharpe)),
                ("Sortino", _num(report.sortino)),
                ("max drawdown", _pct(report.max_drawdown)),
                ("win rate", _pct(report.win_rate)),
                ("profit factor", _num(report.profit_factor)),
                ("fees", f"{report.fees:,.2f} {self.report_currency}"),
            ]
        for account, balances in self.balances.items():
            rows.append((f"balance {account}", ", ".join(balances.values())))
        if self.denials:
            rows.append(("risk denials", ", ".join(f"{k} {v}" for k, v in self.denials.items())))
        for failure in self.failures:
            rows.append(("failure", failure))
        for name, value in rows:
            table.add_row(name, value)
        return table


def build_result(
    kernel: Kernel,
    account_ids: Sequence[AccountId],
    stats: RunStats,
    sampler: EquitySampler,
    log: EventLog | None,
) -> BacktestResult:
    """Everything the run produced, read from the kernel (its cache, portfolio and risk
    engine), the sampler and the event log."""
    cache = kernel.cache
    orders = cache.orders()
    trades = closed_trades(cache)
    equity = sampler.equity()
    balances: dict[str, dict[str, str]] = {}
    for account_id in account_ids:
        account = kernel.portfolio.account(account_id)
        if account is not None:
            totals = sorted(account.balances().items(), key=lambda item: item[0].code)
            balances[account_id.value] = {c.code: str(b.total) for c, b in totals}
    failures = tuple(
        f"{e.component_id}: {e.state}" + (f" ({e.reason})" if e.reason else "")
        for e in kernel.failures
    )
    return BacktestResult(
        stats=stats,
        orders=orders_frame(orders),
        fills=fills_frame(fill_events(orders)),
        positions=positions_frame(cache),
        trades=tuple(trades),
        equity=equity,
        marks=sampler.marks(),
        report=compute_report(equity, trades),
        report_currency=sampler.currency.code,
        balances=balances,
        denials={k.value: v for k, v in kernel.risk_engine.denial_counts.items()},
        failures=failures,
        event_log=() if log is None else log.records,
    )


def compute_report(
    equity: pd.Series, trades: Sequence[TradeRecord], config: MetricsConfig | None = None
) -> PerformanceReport | None:
    """The performance report, or None when the curve has no sample."""
    if not len(equity) or float(equity.iloc[0]) <= 0.0:
        return None
    return compute_performance(equity, trades, config)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:,.2f} %"


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.3f}"
