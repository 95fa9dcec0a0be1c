"""The detailed pre-trade checks, one stage each, every one answering with the sentence that
explains a refusal.

They are the reference: `PreTradeChecks.check` runs a folded fast path first and only comes
here when that path sees anything it does not clear outright.
"""

# ruff: noqa: PLR0917 - stages take the check's raw ints positionally

from __future__ import annotations

from decimal import Decimal
from typing import Final

from shrivenquant.model.enums import TradingState
from shrivenquant.model.fixed_point import STEP
from shrivenquant.model.values import Price, Quantity
from shrivenquant.risk.ledger import Exposure, RiskLedger
from shrivenquant.risk.market import MarketPrices
from shrivenquant.risk.reasons import Denial, RiskReason
from shrivenquant.risk.tables import LimitTable

_ACTIVE: Final = TradingState.ACTIVE
_HALTED: Final = TradingState.HALTED
NO_PRICE_ABOVE: Final = 1 << 126
"""The best sell price when we have no resting sell."""


def show(raw: int) -> str:
    """A raw fixed-point int as a short decimal string (for sentences)."""
    return f"{Decimal(raw).scaleb(-9).normalize():f}"


def check_reducing(
    table: LimitTable, reduce_only: bool, sign: int, added: int, exposure: Exposure
) -> Denial | None:
    """HALTED refuses; REDUCING and reduce-only need the order to shrink the position."""
    if table.state is _HALTED:
        entry = table.state_entry
        why = "" if entry is None else f" ({entry.scope}: {entry.reason or entry.cause.value})"
        return RiskReason.TRADING_HALTED, f"trading is halted{why}"
    pos = exposure.pos
    if sign > 0:
        reduces = pos < 0 and exposure.buy + added <= -pos
    else:
        reduces = pos > 0 and exposure.sell + added <= pos
    if reduces:
        return None
    what = (
        f"the position in {table.instrument_id} is {show(pos)} with "
        f"{show(exposure.buy if sign > 0 else exposure.sell)} already working on that side"
    )
    if table.state is not _ACTIVE:
        entry = table.state_entry
        why = "" if entry is None else f" ({entry.scope}: {entry.reason or entry.cause.value})"
        return (
            RiskReason.TRADING_REDUCING,
            f"only orders that reduce a position are allowed{why}; {what}",
        )
    source = "reduce-only order" if reduce_only else "reduce-only limits apply and the order"
    return RiskReason.REDUCE_ONLY, f"{source} would not reduce: {what}"


def check_quantity(table: LimitTable, quantity: Quantity, qty: int) -> Denial | None:
    """Precision, step, the instrument's range and the order-size limits."""
    if qty % STEP[table.size_precision]:
        return (
            RiskReason.QUANTITY_PRECISION,
            f"quantity {quantity} has more than {table.size_precision} decimals",
        )
    if qty <= 0 or qty % table.step:
        return (
            RiskReason.QUANTITY_STEP,
            f"quantity {quantity} is not a positive multiple of {show(table.step)}",
        )
    low, high = table.min_qty, table.max_qty
    if (low is not None and qty < low) or (high is not None and qty > high):
        return (
            RiskReason.QUANTITY_RANGE,
            f"quantity {quantity} is outside {table.instrument_id}'s range "
            f"{show(low or 0)}..{'-' if high is None else show(high)}",
        )
    if table.max_order_qty is not None and qty > table.max_order_qty:
        return (
            RiskReason.MAX_ORDER_QTY,
            f"quantity {quantity} is above the limit {show(table.max_order_qty)}",
        )
    if table.min_order_qty is not None and qty < table.min_order_qty:
        return (
            RiskReason.MIN_ORDER_QTY,
            f"quantity {quantity} is below the limit {show(table.min_order_qty)}",
        )
    return None


def check_price(table: LimitTable, what: str, price: Price, reference: int) -> Denial | None:
    """Precision, tick, the instrument's range and the price band."""
    raw = price.raw
    if raw % STEP[table.price_precision]:
        return (
            RiskReason.PRICE_PRECISION,
            f"{what} {price} has more than {table.price_precision} decimals",
        )
    if raw % table.tick:
        return RiskReason.PRICE_TICK, f"{what} {price} is not on the tick {show(table.tick)}"
    low, high = table.min_price, table.max_price
    if (low is not None and raw < low) or (high is not None and raw > high):
        return (
            RiskReason.PRICE_RANGE,
            f"{what} {price} is outside {table.instrument_id}'s range "
            f"{show(low or 0)}..{'-' if high is None else show(high)}",
        )
    if table.band_num is None and table.band_ticks is None:
        return None
    if reference <= 0:
        return (
            RiskReason.NO_REFERENCE_PRICE,
            f"no market price for {table.instrument_id} to check the {what} band against",
        )
    distance = raw - reference if raw > reference else reference - raw
    if table.band_ticks is not None and distance > table.band_ticks:
        return (
            RiskReason.PRICE_BAND,
            f"{what} {price} is {show(distance)} from the reference {show(reference)}, more "
            f"than the band of {show(table.band_ticks)}",
        )
    if table.band_num is not None and distance * table.band_den > reference * table.band_num:
        return (
            RiskReason.PRICE_BAND,
            f"{what} {price} is {show(distance)} from the reference {show(reference)}, more "
            f"than {Decimal(table.band_num) / table.band_den:%} of it",
        )
    return None


def check_notional(table: LimitTable, notional: int) -> Denial | None:
    """The instrument's notional range and the order-notional limits."""
    currency = table.currency.code
    low, high = table.min_notional, table.max_notional
    if (low is not None and notional < low) or (high is not None and notional > high):
        return (
            RiskReason.NOTIONAL_RANGE,
            f"notional {show(notional)} {currency} is outside {table.instrument_id}'s range "
            f"{show(low or 0)}..{'-' if high is None else show(high)}",
        )
    if table.max_order_notional is not None and notional > table.max_order_notional:
        return (
            RiskReason.MAX_ORDER_NOTIONAL,
            f"notional {show(notional)} {currency} is above the limit "
            f"{show(table.max_order_notional)}",
        )
    if table.min_order_notional is not None and notional < table.min_order_notional:
        return (
            RiskReason.MIN_ORDER_NOTIONAL,
            f"notional {show(notional)} {currency} is below the limit "
            f"{show(table.min_order_notional)}",
        )
    return None


def check_position(
    table: LimitTable,
    exposure: Exposure,
    sign: int,
    added: int,
    mark: int,
    max_qty: int | None,
    max_notional: int | None,
    whose: str,
) -> Denial | None:
    """The worst-case position after the order, in quantity and value at ``mark``."""
    before = exposure.pos + exposure.buy if sign > 0 else exposure.pos - exposure.sell
    after = before + added if sign > 0 else before - added
    size = after if after >= 0 else -after
    if size <= (before if before >= 0 else -before):
        return None  # the order brings the worst case closer to flat
    if max_qty is not None and size > max_qty:
        return (
            RiskReason.MAX_POSITION_QTY,
            f"the worst-case position{whose} in {table.instrument_id} would be "
            f"{show(after)}, beyond the limit {show(max_qty)}",
        )
    if max_notional is not None:
        value = table.notional(size, mark)
        if value > max_notional:
            return (
                RiskReason.MAX_POSITION_NOTIONAL,
                f"the worst-case position{whose} in {table.instrument_id} would be worth "
                f"{show(value)} {table.currency.code}, beyond the limit {show(max_notional)}",
            )
    return None


def check_stale(
    prices: MarketPrices, stale_ns: int | None, table: LimitTable, now: int
) -> Denial | None:
    """The instrument's last market data must be at most ``stale_ns`` old."""
    if stale_ns is None:
        return None
    state = prices.states.get(table.instrument_key)
    if state is not None and now - state.ts <= stale_ns:
        return None
    age = "never had market data" if state is None else f"data is {show(now - state.ts)}s old"
    return RiskReason.STALE_DATA, f"{table.instrument_id} {age} (limit {show(stale_ns)}s)"


def check_positions(
    ledger: RiskLedger, table: LimitTable, exposure: Exposure, sign: int, added: int, mark: int
) -> Denial | None:
    """Position limits, instrument-wide and the strategy's, for ``added`` more quantity."""
    if table.max_position_qty is not None or table.max_position_notional is not None:
        denial = check_position(
            table, exposure, sign, added, mark, table.max_position_qty,
            table.max_position_notional, "",
        )  # fmt: skip
        if denial is not None:
            return denial
    if table.has_strategy_limits:
        mine = ledger.strategy(table.strategy_key, table.instrument_key)
        return check_position(
            table, mine, sign, added, mark, table.max_strategy_qty,
            table.max_strategy_notional, f" of strategy {table.strategy_key}",
        )  # fmt: skip
    return None


def check_open_orders(ledger: RiskLedger, table: LimitTable, exposure: Exposure) -> Denial | None:
    """Orders not finished, per scope, must stay below each limit."""
    for kind, key, limit in table.max_open:
        if kind == "GLOBAL":
            count = ledger.open_total
        elif kind == "VENUE":
            count = ledger.open_by_venue.get(key, 0)
        elif kind == "STRATEGY":
            count = ledger.open_by_strategy.get(key, 0)
        else:
            count = exposure.orders
        if count >= limit:
            where = "in total" if kind == "GLOBAL" else f"for {kind.lower()} {key}"
            return (
                RiskReason.MAX_OPEN_ORDERS,
                f"{count} orders are already open {where}; the limit is {limit}",
            )
    return None


def check_self_trade(
    ledger: RiskLedger,
    own_strategy: bool,
    table: LimitTable,
    sign: int,
    price: Price | None,
    exclude: str,
) -> Denial | None:
    """The order must not cross our own resting orders (the strategy's, or everyone's)."""
    limit = None if price is None else price.raw
    for cid, other in ledger.working(table.instrument_key):
        if other.sign == sign or cid == exclude or other.price == 0:
            continue
        if own_strategy and other.strategy != table.strategy_key:
            continue
        crosses = limit is None or (limit >= other.price if sign > 0 else limit <= other.price)
        if crosses:
            return (
                RiskReason.SELF_TRADE,
                f"the order would trade with our own resting order {cid} at "
                f"{show(other.price)} on {table.instrument_id}",
            )
    return None


def refresh_self_trade_bounds(ledger: RiskLedger, own_strategy: bool, table: LimitTable) -> None:
    """Cache on ``table`` the best prices of our own resting orders on its instrument."""
    best_buy, best_sell = 0, NO_PRICE_ABOVE
    for _cid, other in ledger.working(table.instrument_key):
        if other.price == 0 or (own_strategy and other.strategy != table.strategy_key):
            continue
        if other.sign > 0:
            best_buy = max(best_buy, other.price)
        else:
            best_sell = min(best_sell, other.price)
    table.stp_best_buy, table.stp_best_sell = best_buy, best_sell
    table.stp_version = ledger.version
