"""Where ShrivenQuant keeps its configuration and data on this machine.

``SQ_HOME`` overrides everything (config in ``$SQ_HOME/config.toml``, data in ``$SQ_HOME/data``);
otherwise the XDG base directories are used (``~/.config/shrivenquant``,
``~/.local/share/shrivenquant``). ``SQ_CONFIG`` names a config file directly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Paths:
    """The resolved locations of the config file and the data directory."""

    config_file: Path
    data_dir: Path

    @property
    def journal_dir(self) -> Path:
        """Default event journal directory."""
        return self.data_dir / "journal"

    @property
    def catalog_dir(self) -> Path:
        """Default market-data catalog directory."""
        return self.data_dir / "catalog"


def resolve_paths(environ: dict[str, str] | None = None) -> Paths:
    """Resolve the paths from the environment (``os.environ`` by default)."""
    env = os.environ if environ is None else environ
    home = Path(env.get("HOME", str(Path.home())))
    if sq_home := env.get("SQ_HOME"):
        base = Path(sq_home).expanduser()
        config_file, data_dir = base / "config.toml", base / "data"
    else:
        config_home = Path(env.get("XDG_CONFIG_HOME") or home / ".config")
        data_home = Path(env.get("XDG_DATA_HOME") or home / ".local" / "share")
        config_file = config_home / "shrivenquant" / "config.toml"
        data_dir = data_home / "shrivenquant"
    if sq_config := env.get("SQ_CONFIG"):
        config_file = Path(sq_config).expanduser()
    return Paths(config_file=config_file, data_dir=data_dir)
