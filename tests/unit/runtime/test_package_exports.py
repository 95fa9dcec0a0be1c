"""The runtime package's names resolve on first use and the lists of them agree."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import shrivenquant.runtime as runtime


def _type_checking_names() -> set[str]:
    tree = ast.parse(Path(runtime.__file__).read_text())
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            return {
                alias.asname or alias.name
                for stmt in node.body
                if isinstance(stmt, ast.ImportFrom)
                for alias in stmt.names
            }
    raise AssertionError("no TYPE_CHECKING block")


def test_the_three_lists_of_exports_agree() -> None:
    assert set(runtime.__all__) == set(runtime._EXPORTS) == _type_checking_names()


@pytest.mark.parametrize("name", runtime.__all__)
def test_every_export_resolves_to_its_module_attribute(name: str) -> None:
    module = importlib.import_module(runtime._EXPORTS[name])
    assert getattr(runtime, name) is getattr(module, name)
    assert name in dir(runtime)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        runtime.Nope  # noqa: B018
