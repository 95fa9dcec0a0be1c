"""Structured logging (structlog): console output for people, JSON lines for machines.

Every component gets its logger from `get_logger`, which binds the component name. Trader and
correlation ids flow through `bind_context` (context variables), so every line logged while
handling one request or message carries them.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal, TextIO

import structlog

LogFormat = Literal["console", "json"]

_LEVELS = {
    "DEBUG": logging.DEBUG,
    "INFO": logging.INFO,
    "WARNING": logging.WARNING,
    "ERROR": logging.ERROR,
    "CRITICAL": logging.CRITICAL,
}


def configure_logging(
    level: str = "INFO",
    fmt: LogFormat = "console",
    stream: TextIO | None = None,
) -> None:
    """Configure structlog for the whole process.

    Args:
        level: minimum level name (DEBUG, INFO, WARNING, ERROR, CRITICAL).
        fmt: ``"console"`` for coloured human-readable lines, ``"json"`` for one JSON object a line.
        stream: where to write; standard error by default.

    Raises:
        ValueError: for an unknown level or format.
    """
    key = level.upper()
    if key not in _LEVELS:
        raise ValueError(f"unknown log level {level!r}; use one of {', '.join(_LEVELS)}")
    if fmt not in ("console", "json"):
        raise ValueError(f"unknown log format {fmt!r}; use 'console' or 'json'")
    out = stream if stream is not None else sys.stderr
    renderer: structlog.types.Processor
    if fmt == "json":
        renderer = structlog.processors.JSONRenderer()
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=out.isatty())
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(_LEVELS[key]),
        logger_factory=structlog.WriteLoggerFactory(file=out),
        cache_logger_on_first_use=False,
    )


def get_logger(component: str, **context: Any) -> structlog.typing.FilteringBoundLogger:
    """Return a logger bound to ``component`` and any extra key/value ``context``."""
    logger: structlog.typing.FilteringBoundLogger = structlog.get_logger().bind(
        component=component, **context
    )
    return logger


@contextmanager
def bind_context(**context: Any) -> Iterator[None]:
    """Bind ids such as ``trader_id`` or ``correlation_id`` to every log line in this block."""
    tokens = structlog.contextvars.bind_contextvars(**context)
    try:
        yield
    finally:
        structlog.contextvars.reset_contextvars(**tokens)
