"""Fetching a member's calendar from the web: an ICS feed, or a CalDAV server.

Failures come back as ``SyncFailed`` with a reason a member understands ("nothing
answers at that address"), never a library's traceback text. Unless
``VERBIND_CALENDAR_PRIVATE_ADDRESSES`` allows it, an address that leads into the
server's own network (loopback, private, link-local) is refused, so a member
cannot make the server probe what lies behind it.
"""

from __future__ import annotations

import base64
import http.client
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib

from django.conf import settings
from django.utils.translation import gettext as _

from verbind.lib import limits
from verbind.lib.addresses import (
    PrivateAddress,
    PublicHTTPConnection,
    PublicHTTPSConnection,
    resolve_public,
)
from verbind.lib.refusals import Refused

TIMEOUT = 20  # seconds for a connection, and between two pieces of an answer


class SyncFailed(Refused):
    """A feed or CalDAV calendar could not be read; the message says why, for the member."""

    code = "calendar_unreadable"
    status = 422


def normalise_url(url: str) -> str:
    url = url.strip()
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    not_an_address = SyncFailed(
        _("“%(url)s” is not a web address (http://, https:// or webcal://)") % {"url": url}
    )
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises for a port that is not a number or out of range
    except ValueError:
        raise not_an_address from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise not_an_address
    return url


def _refused_host(host: str) -> SyncFailed:
    return SyncFailed(
        _(
            "%(host)s is an address inside this server's own network; "
            "Verbind does not fetch calendars from there"
        )
        % {"host": host}
    )


def check_address(url: str) -> None:
    """Refuse an address inside the server's own network, unless settings allow it.

    This is the early check with a clear message; the connection itself is made
    only to an address checked again as it connects (``PublicHTTPConnection``,
    ``_GuardedResolver``), so a name that changes its answer in between gains nothing.
    """
    if settings.CALENDAR_PRIVATE_ADDRESSES:
        return
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    try:
        resolve_public(host, parts.port or 443, proto=socket.IPPROTO_TCP)
    except PrivateAddress:
        raise _refused_host(host) from None
    except (OSError, UnicodeError):
        raise SyncFailed(_("the name %(host)s is not known") % {"host": host}) from None


class _PinnedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(PublicHTTPConnection, req)


class _PinnedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(PublicHTTPSConnection, req, context=ssl.create_default_context())


def _guarded_resolver():
    """For the CalDAV client (niquests): each name it connects to is resolved and checked here."""
    # loaded only for CalDAV calendars, with the library that needs it
    from niquests.packages.urllib3.contrib.resolver.system import SystemResolver

    class GuardedResolver(SystemResolver):
        def getaddrinfo(self, host, port, family, type, proto=0, flags=0, **kwargs):
            if isinstance(host, bytes):
                host = host.decode("ascii")
            return resolve_public(host, port, family=family, type=type, proto=proto, flags=flags)

    return GuardedResolver()


def plain_reason(exc: BaseException, url: str) -> str:
    """Why a connection failed, in words, from whatever a library raised."""
    host = urllib.parse.urlsplit(url).hostname or url
    seen = set()
    todo = [exc]
    text = ""
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        text += f" {current}"
        if isinstance(current, PrivateAddress):
            return _refused_host(current.host).message
        if isinstance(current, ConnectionRefusedError):
            return _("nothing answers at %(host)s (connection refused)") % {"host": host}
        if isinstance(current, socket.gaierror):
            return _("the name %(host)s is not known") % {"host": host}
        if isinstance(current, TimeoutError | socket.timeout):
            return _("%(host)s did not answer within %(seconds)d seconds") % {
                "host": host,
                "seconds": TIMEOUT,
            }
        if isinstance(current, ssl.SSLError):
            return _("the secure connection to %(host)s failed (its certificate?)") % {"host": host}
        todo += [current.__cause__, current.__context__]
        todo += [a for a in getattr(current, "args", ()) if isinstance(a, BaseException)]
        if isinstance(current, urllib.error.URLError) and isinstance(current.reason, BaseException):
            todo.append(current.reason)
    lowered = text.lower()
    if "refused" in lowered:
        return _("nothing answers at %(host)s (connection refused)") % {"host": host}
    if "name or service not known" in lowered or "getaddrinfo" in lowered:
        return _("the name %(host)s is not known") % {"host": host}
    if "timed out" in lowered or "timeout" in lowered:
        return _("%(host)s did not answer within %(seconds)d seconds") % {
            "host": host,
            "seconds": TIMEOUT,
        }
    if "ssl" in lowered or "certificate" in lowered:
        return _("the secure connection to %(host)s failed (its certificate?)") % {"host": host}
    return _("could not connect to %(host)s") % {"host": host}


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """A feed may move; where it moves to is checked like the address itself."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        check_address(newurl)
        moved = super().redirect_request(req, fp, code, msg, headers, newurl)
        before, after = urllib.parse.urlsplit(req.full_url), urllib.parse.urlsplit(newurl)
        if moved is not None and (
            (before.hostname, before.port) != (after.hostname, after.port)
            or (before.scheme, after.scheme) == ("https", "http")
        ):
            moved.remove_header("Authorization")  # the password is for the first server only
        return moved


class Reply:
    """A reply taken in pieces: its size counted after decompression, its time from the first byte.

    A server may send a small gzip reply that inflates to gigabytes, or trickle
    a reply in forever; both are cut off at the limits (``verbind.lib.limits``).
    """

    def __init__(self):
        self.ends = time.monotonic() + limits.fetch_seconds()
        self.most = limits.fetch_bytes()
        self.chunks: list[bytes] = []
        self.size = 0

    def check_time(self) -> None:
        if time.monotonic() > self.ends:
            raise SyncFailed(
                _("the calendar took longer than %(seconds)d seconds to send")
                % {"seconds": limits.fetch_seconds()}
            )

    def take(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.most:
            raise SyncFailed(
                _("the calendar is larger than %(mb)d MB (unpacked)")
                % {"mb": self.most // 1_000_000}
            )
        self.chunks.append(chunk)
        self.check_time()

    def data(self) -> bytes:
        return b"".join(self.chunks)


def _read_within(response) -> bytes:
    """The body of a feed, unpacked if the server packed it, within the limits."""
    reply = Reply()
    packed = (response.headers.get("Content-Encoding") or "").strip().lower()
    unpack = None
    if packed in ("gzip", "x-gzip", "deflate"):
        unpack = zlib.decompressobj(32 + zlib.MAX_WBITS if packed != "deflate" else zlib.MAX_WBITS)
    while True:
        reply.check_time()
        chunk = response.read(65536)
        if not chunk:
            if unpack is not None:
                reply.take(unpack.flush())
            return reply.data()
        if unpack is None:
            reply.take(chunk)
            continue
        try:
            while chunk:  # never more than the room left at once: a bomb stops here
                piece = unpack.decompress(chunk, reply.most - reply.size + 1)
                reply.take(piece)
                chunk = unpack.unconsumed_tail
        except zlib.error:
            raise SyncFailed(
                _("the server sent a packed (gzip) reply that cannot be unpacked")
            ) from None


def _limit_replies(session) -> None:
    """Every reply of a CalDAV server is read within the limits, counted after decompression.

    The HTTP library would unpack a gzip reply whole before the caldav library
    sees it; reading it as a stream here stops at the limit instead.
    """
    plain = session.request
    reply_time = Reply()  # one time limit for all the requests of one read

    def request(method, url, **kwargs):
        kwargs["stream"] = True
        response = plain(method, url, **kwargs)
        reply = Reply()
        reply.ends = reply_time.ends
        for chunk in response.iter_content(65536):
            reply.take(chunk)
        response._content = reply.data()
        response._content_consumed = True
        return response

    session.request = request


def fetch_feed(calendar) -> list[tuple[bytes, str]]:
    check_address(calendar.url)
    request = urllib.request.Request(
        calendar.url,
        headers={
            "User-Agent": "Verbind calendar sync",
            "Accept": "text/calendar",
            "Accept-Encoding": "gzip",
        },
    )
    if calendar.username:
        pair = f"{calendar.username}:{calendar.password}".encode()
        request.add_header("Authorization", "Basic " + base64.b64encode(pair).decode())
    handlers = [_CheckedRedirects]
    if not settings.CALENDAR_PRIVATE_ADDRESSES:
        handlers += [_PinnedHTTPHandler, _PinnedHTTPSHandler]
    opener = urllib.request.build_opener(*handlers)
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            data = _read_within(response)
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise SyncFailed(_("the server refused the user name or password")) from None
        raise SyncFailed(
            _("the server answered %(code)s %(reason)s") % {"code": exc.code, "reason": exc.reason}
        ) from None
    except (OSError, ValueError, urllib.error.URLError, http.client.HTTPException) as exc:
        raise SyncFailed(plain_reason(exc, calendar.url)) from None
    return [(data, calendar.url)]


def fetch_caldav(calendar, start, end) -> list[tuple[bytes, str]]:
    """The events between *start* and *end* of a CalDAV calendar (or of all an account's)."""
    import caldav
    from caldav.lib import error as caldav_error

    check_address(calendar.url)
    try:
        with caldav.DAVClient(
            url=calendar.url,
            username=calendar.username or None,
            password=calendar.password or None,
            timeout=TIMEOUT,
        ) as client:
            if not settings.CALENDAR_PRIVATE_ADDRESSES:
                client.session = _guarded_session(client.session)
                client.session.max_redirects = 0  # a redirect could lead anywhere: refuse it
            _limit_replies(client.session)
            collections = _collections(client, calendar.url)
            for collection in collections:  # calendars the server points to are checked too
                check_address(str(collection.url))
            return _events(collections, start, end)
    except caldav_error.AuthorizationError:
        raise SyncFailed(_("the CalDAV server refused the user name or password")) from None
    except caldav_error.NotFoundError:
        raise SyncFailed(_("there is no calendar at that address")) from None
    except SyncFailed:
        raise
    except caldav_error.DAVError as exc:
        reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
        raise SyncFailed(
            _("the CalDAV server could not give the calendar: %(reason)s") % {"reason": reason}
        ) from None
    except Exception as exc:  # noqa: BLE001 - network errors come in many kinds
        raise SyncFailed(plain_reason(exc, calendar.url)) from None


def _guarded_session(session):
    """The same kind of session as the client made, with the resolver that checks each address."""
    import niquests  # caldav's HTTP library: loaded with caldav, only for CalDAV calendars

    session.close()
    return niquests.Session(resolver=_guarded_resolver())


def _collections(client, url: str) -> list:
    """The calendar at *url*; or, for an account's (or server's) address, all its calendars."""
    from caldav.lib import error as caldav_error

    wanted = url.rstrip("/")
    try:
        owned = client.principal().calendars()
    except caldav_error.AuthorizationError:
        raise
    except caldav_error.DAVError:
        owned = []
    exact = [c for c in owned if str(c.url).rstrip("/") == wanted]
    if exact:
        return exact
    inside = [c for c in owned if str(c.url).startswith(wanted + "/")]
    return inside or [client.calendar(url=url)]


def _events(collections, start, end) -> list[tuple[bytes, str]]:
    found = []
    for collection in collections:
        for event in collection.search(start=start, end=end, event=True, expand=False):
            data = event.data
            found.append((data.encode() if isinstance(data, str) else data, str(event.url)))
    return found
