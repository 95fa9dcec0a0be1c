from decimal import Decimal

import pytest

from shrivenquant.model.enums import OrderStatus, PositionSide
from shrivenquant.model.values import Quantity
from shrivenquant.testkit.stubs import TestReportStubs


def test_order_status_report_leaves_qty() -> None:
    report = TestReportStubs.order_status(quantity="1.00000", filled="0.40000")
    assert report.leaves_qty == Quantity("0.60000")
    assert report.order_status is OrderStatus.PARTIALLY_FILLED


def test_order_status_report_refuses_overfill() -> None:
    with pytest.raises(ValueError, match="exceeds quantity"):
        TestReportStubs.order_status(quantity="1.00000", filled="1.50000")


def test_position_report_sign_and_consistency() -> None:
    assert TestReportStubs.position(PositionSide.SHORT, "2").signed_qty == Decimal("-2")
    assert TestReportStubs.position(PositionSide.FLAT, "0").signed_qty == 0
    with pytest.raises(ValueError, match="disagrees"):
        TestReportStubs.position(PositionSide.FLAT, "1")
    with pytest.raises(ValueError, match="disagrees"):
        TestReportStubs.position(PositionSide.LONG, "0")
