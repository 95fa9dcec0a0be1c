"""Fills found at reconciliation: fill reports turned into `OrderFilled` events, and a filled
quantity no fill report covers turned into one inferred fill.

An inferred fill takes the price implied by the venue's average price (what the venue's whole
filled quantity cost, less what the fills we have cost, per missing unit), rounded to the
instrument's price precision; without an average it takes the order's price. Its trade id is
``<venue_order_id>-R<filled_qty>``, so inferring twice gives the same id and the second is
refused as a duplicate.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING

from shrivenquant.core.uuid import UUID4
from shrivenquant.model.currency import Currency
from shrivenquant.model.enums import LiquiditySide
from shrivenquant.model.events import OrderFilled
from shrivenquant.model.identifiers import AccountId, InstrumentId, TradeId, VenueOrderId
from shrivenquant.model.orders import Order
from shrivenquant.model.reports import FillReport, OrderStatusReport
from shrivenquant.model.values import Money, Price, Quantity

if TYPE_CHECKING:
    from shrivenquant.execution.engine import ExecutionEngine


class ReportFills:
    """Emits the fills reconciliation finds, marked ``reconciliation=True``."""

    __slots__ = ("_engine",)

    def __init__(self, engine: ExecutionEngine) -> None:
        self._engine = engine

    def apply(self, order: Order, fills: list[FillReport]) -> None:
        """Emit `OrderFilled` for each of ``fills`` the order does not have yet."""
        currency = self._price_currency(order.instrument_id, fills)
        for fill in fills:
            if fill.trade_id in order.trade_ids:
                continue
            self._engine.emit(
                self._fill_event(
                    order,
                    venue_order_id=fill.venue_order_id,
                    trade_id=fill.trade_id,
                    last_qty=fill.last_qty,
                    last_px=fill.last_px,
                    currency=currency or fill.commission.currency,
                    commission=fill.commission,
                    liquidity_side=fill.liquidity_side,
                    account_id=fill.account_id,
                    ts_event=fill.ts_event,
                )
            )

    def infer(self, order: Order, report: OrderStatusReport) -> None:
        """Emit one fill for the filled quantity of ``report`` that ``order`` lacks."""
        missing_raw = report.filled_qty.raw - order.filled_qty.raw
        precision = max(report.filled_qty.precision, order.quantity.precision)
        missing = Quantity.from_raw(missing_raw, precision)
        price = self._implied_price(order, report, missing)
        currency = self._price_currency(order.instrument_id, [])
        if price is None or currency is None:
            self._engine.log.error(
                "cannot infer missing fill: no price or instrument",
                client_order_id=str(order.client_order_id),
                missing_qty=str(missing),
            )
            return
        trade_id = TradeId(f"{report.venue_order_id}-R{report.filled_qty}")
        self._engine.emit(
            self._fill_event(
                order,
                venue_order_id=report.venue_order_id,
                trade_id=trade_id,
                last_qty=missing,
                last_px=price,
                currency=currency,
                commission=Money(0, currency),
                liquidity_side=LiquiditySide.NO_LIQUIDITY_SIDE,
                account_id=report.account_id,
                ts_event=report.ts_event,
            )
        )

    def _implied_price(
        self, order: Order, report: OrderStatusReport, missing: Quantity
    ) -> Price | None:
        instrument = self._engine.cache.instrument(order.instrument_id)
        fallback = report.price or order.price
        precision = (
            instrument.price_precision
            if instrument is not None
            else (fallback.precision if fallback is not None else None)
        )
        if report.avg_px is None or precision is None:
            return fallback
        venue_total = report.avg_px * report.filled_qty.as_decimal()
        local_total = (order.avg_px or Decimal(0)) * order.filled_qty.as_decimal()
        implied = (venue_total - local_total) / missing.as_decimal()
        if implied <= 0:
            return fallback
        quantum = Decimal(1).scaleb(-precision)
        return Price(implied.quantize(quantum, rounding=ROUND_HALF_EVEN), precision=precision)

    def _price_currency(
        self, instrument_id: InstrumentId, fills: list[FillReport]
    ) -> Currency | None:
        instrument = self._engine.cache.instrument(instrument_id)
        if instrument is not None:
            return instrument.quote_currency
        return fills[0].commission.currency if fills else None

    def _fill_event(
        self,
        order: Order,
        *,
        venue_order_id: VenueOrderId,
        trade_id: TradeId,
        last_qty: Quantity,
        last_px: Price,
        currency: Currency,
        commission: Money,
        liquidity_side: LiquiditySide,
        account_id: AccountId,
        ts_event: int,
    ) -> OrderFilled:
        return OrderFilled(
            trader_id=order.trader_id,
            strategy_id=order.strategy_id,
            instrument_id=order.instrument_id,
            client_order_id=order.client_order_id,
            venue_order_id=venue_order_id,
            account_id=account_id,
            trade_id=trade_id,
            order_side=order.side,
            order_type=order.order_type,
            last_qty=last_qty,
            last_px=last_px,
            currency=currency,
            commission=commission,
            liquidity_side=liquidity_side,
            reconciliation=True,
            event_id=UUID4(),
            ts_event=ts_event,
            ts_init=self._engine.clock.timestamp_ns(),
        )
