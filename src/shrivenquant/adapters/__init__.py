"""Venue adapters (Binance, Zerodha Kite) over a shared HTTP/WebSocket toolkit."""
