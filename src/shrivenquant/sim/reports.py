"""Execution reports built from a simulated venue's state, for reconciliation and queries."""

from __future__ import annotations

from collections.abc import Mapping

from shrivenquant.core.uuid import UUID4
from shrivenquant.model.enums import PositionSide
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.model.instruments import Instrument
from shrivenquant.model.reports import FillReport, OrderStatusReport, PositionStatusReport
from shrivenquant.model.values import Price, Quantity
from shrivenquant.sim.accounts import VenueAccount
from shrivenquant.sim.orders import SimOrder


def order_status_report(order: SimOrder, instrument: Instrument, ts_init: int) -> OrderStatusReport:
    """The venue's view of one order."""
    init = order.init
    pp, sp = instrument.price_precision, instrument.size_precision
    return OrderStatusReport(
        report_id=UUID4(),
        account_id=order.account.id,
        instrument_id=init.instrument_id,
        venue_order_id=order.venue_order_id,
        client_order_id=init.client_order_id,
        order_side=init.order_side,
        order_type=init.order_type,
        time_in_force=init.time_in_force,
        order_status=order.status,
        quantity=Quantity.from_raw(order.quantity_raw, sp),
        filled_qty=Quantity.from_raw(order.filled_raw, sp),
        avg_px=order.avg_px,
        price=None if order.price_raw is None else Price.from_raw(order.price_raw, pp),
        trigger_price=None if order.trigger_raw is None else Price.from_raw(order.trigger_raw, pp),
        expire_time_ns=init.expire_time_ns,
        post_only=init.post_only,
        reduce_only=init.reduce_only,
        order_list_id=init.order_list_id,
        ts_accepted=order.ts_accepted,
        ts_event=order.ts_last,
        ts_init=ts_init,
    )


def order_status_reports(
    account: VenueAccount,
    instruments: Mapping[InstrumentId, Instrument],
    ts_init: int,
    instrument_id: InstrumentId | None = None,
    open_only: bool = True,
) -> list[OrderStatusReport]:
    """Reports of the account's orders (open ones only by default), in arrival order."""
    reports = []
    for order in sorted(account.orders.values(), key=lambda o: o.key):
        if instrument_id is not None and order.init.instrument_id != instrument_id:
            continue
        if open_only and not order.is_open:
            continue
        instrument = instruments[order.init.instrument_id]
        reports.append(order_status_report(order, instrument, ts_init))
    return reports


def fill_reports(
    account: VenueAccount,
    ts_init: int,
    instrument_id: InstrumentId | None = None,
    since_ns: int | None = None,
) -> list[FillReport]:
    """Reports of the account's fills, oldest first."""
    reports = []
    for fill in account.fills:
        if instrument_id is not None and fill.instrument_id != instrument_id:
            continue
        if since_ns is not None and fill.ts_event < since_ns:
            continue
        reports.append(
            FillReport(
                report_id=UUID4(),
                account_id=fill.account_id,
                instrument_id=fill.instrument_id,
                venue_order_id=fill.venue_order_id,
                client_order_id=fill.client_order_id,
                trade_id=fill.trade_id,
                order_side=fill.order_side,
                last_qty=fill.last_qty,
                last_px=fill.last_px,
                commission=fill.commission,
                liquidity_side=fill.liquidity_side,
                ts_event=fill.ts_event,
                ts_init=ts_init,
            )
        )
    return reports


def position_reports(
    account: VenueAccount,
    instruments: Mapping[InstrumentId, Instrument],
    ts_init: int,
    instrument_id: InstrumentId | None = None,
) -> list[PositionStatusReport]:
    """Net positions of the account in every instrument but spot pairs (which hold balances,
    not positions)."""
    reports = []
    for position_instrument, position in sorted(
        account.positions().items(), key=lambda i: str(i[0])
    ):
        if instrument_id is not None and position_instrument != instrument_id:
            continue
        net = account.net_raw(position_instrument)
        side = (
            PositionSide.LONG if net > 0 else PositionSide.SHORT if net < 0 else PositionSide.FLAT
        )
        instrument = instruments[position_instrument]
        reports.append(
            PositionStatusReport(
                report_id=UUID4(),
                account_id=account.id,
                instrument_id=position_instrument,
                position_side=side,
                quantity=Quantity.from_raw(abs(net), instrument.size_precision),
                avg_px_open=position.avg_px_open if net else None,
                ts_event=position.ts_last,
                ts_init=ts_init,
            )
        )
    return reports
