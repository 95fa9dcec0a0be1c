"""Delivery order of the kernel's own subscribers to one message (higher priority first).

One quote reaches the portfolio first (it marks positions), then the risk engine (it prices
orders from the quote and evaluates drawdown on the portfolio's fresh PnL), then strategies and
actors at the default priority: an order a strategy sends in reaction to the quote is checked
against that same quote. The order holds whatever order the components were started or
restarted in.
"""

from typing import Final

PORTFOLIO: Final = 200
"""The portfolio: marks and account bookkeeping before anyone reads them."""
RISK: Final = 100
"""The risk engine: prices and evaluations before strategies act."""
DEFAULT: Final = 0
"""Strategies, actors and everything else."""
