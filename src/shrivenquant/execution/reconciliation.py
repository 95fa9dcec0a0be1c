"""Reconciliation: bring the engine's orders and positions in line with what a venue reports.

After the journal replay, the engine asks each execution client for order status, fill and
position reports and emits the events for whatever happened while it was down:

- an order the venue holds but we think unsent or unacknowledged gets `OrderSubmitted` /
  `OrderAccepted`; a venue-side change of quantity or price gets `OrderUpdated`;
- fills we miss become `OrderFilled` (``reconciliation=True``); a filled quantity the fill
  reports do not cover becomes one inferred fill at the price implied by the venue's average;
- cancels, expiries and rejections at the venue become the matching events;
- an order we hold open that the venue no longer lists is resolved from its fills, else as
  canceled (rejected if it was never acknowledged); an order whose submission the restart cut
  off, and that the venue does not know, is denied;
- venue orders we have never seen are adopted as external orders (``strategy_id=EXTERNAL``),
  including orders we only know from their fills.

Finally the net position per instrument is compared with the venue's position reports; a
mismatch is logged and reported, and the engine degrades (see `ExecutionEngine.reconcile`).
Every event goes through the engine, so it is journaled and replays like any other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from shrivenquant.core.uuid import UUID4
from shrivenquant.execution.report_fills import ReportFills
from shrivenquant.model.enums import OrderStatus, OrderType, TimeInForce
from shrivenquant.model.events.order import OrderInitialized
from shrivenquant.model.identifiers import (
    EXTERNAL_STRATEGY_ID,
    ClientId,
    ClientOrderId,
    InstrumentId,
    VenueOrderId,
)
from shrivenquant.model.orders import Order, validate_order_init
from shrivenquant.model.reports import FillReport, OrderStatusReport, PositionStatusReport
from shrivenquant.model.values import Quantity

if TYPE_CHECKING:
    from shrivenquant.execution.client import ExecutionClient
    from shrivenquant.execution.engine import ExecutionEngine

_OPEN_AT_VENUE = frozenset(
    {OrderStatus.ACCEPTED, OrderStatus.TRIGGERED, OrderStatus.PARTIALLY_FILLED}
)


@dataclass(slots=True)
class ReconciliationResult:
    """What reconciling one client found and did."""

    client_id: ClientId
    order_reports: int = 0
    fill_reports: int = 0
    position_reports: int = 0
    adopted_orders: list[ClientOrderId] = field(default_factory=list)
    resolved_orders: list[ClientOrderId] = field(default_factory=list)
    position_mismatches: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the venue and the engine agree and nothing failed."""
        return not self.position_mismatches and not self.errors


class Reconciler:
    """Turns execution reports into the order events the engine missed."""

    __slots__ = ("_engine", "_fills")

    def __init__(self, engine: ExecutionEngine) -> None:
        self._engine = engine
        self._fills = ReportFills(engine)

    async def reconcile(self, client: ExecutionClient) -> ReconciliationResult:
        """Ask ``client`` for its reports and reconcile them (see the module docstring)."""
        engine = self._engine
        result = ReconciliationResult(client.client_id)
        lookback = engine.config.reconciliation_lookback_ns
        since = None if lookback is None else engine.clock.timestamp_ns() - lookback
        try:
            reports = await client.generate_order_status_reports(
                open_only=engine.config.reconcile_open_only
            )
            fills = await client.generate_fill_reports(since_ns=since)
            positions = await client.generate_position_status_reports()
        except Exception as exc:
            engine.log.exception("reconciliation reports failed", client_id=str(client.client_id))
            result.errors.append(f"{client.client_id}: reports failed: {exc}")
            return result
        result.order_reports = len(reports)
        result.fill_reports = len(fills)
        result.position_reports = len(positions)
        self._reconcile_orders(client, reports, fills, result)
        self._check_positions(client, positions, result)
        engine.log.info(
            "reconciled",
            client_id=str(client.client_id),
            order_reports=len(reports),
            fill_reports=len(fills),
            adopted=len(result.adopted_orders),
            resolved=len(result.resolved_orders),
            mismatches=len(result.position_mismatches),
        )
        return result

    def reconcile_report(self, report: OrderStatusReport | FillReport) -> None:
        """Reconcile one report sent outside start-up (the answer to `QueryOrder`)."""
        order = self._find(report.client_order_id, report.venue_order_id)
        if isinstance(report, FillReport):
            if order is None:
                self._engine.log.warning("fill report for an unknown order", report=str(report))
                return
            self._fills.apply(order, [report])
            return
        client = self._engine.router.route(report.instrument_id)
        result = ReconciliationResult(client.client_id if client else ClientId("UNKNOWN"))
        if order is None:
            order = self._adopt(report, result)
        if order is not None:
            self._sync(order, report, [])

    # -- orders ------------------------------------------------------------------------------

    def _reconcile_orders(
        self,
        client: ExecutionClient,
        reports: Sequence[OrderStatusReport],
        fills: Sequence[FillReport],
        result: ReconciliationResult,
    ) -> None:
        fill_list = sorted(fills, key=lambda f: f.ts_event)
        by_order: dict[ClientOrderId, list[FillReport]] = defaultdict(list)
        orphans: dict[VenueOrderId, list[FillReport]] = defaultdict(list)
        for fill in fill_list:
            order = self._find(fill.client_order_id, fill.venue_order_id)
            if order is not None:
                by_order[order.client_order_id].append(fill)
            else:
                orphans[fill.venue_order_id].append(fill)
        seen: set[ClientOrderId] = set()
        for report in reports:
            order = self._find(report.client_order_id, report.venue_order_id)
            if order is None:
                order = self._adopt(report, result)
                if order is None:
                    continue
            seen.add(order.client_order_id)
            self._sync(order, report, by_order.pop(order.client_order_id, []))
        for order in self._orders_of(client):
            if order.client_order_id not in seen:
                self._resolve_missing(
                    order, by_order.pop(order.client_order_id, []), client, result
                )
        for client_order_id, order_fills in by_order.items():
            known = self._engine.cache.order(client_order_id)
            if known is not None:
                self._fills.apply(known, order_fills)
        for venue_order_id, order_fills in orphans.items():
            self._adopt_from_fills(venue_order_id, order_fills, result)

    def _orders_of(self, client: ExecutionClient) -> list[Order]:
        """Orders we hold open at ``client``, or whose submission a restart may have cut off."""
        engine = self._engine
        orders = []
        for order in engine.cache.orders():
            cid = order.client_order_id
            waiting = order.status is OrderStatus.RELEASED or (
                order.status is OrderStatus.INITIALIZED and order.parent_order_id is None
            )
            if not (order.is_open or waiting):
                continue
            routed = engine.router.route(order.instrument_id, engine.cache.client_id_for_order(cid))
            if routed is client:
                orders.append(order)
        return orders

    def _sync(self, order: Order, report: OrderStatusReport, fills: list[FillReport]) -> None:
        engine, events = self._engine, self._engine.events
        ts = report.ts_event
        status = report.order_status
        if order.status is OrderStatus.RELEASED:
            engine.emit(events.submitted(order, report.account_id, ts_event=ts))
        if order.status is OrderStatus.INITIALIZED and status is OrderStatus.REJECTED:
            engine.emit(events.submitted(order, report.account_id, ts_event=ts))
        if order.status in (OrderStatus.INITIALIZED, OrderStatus.SUBMITTED):
            if status is OrderStatus.REJECTED:
                reason = report.cancel_reason or "rejected by the venue"
                engine.emit(events.rejected(order, report.account_id, reason, ts_event=ts))
                return
            accepted_at = report.ts_accepted or ts
            engine.emit(
                events.accepted(
                    order, report.venue_order_id, report.account_id, ts_event=accepted_at
                )
            )
        if order.is_pending_cancel and status in _OPEN_AT_VENUE:
            engine.changes.reject_cancel(order, "cancel not confirmed by the venue")
        elif order.is_pending_update and status in _OPEN_AT_VENUE:
            engine.changes.reject_modify(order, "modify not confirmed by the venue")
        if status is OrderStatus.TRIGGERED and order.RULES.has_trigger and not order.is_triggered:
            engine.emit(events.triggered(order, ts_event=ts))
        if not order.is_closed and self._changed(order, report):
            engine.emit(
                events.updated(
                    order,
                    report.quantity,
                    report.price,
                    report.trigger_price,
                    ts_event=ts,
                    reconciliation=True,
                )
            )
        self._fills.apply(order, fills)
        if report.filled_qty.raw > order.filled_qty.raw:
            self._fills.infer(order, report)
        if order.is_closed:
            return
        if status is OrderStatus.CANCELED:
            engine.emit(events.canceled(order, ts_event=ts, reconciliation=True))
        elif status is OrderStatus.EXPIRED:
            engine.emit(events.expired(order, ts_event=ts, reconciliation=True))
        elif status is OrderStatus.REJECTED:
            reason = report.cancel_reason or "rejected by the venue"
            engine.emit(events.rejected(order, report.account_id, reason, ts_event=ts))

    @staticmethod
    def _changed(order: Order, report: OrderStatusReport) -> bool:
        if report.quantity.raw <= order.filled_qty.raw:
            return False
        return (
            report.quantity != order.quantity
            or (report.price is not None and report.price != order.price)
            or (report.trigger_price is not None and report.trigger_price != order.trigger_price)
        )

    def _resolve_missing(
        self,
        order: Order,
        fills: list[FillReport],
        client: ExecutionClient,
        result: ReconciliationResult,
    ) -> None:
        """Resolve an order the venue did not list (it is no longer open there)."""
        engine, events = self._engine, self._engine.events
        if order.is_local:
            if not fills:
                engine.emit(events.denied(order, "submission not confirmed by the venue (restart)"))
                result.resolved_orders.append(order.client_order_id)
                return
            first = fills[0]  # it did reach the venue: it traded
            if order.status is OrderStatus.RELEASED:
                engine.emit(events.submitted(order, first.account_id, ts_event=first.ts_event))
            engine.emit(
                events.accepted(
                    order, first.venue_order_id, first.account_id, ts_event=first.ts_event
                )
            )
        self._fills.apply(order, fills)
        if order.is_closed:
            return
        if order.status is OrderStatus.SUBMITTED and not order.filled_qty.raw:
            account = order.account_id or client.account_id
            engine.emit(events.rejected(order, account, "order not found at the venue"))
        else:
            engine.emit(events.canceled(order, reconciliation=True))
        result.resolved_orders.append(order.client_order_id)

    # -- adoption ----------------------------------------------------------------------------

    def _find(
        self, client_order_id: ClientOrderId | None, venue_order_id: VenueOrderId
    ) -> Order | None:
        cache = self._engine.cache
        if client_order_id is not None:
            order = cache.order(client_order_id)
            if order is not None:
                return order
        order = cache.order_by_venue_order_id(venue_order_id)
        if order is not None:
            return order
        return cache.order(ClientOrderId(f"EXT-{venue_order_id}"))

    def _adopt(self, report: OrderStatusReport, result: ReconciliationResult) -> Order | None:
        engine = self._engine
        cid = report.client_order_id or ClientOrderId(f"EXT-{report.venue_order_id}")
        init = OrderInitialized(
            trader_id=engine.trader_id,
            strategy_id=EXTERNAL_STRATEGY_ID,
            instrument_id=report.instrument_id,
            client_order_id=cid,
            order_side=report.order_side,
            order_type=report.order_type,
            quantity=report.quantity,
            time_in_force=report.time_in_force,
            price=report.price,
            trigger_price=report.trigger_price,
            expire_time_ns=report.expire_time_ns,
            post_only=report.post_only,
            reduce_only=report.reduce_only,
            reconciliation=True,
            event_id=UUID4(),
            ts_event=report.ts_accepted or report.ts_event,
            ts_init=engine.clock.timestamp_ns(),
        )
        try:
            validate_order_init(init)
        except ValueError as exc:
            engine.log.error(  # noqa: TRY400 - an expected refusal, no traceback wanted
                "cannot adopt venue order", client_order_id=str(cid), error=str(exc)
            )
            result.errors.append(f"cannot adopt {report.venue_order_id}: {exc}")
            return None
        engine.emit(init)
        order = engine.cache.order(cid)
        if order is not None:
            result.adopted_orders.append(cid)
            engine.log.warning("venue order adopted as external", client_order_id=str(cid))
        return order

    def _adopt_from_fills(
        self, venue_order_id: VenueOrderId, fills: list[FillReport], result: ReconciliationResult
    ) -> None:
        first = fills[0]
        total = sum(f.last_qty.raw for f in fills)
        precision = max(f.last_qty.precision for f in fills)
        filled = Quantity.from_raw(total, precision)
        report = OrderStatusReport(
            report_id=UUID4(),
            account_id=first.account_id,
            instrument_id=first.instrument_id,
            venue_order_id=venue_order_id,
            client_order_id=first.client_order_id,
            order_side=first.order_side,
            order_type=OrderType.MARKET,
            time_in_force=TimeInForce.IOC,
            order_status=OrderStatus.FILLED,
            quantity=filled,
            filled_qty=filled,
            ts_event=fills[-1].ts_event,
            ts_init=self._engine.clock.timestamp_ns(),
            ts_accepted=first.ts_event,
        )
        order = self._adopt(report, result)
        if order is not None:
            self._sync(order, report, fills)

    # -- positions ---------------------------------------------------------------------------

    def _check_positions(
        self,
        client: ExecutionClient,
        reports: Sequence[PositionStatusReport],
        result: ReconciliationResult,
    ) -> None:
        report_list = list(reports)
        if not report_list:
            return  # the venue keeps no positions (spot), or holds none
        venue_net: dict[InstrumentId, Decimal] = defaultdict(Decimal)
        for report in report_list:
            venue_net[report.instrument_id] += report.signed_qty
        local_net: dict[InstrumentId, Decimal] = defaultdict(Decimal)
        for position in self._engine.cache.positions_open(venue=client.venue):
            if position.account_id == client.account_id:
                local_net[position.instrument_id] += position.signed_qty
        for instrument_id in sorted(set(venue_net) | set(local_net)):
            venue_qty, local_qty = venue_net[instrument_id], local_net[instrument_id]
            if venue_qty != local_qty:
                message = f"{instrument_id}: venue {venue_qty} vs engine {local_qty}"
                result.position_mismatches.append(message)
                self._engine.log.error("position mismatch after reconciliation", detail=message)
