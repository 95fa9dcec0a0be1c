"""Validation of an `OrderInitialized` against the rules of its order type.

Each order class declares an `OrderRules`; `check_order_init` applies the rules and raises
``ValueError`` naming the offending field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum, unique
from typing import Final

from shrivenquant.model.enums import (
    ContingencyType,
    OrderSide,
    OrderType,
    TimeInForce,
    TrailingOffsetType,
    TriggerType,
)
from shrivenquant.model.events.order import OrderInitialized

ALL_TIME_IN_FORCE: Final = frozenset(TimeInForce)
_IMMEDIATE: Final = frozenset({TimeInForce.IOC, TimeInForce.FOK})


@unique
class FieldRule(Enum):
    """Whether an order type needs, may have, or must not have a field."""

    REQUIRED = "REQUIRED"
    OPTIONAL = "OPTIONAL"
    FORBIDDEN = "FORBIDDEN"


@dataclass(frozen=True, slots=True)
class OrderRules:
    """The construction rules of one order type.

    Attributes:
        order_type: the type these rules are for.
        price: the rule for ``price`` (the limit price).
        trigger_price: the rule for ``trigger_price``.
        passive: whether the order can rest as a limit order (``post_only``, ``display_qty``).
        has_trigger: whether a trigger condition fires the order (stop, if-touched, trailing).
        trailing: whether ``trailing_offset`` (and its type) are required.
        limit_offset: the rule for ``limit_offset`` (trailing stop-limit only).
        time_in_force: the allowed times in force.
    """

    order_type: OrderType
    price: FieldRule
    trigger_price: FieldRule
    passive: bool
    has_trigger: bool
    trailing: bool = False
    limit_offset: FieldRule = FieldRule.FORBIDDEN
    time_in_force: frozenset[TimeInForce] = field(default=ALL_TIME_IN_FORCE)


# The last (init, rules) found valid: an order is checked when the OMS creates it and again
# when the venue receives the same (immutable) init; the second check is an identity test.
_last_valid: list[tuple[OrderInitialized, OrderRules] | None] = [None]


def check_order_init(init: OrderInitialized, rules: OrderRules) -> None:
    """Raise ``ValueError`` naming the field if ``init`` breaks ``rules``."""
    last = _last_valid[0]
    if last is not None and last[0] is init and last[1] is rules:
        return
    _check_order_init(init, rules)
    _last_valid[0] = (init, rules)


def _check_order_init(init: OrderInitialized, rules: OrderRules) -> None:
    if init.order_type is not rules.order_type:
        raise ValueError(f"{_where(init)}: order_type must be {rules.order_type}")
    if init.order_side not in (OrderSide.BUY, OrderSide.SELL):
        raise ValueError(f"{_where(init)}: order_side must be BUY or SELL, got {init.order_side}")
    if init.quantity.raw <= 0:
        raise ValueError(f"{_where(init)}: quantity must be positive, got {init.quantity}")
    _check_time_in_force(init, rules)
    _check_rule("price", init.price, rules.price, init)
    _check_rule("trigger_price", init.trigger_price, rules.trigger_price, init)
    if not rules.has_trigger and init.trigger_type is not TriggerType.DEFAULT:
        raise ValueError(f"{_where(init)}: trigger_type is only valid for orders with a trigger")
    if init.post_only or init.display_qty is not None:
        _check_passive(init, rules)
    if (
        init.emulation_trigger is not None
        and rules.price is FieldRule.FORBIDDEN
        and not rules.has_trigger
    ):
        raise ValueError(f"{_where(init)}: emulation_trigger needs a price or trigger to watch")
    if (
        rules.trailing
        or init.trailing_offset is not None
        or init.trailing_offset_type is not TrailingOffsetType.NO_TRAILING_OFFSET
        or init.limit_offset is not None
        or rules.limit_offset is FieldRule.REQUIRED
    ):
        _check_trailing(init, rules)
    if (
        init.contingency_type is not ContingencyType.NO_CONTINGENCY
        or init.linked_order_ids
        or init.parent_order_id is not None
    ):
        _check_links(init)


def _check_time_in_force(init: OrderInitialized, rules: OrderRules) -> None:
    if init.time_in_force not in rules.time_in_force:
        allowed = ", ".join(sorted(t.name for t in rules.time_in_force))
        raise ValueError(
            f"{_where(init)}: time_in_force {init.time_in_force} not allowed ({allowed})"
        )
    if init.time_in_force is TimeInForce.GTD:
        if init.expire_time_ns is None or init.expire_time_ns <= 0:
            raise ValueError(
                f"{_where(init)}: expire_time_ns (positive UNIX ns) is required for GTD"
            )
    elif init.expire_time_ns is not None:
        raise ValueError(f"{_where(init)}: expire_time_ns is only valid with time_in_force GTD")


def _check_rule(name: str, value: object, rule: FieldRule, init: OrderInitialized) -> None:
    if value is None:
        if rule is FieldRule.REQUIRED:
            raise ValueError(f"{_where(init)}: {name} is required")
    elif rule is FieldRule.FORBIDDEN:
        raise ValueError(f"{_where(init)}: {name} is not valid for this order type")


def _check_passive(init: OrderInitialized, rules: OrderRules) -> None:
    if init.post_only:
        if not rules.passive:
            raise ValueError(
                f"{_where(init)}: post_only is only valid for limit-priced order types"
            )
        if init.time_in_force in _IMMEDIATE:
            raise ValueError(f"{_where(init)}: post_only cannot be combined with IOC or FOK")
    if init.display_qty is not None:
        if not rules.passive:
            raise ValueError(
                f"{_where(init)}: display_qty is only valid for limit-priced order types"
            )
        if init.time_in_force in _IMMEDIATE:
            raise ValueError(f"{_where(init)}: display_qty cannot be combined with IOC or FOK")
        if init.display_qty > init.quantity:
            raise ValueError(
                f"{_where(init)}: display_qty must not exceed quantity {init.quantity}"
            )


def _check_trailing(init: OrderInitialized, rules: OrderRules) -> None:
    offset_type = init.trailing_offset_type
    if not rules.trailing:
        if init.trailing_offset is not None:
            raise ValueError(f"{_where(init)}: trailing_offset is only valid for trailing stops")
        if offset_type is not TrailingOffsetType.NO_TRAILING_OFFSET:
            raise ValueError(
                f"{_where(init)}: trailing_offset_type is only valid for trailing stops"
            )
    else:
        if offset_type is TrailingOffsetType.NO_TRAILING_OFFSET:
            raise ValueError(f"{_where(init)}: trailing_offset_type is required")
        if init.trailing_offset is None:
            raise ValueError(f"{_where(init)}: trailing_offset is required")
        _check_offset("trailing_offset", init.trailing_offset, offset_type, init, positive=True)
    _check_rule("limit_offset", init.limit_offset, rules.limit_offset, init)
    if init.limit_offset is not None:
        _check_offset("limit_offset", init.limit_offset, offset_type, init, positive=False)


def _check_offset(
    name: str,
    value: Decimal,
    offset_type: TrailingOffsetType,
    init: OrderInitialized,
    *,
    positive: bool,
) -> None:
    if not value.is_finite():
        raise ValueError(f"{_where(init)}: {name} must be finite, got {value}")
    if value < 0 or (positive and value == 0):
        bound = "positive" if positive else "zero or positive"
        raise ValueError(f"{_where(init)}: {name} must be {bound}, got {value}")
    if offset_type is TrailingOffsetType.TICKS and value != value.to_integral_value():
        raise ValueError(f"{_where(init)}: {name} in TICKS must be a whole number, got {value}")


def _check_links(init: OrderInitialized) -> None:
    own = init.client_order_id
    linked = init.linked_order_ids
    if init.contingency_type is ContingencyType.NO_CONTINGENCY:
        if linked:
            raise ValueError(f"{_where(init)}: linked_order_ids needs a contingency_type")
    elif not linked:
        raise ValueError(
            f"{_where(init)}: contingency_type {init.contingency_type} needs linked ids"
        )
    if linked:
        if own in linked:
            raise ValueError(f"{_where(init)}: linked_order_ids must not contain the order itself")
        if len(set(linked)) != len(linked):
            raise ValueError(f"{_where(init)}: linked_order_ids contains duplicates")
    if init.parent_order_id is not None and init.parent_order_id == own:
        raise ValueError(f"{_where(init)}: parent_order_id must not be the order itself")


def _where(init: OrderInitialized) -> str:
    return f"{init.order_type} order {init.client_order_id}"
