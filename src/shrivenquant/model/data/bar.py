"""Bars (OHLCV) and the types that name a bar series.

A bar series is named by a `BarType` whose string form is
``INSTRUMENT_ID-STEP-AGGREGATION-PRICE_TYPE-SOURCE``, e.g.
``BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL``: one-minute bars of last-trade prices built by the
venue. The instrument id may itself contain ``-`` (``BTCUSDT-PERP.BINANCE``), so the string is
split from the right.
"""

from __future__ import annotations

from typing import Any, ClassVar, Final

from shrivenquant.model.data.base import Data
from shrivenquant.model.enums import AggregationSource, BarAggregation, PriceType
from shrivenquant.model.identifiers import InstrumentId
from shrivenquant.model.values import Price, Quantity

_NS_PER: Final[dict[BarAggregation, int]] = {
    BarAggregation.MILLISECOND: 1_000_000,
    BarAggregation.SECOND: 1_000_000_000,
    BarAggregation.MINUTE: 60_000_000_000,
    BarAggregation.HOUR: 3_600_000_000_000,
    BarAggregation.DAY: 86_400_000_000_000,
    BarAggregation.WEEK: 604_800_000_000_000,
}
_CACHE_LIMIT: Final = 10_000


class BarSpecification:
    """How bars are cut: every ``step`` units of ``aggregation``, from ``price_type`` prices.

    ``BarSpecification(1, BarAggregation.MINUTE, PriceType.LAST)`` is written ``1-MINUTE-LAST``.

    Raises:
        ValueError: ``step`` is not a positive int.
        TypeError: ``aggregation`` or ``price_type`` has the wrong type.
    """

    __slots__ = ("_aggregation", "_price_type", "_step")

    _step: int
    _aggregation: BarAggregation
    _price_type: PriceType

    def __init__(self, step: int, aggregation: BarAggregation, price_type: PriceType) -> None:
        if type(step) is not int or step <= 0:
            raise ValueError(f"BarSpecification step must be a positive int, got {step!r}")
        if not isinstance(aggregation, BarAggregation):
            raise TypeError(
                f"BarSpecification aggregation must be a BarAggregation: {aggregation!r}"
            )
        if not isinstance(price_type, PriceType):
            raise TypeError(f"BarSpecification price_type must be a PriceType: {price_type!r}")
        object.__setattr__(self, "_step", step)
        object.__setattr__(self, "_aggregation", aggregation)
        object.__setattr__(self, "_price_type", price_type)

    @classmethod
    def from_str(cls, value: str) -> BarSpecification:
        """Parse ``STEP-AGGREGATION-PRICE_TYPE`` (``1-MINUTE-LAST``).

        Raises:
            ValueError: the string is malformed; the message names the bad part.
        """
        parts = value.split("-")
        if len(parts) != 3:
            raise ValueError(
                f"invalid BarSpecification {value!r}: expected 'STEP-AGGREGATION-PRICE_TYPE', "
                f"e.g. '1-MINUTE-LAST'"
            )
        return cls._from_parts(parts[0], parts[1], parts[2], value)

    @classmethod
    def _from_parts(
        cls, step: str, aggregation: str, price_type: str, shown: str
    ) -> BarSpecification:
        if not (step.isascii() and step.isdigit()) or step.startswith("0"):
            raise ValueError(
                f"invalid bar step {step!r} in {shown!r}: expected a positive integer "
                f"without leading zeros"
            )
        try:
            agg = BarAggregation.from_str(aggregation)
            price = PriceType.from_str(price_type)
        except ValueError as exc:
            raise ValueError(f"invalid bar specification in {shown!r}: {exc}") from None
        return cls(int(step), agg, price)

    @property
    def step(self) -> int:
        """How many aggregation units make one bar."""
        return self._step

    @property
    def aggregation(self) -> BarAggregation:
        """The unit the step is measured in."""
        return self._aggregation

    @property
    def price_type(self) -> PriceType:
        """Which prices feed the bar."""
        return self._price_type

    def is_time_aggregated(self) -> bool:
        """Whether bars close on a clock (MILLISECOND..MONTH) rather than on activity."""
        return self._aggregation in _NS_PER or self._aggregation is BarAggregation.MONTH

    def timedelta_ns(self) -> int:
        """The bar length in nanoseconds.

        Raises:
            ValueError: the aggregation has no fixed length (MONTH, TICK, VOLUME, VALUE).
        """
        unit = _NS_PER.get(self._aggregation)
        if unit is None:
            raise ValueError(f"{self._aggregation} bars have no fixed length in nanoseconds")
        return self._step * unit

    def __str__(self) -> str:
        return f"{self._step}-{self._aggregation.name}-{self._price_type.name}"

    def __repr__(self) -> str:
        return f"BarSpecification('{self}')"

    def _key(self) -> tuple[int, BarAggregation, PriceType]:
        return (self._step, self._aggregation, self._price_type)

    def __eq__(self, other: object) -> bool:
        if type(other) is BarSpecification:
            return self._key() == other._key()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("BarSpecification is immutable")

    def __reduce__(self) -> tuple[Any, ...]:
        return (BarSpecification, self._key())


class BarType:
    """Names one bar series: instrument, specification and who builds the bars.

    Hashable and immutable; ``str(bar_type)`` and `BarType.from_str` round-trip exactly.
    """

    __slots__ = ("_instrument_id", "_source", "_spec", "_str")

    _instrument_id: InstrumentId
    _spec: BarSpecification
    _source: AggregationSource
    _str: str
    _cache: ClassVar[dict[str, BarType]] = {}

    def __init__(
        self,
        instrument_id: InstrumentId,
        spec: BarSpecification,
        aggregation_source: AggregationSource = AggregationSource.EXTERNAL,
    ) -> None:
        if type(instrument_id) is not InstrumentId:
            raise TypeError(f"BarType instrument_id must be an InstrumentId: {instrument_id!r}")
        if type(spec) is not BarSpecification:
            raise TypeError(f"BarType spec must be a BarSpecification: {spec!r}")
        if not isinstance(aggregation_source, AggregationSource):
            raise TypeError(
                f"BarType aggregation_source must be an AggregationSource: {aggregation_source!r}"
            )
        object.__setattr__(self, "_instrument_id", instrument_id)
        object.__setattr__(self, "_spec", spec)
        object.__setattr__(self, "_source", aggregation_source)
        object.__setattr__(self, "_str", f"{instrument_id}-{spec}-{aggregation_source.name}")

    @classmethod
    def from_str(cls, value: str) -> BarType:
        """Parse ``INSTRUMENT_ID-STEP-AGGREGATION-PRICE_TYPE-SOURCE``.

        Parsed values are cached (bar series are few and decoding parses one per bar).

        Raises:
            ValueError: the string is malformed; the message names the bad part.
        """
        got = cls._cache.get(value)
        if got is not None:
            return got
        if type(value) is not str:
            raise TypeError(f"BarType.from_str expects str, got {type(value).__name__}")
        parts = value.rsplit("-", 4)
        if len(parts) != 5 or not parts[0]:
            raise ValueError(
                f"invalid BarType {value!r}: expected "
                f"'INSTRUMENT_ID-STEP-AGGREGATION-PRICE_TYPE-SOURCE', "
                f"e.g. 'BTCUSDT.BINANCE-1-MINUTE-LAST-EXTERNAL'"
            )
        instrument, step, aggregation, price_type, source = parts
        try:
            instrument_id = InstrumentId(instrument)
        except ValueError as exc:
            raise ValueError(f"invalid instrument id in BarType {value!r}: {exc}") from None
        spec = BarSpecification._from_parts(step, aggregation, price_type, value)
        try:
            aggregation_source = AggregationSource.from_str(source)
        except ValueError as exc:
            raise ValueError(f"invalid aggregation source in BarType {value!r}: {exc}") from None
        bar_type = cls(instrument_id, spec, aggregation_source)
        if len(cls._cache) < _CACHE_LIMIT:
            cls._cache[value] = bar_type
        return bar_type

    @property
    def instrument_id(self) -> InstrumentId:
        """The instrument the bars are of."""
        return self._instrument_id

    @property
    def spec(self) -> BarSpecification:
        """How the bars are cut."""
        return self._spec

    @property
    def aggregation_source(self) -> AggregationSource:
        """EXTERNAL when the venue builds the bars, INTERNAL when ShrivenQuant does."""
        return self._source

    def is_externally_aggregated(self) -> bool:
        """Whether the venue builds these bars."""
        return self._source is AggregationSource.EXTERNAL

    def is_internally_aggregated(self) -> bool:
        """Whether ShrivenQuant builds these bars from ticks."""
        return self._source is AggregationSource.INTERNAL

    def __str__(self) -> str:
        return self._str

    def __repr__(self) -> str:
        return f"BarType('{self._str}')"

    def __eq__(self, other: object) -> bool:
        if type(other) is BarType:
            return self._str == other._str
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._str)

    def __lt__(self, other: BarType) -> bool:
        if type(other) is BarType:
            return self._str < other._str
        return NotImplemented

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("BarType is immutable")

    def __reduce__(self) -> tuple[Any, ...]:
        return (BarType.from_str, (self._str,))


class Bar(Data, frozen=True, kw_only=True, gc=False):
    """One OHLCV bar; ``ts_event`` is when the bar closed.

    Construction does not check the OHLC relations, so decoding stays cheap; build bars from
    untrusted input with `Bar.checked`, or call `validate`.
    """

    bar_type: BarType
    open: Price
    high: Price
    low: Price
    close: Price
    volume: Quantity

    @classmethod
    def checked(
        cls,
        *,
        bar_type: BarType,
        open: Price,
        high: Price,
        low: Price,
        close: Price,
        volume: Quantity,
        ts_event: int,
        ts_init: int,
    ) -> Bar:
        """Build a bar and `validate` it."""
        bar = cls(
            bar_type=bar_type,
            open=open,
            high=high,
            low=low,
            close=close,
            volume=volume,
            ts_event=ts_event,
            ts_init=ts_init,
        )
        bar.validate()
        return bar

    def validate(self) -> None:
        """Raise `ValueError` unless high >= max(open, close, low) and low <= min(open, close).

        Volume cannot be negative: `Quantity` never is.
        """
        high, low = self.high.raw, self.low.raw
        open_, close = self.open.raw, self.close.raw
        if high < open_ or high < close:
            raise ValueError(
                f"Bar {self.bar_type}: high {self.high} is below open {self.open} or "
                f"close {self.close}"
            )
        if low > open_ or low > close:
            raise ValueError(
                f"Bar {self.bar_type}: low {self.low} is above open {self.open} or "
                f"close {self.close}"
            )
