"""The `verbind` command as a person at a terminal meets it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from verbind.workspaces.models import ApiToken


def run(*args, data_dir):
    env = {**os.environ, "VERBIND_DATA_DIR": str(data_dir)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)  # a fresh SQLite database in the data folder
    return subprocess.run(
        [sys.executable, "-m", "verbind", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_help_lists_every_verbind_command_with_a_line_each(tmp_path):
    result = run("--help", data_dir=tmp_path)
    assert result.returncode == 0
    from verbind.cli import COMMANDS

    assert {
        "serve",
        "today",
        "worker",
        "import",
        "export",
        "duplicates",
        "backup",
        "restore",
    } <= set(COMMANDS)
    for command in COMMANDS:
        assert any(line.strip().startswith(command + " ") for line in result.stdout.splitlines()), (
            command
        )


def test_a_user_mistake_prints_one_line_and_exits_2(tmp_path):
    result = run("token", "create", "--member", "nobody@example.org", data_dir=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == "CommandError: no member with e-mail 'nobody@example.org'"
    assert lines[:-1] == ["Preparing the database…"]  # a fresh data folder is set up first
    assert "Traceback" not in result.stderr


def test_a_bad_port_is_refused_before_anything_starts(tmp_path):
    result = run("serve", "--port", "70000", data_dir=tmp_path)
    assert result.returncode == 2
    assert "not a port number" in result.stderr and "Traceback" not in result.stderr
    missing = run("serve", "--port", "eighty", data_dir=tmp_path)
    assert missing.returncode == 2 and "invalid int value" in missing.stderr


def test_an_unreachable_database_is_named_without_a_traceback(tmp_path):
    env = {**os.environ, "VERBIND_DATA_DIR": str(tmp_path)}
    env["DATABASE_URL"] = "postgres://verbind:s3cret@127.0.0.1:1/verbind"
    result = subprocess.run(
        [sys.executable, "-m", "verbind", "token", "list", "--member", "x@example.org"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 2
    assert "cannot use the database postgres://verbind:***@127.0.0.1:1/verbind" in result.stderr
    assert "s3cret" not in result.stderr and "Traceback" not in result.stderr


def test_a_broken_setting_is_named_without_a_traceback(tmp_path):
    env_result = subprocess.run(
        [sys.executable, "-m", "verbind", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "VERBIND_DATA_DIR": str(tmp_path), "VERBIND_HTTPS": "perhaps"},
    )
    assert env_result.returncode == 2
    assert "VERBIND_HTTPS='perhaps' is not a yes/no value" in env_result.stderr
    assert "Traceback" not in env_result.stderr


def test_token_create_prints_a_working_token_once(owner, workspace, capsys, client):
    call_command("token", "create", "--member", "olga@example.org", "--name", "backup script")
    raw = capsys.readouterr().out.strip()
    assert (
        client.get("/api/v1/people", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    )
    assert ApiToken.objects.get().name == "backup script"


def test_token_create_asks_which_workspace_when_there_are_several(owner, workspace, outsider):
    from verbind.workspaces.accounts import create_workspace

    create_workspace("Olga's club", owner)
    with pytest.raises(CommandError, match="several workspaces; pick one with --workspace"):
        call_command("token", "create", "--member", "olga@example.org")
    call_command("token", "create", "--member", "olga@example.org", "--workspace", workspace.slug)
    assert ApiToken.objects.get().membership.workspace == workspace


def test_token_revoke(owner, workspace, capsys):
    token, _raw = ApiToken.issue(owner.memberships.get(), "old")
    call_command("token", "revoke", str(token.pk))
    token.refresh_from_db()
    assert token.revoked_at is not None
    with pytest.raises(CommandError, match="no live token"):
        call_command("token", "revoke", str(token.pk))


def test_an_unknown_command_exits_2_with_one_line(tmp_path):
    result = run("bogus", data_dir=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "verbind: unknown command 'bogus'; `verbind --help` lists them."


def test_an_unknown_database_url_is_named(tmp_path):
    env = {**os.environ, "VERBIND_DATA_DIR": str(tmp_path), "DATABASE_URL": "foo://x"}
    result = subprocess.run(
        [sys.executable, "-m", "verbind", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 2
    assert "DATABASE_URL is not a database address" in result.stderr
    assert "Traceback" not in result.stderr
