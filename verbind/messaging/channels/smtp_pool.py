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
        self, messages: list, deadline: float
    ) -> Iterator[tuple[object, SendError | None, bool]]:
        """Yield (message, error or None, tried) for each message, in the order they finish.

        A connection sends its next message only after the caller came back for the
        next result, that is, after it wrote the previous one down. So when the
        process dies, at most one accepted message per connection is unrecorded.
        No message is started after *deadline* (a ``time.monotonic()`` value); those
        come back with tried=False.
        """
        results: queue.Queue = queue.Queue()
        done = asyncio.run_coroutine_threadsafe(
            self._send_all(messages, results, deadline), self.loop
        )
        for _ in messages:
            message, error, tried, recorded = results.get()
            yield message, error, tried
            self.loop.call_soon_threadsafe(recorded.set)
        done.result()

    async def _send_all(self, messages: list, results: queue.Queue, deadline: float) -> None:
        work: asyncio.Queue = asyncio.Queue()
        for message in messages:
            work.put_nowait(message)

        async def lane(index: int) -> None:
            while not work.empty():
                message = work.get_nowait()
                error, tried = None, True
                if monotonic() > deadline:
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
            await client.send_message(mail, sender=sender, recipients=[message.to_address])
        except aiosmtplib.SMTPRecipientsRefused as exc:
            await self._reset(index)
            raise SendError(
                f"The mail server refused the address: {exc.recipients}", permanent=True
            ) from None
        except aiosmtplib.SMTPResponseException as exc:
            await self._reset(index)
            raise SendError(
                f"The mail server answered {exc.code}: {exc.message}",
                permanent=500 <= exc.code < 600,
            ) from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await self._drop(index)
            raise SendError(f"Could not reach the mail server: {exc}") from None

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
