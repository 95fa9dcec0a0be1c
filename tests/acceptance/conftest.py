"""Shared pieces of the acceptance tests: the examples folder and the synthetic bar set."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import structlog

from shrivenquant.model.currency import BTC, USDT
from shrivenquant.model.enums import AssetClass
from shrivenquant.model.identifiers import InstrumentId, Symbol
from shrivenquant.model.instruments import CurrencyPair
from shrivenquant.model.values import Price, Quantity

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
BAR_TYPE = "BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL"


def btcusdt(fee: str = "0") -> CurrencyPair:
    """BTCUSDT spot at 0.01 / 0.001, with the given maker and taker fee."""
    return CurrencyPair(
        id=InstrumentId("BTCUSDT.BINANCE"),
        raw_symbol=Symbol("BTCUSDT"),
        asset_class=AssetClass.CRYPTOCURRENCY,
        base_currency=BTC,
        quote_currency=USDT,
        settlement_currency=USDT,
        price_precision=2,
        size_precision=3,
        price_increment=Price("0.01"),
        size_increment=Quantity("0.001"),
        maker_fee=Decimal(fee),
        taker_fee=Decimal(fee),
        ts_event=0,
        ts_init=0,
    )


@pytest.fixture
def examples() -> Path:
    """The examples folder of the source tree."""
    return EXAMPLES


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """Put the process's logging setup back after each test: a node config with a
    ``[logging]`` section configures logging for the whole process."""
    saved = structlog.get_config()
    yield
    structlog.configure(**saved)
