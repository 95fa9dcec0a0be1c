"""The strategy and actor base classes, order factory and indicators."""
