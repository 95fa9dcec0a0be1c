"""The risk engine sees market data after the portfolio and before strategies, whatever order
the components were started or restarted in."""

from __future__ import annotations

from typing import Any

from shrivenquant.bus import priorities, topics
from shrivenquant.model.enums import OrderSide
from shrivenquant.risk import RiskConfig, RiskReason

from .conftest import BTC_SPOT, RiskHarness


def test_kernel_priorities_are_ordered() -> None:
    assert priorities.PORTFOLIO > priorities.RISK > priorities.DEFAULT


def test_an_order_sent_in_reaction_to_a_quote_is_checked_against_that_quote() -> None:
    config = RiskConfig.from_mapping(
        {"instrument_limits": {"BTCUSDT.BINANCE": {"price_band_pct": "0.01"}}}
    )
    h = RiskHarness(config, start=False)
    sent: list[Any] = []

    def strategy(quote: Any) -> None:  # subscribed before the risk engine starts
        sent.append(h.order(OrderSide.SELL, "0.1", str(quote.bid_price)))

    h.bus.subscribe(topics.quotes_all(), strategy)
    h.risk.start()
    h.quote(BTC_SPOT, "60000.00", "60000.00")  # 20% above the quote the engine started with
    assert h.denial(sent[-1]) is None, h.denial(sent[-1])

    h.risk.stop()  # a restart puts the engine's subscriptions after the strategy's
    h.risk.start()
    h.quote(BTC_SPOT, "70000.00", "70000.00")
    assert h.denial(sent[-1]) is None, h.denial(sent[-1])
    assert h.code(h.order(OrderSide.SELL, "0.1", "71000.00")) is RiskReason.PRICE_BAND
