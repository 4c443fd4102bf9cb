"""`verbind bench --http`: the pages under load, through a real `verbind serve`, from 127.0.0.1.

The child process (inside the bench database) builds the workspace and prepares what the
clients need: a password for the measured member and a private link. The parent starts
`verbind serve` on that database and sends a bounded number of concurrent clients at each
page for a bounded time, one page after the other.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import quote

import httpx
from django.contrib.auth import get_user_model
from django.db import connection

from verbind.bench.dataset import Generator
from verbind.people import searchindex
from verbind.people.models import Person
from verbind.scheduling.proposals import offer
from verbind.workspaces.models import Membership

CLIENTS = 20
SECONDS = 15.0
WARM_UP_SECONDS = 1.0
# A name typed into the search box: every word must match (“Person” matches everyone, the
# number narrows it to a dozen), so both words are looked for in every person.
SEARCH = "Person 1234"
# The floors, each against the signed-in page that does no work.
FLOORS = {
    "today_share_min": 0.5,
    "today_p95_ms_max": 250.0,
    "link_share_min": 0.8,
    "search_share_min": 0.4,
}
PAGES = ("nothing", "today", "link", "search")
TITLES = {
    "nothing": "No work (signed in)",
    "today": "Today",
    "link": "Private link",
    "search": "People search",
}


def prepare(scale: float, progress: Callable[[str, int], None]) -> dict:
    """Build the bench workspace and what the clients need to load its pages (in the child)."""
    workspace = Generator(scale, progress=progress).build()
    # What the worker does after a bulk write (serve runs here without it): the people
    # search index catches up with the people just made.
    searchindex.refresh_all(connection)
    # The member whose agenda `verbind bench` measures.
    membership = (
        Membership.objects.filter(workspace=workspace)
        .select_related("workspace", "user")
        .order_by("id")[1]
    )
    password = secrets.token_urlsafe(16)
    user = get_user_model().objects.get(pk=membership.user_id)
    user.set_password(password)
    user.save(update_fields=["password"])
    person = Person.objects.in_workspace(workspace).order_by("id").first()
    _proposal, token = offer(membership, person, within=timedelta(days=28))
    return {
        "username": user.username,
        "password": password,
        "paths": {
            "nothing": "/bench/nothing/",
            "today": "/",
            "link": f"/p/{token}/",
            "search": f"/people/?q={quote(SEARCH)}",
        },
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`verbind serve` on the bench database, its output kept for the report."""

    def __init__(self, env: dict, workers: int | None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "verbind", "serve", "--no-worker"]
        command += ["--port", str(self.port)]
        if workers:
            command += ["--workers", str(workers)]
        env = {
            **env,
            # The bench's urls: the product's, plus the page that does no work.
            "DJANGO_SETTINGS_MODULE": "verbind.bench.http_settings",
            # One client address loads the link page thousands of times.
            "VERBIND_LINK_VIEWS": str(10**9),
        }
        self.output: list[str] = []
        self.process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.output.append(line)

    def wait_until_up(self, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("verbind serve stopped:\n" + "".join(self.output))
            try:
                if httpx.get(self.base + "/signin/", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError("verbind serve did not answer:\n" + "".join(self.output))

    def processes(self) -> int | None:
        """How many web processes serve said it started."""
        found = re.search(r"Starting (\d+) web process", "".join(self.output))
        return int(found.group(1)) if found else None

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def sign_in(base: str, username: str, password: str) -> httpx.Cookies:
    """The session cookie of the measured member, signed in through the sign-in form."""
    with httpx.Client(base_url=base, timeout=30) as client:
        form = client.get("/signin/").text
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        answer = client.post(
            "/signin/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": csrf},
        )
        if answer.status_code != 302 or "sessionid" not in client.cookies:
            raise RuntimeError(f"signing in failed ({answer.status_code})")
        return client.cookies


async def _load(
    base: str,
    path: str,
    cookies: httpx.Cookies,
    clients: int,
    seconds: float,
    tick: Callable[[int], None] | None = None,
) -> dict:
    """*clients* clients asking for *path* one request after the other, for *seconds*."""
    latencies: list[float] = []
    failed = 0
    reasons: dict[str, int] = {}  # what the failed requests got
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=base, cookies=cookies, limits=limits, timeout=60
    ) as client:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds

        async def one_client() -> None:
            nonlocal failed
            while loop.time() < deadline:
                started = time.perf_counter()
                try:
                    answer = await client.get(path)
                    why = None if answer.status_code == 200 else f"HTTP {answer.status_code}"
                except httpx.TransportError as exc:  # a dropped connection is a failure too
                    why = type(exc).__name__
                latencies.append((time.perf_counter() - started) * 1000)
                if why:
                    failed += 1
                    reasons[why] = reasons.get(why, 0) + 1
                if tick:
                    tick(1)

        started = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "failed": failed,
        "failed_because": reasons,
        "seconds": round(elapsed, 2),
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": _percentile(latencies, 0.95),
        "p99_ms": _percentile(latencies, 0.99),
    }


def _percentile(ordered: list[float], share: float) -> float:
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * share))], 1)


def load_pages(
    base: str,
    setup: dict,
    clients: int,
    seconds: float,
    progress: Callable[[str, int], None] | None = None,
) -> dict:
    """Each page in turn under *clients* concurrent clients; the figures per page and ratios."""
    cookies = sign_in(base, setup["username"], setup["password"])
    pages = {}
    for name in PAGES:
        path = setup["paths"][name]
        # Warm up: each process's first requests compile templates and fill caches.
        asyncio.run(_load(base, path, cookies, clients, min(WARM_UP_SECONDS, seconds)))
        tick = (lambda k, name=name: progress(name, k)) if progress else None
        pages[name] = asyncio.run(_load(base, path, cookies, clients, seconds, tick))
    return {"pages": pages, **ratios(pages)}


def ratios(pages: dict) -> dict:
    base = pages["nothing"]["requests_per_second"] or 1
    shares = {
        f"{name}_share": round(pages[name]["requests_per_second"] / base, 3)
        for name in ("today", "link", "search")
    }
    ok = (
        shares["today_share"] >= FLOORS["today_share_min"]
        and pages["today"]["p95_ms"] <= FLOORS["today_p95_ms_max"]
        and shares["link_share"] >= FLOORS["link_share_min"]
        and shares["search_share"] >= FLOORS["search_share_min"]
        and not any(page["failed"] for page in pages.values())
    )
    return {**shares, "floors": FLOORS, "ok": ok}
