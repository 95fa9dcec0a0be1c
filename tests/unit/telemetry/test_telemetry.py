import io
import json

import pytest

from shrivenquant.telemetry.logging import bind_context, configure_logging, get_logger
from shrivenquant.telemetry.metrics import MetricsRegistry


@pytest.fixture(autouse=True)
def _restore_logging() -> object:
    yield
    configure_logging()


def test_json_logs_carry_component_trader_and_correlation_ids() -> None:
    out = io.StringIO()
    configure_logging(level="INFO", fmt="json", stream=out)
    log = get_logger("RiskEngine", trader_id="TRADER-001")
    with bind_context(correlation_id="c-42"):
        log.info("order denied", reason="max notional")
    log.debug("hidden below INFO")
    log.warning("after the block")
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == 2
    first, second = lines
    assert first["event"] == "order denied"
    assert first["component"] == "RiskEngine"
    assert first["trader_id"] == "TRADER-001"
    assert first["correlation_id"] == "c-42"
    assert first["level"] == "info"
    assert first["timestamp"].endswith("Z")
    assert "correlation_id" not in second


def test_console_logs_are_plain_text_when_not_a_terminal() -> None:
    out = io.StringIO()
    configure_logging(fmt="console", stream=out)
    get_logger("Bus").error("handler failed", topic="data.quotes.BINANCE.BTCUSDT")
    text = out.getvalue()
    assert "handler failed" in text
    assert "data.quotes.BINANCE.BTCUSDT" in text
    assert "\x1b[" not in text


def test_bad_logging_config_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown log level"):
        configure_logging(level="LOUD")
    with pytest.raises(ValueError, match="unknown log format"):
        configure_logging(fmt="xml")  # type: ignore[arg-type]


def test_metrics_get_or_create_and_render() -> None:
    metrics = MetricsRegistry()
    counter = metrics.counter("orders_denied", "Orders denied.", ["reason"])
    assert metrics.counter("orders_denied", "Orders denied.", ["reason"]) is counter
    counter.labels(reason="notional").inc(2)
    metrics.gauge("open_orders", "Open orders.").set(3)
    metrics.histogram("order_latency_seconds", "Latency.").observe(0.0002)
    assert metrics.value("orders_denied", {"reason": "notional"}) == 2
    assert metrics.value("open_orders") == 3
    assert metrics.value("missing") is None
    text = metrics.render().decode()
    assert 'sq_orders_denied_total{reason="notional"} 2.0' in text
    assert "sq_order_latency_seconds_bucket" in text


def test_metric_name_clash_is_an_error_and_registries_are_isolated() -> None:
    metrics = MetricsRegistry()
    metrics.counter("x", "doc")
    with pytest.raises(ValueError, match="already registered"):
        metrics.gauge("x", "doc")
    with pytest.raises(ValueError, match="already registered"):
        metrics.counter("x", "doc", ["label"])
    other = MetricsRegistry()
    other.counter("x", "doc").inc()
    assert metrics.value("x") == 0
