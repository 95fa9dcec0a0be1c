"""Positions built from fills, with exact average prices and PnL.

A `Position` is the running result of the fills of one instrument for one strategy: one per
instrument and strategy when the account nets (`OmsType.NETTING`), one per opening order when it
hedges (`OmsType.HEDGING`); the execution engine chooses the `PositionId`, the position itself
behaves the same either way.

Every amount is kept exactly (ratios of integers), so average prices and PnL never drift
however many partial fills arrive; only the values handed out are rounded: `Money` once, half
to even, to the currency's precision, and average prices to 38 significant digits. Linear
instruments value a quantity at ``qty * multiplier * price``; inverse ones at
``qty * multiplier / price``; PnL is counted in the settlement currency. Realized PnL is net of
commissions paid in the PnL currency.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, Decimal
from math import gcd
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
from shrivenquant.model.fixed_point import STEP
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


_SCALE2 = FIXED_SCALAR * FIXED_SCALAR
_SCALE3 = _SCALE2 * FIXED_SCALAR  # the denominator of a linear value: qty * mult * price
_DECIMAL = Context(prec=38, rounding=ROUND_HALF_EVEN)  # average prices: 38 significant digits


def _reduced(numerator: int, denominator: int) -> tuple[int, int]:
    divisor = gcd(numerator, denominator)
    if divisor > 1:
        return numerator // divisor, denominator // divisor
    return numerator, denominator


def _plus(an: int, ad: int, bn: int, bd: int) -> tuple[int, int]:
    """``an/ad + bn/bd`` exactly (denominators positive)."""
    if ad == bd:
        return an + bn, ad
    return _reduced(an * bd + bn * ad, ad * bd)


def _ratio_decimal(numerator: int, denominator: int) -> Decimal:
    """``numerator / denominator`` to 38 significant digits (half-even), normalized."""
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    return _DECIMAL.divide(Decimal(numerator), Decimal(denominator)).normalize(_DECIMAL)


class Position:
    """An open (or closed) position, changed only by applying fills with `apply`.

    Amounts are exact ratios of two ints (numerator, positive denominator). A linear value
    ``qty * multiplier * price`` is a whole number at the denominator 10**27, so opening,
    adding and closing a whole position stay on that denominator; only partial closes and
    inverse instruments need a reduced ratio.
    """

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
        self._mult_raw = instrument.multiplier._raw
        self._inverse = instrument.is_inverse
        self._size_precision = instrument.size_precision
        self._signed_raw = 0  # signed quantity, raw fixed-point units
        # Value of the open quantity at its entry prices, as numerator / denominator.
        self._basis_n = 0
        self._basis_d = _SCALE3
        self._realized_n = 0
        self._realized_d = _SCALE3
        self._close_raw = 0  # quantity closed so far, raw
        self._close_value_n = 0
        self._close_value_d = _SCALE3
        self._peak_raw = 0
        self._closed_avg_px_open = Decimal(0)
        self._avg_px_close: Decimal | None = None  # computed on demand, reset by each close
        self._realized_money: Money | None = None  # likewise, reset when realized PnL changes
        self._zero = Money.from_raw(0, self.currency, self.currency.precision)
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
        open_raw = abs(self._signed_raw)
        if not open_raw or not self._basis_n:
            return self._closed_avg_px_open
        return self._avg_px(self._basis_n, self._basis_d, open_raw)

    @property
    def avg_px_close(self) -> Decimal | None:
        """Average exit price of everything closed so far, or None if nothing was closed."""
        if not self._close_raw:
            return None
        if self._avg_px_close is None:
            self._avg_px_close = self._avg_px(
                self._close_value_n, self._close_value_d, self._close_raw
            )
        return self._avg_px_close

    @property
    def realized_pnl(self) -> Money:
        """Realized PnL net of commissions in the PnL currency."""
        if self._realized_money is None:
            self._realized_money = self._money(self._realized_n, self._realized_d)
        return self._realized_money

    def unrealized_pnl(self, mark: Price) -> Money:
        """PnL of the open quantity if it were closed at ``mark``."""
        if self._signed_raw == 0:
            return self._zero
        return self._money(*self._open_pnl(mark))

    def total_pnl(self, mark: Price) -> Money:
        """Realized plus unrealized PnL at ``mark``."""
        open_n, open_d = self._open_pnl(mark)
        return self._money(*_plus(self._realized_n, self._realized_d, open_n, open_d))

    def notional_value(self, mark: Price) -> Money:
        """The open quantity valued at ``mark`` in the PnL currency."""
        return self._money(*self._value(abs(self._signed_raw), mark._raw))

    # -- fills -----------------------------------------------------------------------------
    def apply(self, fill: PositionFill) -> None:
        """Apply a fill: open, add, reduce, close or flip the position."""
        if fill.instrument_id != self.instrument_id:
            raise ValueError(f"fill for {fill.instrument_id} applied to {self.id}")
        trade_id = fill.trade_id
        if trade_id in self._trade_id_set:
            raise ValueError(f"duplicate trade id {trade_id} for position {self.id}")
        side = fill.order_side
        if side is not OrderSide.BUY and side is not OrderSide.SELL:
            raise ValueError(f"fill side must be BUY or SELL, got {side}")
        before = self._signed_raw
        if before == 0 and self.trade_ids:  # reopening after flat: a new cycle
            self.entry = side
            self.opening_order_id = fill.client_order_id
            self.closing_order_id = None
            self.ts_opened = fill.ts_event
            self.ts_closed = None
            self._peak_raw = 0
        self.trade_ids.append(trade_id)
        self._trade_id_set.add(trade_id)
        self.events.append(fill)
        self._book_commission(fill.commission)

        qty_raw = fill.last_qty._raw
        px = fill.last_px
        signed_fill = qty_raw if side is OrderSide.BUY else -qty_raw
        after = before + signed_fill
        if before == 0 or (before > 0) == (signed_fill > 0):
            value_n, value_d = self._value(qty_raw, px._raw)
            self._basis_n, self._basis_d = _plus(self._basis_n, self._basis_d, value_n, value_d)
        else:
            open_raw = abs(before)
            if after == 0 and self._basis_n:  # the cycle ends: keep its average entry price
                self._closed_avg_px_open = self._avg_px(self._basis_n, self._basis_d, open_raw)
            closing_raw = min(qty_raw, open_raw)
            self._close(closing_raw, open_raw, px._raw, long=before > 0)
            opening_raw = qty_raw - closing_raw
            if opening_raw:  # flip: the rest opens the other way
                self._basis_n, self._basis_d = self._value(opening_raw, px._raw)
                self.entry = side
        self._signed_raw = after
        self._peak_raw = max(self._peak_raw, abs(after))
        self.last_qty = fill.last_qty
        self.last_px = px
        self.ts_last = fill.ts_event
        if after == 0:
            self._basis_n, self._basis_d = 0, _SCALE3
            self.closing_order_id = fill.client_order_id
            self.ts_closed = fill.ts_event

    def _close(self, closing_raw: int, open_raw: int, px_raw: int, long: bool) -> None:
        basis_n, basis_d = self._basis_n, self._basis_d
        if closing_raw == open_raw:
            part_n, part_d = basis_n, basis_d
        else:
            part_n, part_d = _reduced(basis_n * closing_raw, basis_d * open_raw)
        exit_n, exit_d = self._value(closing_raw, px_raw)
        gain_n, gain_d = _plus(exit_n, exit_d, -part_n, part_d)
        if self._inverse:
            gain_n = -gain_n  # inverse value falls as the price rises
        self._realized_n, self._realized_d = _plus(
            self._realized_n, self._realized_d, gain_n if long else -gain_n, gain_d
        )
        if closing_raw == open_raw:
            self._basis_n, self._basis_d = 0, _SCALE3
        else:
            self._basis_n, self._basis_d = _plus(basis_n, basis_d, -part_n, part_d)
        self._realized_money = None
        self._close_raw += closing_raw
        self._close_value_n, self._close_value_d = _plus(
            self._close_value_n, self._close_value_d, exit_n, exit_d
        )
        self._avg_px_close = None

    def _value(self, qty_raw: int, px_raw: int) -> tuple[int, int]:
        """``qty * multiplier * price`` (linear) or ``qty * multiplier / price`` (inverse)."""
        if self._inverse:
            if not px_raw:
                raise ZeroDivisionError(f"position {self.id}: an inverse value needs a price")
            if px_raw < 0:
                return _reduced(-qty_raw * self._mult_raw, -px_raw * FIXED_SCALAR)
            return _reduced(qty_raw * self._mult_raw, px_raw * FIXED_SCALAR)
        return qty_raw * self._mult_raw * px_raw, _SCALE3

    def _avg_px(self, value_n: int, value_d: int, qty_raw: int) -> Decimal:
        """The price at which ``qty_raw`` is worth ``value_n / value_d``."""
        size = qty_raw * self._mult_raw  # qty * multiplier at 10**18
        if self._inverse:
            return _ratio_decimal(size * value_d, _SCALE2 * value_n)
        return _ratio_decimal(value_n * _SCALE2, value_d * size)

    def _open_pnl(self, mark: Price) -> tuple[int, int]:
        if self._signed_raw == 0:
            return 0, 1
        value_n, value_d = self._value(abs(self._signed_raw), mark._raw)
        gain_n, gain_d = _plus(value_n, value_d, -self._basis_n, self._basis_d)
        if self._inverse:
            gain_n = -gain_n
        return (gain_n if self._signed_raw > 0 else -gain_n), gain_d

    def _book_commission(self, commission: Money) -> None:
        cur = commission._currency
        commissions = self.commissions
        total = commissions.get(cur)
        commissions[cur] = commission if total is None else total + commission
        if cur == self.currency:
            self._realized_money = None
            raw = commission._raw
            if self._realized_d == _SCALE3:
                self._realized_n -= raw * _SCALE2
            else:
                self._realized_n, self._realized_d = _plus(
                    self._realized_n, self._realized_d, -raw, FIXED_SCALAR
                )

    def _money(self, numerator: int, denominator: int) -> Money:
        """An exact amount rounded once, half to even, to the currency's precision."""
        currency = self.currency
        places = currency.precision
        units, remainder = divmod(numerator * 10**places, denominator)
        if remainder:
            twice = remainder + remainder
            if twice > denominator or (twice == denominator and units & 1):
                units += 1
        return Money.from_raw(units * STEP[places], currency, places)

    # -- events ----------------------------------------------------------------------------
    def to_event(
        self,
        mark: Price | None = None,
        ts_init: int | None = None,
        event_type: type[PositionEvent] | None = None,
    ) -> PositionEvent:
        """The event describing the position after its last fill.

        `PositionOpened` after the first fill of a cycle, `PositionClosed` when flat, otherwise
        `PositionChanged`; ``event_type`` chooses the class instead. Unrealized PnL is taken at
        ``mark`` (default: the last fill price).
        """
        cls: type[PositionEvent]
        if event_type is not None:
            cls = event_type
        elif self._signed_raw == 0:
            cls = PositionClosed
        elif self.ts_opened == self.ts_last and len(self.events) == 1:
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
