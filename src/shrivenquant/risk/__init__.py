"""The risk engine: pre-trade checks, limits, drawdown controls, breakers and kill switch."""
