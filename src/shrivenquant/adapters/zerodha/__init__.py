"""Zerodha Kite: historical candles (and, later, the live data and execution clients)."""
