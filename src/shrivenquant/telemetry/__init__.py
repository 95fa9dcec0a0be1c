"""Structured logging, metrics and tracing used by every component."""
