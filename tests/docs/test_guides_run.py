"""The Python examples in the guides run as written (they are executed in order, per file)."""

import re
from pathlib import Path

import pytest

GUIDES = sorted((Path(__file__).parents[2] / "docs" / "guides").glob("*.md"))
_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.name)
def test_guide_examples_run(guide: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocks = _BLOCK.findall(guide.read_text())
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, str(guide), "exec"), namespace)
    out = capsys.readouterr().out
    # A comment that starts with "# ->" states what the line above it prints.
    for expected in re.findall(r"^# -> (.*)$", "\n".join(blocks), re.MULTILINE):
        assert expected.strip() in out
