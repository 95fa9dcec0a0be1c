"""The `sq` command line."""
