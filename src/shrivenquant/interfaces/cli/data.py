"""``sq data``: import, validate, inspect, aggregate and replay the market data catalog.

Every command takes ``--catalog PATH`` (default: the catalog under the configured data dir).
Bad input ends with one ``error: ...`` line and exit code 2; ``validate`` in strict mode exits
with 1 when the data has problems.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Final, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from shrivenquant.adapters.historical import (
    CatalogImporter,
    DataFormat,
    ImportSpec,
    series_key,
    source_files,
)
from shrivenquant.bus import topics
from shrivenquant.bus.message_bus import MessageBus
from shrivenquant.core.errors import ShrivenQuantError
from shrivenquant.core.time import unix_nanos_to_iso8601
from shrivenquant.data.aggregation import aggregate_trades
from shrivenquant.data.loaders import CsvFormat, LoadResult, TimeFormat
from shrivenquant.data.validation import (
    TradingSessions,
    ValidationConfig,
    ValidationMode,
    ValidationReport,
    validate_series,
)
from shrivenquant.model.data import (
    Bar,
    BarType,
    OrderBookDelta,
    OrderBookSnapshot,
    QuoteTick,
    TradeTick,
)
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.model.instruments import Instrument
from shrivenquant.persistence.catalog import DataKind, ParquetDataCatalog, SeriesKey
from shrivenquant.runtime.paths import resolve_paths

data_app = typer.Typer(
    name="data",
    help="Import, validate, inspect, aggregate and replay market data in the catalog.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
console = Console()

_SESSION_VENUES: Final = frozenset({"NSE", "NFO", "BSE", "BFO"})
_VALIDATED: Final = (DataKind.TRADE_TICK, DataKind.QUOTE_TICK, DataKind.BAR, DataKind.BOOK_DELTA)

CatalogOption = Annotated[
    Path | None,
    typer.Option(
        "--catalog", "-c", help="Catalog directory (default: catalog/ in the configured data dir)."
    ),
]


class Preset(StrEnum):
    """Validation thresholds for ``sq data validate``."""

    AUTO = "auto"
    BASIC = "basic"
    CRYPTO = "crypto"
    NSE = "nse"


# --- shared helpers ------------------------------------------------------------------------


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {' '.join(message.split())}", err=True)
    raise typer.Exit(2)


@contextmanager
def _bad_input_exits() -> Iterator[None]:
    """Turn errors about the input into one ``error:`` line and exit code 2."""
    try:
        yield
    except (ShrivenQuantError, ValueError, OSError) as exc:
        _fail(str(exc) or type(exc).__name__)


def _catalog(path: Path | None, *, must_exist: bool = True) -> ParquetDataCatalog:
    root = path if path is not None else resolve_paths().catalog_dir
    if must_exist and not root.is_dir():
        _fail(f"no catalog at {root} (import data first: sq data import ...)")
    return ParquetDataCatalog(root)


def _time(value: str | None, what: str) -> int | str | None:
    """A ``--start``/``--end`` value: int nanoseconds when all digits, else an ISO string."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        _fail(f"{what} is empty")
    return int(text) if text.isdigit() else text


def _iso(ts: int | None) -> str:
    return "-" if ts is None else unix_nanos_to_iso8601(ts, nanos_precision=False)


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def _columns(text: str | None) -> dict[str, str | None]:
    """``ts=Date,open=Open,volume=`` to a column map (an empty value means no such column)."""
    if not text:
        return {}
    mapping: dict[str, str | None] = {}
    for item in text.split(","):
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            _fail(f"--columns expects FIELD=COLUMN pairs separated by commas, got {item!r}")
        mapping[key.strip()] = value.strip() or None
    return mapping


# --- import --------------------------------------------------------------------------------


@data_app.command("import")
def import_(
    *,
    sources: Annotated[list[Path], typer.Argument(help="Files or directories of files to import.")],
    data_format: Annotated[
        DataFormat | None,
        typer.Option(
            "--format", "-f", help="File format (default: told from Binance and Kite file names)."
        ),
    ] = None,
    instrument: Annotated[
        str | None,
        typer.Option("--instrument", "-i", help="Instrument id, e.g. BTCUSDT.BINANCE."),
    ] = None,
    bar_type: Annotated[
        str | None, typer.Option("--bar-type", help="Bar type (needed for csv-bars).")
    ] = None,
    interval: Annotated[
        str | None, typer.Option("--interval", help="Kite interval (minute, 5minute, day...).")
    ] = None,
    columns: Annotated[
        str | None,
        typer.Option("--columns", help="Column map for csv formats: ts=Date,open=Open,..."),
    ] = None,
    ts_unit: Annotated[
        str, typer.Option("--ts-unit", help="Timestamps: auto, s, ms, us, ns or datetime.")
    ] = "auto",
    timezone: Annotated[
        str, typer.Option("--timezone", help="Zone of date-times without a UTC offset.")
    ] = "UTC",
    ts_format: Annotated[
        str | None, typer.Option("--ts-format", help="strptime format of date-times.")
    ] = None,
    delimiter: Annotated[str, typer.Option("--delimiter", help="CSV field separator.")] = ",",
    no_header: Annotated[
        bool, typer.Option("--no-header", help="CSV files have no header (columns 0, 1, ...).")
    ] = False,
    price_precision: Annotated[
        int | None, typer.Option("--price-precision", help="Decimal places of prices.")
    ] = None,
    size_precision: Annotated[
        int | None, typer.Option("--size-precision", help="Decimal places of sizes.")
    ] = None,
    repair: Annotated[
        bool, typer.Option("--repair", help="Drop unsorted, duplicated or inconsistent rows.")
    ] = False,
    catalog: CatalogOption = None,
) -> None:
    """Import data files into the catalog (validated; refused files name the bad row)."""
    with _bad_input_exits():
        files = source_files(sources, data_format)
        spec = ImportSpec(
            format=data_format,
            instrument_id=instrument,
            bar_type=bar_type,
            interval=interval,
            columns=_columns(columns),
            time=TimeFormat(ts_unit, timezone, ts_format),
            csv=CsvFormat(delimiter=delimiter, header=not no_header),
            price_precision=price_precision,
            size_precision=size_precision,
            repair=repair,
        )
        target = _catalog(catalog, must_exist=False)
    importer = CatalogImporter(target, spec)
    summary = Table(title=f"Imported into {escape(str(target.root))}")
    for column in ("file", "series", "rows", "dropped", "flagged", "first", "last"):
        summary.add_column(column, justify="right" if column in ("rows", "dropped") else "left")
    with _progress() as progress:
        task = progress.add_task("importing", total=len(files))
        for done, path in enumerate(files):
            progress.update(task, description=f"importing {escape(path.name)}")
            try:
                result = importer.import_file(path)
            except (ShrivenQuantError, ValueError, OSError) as exc:
                progress.stop()
                _fail(f"{exc} ({done} earlier files were imported)" if done else str(exc))
            _summarise(summary, path, result)
            progress.advance(task)
    console.print(summary)


def _summarise(table: Table, path: Path, result: LoadResult[Any]) -> None:
    data = result.data
    flagged = ", ".join(f"{len(rows)} {problem.value}" for problem, rows in result.flagged.items())
    first = _iso(int(data.ts_event[0])) if len(data) else "-"
    last = _iso(int(data.ts_event[-1])) if len(data) else "-"
    table.add_row(
        escape(path.name),
        series_key(data).name,
        f"{len(data):,}",
        f"{len(result.dropped):,}",
        flagged or "-",
        first,
        last,
    )


# --- validate ------------------------------------------------------------------------------


@data_app.command()
def validate(
    mode: Annotated[
        ValidationMode,
        typer.Option(
            "--mode",
            help="strict: exit 1 on problems; repair: show what repair drops (and write the "
            "cleaned data with --output); warn: report only.",
        ),
    ] = ValidationMode.STRICT,
    preset: Annotated[
        Preset,
        typer.Option(
            "--preset",
            help="Checks: basic (order, duplicates, OHLC, prices), crypto (+ tick gaps, "
            "outliers), nse (+ NSE sessions, gaps, outliers); auto: basic with NSE sessions "
            "for NSE/NFO/BSE/BFO data.",
        ),
    ] = Preset.AUTO,
    kind: Annotated[
        str | None, typer.Option("--kind", help="Only this kind (trade_tick, bar, ...).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", help="With --mode repair: catalog to write to.")
    ] = None,
    catalog: CatalogOption = None,
) -> None:
    """Validate every series in the catalog, file by file, and print a report."""
    with _bad_input_exits():
        source = _catalog(catalog)
        kinds = _VALIDATED if kind is None else (DataKind.from_str(kind),)
        if any(k not in _VALIDATED for k in kinds):
            names = ", ".join(k.directory for k in _VALIDATED)
            _fail(f"{kind} data is not validated (use one of: {names})")
        if output is not None and mode is not ValidationMode.REPAIR:
            _fail("--output needs --mode repair")
        keys = [key for k in kinds for key in source.series(k)]
    if not keys:
        console.print(f"No data to validate in {escape(str(source.root))}.")
        return
    repaired = ParquetDataCatalog(output) if output is not None else None
    reports: list[ValidationReport] = []
    with _progress() as progress, _bad_input_exits():
        task = progress.add_task("validating", total=len(keys))
        for key in keys:
            progress.update(task, description=f"validating {key.name}")
            result = validate_series(source, key, ValidationMode.REPAIR, _config(preset, key))
            report = _relabel(result.report, mode)
            reports.append(report)
            if repaired is not None and result.data is not None and len(result.data):
                repaired.write_arrays(result.data)
            progress.advance(task)
    _print_reports(reports, mode)
    if mode is ValidationMode.STRICT and any(not report.ok for report in reports):
        raise typer.Exit(1)


def _config(preset: Preset, key: SeriesKey) -> ValidationConfig:

    if preset is Preset.CRYPTO:
        return ValidationConfig.crypto()
    if preset is Preset.NSE:
        return ValidationConfig.nse()
    if preset is Preset.AUTO and key.venue in _SESSION_VENUES:
        return ValidationConfig(sessions=TradingSessions.nse())
    return ValidationConfig()


def _relabel(report: ValidationReport, mode: ValidationMode) -> ValidationReport:
    """A report collected in repair mode, labelled for the mode asked for (strict and warn
    drop nothing)."""
    if mode is ValidationMode.REPAIR:
        return report
    report.mode = mode
    report.rows_dropped = 0
    for summary in report.problems.values():
        summary.action = "warned" if mode is ValidationMode.WARN else "none"
    return report


def _print_reports(reports: list[ValidationReport], mode: ValidationMode) -> None:
    table = Table(title=f"Validation ({mode.value})")
    for column in ("series", "kind", "rows", "problem rows", "dropped", "status"):
        table.add_column(column, justify="right" if column in ("rows", "dropped") else "left")
    for report in reports:
        problems = sum(summary.count for summary in report.problems.values())
        status = "[green]ok[/green]" if report.ok else "[red]problems[/red]"
        table.add_row(
            escape(report.source),
            report.kind,
            f"{report.rows:,}",
            f"{problems:,}",
            f"{report.rows_dropped:,}",
            status,
        )
    console.print(table)
    for report in reports:
        if not report.ok:
            console.print(report)


# --- info ----------------------------------------------------------------------------------


@data_app.command()
def info(catalog: CatalogOption = None) -> None:
    """List the catalog's series: kind, rows, files, size and time span."""
    with _bad_input_exits():
        source = _catalog(catalog)
        series = source.info()
    if not series:
        console.print(f"The catalog at {escape(str(source.root))} is empty.")
        return
    table = Table(title=f"Catalog {escape(str(source.root))}")
    for column in ("kind", "series", "rows", "files", "size", "first ts_init", "last ts_init"):
        table.add_column(column, justify="right" if column in ("rows", "files", "size") else "left")
    for item in series:
        table.add_row(
            item.key.kind.directory,
            item.key.name,
            f"{item.rows:,}",
            f"{item.files:,}",
            _size(item.bytes),
            _iso(item.first_ts),
            _iso(item.last_ts),
        )
    console.print(table)


def _size(count: int) -> str:
    size = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"  # pragma: no cover - the loop always returns


# --- aggregate -----------------------------------------------------------------------------


@data_app.command()
def aggregate(
    bar_type: Annotated[
        str,
        typer.Option(
            "--bar-type", help="Bars to build, e.g. BTCUSDT.BINANCE-1-MINUTE-LAST-INTERNAL."
        ),
    ],
    start: Annotated[str | None, typer.Option("--start", help="First ts_init (ISO or ns).")] = None,
    end: Annotated[str | None, typer.Option("--end", help="End ts_init, excluded.")] = None,
    emit_empty: Annotated[
        bool, typer.Option("--emit-empty", help="Flat bars for intervals without trades.")
    ] = False,
    catalog: CatalogOption = None,
) -> None:
    """Build bars from the catalog's trades and write them to the catalog."""
    with _bad_input_exits():
        source = _catalog(catalog)
        parsed = BarType.from_str(bar_type)
        if not parsed.is_internally_aggregated():
            _fail(f"bars built from trades are INTERNAL: use {_internal(parsed)}")
        if SeriesKey.for_bar_type(parsed) in source.series(DataKind.BAR):
            _fail(f"the catalog already holds {parsed} bars")
        with console.status(f"aggregating {parsed}"):
            bars = aggregate_trades(
                source,
                parsed,
                start=_time(start, "--start"),
                end=_time(end, "--end"),
                emit_empty=emit_empty,
                write=True,
            )
    if not len(bars):
        console.print(f"No complete {parsed} bars in the range; nothing written.")
        return
    console.print(
        f"Wrote {len(bars):,} {parsed} bars, {_iso(int(bars.ts_event[0]))} to "
        f"{_iso(int(bars.ts_event[-1]))}."
    )


def _internal(bar_type: BarType) -> str:
    return f"{bar_type.instrument_id}-{bar_type.spec}-INTERNAL"


# --- replay --------------------------------------------------------------------------------


@data_app.command()
def replay(
    *,
    speed: Annotated[
        float | None, typer.Option("--speed", help="Pace at N times the recorded speed.")
    ] = None,
    fast: Annotated[bool, typer.Option("--fast", help="As fast as possible (default).")] = False,
    kinds: Annotated[
        list[str] | None, typer.Option("--kind", help="Data kinds to include (repeatable).")
    ] = None,
    instruments: Annotated[
        list[str] | None, typer.Option("--instrument", "-i", help="Instruments (repeatable).")
    ] = None,
    start: Annotated[str | None, typer.Option("--start", help="First ts_init (ISO or ns).")] = None,
    end: Annotated[str | None, typer.Option("--end", help="End ts_init, excluded.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="Stop after N records.")] = None,
    catalog: CatalogOption = None,
) -> None:
    """Stream a catalog slice through a message bus in time order and report the rate."""
    with _bad_input_exits():
        if speed is not None and fast:
            _fail("--speed and --fast exclude each other")
        if speed is not None and not speed > 0:
            _fail(f"--speed must be > 0, got {speed}")
        if limit is not None and limit < 1:
            _fail(f"--limit must be >= 1, got {limit}")
        source = _catalog(catalog)
        selected = None if not kinds else [DataKind.from_str(k) for k in kinds]
        ids = None if not instruments else [InstrumentId(i) for i in instruments]
        start_at, end_at = _time(start, "--start"), _time(end, "--end")
        stream = source.stream(selected, ids, None, start_at, end_at)
        total = _planned_rows(source, stream.series, start_at is None and end_at is None)
    bus = MessageBus(name="ReplayBus")
    received: Counter[type] = Counter()

    def count_delivery(record: object) -> None:
        received[type(record)] += 1

    bus.subscribe("data.*", count_delivery)
    with _progress() as progress, _bad_input_exits():
        task = progress.add_task("replaying", total=min(total, limit or total) if total else None)
        count, elapsed = _publish(stream, bus, speed, limit, lambda n: progress.advance(task, n))
    _print_replay(received, count, elapsed, speed)


def _planned_rows(source: ParquetDataCatalog, keys: tuple[SeriesKey, ...], whole: bool) -> int:
    if not whole:
        return 0
    wanted = set(keys)
    return sum(info.rows for info in source.info() if info.key in wanted)


_TOPIC_OF: Final[dict[type, Callable[[Any], str]]] = {
    TradeTick: lambda r: topics.trades(r.instrument_id),
    QuoteTick: lambda r: topics.quotes(r.instrument_id),
    Bar: lambda r: topics.bars(r.bar_type),
    OrderBookDelta: lambda r: topics.book_deltas(r.instrument_id),
    OrderBookSnapshot: lambda r: topics.book_snapshots(r.instrument_id),
}


def topic_of(record: Any) -> str:
    """The bus topic a catalog record is published on."""
    builder = _TOPIC_OF.get(type(record))
    if builder is not None:
        return builder(record)
    if isinstance(record, Instrument):
        return topics.instrument(record.id)
    raise ValueError(f"no topic for {type(record).__name__} records")


def _publish(
    stream: Any,
    bus: MessageBus,
    speed: float | None,
    limit: int | None,
    advance: Callable[[int], None],
) -> tuple[int, float]:
    """Publish records in order (paced at ``speed`` x recorded time); return count and wall s."""
    count = pending = 0
    first_ts: int | None = None
    started = time.perf_counter()
    cache: dict[tuple[type, object], str] = {}
    try:
        for record in stream:
            if speed is not None:
                if first_ts is None:
                    first_ts = record.ts_init
                due = started + (record.ts_init - first_ts) / 1e9 / speed
                wait = due - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
            series = getattr(record, "bar_type", None) or getattr(record, "instrument_id", None)
            topic = cache.get((type(record), series))
            if topic is None:
                topic = cache[(type(record), series)] = topic_of(record)
            bus.publish(topic, record)
            count += 1
            pending += 1
            if pending >= 8192:
                advance(pending)
                pending = 0
            if limit is not None and count >= limit:
                break
    except KeyboardInterrupt:
        console.print("[yellow]interrupted[/yellow]")
    advance(pending)
    return count, time.perf_counter() - started


def _print_replay(received: Counter[type], count: int, elapsed: float, speed: float | None) -> None:
    table = Table(title="Replay through the message bus")
    table.add_column("record")
    table.add_column("delivered", justify="right")
    for kind, delivered in sorted(received.items(), key=lambda item: item[0].__name__):
        table.add_row(kind.__name__, f"{delivered:,}")
    console.print(table)
    rate = count / elapsed if elapsed > 0 else 0.0
    pace = "as fast as possible" if speed is None else f"at {speed:g}x recorded speed"
    console.print(f"Published {count:,} records in {elapsed:.3f} s ({rate:,.0f}/s), {pace}.")
