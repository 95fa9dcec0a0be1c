"""Stubs, instrument providers and fakes for tests and examples (never imported by the package)."""
