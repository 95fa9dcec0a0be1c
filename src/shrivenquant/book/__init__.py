"""Order books: L2 for market data and L3 for matching."""
