"""Load a strategy class from a file or module, and build it from a config table.

A strategy is named ``package.module:ClassName`` or ``path/to/file.py:ClassName``; the class
may be left out when the module defines exactly one `Strategy` subclass. Its parameters are
the config class the strategy annotates (``config: SMACrossConfig``), built with
``from_mapping`` so unknown keys are refused.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import importlib.util
import inspect
import sys
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any, get_type_hints

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.strategy import Strategy, StrategyConfig


def load_strategy_class(path: str) -> type[Strategy]:
    """The strategy class ``path`` names (see the module docstring).

    Raises:
        InvalidInputError: the file or module cannot be loaded, the class does not exist or
            is not a `Strategy`, or the module defines no or several strategies and none
            is named.
    """
    location, _, name = _split(path)
    module = _load_module(location)
    if name:
        found = getattr(module, name, None)
        if not (inspect.isclass(found) and issubclass(found, Strategy)):
            raise InvalidInputError(f"{path}: {name!r} is not a Strategy class in {location}")
        return found
    candidates = [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj)
        and issubclass(obj, Strategy)
        and obj is not Strategy
        and obj.__module__ == module.__name__
    ]
    if len(candidates) != 1:
        names = ", ".join(sorted(c.__name__ for c in candidates)) or "none"
        raise InvalidInputError(
            f"{location}: name the strategy class as {location}:ClassName "
            f"(strategies defined there: {names})"
        )
    return candidates[0]


def strategy_config_class(cls: type[Strategy]) -> type[StrategyConfig]:
    """The config class ``cls`` annotates as ``config`` (`StrategyConfig` if none)."""
    try:
        hints = get_type_hints(cls)
    except NameError as exc:
        raise InvalidInputError(f"{cls.__name__}: cannot resolve its annotations ({exc})") from None
    config_cls = hints.get("config", StrategyConfig)
    if not (inspect.isclass(config_cls) and issubclass(config_cls, StrategyConfig)):
        raise InvalidInputError(
            f"{cls.__name__}.config: annotate it with a StrategyConfig subclass, got {config_cls!r}"
        )
    return config_cls


def config_fields(cls: type[Strategy]) -> set[str]:
    """The names of the parameters of ``cls``'s config."""
    return {f.name for f in dataclasses.fields(strategy_config_class(cls))}


def load_strategy(path: str, config: Mapping[str, Any] | None = None) -> Strategy:
    """Load the class ``path`` names and build it with ``config`` (a parameters table).

    Raises:
        InvalidInputError: the class cannot be loaded, or the parameters are unknown,
            missing or invalid (the message names the field).
    """
    cls = load_strategy_class(path)
    config_cls = strategy_config_class(cls)
    parameters = config_cls.from_mapping(dict(config or {}))
    try:
        return cls(parameters)
    except InvalidInputError:
        raise
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"{cls.__name__}: {exc}") from exc


def _split(path: str) -> tuple[str, str, str]:
    """``location:Name`` -> (location, ":", Name); a Windows drive letter is not a split."""
    location, sep, name = path.rpartition(":")
    if not sep or "/" in name or "\\" in name or name.endswith(".py"):
        return path, "", ""
    return location, sep, name


def _load_module(location: str) -> ModuleType:
    if location.endswith(".py") or "/" in location or "\\" in location:
        return _load_file(Path(location))
    try:
        return importlib.import_module(location)
    except ImportError as exc:
        raise InvalidInputError(f"cannot import strategy module {location!r}: {exc}") from exc


def _load_file(path: Path) -> ModuleType:
    resolved = path.expanduser().resolve()
    if not resolved.is_file():
        raise InvalidInputError(f"{path}: strategy file not found")
    digest = hashlib.sha1(str(resolved).encode(), usedforsecurity=False).hexdigest()[:10]
    name = f"sq_strategy_{resolved.stem}_{digest}"
    loaded = sys.modules.get(name)
    if loaded is not None:
        return loaded
    spec = importlib.util.spec_from_file_location(name, resolved)
    if spec is None or spec.loader is None:
        raise InvalidInputError(f"{path}: cannot load it as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # annotations and dataclasses look the module up by name
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        raise InvalidInputError(f"{path}: loading the strategy file failed: {exc!r}") from exc
    return module
