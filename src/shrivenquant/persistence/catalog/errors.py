"""Errors raised by the Parquet data catalog."""

from __future__ import annotations

from shrivenquant.core.errors import InvalidInputError


class CatalogError(InvalidInputError):
    """The catalog cannot store or read some data as asked; the message names the input."""


class CatalogSchemaError(CatalogError):
    """A file's schema is missing, unknown or newer than this version of ShrivenQuant reads."""
