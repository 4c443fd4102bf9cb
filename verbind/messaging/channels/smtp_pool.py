"""Sending a batch of e-mail over several SMTP connections at once, from one thread.

A mail server answers each command in turn, so one connection spends most of its
time waiting. An asyncio loop in a background thread keeps a few connections
busy; results come back to the calling thread one by one, as each message is
accepted or refused, so the caller can write each down at once.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Iterator
from email.utils import parseaddr
from time import monotonic

import aiosmtplib
from django.conf import settings

from verbind.messaging.channels import SendError
from verbind.messaging.channels.email import build


class SmtpPool:
    def __init__(self, connections: int):
        self.size = connections
        self.clients: list[aiosmtplib.SMTP | None] = [None] * connections
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="verbind-smtp", daemon=True
        )
        self.thread.start()

    def send_many(
        self, messages: list, deadline: float, halt: threading.Event | None = None
    ) -> Iterator[tuple[object, SendError | None, bool]]:
        """Yield (message, error or None, tried) for each message, in the order they finish.

        A connection sends its next message only after the caller came back for the
        next result, that is, after it wrote the previous one down. So when the
        process dies, at most one accepted message per connection is unrecorded.
        No message is started after *deadline* (a ``time.monotonic()`` value) or once
        *halt* is set (the server went down); those come back with tried=False.
        A caller that stops iterating (it could not write a result down) halts the
        rest: what was still in flight finishes, nothing new starts.
        """
        results: queue.Queue = queue.Queue()
        halt = halt or threading.Event()
        done = asyncio.run_coroutine_threadsafe(
            self._send_all(messages, results, deadline, halt), self.loop
        )
        remaining = len(messages)
        try:
            while remaining:
                message, error, tried, recorded = results.get()
                remaining -= 1
                try:
                    yield message, error, tried
                finally:
                    self.loop.call_soon_threadsafe(recorded.set)
        finally:
            halt.set()
            while remaining:  # left early: let every lane finish, starting nothing new
                *_, recorded = results.get()
                remaining -= 1
                self.loop.call_soon_threadsafe(recorded.set)
            done.result()

    async def _send_all(
        self, messages: list, results: queue.Queue, deadline: float, halt: threading.Event
    ) -> None:
        work: asyncio.Queue = asyncio.Queue()
        for message in messages:
            work.put_nowait(message)

        async def lane(index: int) -> None:
            while not work.empty():
                message = work.get_nowait()
                error, tried = None, True
                if halt.is_set() or monotonic() > deadline:
                    tried = False
                else:
                    try:
                        await self._send(index, message)
                    except SendError as exc:
                        error = exc
                    except Exception as exc:  # noqa: BLE001 - never leave the caller waiting
                        error = SendError(f"Unexpected error while sending: {exc}")
                recorded = asyncio.Event()
                results.put((message, error, tried, recorded))
                await recorded.wait()

        await asyncio.gather(*(lane(i) for i in range(min(self.size, len(messages)))))

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
        sender = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
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
            await client.send_message(mail, sender=sender, recipients=[message.to_address])
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


def refused_address(refusals: list) -> SendError:
    """The server refused the recipient: for good (5xx), or for now (4xx; 421 is the server's)."""
    codes = [refusal.code for refusal in refusals]
    answer = "; ".join(f"{r.code} {r.message}" for r in refusals)
    address = ", ".join(r.recipient for r in refusals)
    if any(500 <= code < 600 for code in codes):
        return SendError(f"The mail server refused the address {address}: {answer}", permanent=True)
    if 421 in codes:
        return SendError(f"The mail server answered {answer}", outage=True)
    return SendError(
        f"The mail server asked to try {address} again later: {answer}", deferred=True
    )
