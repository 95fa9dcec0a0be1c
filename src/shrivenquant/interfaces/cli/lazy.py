"""Sub-commands of ``sq`` imported on first use: ``sq --version`` and ``sq info`` start fast.

The backtest and data commands pull in pandas, pyarrow, DuckDB and plotly (about a second of
imports); a command group that resolves them by name only when they are invoked (or when the
help lists them) keeps that cost off every other command.
"""

from __future__ import annotations

import importlib
from typing import Any, Final

import typer
from typer.core import TyperGroup

LAZY_COMMANDS: Final[dict[str, tuple[str, str]]] = {
    "backtest": ("shrivenquant.interfaces.cli.backtest", "backtest_app"),
    "demo": ("shrivenquant.interfaces.cli.backtest", "backtest_app"),
    "data": ("shrivenquant.interfaces.cli.data", "data_app"),
}
"""Command name -> (module, attribute of the `typer.Typer` that holds it)."""


class LazyCommandGroup(TyperGroup):
    """A Typer command group that imports the commands in `LAZY_COMMANDS` when they are needed."""

    # Context and Command are click's types, which typer vendors in some versions: typed as Any.
    def list_commands(self, ctx: Any) -> list[str]:
        """Every command name, the lazy ones included, without importing them."""
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """The eagerly registered command, or the lazy one imported now."""
        command = super().get_command(ctx, cmd_name)
        if command is not None or cmd_name not in LAZY_COMMANDS:
            return command
        module_name, attribute = LAZY_COMMANDS[cmd_name]
        sub_app = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(sub_app, typer.Typer):
            raise TypeError(f"{module_name}.{attribute} is not a typer.Typer")
        loaded = typer.main.get_command(sub_app)
        if loaded.name == cmd_name:  # the sub-app is the command group itself (``sq data``)
            return loaded
        if isinstance(loaded, TyperGroup):  # the sub-app holds the command (``sq demo``)
            return loaded.get_command(ctx, cmd_name)
        return None
