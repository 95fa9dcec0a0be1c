"""The pre-trade checks: the hot path every new order and every modify runs through.

`PreTradeChecks.check` answers ``None`` (allowed) or a `Denial` (code and sentence). Stages,
cheapest and most decisive first:

1. trading state (HALTED; REDUCING and reduce-only: the order must reduce the position);
2. instrument trading window, stale market data;
3. quantity: precision, step (lot), the instrument's range, the order-size limits;
4. prices (limit and trigger): precision, tick, the instrument's range, the price band;
5. order notional: the instrument's range and the limits;
6. worst-case position (instrument-wide and the strategy's), quantity and notional;
7. gross and net exposure of every scope with a limit;
8. open orders per scope;
9. self-trade prevention;
10. balance and margin (`shrivenquant.risk.margin`).

Two paths run them. The fast path folds stages 1-6 into a few integer compares against the
ranges a `LimitTable` precompiles (no log call, no sentence, nothing built but small ints);
anything it does not clear outright goes to `explain`, the detailed stages of
`shrivenquant.risk.check_stages`, which are the reference and write the refusal's sentence.
Stages 7-10 are shared by both paths. What passed is left in ``passed_price`` and in
``funds.pending_key`` / ``funds.pending_raw`` for the engine to record in the ledger.
"""

# ruff: noqa: PLR0917 - hot-path calls pass raw ints positionally (keywords cost time)

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Final

from shrivenquant.cache import Cache
from shrivenquant.model.currency import Currency
from shrivenquant.model.enums import OrderSide
from shrivenquant.model.identifiers import InstrumentId, StrategyId
from shrivenquant.model.values import Price, Quantity
from shrivenquant.risk.check_stages import (
    NO_PRICE_ABOVE,
    check_notional,
    check_open_orders,
    check_positions,
    check_price,
    check_quantity,
    check_reducing,
    check_self_trade,
    check_stale,
    refresh_self_trade_bounds,
)
from shrivenquant.risk.config import RiskConfig
from shrivenquant.risk.config_sections import SelfTradePrevention
from shrivenquant.risk.exposures import ExposureTotals
from shrivenquant.risk.funds import FundsCheck
from shrivenquant.risk.ledger import Exposure, RiskLedger
from shrivenquant.risk.limit_book import LimitBook
from shrivenquant.risk.margin import MarginModels
from shrivenquant.risk.market import MarketPrices
from shrivenquant.risk.reasons import Denial, RiskReason
from shrivenquant.risk.states import TradingStates
from shrivenquant.risk.tables import SCALE2, LimitTable

_BUY: Final = OrderSide.BUY
_EMPTY: Final = Exposure()  # never written: stands in for an instrument with no exposure
_NO_BOOK: Final[dict[str, Exposure]] = {}  # never written: a strategy with no exposure
_STP_OFF: Final = SelfTradePrevention.OFF
_STP_STRATEGY: Final = SelfTradePrevention.STRATEGY

RateSource = Callable[[Currency, Currency], Fraction | None]
"""Exchange rate from the first currency to the second, or None when unknown."""


class PreTradeChecks:
    """Runs every pre-trade check against the limit tables, the ledger and the market."""

    __slots__ = (
        "_book",
        "_cache",
        "_check_balance",
        "_ledger",
        "_prices",
        "_stale_ns",
        "_states",
        "_stp",
        "_tables",
        "exposures",
        "funds",
        "passed_price",
    )

    def __init__(
        self,
        *,
        config: RiskConfig,
        cache: Cache,
        ledger: RiskLedger,
        prices: MarketPrices,
        book: LimitBook,
        states: TradingStates,
        margins: MarginModels,
        rates: RateSource,
    ) -> None:
        self._cache = cache
        self._ledger = ledger
        self._prices = prices
        self._book = book
        self._states = states
        self.exposures = ExposureTotals(cache, ledger, prices, rates)
        self._tables: dict[str, dict[str, LimitTable]] = {}
        stale = config.stale_data_breaker
        self._stale_ns = None if stale is None else stale.max_age_ns
        self._stp = config.self_trade_prevention
        self._check_balance = config.check_balance
        self.funds = FundsCheck(cache, ledger, margins)
        self.passed_price = 0

    # -- tables ------------------------------------------------------------------------------

    def table(self, instrument_id: InstrumentId, strategy_id: StrategyId) -> LimitTable | None:
        """The limit table of a strategy's orders on an instrument (None: unknown instrument)."""
        by_strategy = self._tables.get(instrument_id.value)
        if by_strategy is not None:
            table = by_strategy.get(strategy_id.value)
            if table is not None:
                return table
        instrument = self._cache.instrument(instrument_id)
        if instrument is None:
            return None
        table = LimitTable(
            instrument,
            strategy_id,
            self._book.for_order(instrument_id, strategy_id),
            self._states.effective(instrument_id, strategy_id),
        )
        self._tables.setdefault(instrument_id.value, {})[strategy_id.value] = table
        return table

    def rebind(self, book: LimitBook) -> None:
        """Use another limit book (after a reset) and drop every table."""
        self._book = book
        self.invalidate()

    def invalidate(self) -> None:
        """Drop every table (limits, states or instruments changed)."""
        self._tables.clear()
        self.exposures.clear()

    def forget_accounts(self) -> None:
        """Look the accounts up again at the next check (an account object changed)."""
        for by_strategy in self._tables.values():
            for table in by_strategy.values():
                table.account = None
                table.margin_model = None
                table.funds_buy = table.funds_sell = None

    # -- the fast path -----------------------------------------------------------------------

    def check(
        self,
        instrument_id: InstrumentId,
        strategy_id: StrategyId,
        side: OrderSide,
        quantity: Quantity,
        price: Price | None,
        trigger_price: Price | None,
        reduce_only: bool,
        now: int,
        delta: int | None = None,
        exclude: str = "",
    ) -> Denial | None:
        """Check one order (or a modify); None when it may go.

        Args:
            instrument_id: the order's instrument.
            strategy_id: the order's strategy.
            side: BUY or SELL.
            quantity: the order's (new) total quantity.
            price: its limit price, if any.
            trigger_price: its trigger price, if any.
            reduce_only: whether the order may only reduce.
            now: the clock's time.
            delta: how much the order adds to the working quantity (a new order: all of it;
                a modify: the growth of its unfilled quantity). None means a new order.
            exclude: a client order id to leave out of self-trade prevention (the order
                being modified).
        """
        by_strategy = self._tables.get(instrument_id.value)
        table = None if by_strategy is None else by_strategy.get(strategy_id.value)
        if table is None or table.fast_blocked or reduce_only or table.fx_limits:
            return self.explain(
                instrument_id, strategy_id, side, quantity, price, trigger_price,
                reduce_only, now, delta, exclude,
            )  # fmt: skip
        qty = quantity.raw
        ikey = table.instrument_key
        prices, ledger = self._prices, self._ledger
        state = prices.states.get(ikey)
        stale_ns = self._stale_ns
        reference = 0 if state is None else state.reference
        p = 0 if price is None else price.raw
        t = 0 if trigger_price is None else trigger_price.raw
        if (
            not table.qty_lo <= qty <= table.qty_hi
            or qty % table.step
            or not table.active_from <= now < table.active_until
            or (stale_ns is not None and (state is None or now - state.ts > stale_ns))
            or (price is not None and not _price_ok(table, p, reference))
            or (trigger_price is not None and not _price_ok(table, t, reference))
        ):
            return self.explain(
                instrument_id, strategy_id, side, quantity, price, trigger_price,
                reduce_only, now, delta, exclude,
            )  # fmt: skip
        sign = 1 if side is _BUY else -1
        value_px = p or t or prices.execution(ikey, sign)
        if value_px > 0:
            notional = (
                table.notional(qty, value_px)
                if table.inverse
                else -(-qty * value_px * table.multiplier // SCALE2)
            )
        if value_px <= 0 or not table.notional_lo <= notional <= table.notional_hi:
            return self.explain(
                instrument_id, strategy_id, side, quantity, price, trigger_price,
                reduce_only, now, delta, exclude,
            )  # fmt: skip
        added = qty if delta is None else delta
        exposure = ledger.instruments.get(ikey, _EMPTY)
        if added > 0:
            mark = reference or self.exposures.fallback.get(ikey, 0) or value_px
            if sign > 0:
                before = exposure.pos + exposure.buy
                after = before + added
            else:
                before = exposure.pos - exposure.sell
                after = before - added
            size = after if after >= 0 else -after
            if (
                size > (before if before >= 0 else -before)
                and (
                    size > table.position_hi
                    or size * mark > table.position_value_hi
                )
            ) or (
                table.has_strategy_limits
                and _grows_too_far(
                    ledger.strategies.get(table.strategy_key, _NO_BOOK).get(ikey, _EMPTY),
                    sign, added, mark, table.strategy_hi, table.strategy_value_hi,
                )
            ):  # fmt: skip
                return self.explain(
                    instrument_id, strategy_id, side, quantity, price, trigger_price,
                    reduce_only, now, delta, exclude,
                )  # fmt: skip
            if table.exposures and not (
                table.exposure_ledger_version == ledger.version
                and table.exposure_price_version == prices.version
                and (
                    table.notional(added, mark)
                    if table.inverse
                    else -(-added * mark * table.multiplier // SCALE2)
                )
                <= table.exposure_headroom
            ):
                denial = self.exposures.check_limits(table, exposure, sign, added, mark)
                if denial is not None:
                    return denial
        if delta is None and ledger.open_total >= table.min_open_limit:
            denial = check_open_orders(ledger, table, exposure)
            if denial is not None:
                return denial
        if self._stp is not _STP_OFF:
            own_strategy = self._stp is _STP_STRATEGY
            if table.stp_version != ledger.version:
                refresh_self_trade_bounds(ledger, own_strategy, table)
            if (
                (
                    p >= table.stp_best_sell
                    or (price is None and table.stp_best_sell < NO_PRICE_ABOVE)
                )
                if sign > 0
                else (p <= table.stp_best_buy if price is not None else table.stp_best_buy > 0)
            ):
                denial = check_self_trade(ledger, own_strategy, table, sign, price, exclude)
                if denial is not None:
                    return denial
        self.passed_price = value_px
        if self._check_balance and added > 0:
            return self.funds.check(table, exposure, sign, added, value_px)
        self.funds.pending_raw = 0
        return None

    # -- the detailed path -------------------------------------------------------------------

    def explain(
        self,
        instrument_id: InstrumentId,
        strategy_id: StrategyId,
        side: OrderSide,
        quantity: Quantity,
        price: Price | None,
        trigger_price: Price | None,
        reduce_only: bool,
        now: int,
        delta: int | None = None,
        exclude: str = "",
    ) -> Denial | None:
        """Run every stage one by one (same arguments as `check`); the reference the fast
        path defers to, and the one that writes the sentence of a refusal."""
        table = self.table(instrument_id, strategy_id)
        if table is None:
            return RiskReason.INSTRUMENT_UNKNOWN, f"{instrument_id} is not a known instrument"
        qty = quantity.raw
        added = qty if delta is None else delta
        sign = 1 if side is _BUY else -1
        ikey = table.instrument_key
        exposure = self._ledger.instruments.get(ikey, _EMPTY)
        if table.state is not table.state.ACTIVE or reduce_only or table.reduce_only:
            denial = check_reducing(table, reduce_only, sign, added, exposure)
            if denial is not None:
                return denial
        if not table.active_from <= now < table.active_until:
            return (
                RiskReason.INSTRUMENT_NOT_TRADING,
                f"{instrument_id} trades only between {table.active_from} and "
                f"{table.active_until} (ns); it is {now}",
            )
        denial = check_stale(self._prices, self._stale_ns, table, now)
        if denial is None:
            denial = check_quantity(table, quantity, qty)
        if denial is not None:
            return denial
        reference = self._prices.reference(ikey)
        for what, value in (("price", price), ("trigger_price", trigger_price)):
            if value is not None:
                denial = check_price(table, what, value, reference)
                if denial is not None:
                    return denial
        value_px = (
            price.raw
            if price is not None
            else trigger_price.raw
            if trigger_price is not None
            else self._prices.execution(ikey, sign)
        )
        if value_px <= 0:
            return (
                RiskReason.NO_MARKET_PRICE,
                f"{instrument_id}: no price to value the order (no quote or trade yet)",
            )
        denial = check_notional(table, table.notional(qty, value_px))
        if denial is not None:
            return denial
        mark = self.exposures.mark(ikey) or value_px
        if table.fx_limits:
            denial = self.exposures.check_fx_limits(
                table, exposure, sign, qty, added, mark, value_px
            )
            if denial is not None:
                return denial
        if added > 0:
            denial = check_positions(self._ledger, table, exposure, sign, added, mark)
            if denial is None and table.exposures:
                denial = self.exposures.check_limits(table, exposure, sign, added, mark)
            if denial is not None:
                return denial
        return self._finish(table, exposure, sign, price, added, value_px, delta is None, exclude)

    # -- shared stages -----------------------------------------------------------------------

    def _finish(
        self,
        table: LimitTable,
        exposure: Exposure,
        sign: int,
        price: Price | None,
        added: int,
        value_px: int,
        new_order: bool,
        exclude: str,
    ) -> Denial | None:
        """Open orders, self-trade prevention and funds, one by one."""
        if new_order and table.max_open:
            denial = check_open_orders(self._ledger, table, exposure)
            if denial is not None:
                return denial
        if self._stp is not _STP_OFF:
            own_strategy = self._stp is _STP_STRATEGY
            denial = check_self_trade(self._ledger, own_strategy, table, sign, price, exclude)
            if denial is not None:
                return denial
        self.passed_price = value_px
        if self._check_balance and added > 0:
            return self.funds.check(table, exposure, sign, added, value_px)
        self.funds.pending_raw = 0
        return None


def _price_ok(table: LimitTable, price: int, reference: int) -> bool:
    """Whether ``price`` is on the tick, in range and within the band around ``reference``."""
    if price % table.tick:
        return False
    if reference != table.window_reference:
        table.price_window(reference)
    return table.window_lo <= price <= table.window_hi


def _grows_too_far(
    exposure: Exposure, sign: int, added: int, mark: int, qty_hi: int, value_hi: int
) -> bool:
    """Whether the worst-case position grows past a quantity or a (linear) value limit
    (``value_hi`` scaled as `LimitTable` keeps it: quantity x mark, raw x raw)."""
    if sign > 0:
        before = exposure.pos + exposure.buy
        after = before + added
    else:
        before = exposure.pos - exposure.sell
        after = before - added
    size = after if after >= 0 else -after
    if size <= (before if before >= 0 else -before):
        return False
    return size > qty_hi or size * mark > value_hi
