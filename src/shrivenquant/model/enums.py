"""Enumerations of the trading vocabulary.

Every enum is a `str`-valued `Enum` whose value is its upper-case name, so it serialises as a
readable string and round-trips through msgspec exactly.
"""

from __future__ import annotations

from enum import StrEnum, unique
from typing import Self


class _NamedEnum(StrEnum):
    """An enum whose value is its name; parse with ``from_str`` (case-insensitive)."""

    @classmethod
    def from_str(cls, value: str) -> Self:
        """Parse ``value`` (any case); raise `ValueError` naming the valid values otherwise."""
        try:
            return cls[value.upper()]
        except KeyError:
            valid = ", ".join(m.name for m in cls)
            raise ValueError(f"invalid {cls.__name__}: {value!r} (valid: {valid})") from None


@unique
class OrderSide(_NamedEnum):
    """Which side of the book an order is on."""

    NO_ORDER_SIDE = "NO_ORDER_SIDE"
    BUY = "BUY"
    SELL = "SELL"

    @property
    def opposite(self) -> OrderSide:
        """The other side (`NO_ORDER_SIDE` stays itself)."""
        if self is OrderSide.BUY:
            return OrderSide.SELL
        if self is OrderSide.SELL:
            return OrderSide.BUY
        return self


@unique
class OrderType(_NamedEnum):
    """The order types of the model."""

    MARKET = "MARKET"
    LIMIT = "LIMIT"
    STOP_MARKET = "STOP_MARKET"
    STOP_LIMIT = "STOP_LIMIT"
    MARKET_IF_TOUCHED = "MARKET_IF_TOUCHED"
    LIMIT_IF_TOUCHED = "LIMIT_IF_TOUCHED"
    TRAILING_STOP_MARKET = "TRAILING_STOP_MARKET"
    TRAILING_STOP_LIMIT = "TRAILING_STOP_LIMIT"


@unique
class TimeInForce(_NamedEnum):
    """How long an order stays working."""

    GTC = "GTC"
    IOC = "IOC"
    FOK = "FOK"
    GTD = "GTD"
    DAY = "DAY"


@unique
class OrderStatus(_NamedEnum):
    """Every state of the order state machine."""

    INITIALIZED = "INITIALIZED"
    DENIED = "DENIED"
    EMULATED = "EMULATED"
    RELEASED = "RELEASED"
    SUBMITTED = "SUBMITTED"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    CANCELED = "CANCELED"
    EXPIRED = "EXPIRED"
    TRIGGERED = "TRIGGERED"
    PENDING_UPDATE = "PENDING_UPDATE"
    PENDING_CANCEL = "PENDING_CANCEL"
    PARTIALLY_FILLED = "PARTIALLY_FILLED"
    FILLED = "FILLED"


@unique
class ContingencyType(_NamedEnum):
    """How orders in a list are linked."""

    NO_CONTINGENCY = "NO_CONTINGENCY"
    OCO = "OCO"  # one cancels the other
    OTO = "OTO"  # one triggers the other (the parent of a bracket)
    OUO = "OUO"  # one updates the other (reduce the sibling by the filled quantity)


@unique
class TriggerType(_NamedEnum):
    """Which price stream fires a stop or if-touched trigger."""

    DEFAULT = "DEFAULT"
    LAST_PRICE = "LAST_PRICE"
    BID_ASK = "BID_ASK"
    MID_POINT = "MID_POINT"
    MARK_PRICE = "MARK_PRICE"
    INDEX_PRICE = "INDEX_PRICE"


@unique
class TrailingOffsetType(_NamedEnum):
    """How a trailing stop's offset is expressed."""

    NO_TRAILING_OFFSET = "NO_TRAILING_OFFSET"
    PRICE = "PRICE"
    BASIS_POINTS = "BASIS_POINTS"
    TICKS = "TICKS"


@unique
class LiquiditySide(_NamedEnum):
    """Whether a fill added or removed liquidity."""

    NO_LIQUIDITY_SIDE = "NO_LIQUIDITY_SIDE"
    MAKER = "MAKER"
    TAKER = "TAKER"


@unique
class PositionSide(_NamedEnum):
    """The direction of a position."""

    FLAT = "FLAT"
    LONG = "LONG"
    SHORT = "SHORT"


@unique
class OmsType(_NamedEnum):
    """How fills are grouped into positions: one net position, or one per opening order."""

    NETTING = "NETTING"
    HEDGING = "HEDGING"


@unique
class AccountType(_NamedEnum):
    """The kind of account at a venue."""

    CASH = "CASH"
    MARGIN = "MARGIN"


@unique
class AssetClass(_NamedEnum):
    """Broad asset class of an instrument's underlying."""

    CRYPTOCURRENCY = "CRYPTOCURRENCY"
    EQUITY = "EQUITY"
    INDEX = "INDEX"
    FX = "FX"
    COMMODITY = "COMMODITY"


@unique
class InstrumentClass(_NamedEnum):
    """The contract form of an instrument."""

    SPOT = "SPOT"
    PERPETUAL = "PERPETUAL"
    FUTURE = "FUTURE"
    OPTION = "OPTION"
    EQUITY = "EQUITY"


@unique
class OptionKind(_NamedEnum):
    """The right an option gives: to buy (call) or to sell (put)."""

    CALL = "CALL"
    PUT = "PUT"


@unique
class OptionStyle(_NamedEnum):
    """When an option can be exercised."""

    EUROPEAN = "EUROPEAN"
    AMERICAN = "AMERICAN"


@unique
class AggressorSide(_NamedEnum):
    """The side that took liquidity in a trade."""

    NO_AGGRESSOR = "NO_AGGRESSOR"
    BUYER = "BUYER"
    SELLER = "SELLER"


@unique
class BookAction(_NamedEnum):
    """What an order-book delta does."""

    ADD = "ADD"
    UPDATE = "UPDATE"
    DELETE = "DELETE"
    CLEAR = "CLEAR"


@unique
class BookType(_NamedEnum):
    """The granularity of an order book."""

    L1_MBP = "L1_MBP"  # top of book
    L2_MBP = "L2_MBP"  # market by price
    L3_MBO = "L3_MBO"  # market by order


@unique
class PriceType(_NamedEnum):
    """Which price a bar or valuation uses."""

    BID = "BID"
    ASK = "ASK"
    MID = "MID"
    LAST = "LAST"
    MARK = "MARK"


@unique
class BarAggregation(_NamedEnum):
    """How a bar's step is measured."""

    MILLISECOND = "MILLISECOND"
    SECOND = "SECOND"
    MINUTE = "MINUTE"
    HOUR = "HOUR"
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"
    TICK = "TICK"
    VOLUME = "VOLUME"
    VALUE = "VALUE"


@unique
class AggregationSource(_NamedEnum):
    """Who built a bar: the venue, or ShrivenQuant from ticks."""

    EXTERNAL = "EXTERNAL"
    INTERNAL = "INTERNAL"


@unique
class TradingState(_NamedEnum):
    """Whether new orders may be sent: all, only risk-reducing ones, or none."""

    ACTIVE = "ACTIVE"
    REDUCING = "REDUCING"
    HALTED = "HALTED"
