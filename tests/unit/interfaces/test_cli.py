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


def test_help_lists_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("backtest", "data", "demo", "info"):
        assert command in result.output
    assert "Usage: sq demo" in " ".join(runner.invoke(app, ["demo", "--help"]).output.split())
    assert "No such command" in runner.invoke(app, ["nonsense"]).output


def test_version_and_info_do_not_import_the_backtest_stack() -> None:
    # The heavy data libraries load only for the commands that use them.
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from shrivenquant.interfaces.cli.app import app\n"
        "assert CliRunner().invoke(app, ['--version']).exit_code == 0\n"
        "import shrivenquant.runtime.backends, shrivenquant.runtime.paths\n"
        "print(sorted(m for m in ('pandas', 'pyarrow', 'duckdb', 'plotly') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
