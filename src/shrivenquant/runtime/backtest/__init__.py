"""Backtesting: the engine that replays data through a kernel with simulated venues, its
settings and its results. The public names are exported from `shrivenquant.runtime`."""
