import subprocess
import sys

from typer.testing import CliRunner

from shrivenquant import __version__
from shrivenquant.interfaces.cli.app import app

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_info_lists_versions_paths_and_backends(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SQ_HOME", "/nonexistent/sq-home")
    result = runner.invoke(app, ["info"])
    assert result.exit_code == 0, result.output
    for expected in (
        "msgspec",
        "config file",
        "/nonexistent/sq-home",
        "postgresql",
        "redis",
        "nats",
    ):
        assert expected in result.output


def test_no_arguments_shows_help() -> None:
    result = runner.invoke(app, [])
    assert "Usage" in result.output
    assert "info" in result.output


def test_console_script_is_installed() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "shrivenquant", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert __version__ in out.stdout
