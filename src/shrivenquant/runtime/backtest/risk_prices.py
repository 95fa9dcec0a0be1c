"""Bar closes as the risk engine's last trade price, for backtests on bars alone.

The risk engine values orders (notional limits, balance checks, market orders) at the latest
quote or trade it has seen; a run on bars has neither, and every market order would be denied
with ``NO_MARKET_PRICE``. This feed hands it each bar's close as the last trade price of the
bar's instrument, before the strategies see the bar. It is wired only for the bars of
instruments whose data holds no quotes or trades.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from shrivenquant.bus import topics
from shrivenquant.bus.message_bus import MessageBus
from shrivenquant.model.data import Bar, BarType, TradeTick
from shrivenquant.model.enums import AggressorSide
from shrivenquant.model.identifiers import TradeId
from shrivenquant.risk import RiskEngine

PRIORITY: Final = 100
"""Above the strategies' default priority (0): the price is known before they react."""
_TRADE_ID: Final = TradeId("BAR-CLOSE")


class BarRiskPrices:
    """Feeds bar closes to the risk engine's price table (see the module docstring).

    Args:
        bus: the kernel's bus.
        risk_engine: the kernel's risk engine.
        bar_types: the bar series whose closes are fed.
    """

    def __init__(
        self, bus: MessageBus, risk_engine: RiskEngine, bar_types: Iterable[BarType]
    ) -> None:
        self._prices = risk_engine.prices
        for bar_type in bar_types:
            bus.subscribe(topics.bars(bar_type), self._on_bar, priority=PRIORITY)

    def _on_bar(self, bar: Bar) -> None:
        self._prices.on_trade(
            TradeTick(
                instrument_id=bar.bar_type.instrument_id,
                price=bar.close,
                size=bar.volume,
                aggressor_side=AggressorSide.NO_AGGRESSOR,
                trade_id=_TRADE_ID,
                ts_event=bar.ts_event,
                ts_init=bar.ts_init,
            ),
            bar.ts_init,
        )
