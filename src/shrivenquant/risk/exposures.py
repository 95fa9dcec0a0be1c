"""Gross and net exposure of a scope, worst case over working orders, and the limits on it.

For each instrument with a position or working orders, the worst cases are ``long = pos +
buy`` (every buy fills) and ``short = pos - sell`` (every sell fills), valued at the
instrument's mark. Over a scope (everything, a venue, a strategy):

- gross exposure is the sum of ``max(|long|, |short|)`` values;
- net exposure lies between the sum of the ``short`` values and the sum of the ``long``
  values, so its worst case is the larger magnitude of the two.

An order is refused when it would take a total above its limit and further from zero than it
is (an order that reduces is never refused for exposure). Totals are cached and recomputed
only when the ledger or a price changed since.
"""

# ruff: noqa: PLR0917 - hot-path calls pass raw ints positionally (keywords cost time)

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from shrivenquant.cache import Cache
from shrivenquant.model.currency import Currency
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.model.values import Money
from shrivenquant.risk.ledger import Exposure, RiskLedger
from shrivenquant.risk.market import MarketPrices
from shrivenquant.risk.reasons import Denial, RiskReason
from shrivenquant.risk.tables import SCALE2, ExposureLimit, LimitTable

RateSource = Callable[[Currency, Currency], Fraction | None]
Totals = tuple[int, int, int]
"""Gross, net if every buy fills, net if every sell fills (raw, in the limit's currency)."""

_ONE = Fraction(1)
_UNBOUNDED = 1 << 200  # more headroom than any limit has


def _show(raw: int, currency: Currency) -> str:
    return str(Money.from_raw(raw, currency))


class _Valuation:
    """How to value an instrument's quantities (multiplier, inverse, currency), with the last
    valuation kept: most scopes are recomputed for a change elsewhere."""

    __slots__ = ("currency", "inverse", "last", "multiplier")

    def __init__(self, multiplier: int, inverse: bool, currency: Currency) -> None:
        self.multiplier = multiplier
        self.inverse = inverse
        self.currency = currency
        self.last: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)

    def values(self, long: int, short: int, mark: int) -> tuple[int, int]:
        """Values of the worst cases ``long`` and ``short`` at ``mark``."""
        last = self.last
        if last[0] == long and last[1] == short and last[2] == mark:
            return last[3], last[4]
        long_value, short_value = self.value(long, mark), self.value(short, mark)
        self.last = (long, short, mark, long_value, short_value)
        return long_value, short_value

    def value(self, qty: int, price: int) -> int:
        """Value of ``|qty|`` at ``price`` (raw, rounded up)."""
        size = qty if qty >= 0 else -qty
        if not self.inverse:
            return -(-size * price * self.multiplier // SCALE2)
        return -(-size * self.multiplier // price) if price > 0 else 0


class ExposureTotals:
    """Cached scope totals and the exposure checks for one more order."""

    __slots__ = ("_cache", "_ledger", "_prices", "_rates", "_scopes", "_valuations", "fallback")

    def __init__(
        self, cache: Cache, ledger: RiskLedger, prices: MarketPrices, rates: RateSource
    ) -> None:
        self._cache = cache
        self._ledger = ledger
        self._prices = prices
        self._rates = rates
        self._valuations: dict[str, _Valuation | None] = {}
        self._scopes: dict[tuple[str, str, str], tuple[int, int, Totals | Denial]] = {}
        self.fallback: dict[str, int] = {}

    def mark(self, key: str) -> int:
        """The price an instrument's exposure is valued at: the reference price, else the
        price of the last order the engine let through (0: none)."""
        return self._prices.reference(key) or self.fallback.get(key, 0)

    def rate(self, source: Currency, target: Currency) -> Fraction | None:
        """The exchange rate (1 for the same currency)."""
        return _ONE if source == target else self._rates(source, target)

    def clear(self) -> None:
        """Forget cached valuations and totals (instruments or limits changed)."""
        self._valuations.clear()
        self._scopes.clear()

    # -- checks ------------------------------------------------------------------------------

    def check_limits(
        self, table: LimitTable, exposure: Exposure, sign: int, added: int, mark: int
    ) -> Denial | None:
        """Refuse when ``added`` more quantity breaks any exposure limit of ``table``.

        An order can move a total by at most the value of its own quantity, so a limit with
        that much headroom passes without the exact computation. The least headroom of the
        table's limits is left on the table (``exposure_headroom``), so that while the ledger
        and the prices stay as they are, the check's fast path clears an order of at most
        that value with one compare.
        """
        own: tuple[int, int, int, int, int, int] | None = None
        mine: tuple[int, int, int, int, int, int] | None = None
        step = table.notional(added, mark)
        ledger_version, price_version = self._ledger.version, self._prices.version
        least = _UNBOUNDED  # the least headroom of the limits
        comparable = True  # every limit in the instrument's currency
        for limit in table.exposures:
            if limit.ledger_version != ledger_version or limit.price_version != price_version:
                self.totals(limit)
            if limit.same_currency is table.currency:
                headroom = limit.headroom
                least = min(least, headroom)
                if step <= headroom:
                    continue
            else:
                comparable = False
            totals = limit.cached
            if len(totals) == 2:
                return totals
            if limit.kind == "STRATEGY":
                if mine is None:
                    strategy = self._ledger.strategy(table.strategy_key, table.instrument_key)
                    mine = _contributions(table, strategy, sign, added, mark)
                values = mine
            else:
                if own is None:
                    own = _contributions(table, exposure, sign, added, mark)
                values = own
            currency = limit.currency
            if currency is not table.currency and currency != table.currency:
                rate = self._rates(table.currency, currency)
                if rate is None:
                    return _no_rate(table.currency, currency)
                values = _converted(values, rate)
            denial = _check_limit(limit, totals, values, sign)
            if denial is not None:
                return denial
        if comparable:
            table.exposure_headroom = least
            table.exposure_ledger_version = ledger_version
            table.exposure_price_version = price_version
        return None

    def check_fx_limits(
        self,
        table: LimitTable,
        exposure: Exposure,
        sign: int,
        qty: int,
        added: int,
        mark: int,
        price: int,
    ) -> Denial | None:
        """Notional limits set in another currency than the instrument's."""
        for fx in table.fx_limits:
            currency = fx.limit.currency
            rate = self.rate(table.currency, currency)
            if rate is None:
                return _no_rate(table.currency, currency)
            if fx.reason is RiskReason.MAX_POSITION_NOTIONAL:
                if added <= 0:
                    continue
                mine = (
                    self._ledger.strategy(table.strategy_key, table.instrument_key)
                    if fx.strategy
                    else exposure
                )
                before = mine.pos + mine.buy if sign > 0 else mine.pos - mine.sell
                after = before + added if sign > 0 else before - added
                if abs(after) <= abs(before):
                    continue
                value = -(-table.notional(abs(after), mark) * rate.numerator // rate.denominator)
                if value > fx.limit.raw:
                    return (
                        fx.reason,
                        f"the worst-case position in {table.instrument_id} would be worth "
                        f"{_show(value, currency)}, beyond the limit{fx.label} {fx.limit}",
                    )
                continue
            value = table.notional(qty, price) * rate.numerator // rate.denominator
            if (value < fx.limit.raw) if fx.minimum else (value > fx.limit.raw):
                side = "below" if fx.minimum else "above"
                return (
                    fx.reason,
                    f"notional {_show(value, currency)} is {side} the limit{fx.label} {fx.limit}",
                )
        return None

    # -- totals ------------------------------------------------------------------------------

    def totals(self, limit: ExposureLimit) -> Totals | Denial:
        """Gross and worst-case net totals of the limit's scope in its currency (or why they
        cannot be valued), cached until the ledger or a price changes."""
        ledger_version, price_version = self._ledger.version, self._prices.version
        if limit.ledger_version == ledger_version and limit.price_version == price_version:
            return limit.cached
        scope = (limit.kind, limit.key, limit.currency.code)
        shared = self._scopes.get(scope)
        if shared is not None and shared[0] == ledger_version and shared[1] == price_version:
            result = shared[2]  # a gross and a net limit on one scope share the totals
        else:
            result = self._compute(limit.kind, limit.key, limit.currency)
            self._scopes[scope] = (ledger_version, price_version, result)
        limit.cached = result
        limit.ledger_version, limit.price_version = ledger_version, price_version
        if len(result) == 2:
            limit.headroom = -1
        else:
            gross, net_long, net_short = result
            used = gross if limit.gross else max(abs(net_long), abs(net_short))
            limit.headroom = limit.raw - used
        return result

    def _compute(self, kind: str, key: str, currency: Currency) -> Totals | Denial:
        ledger = self._ledger
        if kind == "GLOBAL":
            exposures = ledger.instruments
        elif kind == "VENUE":
            exposures = ledger.venue_instruments.get(key, {})
        else:
            exposures = ledger.strategies.get(key, {})
        gross = net_long = net_short = 0
        for instrument_key, exposure in exposures.items():
            long, short = exposure.pos + exposure.buy, exposure.pos - exposure.sell
            if not long and not short:
                continue
            valuation = self._valuation(instrument_key)
            mark = self.mark(instrument_key)
            if valuation is None or mark <= 0:
                return (
                    RiskReason.NO_MARKET_PRICE,
                    f"cannot value the exposure in {instrument_key}: no market price",
                )
            long_value, short_value = valuation.values(long, short, mark)
            if valuation.currency is not currency and valuation.currency != currency:
                rate = self._rates(valuation.currency, currency)
                if rate is None:
                    return _no_rate(valuation.currency, currency)
                num, den = rate.numerator, rate.denominator
                long_value = -(-long_value * num // den)
                short_value = -(-short_value * num // den)
            gross += max(long_value, short_value)
            net_long += long_value if long >= 0 else -long_value
            net_short += short_value if short >= 0 else -short_value
        return gross, net_long, net_short

    def _valuation(self, key: str) -> _Valuation | None:
        if key in self._valuations:
            return self._valuations[key]
        instrument = self._cache.instrument(InstrumentId.parse_cached(key))
        valuation = (
            None
            if instrument is None
            else _Valuation(
                instrument.multiplier.raw, instrument.is_inverse, instrument.notional_currency
            )
        )
        self._valuations[key] = valuation
        return valuation


def _contributions(
    table: LimitTable, exposure: Exposure, sign: int, added: int, mark: int
) -> tuple[int, int, int, int, int, int]:
    """Signed values of the worst cases before and after, and the unsigned maxima.

    Returns ``(long, short, long_after, short_after, gross_before, gross_after)`` where the
    first four are signed values of the worst-case positions.
    """
    long, short = exposure.pos + exposure.buy, exposure.pos - exposure.sell
    factor = mark * table.multiplier
    if table.inverse:
        long_value, short_value = table.notional(abs(long), mark), table.notional(abs(short), mark)
        grown = table.notional(abs(long + added if sign > 0 else short - added), mark)
    else:
        long_value = -(-abs(long) * factor // SCALE2)
        short_value = -(-abs(short) * factor // SCALE2)
        grown = -(-abs(long + added if sign > 0 else short - added) * factor // SCALE2)
    signed_long = long_value if long >= 0 else -long_value
    signed_short = short_value if short >= 0 else -short_value
    if sign > 0:
        after = long + added
        long_after, short_after = (grown if after >= 0 else -grown), signed_short
        gross_after = max(grown, short_value)
    else:
        after = short - added
        long_after, short_after = signed_long, (grown if after >= 0 else -grown)
        gross_after = max(long_value, grown)
    gross_before = max(long_value, short_value)
    return signed_long, signed_short, long_after, short_after, gross_before, gross_after


def _converted(
    values: tuple[int, int, int, int, int, int], rate: Fraction
) -> tuple[int, int, int, int, int, int]:
    num, den = rate.numerator, rate.denominator
    return tuple(  # type: ignore[return-value]
        -(-v * num // den) if v >= 0 else (v * num // den) for v in values
    )


def _check_limit(
    limit: ExposureLimit,
    totals: Totals,
    values: tuple[int, int, int, int, int, int],
    sign: int,
) -> Denial | None:
    gross, net_long, net_short = totals
    long, short, long_after, short_after, gross_before, gross_after = values
    bound = limit.raw
    if limit.gross:
        new_gross = gross - gross_before + gross_after
        if new_gross > bound and new_gross > gross:
            return (
                RiskReason.MAX_GROSS_EXPOSURE,
                f"the worst-case {limit.label} would be {_show(new_gross, limit.currency)}, "
                f"beyond the limit {limit.limit}",
            )
        return None
    old_worst = max(abs(net_long), abs(net_short))
    if sign > 0:
        net_long += long_after - long
    else:
        net_short += short_after - short
    new_worst = max(abs(net_long), abs(net_short))
    if new_worst > bound and new_worst > old_worst:
        return (
            RiskReason.MAX_NET_EXPOSURE,
            f"the worst-case {limit.label} would be {_show(new_worst, limit.currency)}, beyond "
            f"the limit {limit.limit}",
        )
    return None


def _no_rate(source: Currency, target: Currency) -> Denial:
    return (
        RiskReason.NO_EXCHANGE_RATE,
        f"no exchange rate from {source.code} to {target.code} to check the limit",
    )
