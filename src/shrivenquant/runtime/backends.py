"""Reachability probes for the external backends used in services mode.

Each probe opens a TCP connection with a short timeout and speaks just enough of the server's
protocol to know it is the right kind of server, without any client library.
"""

from __future__ import annotations

import os
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass

_PG_SSL_REQUEST = struct.pack("!II", 8, 80877103)


@dataclass(frozen=True)
class BackendStatus:
    """The outcome of probing one backend."""

    name: str
    address: str
    reachable: bool
    detail: str
    latency_ms: float | None = None


def _probe_postgres(sock: socket.socket) -> str:
    sock.sendall(_PG_SSL_REQUEST)
    reply = sock.recv(1)
    if reply not in (b"S", b"N"):
        raise ConnectionError(f"unexpected reply {reply!r} to an SSL request")
    return "PostgreSQL protocol 3 (TLS offered)" if reply == b"S" else "PostgreSQL protocol 3"


def _probe_redis(sock: socket.socket) -> str:
    sock.sendall(b"PING\r\n")
    reply = sock.recv(64)
    if not reply.startswith((b"+PONG", b"-NOAUTH")):
        raise ConnectionError(f"unexpected reply {reply[:32]!r} to PING")
    return "PONG" if reply.startswith(b"+PONG") else "requires AUTH"


def _probe_nats(sock: socket.socket) -> str:
    line = sock.recv(4096)
    if not line.startswith(b"INFO "):
        raise ConnectionError(f"unexpected greeting {line[:32]!r}")
    jetstream = b'"jetstream":true' in line.replace(b" ", b"")
    return "INFO received, JetStream " + ("enabled" if jetstream else "not enabled")


_PROBES: dict[str, tuple[str, int, Callable[[socket.socket], str]]] = {
    "postgresql": ("SQ_POSTGRES_HOST", 5432, _probe_postgres),
    "redis": ("SQ_REDIS_HOST", 6379, _probe_redis),
    "nats": ("SQ_NATS_HOST", 4222, _probe_nats),
}


def probe_backend(name: str, host: str, port: int, timeout_s: float = 0.5) -> BackendStatus:
    """Probe one backend by name (``postgresql``, ``redis`` or ``nats``)."""
    if name not in _PROBES:
        raise ValueError(f"unknown backend {name!r}; known: {', '.join(_PROBES)}")
    probe = _PROBES[name][2]
    address = f"{host}:{port}"
    start = time.perf_counter()
    try:
        with socket.create_connection((host, port), timeout=timeout_s) as sock:
            sock.settimeout(timeout_s)
            detail = probe(sock)
    except OSError as exc:
        return BackendStatus(name, address, False, f"{type(exc).__name__}: {exc}")
    return BackendStatus(name, address, True, detail, (time.perf_counter() - start) * 1e3)


def probe_backends(timeout_s: float = 0.5) -> list[BackendStatus]:
    """Probe PostgreSQL, Redis and NATS at their configured or default local addresses.

    ``SQ_POSTGRES_HOST``, ``SQ_REDIS_HOST`` and ``SQ_NATS_HOST`` may give ``host`` or
    ``host:port``.
    """
    results = []
    for name, (env_key, default_port, _) in _PROBES.items():
        host, _, port = os.environ.get(env_key, "127.0.0.1").partition(":")
        results.append(probe_backend(name, host, int(port or default_port), timeout_s))
    return results
