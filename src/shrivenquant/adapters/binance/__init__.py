"""Binance: historical public-data files (and, later, the live data and execution clients)."""
