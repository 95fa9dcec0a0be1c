"""Why the risk engine refused an order: machine-readable codes and the sentence that goes
with them.

Every denial is an `OrderDenied` (or `OrderModifyRejected`) whose ``reason`` reads
``"<CODE>: <sentence>"``, e.g. ``"MAX_POSITION_QTY: the worst-case position in BTCUSDT.BINANCE
would be 2.5, above the limit 2"``. `split_reason` takes it apart again, so programs can branch
on the code while people read the sentence.
"""

from __future__ import annotations

from enum import StrEnum, unique
from typing import Final

_SEPARATOR: Final = ": "


@unique
class RiskReason(StrEnum):
    """Machine-readable reason codes of risk denials."""

    INSTRUMENT_UNKNOWN = "INSTRUMENT_UNKNOWN"
    INSTRUMENT_NOT_TRADING = "INSTRUMENT_NOT_TRADING"
    TRADING_HALTED = "TRADING_HALTED"
    TRADING_REDUCING = "TRADING_REDUCING"
    REDUCE_ONLY = "REDUCE_ONLY"
    STALE_DATA = "STALE_DATA"
    PRICE_PRECISION = "PRICE_PRECISION"
    PRICE_TICK = "PRICE_TICK"
    PRICE_RANGE = "PRICE_RANGE"
    PRICE_BAND = "PRICE_BAND"
    NO_REFERENCE_PRICE = "NO_REFERENCE_PRICE"
    QUANTITY_PRECISION = "QUANTITY_PRECISION"
    QUANTITY_STEP = "QUANTITY_STEP"
    QUANTITY_RANGE = "QUANTITY_RANGE"
    MIN_ORDER_QTY = "MIN_ORDER_QTY"
    MAX_ORDER_QTY = "MAX_ORDER_QTY"
    NOTIONAL_RANGE = "NOTIONAL_RANGE"
    MIN_ORDER_NOTIONAL = "MIN_ORDER_NOTIONAL"
    MAX_ORDER_NOTIONAL = "MAX_ORDER_NOTIONAL"
    MAX_POSITION_QTY = "MAX_POSITION_QTY"
    MAX_POSITION_NOTIONAL = "MAX_POSITION_NOTIONAL"
    MAX_GROSS_EXPOSURE = "MAX_GROSS_EXPOSURE"
    MAX_NET_EXPOSURE = "MAX_NET_EXPOSURE"
    MAX_OPEN_ORDERS = "MAX_OPEN_ORDERS"
    ORDER_RATE = "ORDER_RATE"
    NO_ACCOUNT = "NO_ACCOUNT"
    INSUFFICIENT_BALANCE = "INSUFFICIENT_BALANCE"
    INSUFFICIENT_MARGIN = "INSUFFICIENT_MARGIN"
    INSUFFICIENT_POSITION = "INSUFFICIENT_POSITION"
    MARGIN_MODEL_UNAVAILABLE = "MARGIN_MODEL_UNAVAILABLE"
    SELF_TRADE = "SELF_TRADE"
    NO_MARKET_PRICE = "NO_MARKET_PRICE"
    NO_EXCHANGE_RATE = "NO_EXCHANGE_RATE"
    ORDER_LIST = "ORDER_LIST"
    DUPLICATE_ORDER = "DUPLICATE_ORDER"
    UNKNOWN_ORDER = "UNKNOWN_ORDER"


Denial = tuple[RiskReason, str]
"""A refusal: the code and the human sentence."""


def format_reason(code: RiskReason, sentence: str) -> str:
    """The ``reason`` text of a denial: ``"<CODE>: <sentence>"``."""
    return f"{code.value}{_SEPARATOR}{sentence}"


def split_reason(reason: str) -> tuple[RiskReason | None, str]:
    """Take a denial's ``reason`` apart: ``(code, sentence)``; code None if it has none.

    Reasons written by other components (the OMS, the emulator) carry no code.
    """
    head, separator, sentence = reason.partition(_SEPARATOR)
    if separator and head in RiskReason.__members__:
        return RiskReason(head), sentence
    return None, reason
