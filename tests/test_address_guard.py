"""Calendars are never fetched from the server's own network, whatever form the address takes."""

from __future__ import annotations

import http.server
import socket
import threading

import pytest

from tests.radicale import PASSWORD, USER
from tests.smtp import free_port
from verbind.lib.addresses import is_public
from verbind.scheduling.calendars import SyncFailed, add_remote
from verbind.scheduling.models import Calendar, CalendarSource

# Part of the fault suite (`pytest -m faults`): the role matrix, the limits, attacks.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.faults]


@pytest.mark.parametrize(
    "address, public",
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("::1", False),
        ("::", False),
        ("fe80::1%eth0", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),  # IPv4-mapped
        ("::ffff:169.254.169.254", False),
        ("::127.0.0.1", False),  # IPv4-compatible
        ("::10.0.0.1", False),
        ("64:ff9b::127.0.0.1", False),  # NAT64
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 of 169.254.169.254
        ("64:ff9b:1::a00:1", False),  # local-use NAT64
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
        ("2002:a00:1::1", False),  # 6to4 of 10.0.0.1
        ("2002:c0a8:101::", False),  # 6to4 of 192.168.1.1
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", False),  # Teredo of 127.0.0.1
        ("224.0.0.1", False),  # multicast
        ("239.255.255.250", False),
        ("ff02::1", False),
        ("ff0e::1", False),  # global-scope multicast is still multicast
        ("255.255.255.255", False),
        ("not an address", False),
    ],
)
def test_an_address_is_public_only_when_it_and_what_it_embeds_are(address, public):
    assert is_public(address) is public


@pytest.fixture
def host(owner, workspace):
    return owner.memberships.get()


@pytest.fixture
def inside():
    """A server on loopback that notes every request: what rebinding would reach."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            body = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nEND:VCALENDAR\r\n"
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_PROPFIND = do_REPORT = do_OPTIONS = do_GET

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.hits = hits
    yield server
    server.shutdown()


@pytest.fixture
def rebinding(monkeypatch):
    """A DNS that answers a public address for the first question, then loopback."""
    real = socket.getaddrinfo
    asked = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host != "calendar.rebind.test":
            return real(host, port, *args, **kwargs)
        asked.append(host)
        if len(asked) == 1:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", int(port)))]
        return real("127.0.0.1", port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


@pytest.mark.parametrize("source", [CalendarSource.FEED, CalendarSource.CALDAV])
def test_a_name_that_turns_private_after_the_check_is_not_connected_to(
    host, inside, rebinding, settings, source
):
    settings.CALENDAR_PRIVATE_ADDRESSES = False
    url = f"http://calendar.rebind.test:{inside.server_port}/cal.ics"
    with pytest.raises(SyncFailed, match="inside this server's own network"):
        add_remote(host, "Rebound", url, source, "olga", "x")
    assert len(rebinding) >= 2  # it was asked again when connecting, and that answer checked
    assert inside.hits == []
    assert not Calendar.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://[::ffff:127.0.0.1]:{port}/cal.ics",
        "http://[64:ff9b::7f00:1]:{port}/cal.ics",
        "http://[2002:7f00:1::]:{port}/cal.ics",
        "http://[::127.0.0.1]:{port}/cal.ics",
        "http://224.0.0.1:{port}/cal.ics",
    ],
)
def test_embedded_and_multicast_addresses_are_refused(host, inside, settings, url):
    settings.CALENDAR_PRIVATE_ADDRESSES = False
    with pytest.raises(SyncFailed, match="inside this server's own network"):
        add_remote(host, "X", url.format(port=inside.server_port), CalendarSource.FEED)
    assert inside.hits == []


def test_a_public_name_is_read_over_the_checked_address_with_its_own_name(
    host, radicale, settings, monkeypatch
):
    """The connection goes to the address that was checked, but speaks the name (Host header)."""
    settings.CALENDAR_PRIVATE_ADDRESSES = False
    collection = radicale.new_calendar("Pinned")
    port = collection.url.port
    real = socket.getaddrinfo
    names = []

    def getaddrinfo(host, port_, *args, **kwargs):
        if host == "cal.pinned.test":
            names.append(host)
            return real("127.0.0.1", port_, *args, **kwargs)
        return real(host, port_, *args, **kwargs)

    # Loopback counts as public for this test only, so the whole path can be followed.
    monkeypatch.setattr("verbind.lib.addresses.is_public", lambda text: text == "127.0.0.1")
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    url = (
        str(collection.url)
        .replace("127.0.0.1", "cal.pinned.test")
        .replace("localhost", "cal.pinned.test")
    )
    assert f":{port}/" in url
    calendar = add_remote(host, "Pinned", url, CalendarSource.CALDAV, USER, PASSWORD)
    assert calendar.last_error == "" and names
