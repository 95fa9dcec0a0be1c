"""Random order flows shared by the venue and OMS property tests."""

from __future__ import annotations

import random
from typing import Any

from shrivenquant.model.enums import AggressorSide, OrderSide, OrderType, TimeInForce
from shrivenquant.model.values import Price

MID = 50_000
SIDES = (OrderSide.BUY, OrderSide.SELL)
TYPES = [
    OrderType.LIMIT,
    OrderType.LIMIT,
    OrderType.LIMIT,
    OrderType.MARKET,
    OrderType.STOP_MARKET,
    OrderType.STOP_LIMIT,
    OrderType.MARKET_IF_TOUCHED,
    OrderType.LIMIT_IF_TOUCHED,
]
TIFS = [TimeInForce.GTC, TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK, TimeInForce.GTD]
LIMIT_PRICED = (OrderType.LIMIT, OrderType.STOP_LIMIT, OrderType.LIMIT_IF_TOUCHED)


def random_ops(rnd: random.Random, count: int, market: bool) -> list[tuple[Any, ...]]:
    """A long random flow (the same operation shapes as the strategies above)."""
    kinds = ["submit"] * 5 + ["cancel", "modify", "time"]
    if market:
        kinds += ["quote", "quote", "trade", "bar"]
    ops: list[tuple[Any, ...]] = []
    for _ in range(count):
        kind = rnd.choice(kinds)
        if kind == "submit":
            ops.append((
                "submit", rnd.randrange(3), rnd.choice(TYPES), rnd.choice(list(SIDES)),
                rnd.randint(1, 20), rnd.randint(-4, 4), rnd.randint(-4, 4), rnd.choice(TIFS),
                rnd.random() < 0.2, rnd.random() < 0.1,
            ))  # fmt: skip
        elif kind == "cancel":
            ops.append(("cancel", rnd.randrange(3), rnd.randrange(10_000)))
        elif kind == "modify":
            ops.append(
                ("modify", rnd.randrange(3), rnd.randrange(10_000), rnd.randint(1, 20),
                 rnd.randint(-4, 4))
            )  # fmt: skip
        elif kind == "time":
            ops.append(("time", rnd.randint(1, 5)))
        elif kind == "quote":
            ops.append(("quote", rnd.randint(-4, 4), rnd.randint(1, 3), rnd.randint(1, 30)))
        elif kind == "trade":
            ops.append(
                ("trade", rnd.randint(-5, 5), rnd.randint(1, 30), rnd.choice(list(AggressorSide)))
            )
        else:
            ops.append(
                ("bar", rnd.randint(-3, 3), rnd.randint(0, 5), rnd.randint(0, 5),
                 rnd.randint(0, 40))
            )  # fmt: skip
    return ops


def px(offset: int) -> Price:
    """The price ``offset`` whole USDT from the mid."""
    return Price(f"{MID + offset}.00")


def order_fields(
    order_type: OrderType,
    price: int,
    trigger: int,
    tif: TimeInForce,
    post_only: bool,
    reduce_only: bool,
    now: int,
) -> dict[str, Any]:
    """The fields of a valid order of ``order_type`` from a random submit operation."""
    fields: dict[str, Any] = {"time_in_force": tif, "reduce_only": reduce_only}
    if order_type in LIMIT_PRICED:
        fields["price"] = px(price)
        fields["post_only"] = post_only and tif not in (TimeInForce.IOC, TimeInForce.FOK)
    if order_type not in (OrderType.LIMIT, OrderType.MARKET):
        fields["trigger_price"] = px(trigger)
    if order_type is OrderType.MARKET and tif is TimeInForce.GTD:
        fields["time_in_force"] = TimeInForce.IOC
    if fields["time_in_force"] is TimeInForce.GTD:
        fields["expire_time_ns"] = now + 3_000
    return fields
