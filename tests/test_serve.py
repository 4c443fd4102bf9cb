"""`verbind serve --demo` as a newcomer runs it: a real gunicorn on a free port."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, process, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve stopped early:\n{process.stdout.read()}")
        try:
            return urllib.request.urlopen(url, timeout=2)
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"nothing answered on {url}")


def test_serve_demo_answers_and_the_printed_credentials_sign_in(tmp_path):
    port = free_port()
    env = {**os.environ, "VERBIND_DATA_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "verbind", "serve", "--demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        page = wait_for(base + "/signin/", process)
        assert page.status == 200
        css = urllib.request.urlopen(base + "/static/verbind/verbind.css")
        assert css.status == 200 and b"--brand" in css.read()
        assert urllib.request.urlopen(base + "/static/verbind/vendor/htmx.min.js").status == 200
        assert "gunicorn" in urllib.request.urlopen(base + "/signin/").headers.get("Server", "")
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    match = re.search(r"Sign in as (\S+) with password (\S+)", output)
    assert match, output
    assert "Demo workspace “Studio Lindeboom (demo)” loaded." in output

    # The printed credentials work against the same data folder.
    process = subprocess.Popen(
        [sys.executable, "-m", "verbind", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        wait_for(base + "/signin/", process)
        form = opener.open(base + "/signin/").read().decode()
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        body = urlencode(
            {"username": match.group(1), "password": match.group(2), "csrfmiddlewaretoken": csrf}
        ).encode()
        today = opener.open(urllib.request.Request(base + "/signin/", data=body)).read().decode()
        assert "Studio tour and lunch" in today and "Studio Lindeboom" in today
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert match.group(2) not in output  # the password is shown only on the first run
    assert "Forgot the password?" in output


def children(pid: int) -> list[int]:
    """The processes *pid* started (Linux: read from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # it ended while we looked
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc")
def test_serve_starts_the_web_processes_asked_for_and_each_of_them_answers(tmp_path):
    port = free_port()
    env = {**os.environ, "VERBIND_DATA_DIR": str(tmp_path), "WEB_CONCURRENCY": "5"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "verbind", "serve", "--workers", "2", "--no-worker"]
        + ["--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/signin/", process)
        deadline = time.monotonic() + 30
        while len(web := children(process.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(web) == 2, web  # --workers wins over WEB_CONCURRENCY
        # Each process alone serves pages: pause one, then the other.
        for paused in web:
            os.kill(paused, signal.SIGSTOP)
            try:
                for _ in range(5):
                    page = urllib.request.urlopen(base + "/signin/", timeout=20)
                    assert page.status == 200
            finally:
                os.kill(paused, signal.SIGCONT)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert "Starting 2 web processes with 8 threads each" in output
    assert "--workers 2" in output


@pytest.mark.parametrize("how", ["--workers", "WEB_CONCURRENCY"])
def test_serve_refuses_zero_web_processes_with_the_reason(how, settings):
    settings.WEB_CONCURRENCY = 0 if how == "--workers" else -1
    with pytest.raises(CommandError, match="at least one web process") as refused:
        if how == "--workers":
            call_command("serve", "--workers", "0")
        else:
            call_command("serve")
    assert how in str(refused.value)
