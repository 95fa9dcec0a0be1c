"""Exact fill accounting for one order: filled quantity, average price, trade ids, commissions."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Final

from shrivenquant.model.currency import Currency
from shrivenquant.model.events.order import OrderFilled
from shrivenquant.model.identifiers import TradeId
from shrivenquant.model.values import FIXED_SCALAR, Money, Quantity

_LIST_SEARCH_MAX: Final = 8  # trade ids searched in their list; a set beyond

AVG_PX_CONTEXT: Final = Context(prec=34, rounding=ROUND_HALF_EVEN)
"""The one rounding step of `FillLedger.avg_px`: 34 significant digits, half-even."""


class FillLedger:
    """Accumulates the fills of one order with integer arithmetic.

    The weighted average price keeps its numerator (sum of ``last_px * last_qty`` in raw units)
    and denominator (sum of ``last_qty``) as exact integers; `avg_px` divides once, rounding to
    `AVG_PX_CONTEXT`.
    """

    __slots__ = (
        "_commissions",
        "_filled_raw",
        "_notional_raw",
        "_qty_precision",
        "_trade_id_set",
        "_trade_ids",
    )

    def __init__(self) -> None:
        self._filled_raw = 0
        self._qty_precision = 0
        self._notional_raw = 0  # sum(px._raw * qty._raw), in units of 10**-18
        self._trade_ids: list[TradeId] = []
        self._trade_id_set: set[TradeId] | None = None  # built once an order has many fills
        self._commissions: dict[Currency, Money] = {}

    @property
    def filled_raw(self) -> int:
        """Total filled quantity in raw units of 10**-9."""
        return self._filled_raw

    @property
    def qty_precision(self) -> int:
        """The finest precision of the fills' quantities (0 before the first fill)."""
        return self._qty_precision

    @property
    def trade_ids(self) -> tuple[TradeId, ...]:
        """The trade ids of every fill, in arrival order."""
        return tuple(self._trade_ids)

    def has_trade_id(self, trade_id: TradeId) -> bool:
        """Whether a fill with ``trade_id`` was recorded."""
        if self._trade_id_set is None:
            return trade_id in self._trade_ids
        return trade_id in self._trade_id_set

    def avg_px(self) -> Decimal | None:
        """The quantity-weighted average fill price, or None before the first fill."""
        if not self._filled_raw:
            return None
        return AVG_PX_CONTEXT.divide(
            Decimal(self._notional_raw), Decimal(self._filled_raw * FIXED_SCALAR)
        )

    def commissions(self) -> dict[Currency, Money]:
        """Total commission per currency (a copy)."""
        return dict(self._commissions)

    def filled_qty(self, precision: int) -> Quantity:
        """The filled quantity, shown at ``precision`` or the finest fill precision if larger."""
        return Quantity.from_raw(self._filled_raw, max(precision, self._qty_precision))

    def record(self, fill: OrderFilled) -> None:
        """Add ``fill``; the caller has already checked the trade id and the quantity."""
        last_qty = fill.last_qty
        qty_raw = last_qty._raw
        self._filled_raw += qty_raw
        self._qty_precision = max(self._qty_precision, last_qty.precision)
        self._notional_raw += fill.last_px._raw * qty_raw
        trade_ids = self._trade_ids
        trade_ids.append(fill.trade_id)
        if self._trade_id_set is not None:
            self._trade_id_set.add(fill.trade_id)
        elif len(trade_ids) > _LIST_SEARCH_MAX:
            self._trade_id_set = set(trade_ids)
        commission = fill.commission
        currency = commission._currency
        total = self._commissions.get(currency)
        self._commissions[currency] = commission if total is None else total + commission
