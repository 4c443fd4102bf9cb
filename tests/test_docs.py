"""The docs keep up with the code: every setting and every command is described."""

from __future__ import annotations

import re
from pathlib import Path

from verbind.cli import COMMANDS

ROOT = Path(__file__).resolve().parent.parent


def test_every_environment_variable_is_documented():
    source = (ROOT / "verbind" / "settings.py").read_text()
    used = set(re.findall(r'env_\w+\("([A-Z_]+)"', source))
    assert "DATABASE_URL" in used and "VERBIND_SECRET_KEY" in used
    documented = (ROOT / "docs" / "configuration.md").read_text()
    missing = sorted(name for name in used if f"`{name}`" not in documented)
    assert missing == []


def test_every_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    missing = [name for name in COMMANDS if f"verbind {name}" not in readme]
    assert missing == []
