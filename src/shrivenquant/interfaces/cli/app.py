"""The ``sq`` command line: the entry point for people."""

from __future__ import annotations

import platform
import sys
from importlib import metadata
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from shrivenquant import __version__
from shrivenquant.interfaces.cli.lazy import LazyCommandGroup
from shrivenquant.runtime.backends import probe_backends
from shrivenquant.runtime.paths import resolve_paths

app = typer.Typer(
    name="sq",
    help="ShrivenQuant: one trading kernel for backtest, paper and live.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    cls=LazyCommandGroup,
)
console = Console()

_KEY_PACKAGES = ("msgspec", "numpy", "numba", "scipy", "structlog", "pydantic", "prometheus-client")


def _version_callback(value: bool) -> None:
    if value:
        console.print(f"ShrivenQuant {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """ShrivenQuant: one trading kernel for backtest, paper and live."""


@app.command()
def info() -> None:
    """Show versions, config paths and which backends are reachable."""
    paths = resolve_paths()
    versions = Table(title="ShrivenQuant", show_header=False, title_justify="left")
    versions.add_row("version", __version__)
    versions.add_row("python", f"{platform.python_version()} ({sys.executable})")
    versions.add_row("platform", platform.platform())
    for name in _KEY_PACKAGES:
        try:
            versions.add_row(name, metadata.version(name))
        except metadata.PackageNotFoundError:
            versions.add_row(name, "[red]not installed[/red]")
    console.print(versions)

    where = Table(title="Paths", show_header=False, title_justify="left")
    exists = "" if paths.config_file.exists() else " [dim](not created yet; defaults apply)[/dim]"
    where.add_row("config file", f"{paths.config_file}{exists}")
    where.add_row("data dir", str(paths.data_dir))
    where.add_row("journal dir", str(paths.journal_dir))
    console.print(where)

    backends = Table(title="Backends (services mode)", title_justify="left")
    for column in ("backend", "address", "status", "detail"):
        backends.add_column(column)
    for status in probe_backends():
        mark = "[green]reachable[/green]" if status.reachable else "[yellow]unreachable[/yellow]"
        if status.latency_ms is not None:
            mark += f" ({status.latency_ms:.1f} ms)"
        backends.add_row(status.name, status.address, mark, status.detail)
    console.print(backends)
    console.print(
        "[dim]One-process mode needs none of these: it runs on SQLite, local files and the "
        "in-process bus.[/dim]"
    )


def main() -> None:
    """Run the ``sq`` command line."""
    app()
