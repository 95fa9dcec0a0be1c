"""The data engine, validation, loaders and the data-client ports."""
