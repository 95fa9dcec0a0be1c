"""ShrivenQuant: an event-driven trading platform with one kernel for backtest, paper and live."""

__version__ = "0.1.0"

__all__ = ["__version__"]
