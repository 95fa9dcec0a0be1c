"""``sq backtest`` and ``sq demo``: run a strategy file on historical data, write the report.

``sq backtest STRATEGY_FILE --data FILE ... [--config FILE] [--out DIR]`` loads the strategy
class from the file, the data from CSV/Parquet files or a catalog, runs the backtest and
writes the report folder (orders, fills, positions, trades, equity, summary and the
tearsheet); the key metrics are printed as a table. Settings merge file, then
``SQ_SECTION__KEY`` environment variables, then ``--set section.key=value``; strategy
parameters are the ``[strategy]`` section (``--set strategy.fast=20``).

``sq demo`` generates synthetic bars and runs the SMA crossover example on them end to end.

Bad input ends with one ``error: ...`` line and exit code 2; a strategy that raises stops the
backtest with its traceback and the time of the bar it was handling, and exit code 1.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Final, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from shrivenquant.core.errors import ShrivenQuantError
from shrivenquant.runtime import BacktestResult, StrategyError, load_settings
from shrivenquant.runtime.backtest.files import DataFiles, DataKindName, prepare_backtest
from shrivenquant.runtime.synthetic import (
    DEFAULT_BAR_TYPE,
    DEFAULT_SEED,
    GbmSpec,
    gbm_bars,
    write_bars_csv,
)

console = Console()
err_console = Console(stderr=True)
backtest_app = typer.Typer(add_completion=False, pretty_exceptions_show_locals=False)
"""Holds ``backtest`` and ``demo``; ``sq`` imports it when one of them is invoked."""

EXAMPLES_DIR: Final = Path(__file__).resolve().parents[4] / "examples"
"""The examples of the source tree this package runs from."""
DEMO_STRATEGY: Final = "sma_crossover.py"
DEMO_CONFIG: Final = "backtest.toml"
DEMO_BARS: Final = 100_000


def _fail(message: str, code: int = 2) -> NoReturn:
    err_console.print(f"[red]error:[/red] {escape(message)}")
    raise typer.Exit(code)


def _columns(text: str | None) -> dict[str, str]:
    if not text:
        return {}
    mapping = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            _fail(f"--columns: expected field=column pairs separated by commas, got {part!r}")
        mapping[key.strip()] = value.strip()
    return mapping


def run_backtest(
    strategy_file: str,
    *,
    data: DataFiles | None,
    catalog: Path | None,
    config: Path | None,
    overrides: list[str],
    out: Path,
    progress: bool | None,
    title: str,
) -> BacktestResult:
    """Prepare, run and report one backtest; print the metrics. Exits on bad input."""
    try:
        settings = load_settings(config, overrides=overrides)
        if progress is not None:
            settings.setdefault("backtest", {})["progress"] = progress
        settings.setdefault("logging", {"level": "WARNING"})
        prepared = prepare_backtest(strategy_file, settings, data, catalog)
    except (ShrivenQuantError, ValueError, OSError) as exc:
        _fail(str(exc) or type(exc).__name__)
    for note in prepared.notes:
        err_console.print(f"[dim]note: {escape(note)}[/dim]")
    started = time.perf_counter()
    try:
        result = prepared.engine.run()
    except StrategyError as exc:
        err_console.print(f"[red]error:[/red] {escape(str(exc))}")
        if exc.result is not None:
            folder = exc.result.write(out, title=f"{title} (stopped)")
            err_console.print(f"partial report: {folder['summary'].parent}")
        raise typer.Exit(1) from None
    except ShrivenQuantError as exc:
        _fail(str(exc))
    written = result.write(out, title=title)
    console.print(result.metrics_table(title))
    elapsed = time.perf_counter() - started
    console.print(f"report: {out}  ({elapsed:.1f} s)")
    if "tearsheet" in written:
        console.print(f"tearsheet: {written['tearsheet']}")
    return result


@backtest_app.command("backtest")
def backtest(
    *,
    strategy_file: Annotated[
        str, typer.Argument(help="Python file defining the strategy (FILE or FILE:ClassName).")
    ],
    data: Annotated[
        list[Path] | None, typer.Option("--data", "-d", help="CSV or Parquet data file(s).")
    ] = None,
    kind: Annotated[str, typer.Option(help="What the data files hold: bars, trades, quotes.")] = (
        "bars"
    ),
    bar_type: Annotated[
        str | None, typer.Option(help="Bar type of bar files (default: the strategy's).")
    ] = None,
    instrument: Annotated[
        str | None, typer.Option(help="Instrument id of trade or quote files.")
    ] = None,
    columns: Annotated[
        str | None, typer.Option(help="Column map, e.g. ts=Date,open=Open,close=Close.")
    ] = None,
    timezone: Annotated[str, typer.Option(help="Zone of date-times without an offset.")] = "UTC",
    repair: Annotated[bool, typer.Option(help="Drop invalid rows instead of failing.")] = False,
    catalog: Annotated[
        Path | None, typer.Option(help="Replay a Parquet data catalog (sq data import).")
    ] = None,
    config: Annotated[Path | None, typer.Option("--config", "-c", help="TOML settings.")] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", "-s", help="Override a setting: section.key=value (repeatable)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Report folder (default reports/<file>).")
    ] = None,
    progress: Annotated[
        bool | None, typer.Option("--progress/--no-progress", help="Show a progress bar.")
    ] = None,
) -> None:
    """Run a strategy on historical data and write its report and tearsheet."""
    if kind not in ("bars", "trades", "quotes"):
        _fail(f"--kind: expected bars, trades or quotes, got {kind!r}")
    files = None
    if data:
        kind_name: DataKindName = kind  # type: ignore[assignment]
        files = DataFiles(
            paths=tuple(data),
            kind=kind_name,
            bar_type=bar_type,
            instrument_id=instrument,
            columns=_columns(columns),
            timezone=timezone,
            repair=repair,
        )
    location = strategy_file
    if ":" in strategy_file and not strategy_file.endswith(".py"):
        location = strategy_file.rsplit(":", 1)[0]
    stem = Path(location).stem
    run_backtest(
        strategy_file,
        data=files,
        catalog=catalog,
        config=config,
        overrides=list(set_ or ()),
        out=out or Path("reports") / stem,
        progress=progress,
        title=f"Backtest: {stem}",
    )


@backtest_app.command("demo")
def demo(
    *,
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write data and report.")] = (
        Path("sq-demo")
    ),
    bars: Annotated[int, typer.Option(help="How many one-minute bars to generate.")] = DEMO_BARS,
    seed: Annotated[int, typer.Option(help="Random seed of the synthetic prices.")] = DEFAULT_SEED,
) -> None:
    """Generate synthetic BTCUSDT bars, run the SMA crossover example on them and write its
    tearsheet."""
    strategy = EXAMPLES_DIR / DEMO_STRATEGY
    if not strategy.is_file():
        _fail(
            f"the demo runs {DEMO_STRATEGY} from the examples folder of a source checkout, "
            f"and {EXAMPLES_DIR} has none"
        )
    if bars < 100:
        _fail(f"--bars: give at least 100 bars, got {bars}")
    data_file = out / "data" / "btcusdt-1m.csv"
    with err_console.status(f"generating {bars:,} one-minute bars (seed {seed})"):
        write_bars_csv(gbm_bars(GbmSpec(count=bars, seed=seed)), data_file)
    err_console.print(f"data: {data_file}")
    config = EXAMPLES_DIR / DEMO_CONFIG
    run_backtest(
        str(strategy),
        data=DataFiles(paths=(data_file,), bar_type=DEFAULT_BAR_TYPE),
        catalog=None,
        config=config if config.is_file() else None,
        overrides=[],
        out=out / "report",
        progress=None,
        title="ShrivenQuant demo: SMA crossover on synthetic BTCUSDT",
    )
    console.print(
        f"[dim]again, or with your own parameters: sq backtest {strategy} --data {data_file} "
        f"--bar-type {DEFAULT_BAR_TYPE} --config {config} --set strategy.fast=20[/dim]"
    )
