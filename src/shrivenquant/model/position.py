"""Positions built from fills, with exact average prices and PnL.

A `Position` is the running result of the fills of one instrument for one strategy: one per
instrument and strategy when the account nets (`OmsType.NETTING`), one per opening order when it
hedges (`OmsType.HEDGING`); the execution engine chooses the `PositionId`, the position itself
behaves the same either way.

Every amount is kept exactly (integers and `fractions.Fraction`), so average prices and PnL never
drift however many partial fills arrive; only the values handed out as `Money` are rounded, half
to even, to the currency's precision. Linear instruments value a quantity at
``qty * multiplier * price``; inverse ones at ``qty * multiplier / price``; PnL is counted in the
settlement currency. Realized PnL is net of commissions paid in the
PnL currency.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction
from typing import Protocol

from shrivenquant.core.uuid import UUID4
from shrivenquant.model.currency import Currency
from shrivenquant.model.enums import OrderSide, PositionSide
from shrivenquant.model.events.position import (
    PositionChanged,
    PositionClosed,
    PositionEvent,
    PositionOpened,
)
from shrivenquant.model.identifiers import (
    AccountId,
    ClientOrderId,
    InstrumentId,
    PositionId,
    StrategyId,
    TradeId,
    TraderId,
)
from shrivenquant.model.values import FIXED_SCALAR, Money, Price, Quantity


class PositionInstrument(Protocol):
    """What a position needs to know about its instrument."""

    @property
    def id(self) -> InstrumentId: ...
    @property
    def multiplier(self) -> Quantity: ...
    @property
    def is_inverse(self) -> bool: ...
    @property
    def settlement_currency(self) -> Currency: ...
    @property
    def size_precision(self) -> int: ...


class PositionFill(Protocol):
    """The fields of `OrderFilled` a position reads."""

    @property
    def trader_id(self) -> TraderId: ...
    @property
    def strategy_id(self) -> StrategyId: ...
    @property
    def instrument_id(self) -> InstrumentId: ...
    @property
    def account_id(self) -> AccountId: ...
    @property
    def client_order_id(self) -> ClientOrderId: ...
    @property
    def trade_id(self) -> TradeId: ...
    @property
    def order_side(self) -> OrderSide: ...
    @property
    def last_qty(self) -> Quantity: ...
    @property
    def last_px(self) -> Price: ...
    @property
    def commission(self) -> Money: ...
    @property
    def ts_event(self) -> int: ...


def _frac(value: Price | Quantity) -> Fraction:
    return Fraction(value.raw, FIXED_SCALAR)


def _to_decimal(value: Fraction) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 38
        return (Decimal(value.numerator) / Decimal(value.denominator)).normalize()


class Position:
    """An open (or closed) position, changed only by applying fills with `apply`."""

    def __init__(
        self,
        instrument: PositionInstrument,
        fill: PositionFill,
        position_id: PositionId,
        pnl_currency: Currency | None = None,
    ) -> None:
        """Open a position from its first fill.

        Args:
            instrument: the traded instrument.
            fill: the opening fill.
            position_id: chosen by the execution engine.
            pnl_currency: the currency PnL is counted in; defaults to the instrument's
                settlement currency (the quote currency of linear contracts, the base
                currency of inverse ones).
        """
        if instrument.id != fill.instrument_id:
            raise ValueError(
                f"fill for {fill.instrument_id} cannot open a {instrument.id} position"
            )
        self.id = position_id
        self.instrument_id = instrument.id
        self.trader_id = fill.trader_id
        self.strategy_id = fill.strategy_id
        self.account_id = fill.account_id
        self.currency: Currency = pnl_currency or instrument.settlement_currency
        self._multiplier = _frac(instrument.multiplier)
        self._inverse = instrument.is_inverse
        self._size_precision = instrument.size_precision
        self._signed_raw = 0  # signed quantity, raw fixed-point units
        self._basis = Fraction(0)  # value of the open quantity at its entry prices
        self._realized = Fraction(0)
        self._close_qty = Fraction(0)
        self._close_value = Fraction(0)
        self._peak_raw = 0
        self._closed_avg_px_open = Decimal(0)
        self.commissions: dict[Currency, Money] = {}
        self.trade_ids: list[TradeId] = []
        self._trade_id_set: set[TradeId] = set()
        self.events: list[PositionFill] = []
        self.opening_order_id = fill.client_order_id
        self.closing_order_id: ClientOrderId | None = None
        self.entry = fill.order_side
        self.last_qty = fill.last_qty
        self.last_px = fill.last_px
        self.ts_opened = fill.ts_event
        self.ts_closed: int | None = None
        self.ts_last = fill.ts_event
        self.apply(fill)

    # -- state -----------------------------------------------------------------------------
    @property
    def signed_qty(self) -> Decimal:
        """Quantity with sign: positive long, negative short."""
        return Decimal(self._signed_raw).scaleb(-9).normalize() if self._signed_raw else Decimal(0)

    @property
    def quantity(self) -> Quantity:
        """The absolute open quantity."""
        return Quantity.from_raw(abs(self._signed_raw), self._size_precision)

    @property
    def peak_qty(self) -> Quantity:
        """The largest absolute quantity in the current cycle."""
        return Quantity.from_raw(self._peak_raw, self._size_precision)

    @property
    def side(self) -> PositionSide:
        """LONG, SHORT or FLAT."""
        if self._signed_raw > 0:
            return PositionSide.LONG
        if self._signed_raw < 0:
            return PositionSide.SHORT
        return PositionSide.FLAT

    @property
    def is_open(self) -> bool:
        """Whether any quantity is open."""
        return self._signed_raw != 0

    @property
    def is_closed(self) -> bool:
        """Whether the position is flat."""
        return self._signed_raw == 0

    @property
    def avg_px_open(self) -> Decimal:
        """Average entry price of the open quantity; once flat, that of the cycle just closed."""
        qty = Fraction(abs(self._signed_raw), FIXED_SCALAR)
        if not qty or not self._basis:
            return self._closed_avg_px_open
        if self._inverse:
            return _to_decimal(qty * self._multiplier / self._basis)
        return _to_decimal(self._basis / (qty * self._multiplier))

    @property
    def avg_px_close(self) -> Decimal | None:
        """Average exit price of everything closed so far, or None if nothing was closed."""
        if not self._close_qty:
            return None
        if self._inverse:
            return _to_decimal(self._close_qty * self._multiplier / self._close_value)
        return _to_decimal(self._close_value / (self._close_qty * self._multiplier))

    @property
    def realized_pnl(self) -> Money:
        """Realized PnL net of commissions in the PnL currency."""
        return self._money(self._realized)

    def unrealized_pnl(self, mark: Price) -> Money:
        """PnL of the open quantity if it were closed at ``mark``."""
        return self._money(self._open_pnl(mark))

    def total_pnl(self, mark: Price) -> Money:
        """Realized plus unrealized PnL at ``mark``."""
        return self._money(self._realized + self._open_pnl(mark))

    def notional_value(self, mark: Price) -> Money:
        """The open quantity valued at ``mark`` in the PnL currency."""
        return self._money(self._value(Fraction(abs(self._signed_raw), FIXED_SCALAR), mark))

    # -- fills -----------------------------------------------------------------------------
    def apply(self, fill: PositionFill) -> None:
        """Apply a fill: open, add, reduce, close or flip the position."""
        if fill.instrument_id != self.instrument_id:
            raise ValueError(f"fill for {fill.instrument_id} applied to {self.id}")
        if fill.trade_id in self._trade_id_set:
            raise ValueError(f"duplicate trade id {fill.trade_id} for position {self.id}")
        if fill.order_side not in (OrderSide.BUY, OrderSide.SELL):
            raise ValueError(f"fill side must be BUY or SELL, got {fill.order_side}")
        if self._signed_raw == 0 and self.trade_ids:  # reopening after flat: a new cycle
            self.entry = fill.order_side
            self.opening_order_id = fill.client_order_id
            self.closing_order_id = None
            self.ts_opened = fill.ts_event
            self.ts_closed = None
            self._peak_raw = 0
        self.trade_ids.append(fill.trade_id)
        self._trade_id_set.add(fill.trade_id)
        self.events.append(fill)
        self._book_commission(fill.commission)

        qty_raw = fill.last_qty.raw
        signed_fill = qty_raw if fill.order_side is OrderSide.BUY else -qty_raw
        before = self._signed_raw
        closes = before != 0 and (before > 0) != (signed_fill > 0) and qty_raw >= abs(before)
        avg_open_before = self.avg_px_open if closes else self._closed_avg_px_open
        if before == 0 or (before > 0) == (signed_fill > 0):
            self._basis += self._value(Fraction(qty_raw, FIXED_SCALAR), fill.last_px)
        else:
            closing_raw = min(qty_raw, abs(before))
            self._close(Fraction(closing_raw, FIXED_SCALAR), fill.last_px, long=before > 0)
            opening_raw = qty_raw - closing_raw
            if opening_raw:  # flip: the rest opens the other way
                self._basis = self._value(Fraction(opening_raw, FIXED_SCALAR), fill.last_px)
                self.entry = fill.order_side
        self._signed_raw = before + signed_fill
        self._peak_raw = max(self._peak_raw, abs(self._signed_raw))
        self.last_qty = fill.last_qty
        self.last_px = fill.last_px
        self.ts_last = fill.ts_event
        if self._signed_raw == 0:
            self._basis = Fraction(0)
            self._closed_avg_px_open = avg_open_before
            self.closing_order_id = fill.client_order_id
            self.ts_closed = fill.ts_event

    def _close(self, qty: Fraction, px: Price, long: bool) -> None:
        open_qty = Fraction(abs(self._signed_raw), FIXED_SCALAR)
        basis_part = self._basis * qty / open_qty
        exit_value = self._value(qty, px)
        gain = exit_value - basis_part
        if self._inverse:
            gain = -gain  # inverse value falls as the price rises
        self._realized += gain if long else -gain
        self._basis -= basis_part
        self._close_qty += qty
        self._close_value += exit_value

    def _value(self, qty: Fraction, px: Price) -> Fraction:
        if self._inverse:
            return qty * self._multiplier / _frac(px)
        return qty * self._multiplier * _frac(px)

    def _open_pnl(self, mark: Price) -> Fraction:
        if self._signed_raw == 0:
            return Fraction(0)
        qty = Fraction(abs(self._signed_raw), FIXED_SCALAR)
        gain = self._value(qty, mark) - self._basis
        if self._inverse:
            gain = -gain
        return gain if self._signed_raw > 0 else -gain

    def _book_commission(self, commission: Money) -> None:
        cur = commission.currency
        self.commissions[cur] = (
            self.commissions[cur] + commission if cur in self.commissions else commission
        )
        if cur == self.currency:
            self._realized -= Fraction(commission.raw, FIXED_SCALAR)

    def _money(self, amount: Fraction) -> Money:
        with localcontext() as ctx:
            ctx.prec = 60
            exact = Decimal(amount.numerator) / Decimal(amount.denominator)
            rounded = exact.quantize(Decimal(1).scaleb(-self.currency.precision), ROUND_HALF_EVEN)
        return Money(rounded, self.currency)

    # -- events ----------------------------------------------------------------------------
    def to_event(self, mark: Price | None = None, ts_init: int | None = None) -> PositionEvent:
        """The event describing the position after its last fill.

        `PositionOpened` after the first fill of a cycle, `PositionClosed` when flat, otherwise
        `PositionChanged`. Unrealized PnL is taken at ``mark`` (default: the last fill price).
        """
        cycle_fills = 1 if self.ts_opened == self.ts_last and len(self.events) == 1 else 2
        if self._signed_raw == 0:
            cls: type[PositionEvent] = PositionClosed
        elif cycle_fills == 1:
            cls = PositionOpened
        else:
            cls = PositionChanged
        return cls(
            trader_id=self.trader_id,
            strategy_id=self.strategy_id,
            instrument_id=self.instrument_id,
            position_id=self.id,
            account_id=self.account_id,
            opening_order_id=self.opening_order_id,
            closing_order_id=self.closing_order_id,
            entry=self.entry,
            side=self.side,
            signed_qty=self.signed_qty,
            quantity=self.quantity,
            peak_qty=self.peak_qty,
            last_qty=self.last_qty,
            last_px=self.last_px,
            currency=self.currency,
            avg_px_open=self.avg_px_open,
            avg_px_close=self.avg_px_close,
            realized_pnl=self.realized_pnl,
            unrealized_pnl=self.unrealized_pnl(mark or self.last_px),
            ts_opened=self.ts_opened,
            ts_closed=self.ts_closed,
            duration_ns=(self.ts_closed or self.ts_last) - self.ts_opened,
            event_id=UUID4(),
            ts_event=self.ts_last,
            ts_init=self.ts_last if ts_init is None else ts_init,
        )

    def __repr__(self) -> str:
        return (
            f"Position({self.id}, {self.instrument_id}, {self.side.value} {self.quantity} "
            f"@ {self.avg_px_open}, realized {self.realized_pnl})"
        )
