"""The house keeps its shape: layers point one way, and lazy imports say why they are lazy."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "verbind"


def test_no_module_imports_from_a_layer_above_its_own():
    pytest.importorskip("importlinter", reason="import-linter is in the test extras")
    run = subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 kept, 0 broken" in run.stdout


def _app_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else path.stem


def local_imports_of_other_apps() -> list[tuple[str, int, str, bool]]:
    """(file, line, module, explained) for each import of another app inside a function."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        lines = path.read_text().splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for inner in ast.walk(node):
                if not (isinstance(inner, ast.ImportFrom) and inner.module):
                    continue
                if not inner.module.startswith("verbind."):
                    continue
                if inner.module.split(".")[1] == _app_of(path):
                    continue
                line, above = lines[inner.lineno - 1], lines[inner.lineno - 2].strip()
                explained = "#" in line or above.startswith("#")
                found.append((str(path.relative_to(ROOT)), inner.lineno, inner.module, explained))
    return found


def test_an_import_of_another_app_inside_a_function_says_why_it_is_lazy():
    unexplained = [f"{f}:{n} imports {m}" for f, n, m, ok in local_imports_of_other_apps() if not ok]
    assert unexplained == []


def test_the_check_finds_an_unexplained_local_import(tmp_path, monkeypatch):
    # The check above must be able to fail: a module with one such import is found.
    fake = tmp_path / "verbind" / "web"
    fake.mkdir(parents=True)
    (fake / "views.py").write_text("def page():\n    from verbind.people.models import Person\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", tmp_path / "verbind")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert local_imports_of_other_apps() == [
        ("verbind/web/views.py", 2, "verbind.people.models", False)
    ]


def test_docs_architecture_names_every_layer_of_the_contract():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    doc = (ROOT / "docs" / "architecture.md").read_text()
    for layer in config["contracts"][0]["layers"]:
        for module in layer.split("|"):
            name = module.strip().strip("()")  # "(x)": an optional layer, not there yet
            assert f"`{name.removeprefix('verbind.')}`" in doc, module
