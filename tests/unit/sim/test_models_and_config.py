"""Fee, fill and latency models, the venue config, and the cash lock arithmetic."""

from __future__ import annotations

from datetime import time
from decimal import ROUND_DOWN, Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shrivenquant.core.errors import InvalidInputError
from shrivenquant.model.accounts import CashAccount
from shrivenquant.model.currency import BTC, USDT
from shrivenquant.model.enums import AccountType, BookType, LiquiditySide, OrderSide
from shrivenquant.model.identifiers import AccountId, InstrumentId
from shrivenquant.model.values import Money, Price, Quantity
from shrivenquant.sim import (
    FillModel,
    LatencyModel,
    MakerTakerFeeModel,
    SimulatedVenueConfig,
    VenueAccount,
)
from shrivenquant.testkit.instruments import TestInstrumentProvider

from .conftest import default_config

SPOT = TestInstrumentProvider.btcusdt_binance()
PERP = TestInstrumentProvider.btcusdt_perp_binance()


class TestFeeModel:
    def test_maker_and_taker_rates_on_notional(self) -> None:
        model = MakerTakerFeeModel()
        qty, px = Quantity("0.12345"), Price("50000.01")
        taker = model.commission(PERP, qty, px, LiquiditySide.TAKER)
        maker = model.commission(PERP, qty, px, LiquiditySide.MAKER)
        notional = qty.as_decimal() * px.as_decimal()
        assert taker == Money(
            (notional * Decimal("0.0005")).quantize(Decimal("1e-8"), ROUND_DOWN), USDT
        )
        assert maker == Money(
            (notional * Decimal("0.0002")).quantize(Decimal("1e-8"), ROUND_DOWN), USDT
        )

    def test_rebates_round_toward_zero(self) -> None:
        rebate = SPOT.__class__(**{**_fields(SPOT), "maker_fee": Decimal("-0.00013")})
        fee = MakerTakerFeeModel().commission(
            rebate, Quantity("0.00001"), Price("333.33"), LiquiditySide.MAKER
        )
        # exact: -0.00000043332900 -> -0.00000043 (toward zero)
        assert fee == Money("-0.00000043", USDT)

    def test_inverse_notional_in_the_base_currency(self) -> None:
        inverse = PERP.__class__(
            **{
                **_fields(PERP),
                "id": InstrumentId("BTCUSD-PERP.BINANCE"),
                "is_inverse": True,
                "settlement_currency": BTC,
                "multiplier": Quantity("100"),
                "min_notional": None,
            }
        )
        fee = MakerTakerFeeModel().commission(
            inverse, Quantity("3.000"), Price("50000.0"), LiquiditySide.TAKER
        )
        assert fee == Money("0.00000300", BTC)  # 300 USD / 50000 = 0.006 BTC * 0.05 %

    def test_no_liquidity_side_is_refused(self) -> None:
        with pytest.raises(ValueError, match="MAKER or TAKER"):
            MakerTakerFeeModel().commission(
                SPOT, Quantity("1"), Price("1"), LiquiditySide.NO_LIQUIDITY_SIDE
            )


def _fields(instrument: Any) -> dict[str, Any]:
    return {name: getattr(instrument, name) for name in instrument.__struct_fields__}


class TestLatencyModel:
    def test_fixed_and_jitter(self) -> None:
        sampler = LatencyModel(submit_ns=10, modify_ns=20, cancel_ns=30, jitter_ns=5).sampler()
        draws = [sampler.submit() for _ in range(200)]
        assert min(draws) >= 10
        assert max(draws) <= 15
        assert len(set(draws)) > 1
        assert 20 <= sampler.modify() <= 25
        assert 30 <= sampler.cancel() <= 35

    def test_seeded(self) -> None:
        model = LatencyModel.fixed(100, jitter_ns=50, seed=9)
        first, second = model.sampler(), model.sampler()
        assert [first.submit() for _ in range(20)] == [second.submit() for _ in range(20)]

    def test_zero(self) -> None:
        assert LatencyModel().is_zero
        assert not LatencyModel(jitter_ns=1).is_zero

    @pytest.mark.parametrize("field", ["submit_ns", "jitter_ns"])
    def test_negative_is_refused(self, field: str) -> None:
        with pytest.raises(InvalidInputError, match=field):
            LatencyModel(**{field: -1})


class TestFillModel:
    def test_probabilities_in_range(self) -> None:
        with pytest.raises(InvalidInputError, match="prob_slippage"):
            FillModel(prob_slippage=1.5)
        with pytest.raises(InvalidInputError, match="prob_fill_at_touch"):
            FillModel(prob_fill_at_touch="half")  # type: ignore[arg-type]

    def test_deterministic_by_default(self) -> None:
        model = FillModel()
        assert model.is_deterministic
        rng = model.rng(SPOT.id)
        assert not model.touch_fills(rng)
        assert not model.slips(rng)
        assert FillModel(fill_at_touch=True).touch_fills(rng)
        assert not FillModel(prob_fill_at_touch=0.3).is_deterministic


class TestConfig:
    def test_parsed_from_a_mapping(self) -> None:
        config = SimulatedVenueConfig.from_mapping(
            {
                "venue": "BINANCE",
                "starting_balances": ["1000 USDT", "1 BTC"],
                "account_type": "cash",
                "book_type": "l2_mbp",
                "fill_model": {"prob_fill_at_touch": 0.25, "seed": 4},
                "latency_model": {"submit_ns": 1000, "jitter_ns": 10},
                "fee_model": "maker_taker",
                "day_close_utc": "10:00",
            }
        )
        assert config.starting_balances == (Money("1000", USDT), Money("1", BTC))
        assert config.account_type is AccountType.CASH
        assert config.book_type is BookType.L2_MBP
        assert config.fill_model == FillModel(prob_fill_at_touch=0.25, seed=4)
        assert config.latency_model.submit_ns == 1000
        assert config.day_close_utc == time(10, 0)

    @pytest.mark.parametrize(
        ("values", "message"),
        [
            ({"colour": "red"}, "unknown simulated venue config field"),
            ({"account_type": "SPOT"}, "account_type"),
            ({"starting_balances": []}, "at least one balance"),
            ({"starting_balances": ["1 USDT", "2 USDT"]}, "two balances in USDT"),
            ({"starting_balances": ["-1 USDT"]}, "negative"),
            ({"starting_balances": ["1 XYZ"]}, "starting_balances"),
            ({"base_currency": "USDT"}, "not in the base currency"),
            ({"default_leverage": "5"}, "only margin accounts"),
            ({"book_type": "L4"}, "book_type"),
            ({"fill_model": {"bogus": 1}}, "fill_model: unknown field"),
            ({"fee_model": "flat"}, "fee_model"),
            ({"day_close_utc": "25:00"}, "day_close_utc"),
            ({"reject_stop_orders": "yes"}, "reject_stop_orders"),
        ],
    )
    def test_invalid_values_name_the_field(self, values: dict[str, Any], message: str) -> None:
        base: dict[str, Any] = {"venue": "BINANCE", "starting_balances": ["10 USDT", "1 BTC"]}
        with pytest.raises(InvalidInputError, match=message):
            SimulatedVenueConfig.from_mapping({**base, **values})

    def test_margin_leverage(self) -> None:
        config = default_config(
            account_type="MARGIN",
            base_currency="USDT",
            starting_balances=("100 USDT",),
            leverages={"BTCUSDT-PERP.BINANCE": "20"},
        )
        assert config.leverages == {PERP.id: Decimal(20)}
        with pytest.raises(InvalidInputError, match=">= 1"):
            default_config(
                account_type="MARGIN",
                base_currency="USDT",
                starting_balances=("100 USDT",),
                default_leverage="0.5",
            )


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([OrderSide.BUY, OrderSide.SELL]),
    st.integers(1, 10**9),
    st.integers(1, 10**8),
    st.sampled_from(["0", "0.001", "0.00075", "-0.0001", "0.0333333"]),
)
def test_cash_lock_arithmetic_matches_the_cash_account(
    side: OrderSide, lots: int, ticks: int, fee: str
) -> None:
    instrument = SPOT.__class__(**{**_fields(SPOT), "taker_fee": Decimal(fee)})
    config = default_config()
    venue_account = VenueAccount(AccountId("A-001"), config)
    assert isinstance(venue_account.account, CashAccount)
    qty = Quantity.from_raw(lots * 10_000, 5)
    price = Price.from_raw(ticks * 10_000_000, 2)
    expected = venue_account.account.calculate_balance_locked(instrument, side, qty, price)
    assert venue_account.required(instrument, side, qty.raw, price.raw) == expected
