"""Where node settings come from, merged in one place: file, then environment, then CLI.

1. **File**: a TOML file (``[node]``, ``[risk]``, ``[venues.BINANCE]``, ...).
2. **Environment**: every variable ``SQ_<SECTION>__<KEY>`` (double underscores between levels,
   any depth: ``SQ_RISK__LIMITS__MAX_OPEN_ORDERS=200``) sets ``section.key``. Names are
   lower-cased. Variables without a double underscore (``SQ_HOME``) are not settings.
3. **Command line**: ``section.key=value`` overrides (``risk.check_balance=false``).

Later sources win, key by key; tables merge. Values from the environment and the command line
are text: ``true``/``false`` become booleans, whole numbers integers, ``[...]`` a TOML array;
anything else stays text (decimals, money and ids are parsed by the configs that own them, so a
price never passes through a float).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

from shrivenquant.core.errors import InvalidInputError

ENV_PREFIX: Final = "SQ_"
_INT: Final = re.compile(r"^[+-]?\d+$")


def read_toml(path: str | Path) -> dict[str, Any]:
    """Parse a TOML file.

    Raises:
        InvalidInputError: the file is missing or is not valid TOML (the message names it).
    """
    target = Path(path)
    try:
        with target.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise InvalidInputError(f"{target}: config file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInputError(f"{target}: invalid TOML: {exc}") from None


def parse_value(text: str) -> Any:
    """A setting given as text: booleans, integers and TOML arrays are converted."""
    stripped = text.strip()
    lowered = stripped.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if _INT.match(stripped):
        return int(stripped)
    if stripped.startswith("["):
        try:
            return tomllib.loads(f"v = {stripped}")["v"]
        except tomllib.TOMLDecodeError:
            return text
    return text


def env_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The settings given by ``SQ_SECTION__KEY`` variables, as a nested table."""
    env = os.environ if environ is None else environ
    table: dict[str, Any] = {}
    for name in sorted(env):
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        path = [part.lower() for part in name[len(ENV_PREFIX) :].split("__")]
        if any(not part for part in path):
            raise InvalidInputError(f"environment variable {name}: empty part in the name")
        set_path(table, path, parse_value(env[name]), f"environment variable {name}")
    return table


def override_settings(overrides: Iterable[str] | Mapping[str, Any]) -> dict[str, Any]:
    """Command-line overrides (``section.key=value`` strings, or a mapping of dotted keys to
    values) as a nested table."""
    table: dict[str, Any] = {}
    if isinstance(overrides, Mapping):
        items = [(str(key), value) for key, value in overrides.items()]
    else:
        items = []
        for text in overrides:
            key, sep, value = text.partition("=")
            if not sep or not key.strip():
                raise InvalidInputError(f"override {text!r}: expected section.key=value")
            items.append((key.strip(), parse_value(value)))
    for key, value in items:
        set_path(table, split_key(key), value, f"override {key!r}")
    return table


def split_key(dotted: str) -> list[str]:
    """``risk.limits.max_open_orders`` -> its parts; a part may be quoted to hold dots
    (``instruments."BTCUSDT.BINANCE".taker_fee``)."""
    parts = [
        match.group(1) if match.group(1) is not None else match.group(2)
        for match in re.finditer(r'"([^"]*)"|([^.]+)', dotted)
    ]
    if not parts or any(not part for part in parts):
        raise InvalidInputError(f"setting {dotted!r}: expected section.key")
    return parts


def set_path(table: dict[str, Any], path: list[str], value: Any, where: str) -> None:
    """Set ``table[path[0]][path[1]]... = value``, creating tables on the way."""
    node = table
    for part in path[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise InvalidInputError(f"{where}: {part!r} is a value, not a table")
        node = child
    node[path[-1]] = value


def merge_tables(base: Mapping[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    """``top`` over ``base``: tables merge key by key, anything else is replaced."""
    merged: dict[str, Any] = dict(base)
    for key, value in top.items():
        current = merged.get(key)
        if isinstance(current, Mapping) and isinstance(value, Mapping):
            merged[key] = merge_tables(current, value)
        else:
            merged[key] = value
    return merged


def load_settings(
    path: str | Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Iterable[str] | Mapping[str, Any] = (),
) -> dict[str, Any]:
    """The merged settings table: file, then environment, then overrides.

    Args:
        path: the TOML file (None: none).
        environ: the environment (default ``os.environ``; pass ``{}`` to ignore it).
        overrides: command-line ``section.key=value`` strings or a mapping of dotted keys.

    Raises:
        InvalidInputError: an unreadable file or a malformed variable or override.
    """
    table: dict[str, Any] = {} if path is None else read_toml(path)
    table = merge_tables(table, env_settings(environ))
    return merge_tables(table, override_settings(overrides))
