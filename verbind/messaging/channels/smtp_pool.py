"""Sending e-mail over several SMTP connections at once, from one thread.

A mail server answers each command in turn, so one connection spends most of its
time waiting. An asyncio loop in a background thread keeps a few connections
busy while the calling thread writes the results down, in groups: a connection
does not wait for its previous message to be written down, only for a place in
a small window (``AHEAD`` per connection), so sending and recording overlap.
"""

from __future__ import annotations

import asyncio
import functools
import queue
import re
import threading
from email.utils import parseaddr
from time import monotonic

import aiosmtplib
from aiosmtplib.email import flatten_message
from django.conf import settings

from verbind.messaging.channels import SendError
from verbind.messaging.channels.email import build

# How many messages a connection may be ahead of what the caller wrote down. A message
# holds a place from before it is started until its result is written down, so a
# process that dies leaves at most AHEAD x connections accepted messages unrecorded
# (the window of docs/outbox.md).
AHEAD = 4
# How long the caller waits for more results before it writes a group down (seconds).
GATHER = 0.01

Result = tuple[object, "SendError | None", bool]


class SmtpPool:
    def __init__(self, connections: int):
        self.size = connections
        self.window = connections * AHEAD
        self.clients: list[aiosmtplib.SMTP | None] = [None] * connections
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="verbind-smtp", daemon=True
        )
        self.thread.start()

    def start(self, halt: threading.Event | None = None) -> Sending:
        """A run of sending: feed it with ``add``, read it with ``next_group``, end it with ``close``."""
        return Sending(self, halt or threading.Event())

    async def _client(self, index: int) -> aiosmtplib.SMTP:
        client = self.clients[index]
        if client is None or not client.is_connected:
            client = aiosmtplib.SMTP(
                hostname=settings.EMAIL_HOST,
                port=settings.EMAIL_PORT,
                use_tls=settings.EMAIL_USE_SSL,
                start_tls=settings.EMAIL_USE_TLS,
                username=settings.EMAIL_HOST_USER or None,
                password=settings.EMAIL_HOST_PASSWORD or None,
                timeout=settings.EMAIL_TIMEOUT,
            )
            await client.connect()
            self.clients[index] = client
        return client

    async def _send(self, index: int, message) -> None:
        if not message.to_address:
            raise SendError("There is no e-mail address to send to.", permanent=True)
        mail = build(message).message()
        sender = envelope_sender(settings.DEFAULT_FROM_EMAIL)
        try:
            client = await self._client(index)
        except aiosmtplib.SMTPResponseException as exc:  # a greeting, EHLO or login refused
            await self._drop(index)
            raise SendError(
                f"The mail server answered {exc.code}: {exc.message}", outage=True
            ) from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await self._drop(index)
            raise SendError(f"Could not reach the mail server: {exc}", outage=True) from None
        try:
            if client.is_ehlo_or_helo_needed or not (
                client.supports_extension("8bitmime") and (sender + message.to_address).isascii()
            ):
                await client.send_message(mail, sender=sender, recipients=[message.to_address])
            else:  # what send_message does, with the short way to the bytes
                await client.sendmail(
                    sender, [message.to_address], flatten(mail), mail_options=["BODY=8BITMIME"]
                )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            await self._reset(index)
            raise refused_address(exc.recipients) from None
        except aiosmtplib.SMTPResponseException as exc:
            if exc.code == 421:  # the server is closing the session
                await self._drop(index)
            else:
                await self._reset(index)
            # An answer to this mail's content is about the message: 5xx for good, 4xx for now
            # (so one mail the server will not take yet cannot hold up the queue behind it).
            # Our own sender refused, or the session closed (421): the server's outage.
            about_message = isinstance(exc, aiosmtplib.SMTPDataError) and exc.code != 421
            raise SendError(
                f"The mail server answered {exc.code}: {exc.message}",
                permanent=about_message and 500 <= exc.code < 600,
                deferred=about_message and exc.code < 500,
                outage=not about_message,
            ) from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await self._drop(index)
            raise SendError(f"Could not reach the mail server: {exc}", outage=True) from None

    async def _reset(self, index: int) -> None:
        client = self.clients[index]
        if client is not None and client.is_connected:
            try:
                await client.rset()
            except Exception:  # noqa: BLE001 - a broken connection is simply dropped
                await self._drop(index)

    async def _drop(self, index: int) -> None:
        client, self.clients[index] = self.clients[index], None
        if client is not None:
            client.close()

    def close(self) -> None:
        async def quit_all():
            for client in self.clients:
                if client is not None and client.is_connected:
                    try:
                        await client.quit()
                    except Exception:  # noqa: BLE001
                        client.close()

        asyncio.run_coroutine_threadsafe(quit_all(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@functools.lru_cache(maxsize=8)
def envelope_sender(from_email: str) -> str:
    """The bare address of the From setting, parsed once rather than for every message."""
    return parseaddr(from_email)[1]


NEWLINE = re.compile(r"\r\n|\r|\n")
FROM_LINE = re.compile(r"^From ", re.MULTILINE)


def flatten(mail) -> bytes:
    """The bytes aiosmtplib's generator writes for *mail* (compat32, 8bit), the short way
    for the usual message: one text part and short, plain ASCII headers. The generator
    folds every header through ``email.header`` — the worker's costliest step per
    message — where these need no folding. Anything else goes the long way.
    """
    payload = mail._payload  # as stored: 8-bit text kept as surrogates, as the generator writes it
    if mail.is_multipart() or not isinstance(payload, str):
        return flatten_message(mail)
    head = []
    for name, value in mail.raw_items():
        if name.lower() in ("bcc", "resent-bcc"):
            continue
        if not (
            isinstance(value, str)
            and value.isascii()
            and value.isprintable()
            and value == value.strip()
            and "  " not in value
            and len(name) + len(value) + 2 <= 78
        ):
            return flatten_message(mail)
        head.append(f"{name}: {value}\n")
    body = NEWLINE.sub("\n", FROM_LINE.sub(">From ", payload))
    return ("".join(head) + "\n" + body).encode("ascii", "surrogateescape")


def refused_address(refusals: list) -> SendError:
    """The server refused the recipient: for good (5xx), or for now (4xx; 421 is the server's)."""
    codes = [refusal.code for refusal in refusals]
    answer = "; ".join(f"{r.code} {r.message}" for r in refusals)
    address = ", ".join(r.recipient for r in refusals)
    if any(500 <= code < 600 for code in codes):
        return SendError(f"The mail server refused the address {address}: {answer}", permanent=True)
    if 421 in codes:
        return SendError(f"The mail server answered {answer}", outage=True)
    return SendError(f"The mail server asked to try {address} again later: {answer}", deferred=True)


class Sending:
    """One run of sending: messages the caller adds, results it reads back in groups.

    A result is (message, error or None, tried). No message is started after its
    *deadline* (a ``time.monotonic()`` value) or once *halt* is set (the server went
    down, or the caller could not write a result down); those come back with
    tried=False. At most ``pool.window`` messages are in flight or accepted and not
    yet written down: the caller gives a group's places back with ``written`` after
    it recorded the group. ``close`` halts the rest: what is in flight finishes.
    """

    def __init__(self, pool: SmtpPool, halt: threading.Event):
        self.pool, self.halt = pool, halt
        self.pending = 0  # added, and not yet handed back by next_group
        self.results: queue.Queue = queue.Queue()
        self.placed: dict[int, bool] = {}  # id(message) -> its result holds a place
        self.work: asyncio.Queue = asyncio.Queue()
        self.places = asyncio.Semaphore(pool.window)
        self.done = asyncio.run_coroutine_threadsafe(self._run(), pool.loop)

    def add(self, messages: list, deadline: float) -> None:
        self.pending += len(messages)
        items = [(message, deadline) for message in messages]
        self.pool.loop.call_soon_threadsafe(self._put, items)

    def next_group(self, gather: float = GATHER) -> list[Result]:
        """The results that are in, at most a window's worth: waits for the first, then up
        to *gather* seconds for half a window (fewer, larger commits; the connections go
        on sending meanwhile, in the other half)."""
        group = [self.results.get()]
        until = monotonic() + gather
        while len(group) < self.pool.window:
            try:
                wait = until - monotonic()
                if len(group) < self.pool.window // 2 and wait > 0 and len(group) < self.pending:
                    group.append(self.results.get(timeout=wait))
                else:
                    group.append(self.results.get_nowait())
            except queue.Empty:
                break
        self.pending -= len(group)
        return group

    def written(self, group: list[Result]) -> None:
        """The caller wrote these results down: their places go to the next messages."""
        places = sum(self.placed.pop(id(message), False) for message, *_ in group)
        if places:
            self.pool.loop.call_soon_threadsafe(self._release, places)

    def close(self) -> None:
        """Start nothing more, let what is in flight finish, and end the lanes."""
        self.halt.set()
        self.pool.loop.call_soon_threadsafe(self._finish)
        self.done.result()

    def _put(self, items: list) -> None:
        for item in items:
            self.work.put_nowait(item)

    def _release(self, places: int) -> None:
        for _ in range(places):
            self.places.release()

    def _finish(self) -> None:
        self._release(self.pool.window)  # a lane waiting for a place sees the halt
        for _ in range(self.pool.size):
            self.work.put_nowait(None)

    async def _run(self) -> None:
        await asyncio.gather(*(self._lane(index) for index in range(self.pool.size)))

    async def _lane(self, index: int) -> None:
        while (item := await self.work.get()) is not None:
            message, deadline = item
            error, tried, placed = None, True, False
            if not self.halt.is_set():
                await self.places.acquire()
                placed = True
            if self.halt.is_set() or monotonic() > deadline:
                tried = False
            else:
                try:
                    await self.pool._send(index, message)
                except SendError as exc:
                    error = exc
                except Exception as exc:  # noqa: BLE001 - never leave the caller waiting
                    error = SendError(f"Unexpected error while sending: {exc}")
            self.placed[id(message)] = placed
            self.results.put((message, error, tried))
