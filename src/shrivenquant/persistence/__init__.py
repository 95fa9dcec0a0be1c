"""Event journal, data catalog, SQL store, backup and restore."""
