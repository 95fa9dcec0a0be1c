import socket
import threading
from pathlib import Path

import pytest

from shrivenquant.runtime.backends import probe_backend, probe_backends
from shrivenquant.runtime.paths import resolve_paths


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve_once(reply: bytes) -> int:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = int(server.getsockname()[1])

    def run() -> None:
        conn, _ = server.accept()
        with conn:
            conn.sendall(reply)
        server.close()

    threading.Thread(target=run, daemon=True).start()
    return port


@pytest.mark.services
@pytest.mark.parametrize(("name", "port"), [("postgresql", 5432), ("redis", 6379), ("nats", 4222)])
def test_local_backends_are_recognised(name: str, port: int) -> None:
    status = probe_backend(name, "127.0.0.1", port)
    if not status.reachable:
        pytest.skip(f"{name} is not running on 127.0.0.1:{port}: {status.detail}")
    assert status.latency_ms is not None
    assert status.detail


def test_closed_port_is_unreachable_with_reason() -> None:
    status = probe_backend("redis", "127.0.0.1", _free_port(), timeout_s=0.2)
    assert not status.reachable
    assert "Refused" in status.detail or "Error" in status.detail


def test_wrong_server_is_not_taken_for_the_backend() -> None:
    port = _serve_once(b"HTTP/1.1 400 Bad Request\r\n\r\n")
    status = probe_backend("nats", "127.0.0.1", port, timeout_s=1.0)
    assert not status.reachable
    assert "unexpected greeting" in status.detail


def test_unknown_backend_name_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown backend"):
        probe_backend("mongodb", "127.0.0.1", 1)


def test_probe_backends_reads_host_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    port = _free_port()
    monkeypatch.setenv("SQ_REDIS_HOST", f"127.0.0.1:{port}")
    by_name = {s.name: s for s in probe_backends(timeout_s=0.2)}
    assert by_name["redis"].address == f"127.0.0.1:{port}"
    assert not by_name["redis"].reachable


def test_paths_follow_sq_home_then_xdg(tmp_path: Path) -> None:
    p = resolve_paths({"HOME": str(tmp_path), "SQ_HOME": str(tmp_path / "sq")})
    assert p.config_file == tmp_path / "sq" / "config.toml"
    assert p.journal_dir == tmp_path / "sq" / "data" / "journal"
    p = resolve_paths({"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "c")})
    assert p.config_file == tmp_path / "c" / "shrivenquant" / "config.toml"
    assert p.data_dir == tmp_path / ".local" / "share" / "shrivenquant"
    p = resolve_paths({"HOME": str(tmp_path), "SQ_CONFIG": str(tmp_path / "x.toml")})
    assert p.config_file == tmp_path / "x.toml"
