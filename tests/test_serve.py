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
from urllib.parse import urlencode


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
