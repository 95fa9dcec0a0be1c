"""A metrics registry over prometheus-client that components register their metrics with.

Each `MetricsRegistry` owns its own Prometheus `CollectorRegistry`, so two kernels in one process
(or two tests) never share counters. Asking twice for the same metric returns the same object;
asking for the same name with another type or other labels is an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.metrics import MetricWrapperBase

M = TypeVar("M", bound=MetricWrapperBase)

DEFAULT_LATENCY_BUCKETS_S: tuple[float, ...] = (
    1e-6, 5e-6, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 1e-2, 5e-2, 0.1, 0.5, 1.0, 5.0,
)  # fmt: skip


class MetricsRegistry:
    """Get-or-create access to counters, gauges and histograms under one namespace."""

    def __init__(self, namespace: str = "sq") -> None:
        self.namespace = namespace
        self.registry = CollectorRegistry(auto_describe=True)
        self._metrics: dict[str, tuple[MetricWrapperBase, tuple[str, ...]]] = {}

    def counter(self, name: str, documentation: str, labels: Sequence[str] = ()) -> Counter:
        """Return the counter ``name`` (created on first use)."""
        return self._get(Counter, name, documentation, labels)

    def gauge(self, name: str, documentation: str, labels: Sequence[str] = ()) -> Gauge:
        """Return the gauge ``name`` (created on first use)."""
        return self._get(Gauge, name, documentation, labels)

    def histogram(
        self,
        name: str,
        documentation: str,
        labels: Sequence[str] = (),
        buckets: Sequence[float] = DEFAULT_LATENCY_BUCKETS_S,
    ) -> Histogram:
        """Return the histogram ``name`` (created on first use)."""
        return self._get(Histogram, name, documentation, labels, buckets=tuple(buckets))

    def value(self, name: str, labels: dict[str, str] | None = None) -> float | None:
        """Return the current sample of a counter or gauge, or None if it has none.

        Counters are read by their ``_total`` sample; handy in tests and the CLI.
        """
        full = f"{self.namespace}_{name}" if self.namespace else name
        for sample_name in (f"{full}_total", full):
            got = self.registry.get_sample_value(sample_name, labels or {})
            if got is not None:
                return got
        return None

    def render(self) -> bytes:
        """Return all metrics in the Prometheus text exposition format."""
        return generate_latest(self.registry)

    def _get(
        self,
        kind: type[M],
        name: str,
        documentation: str,
        labels: Sequence[str],
        **kwargs: object,
    ) -> M:
        label_names = tuple(labels)
        existing = self._metrics.get(name)
        if existing is not None:
            metric, known_labels = existing
            if not isinstance(metric, kind) or known_labels != label_names:
                raise ValueError(
                    f"metric {name!r} already registered as {type(metric).__name__}"
                    f" with labels {known_labels}"
                )
            return metric
        created = kind(
            name,
            documentation,
            labelnames=label_names,
            namespace=self.namespace,
            registry=self.registry,
            **kwargs,  # type: ignore[arg-type]
        )
        self._metrics[name] = (created, label_names)
        return created
