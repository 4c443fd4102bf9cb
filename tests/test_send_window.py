"""Sending runs ahead of writing down, but never further than its window: the bound on
what a worker killed mid-pass can leave to be sent twice (docs/outbox.md, "The one window")."""

from __future__ import annotations

import uuid

from tests.smtp import SmtpServer
from verbind.messaging.channels.smtp_pool import AHEAD, SmtpPool
from verbind.messaging.models import OutboxMessage


def messages(count: int) -> list[OutboxMessage]:
    return [
        OutboxMessage(
            to_address=f"relation{n}@example.org",
            subject=f"Hello {n}",
            body="Good to see you.",
            idempotency_key=f"window:{n}",
            message_id=f"<{uuid.uuid4().hex}@verbind.test>",
        )
        for n in range(count)
    ]


def test_connections_send_no_more_than_the_window_before_results_are_written_down(settings):
    with SmtpServer() as server:
        for name, value in server.settings().items():
            setattr(settings, name, value)
        pool = SmtpPool(connections=3)
        try:
            sending = pool.start()
            sending.add(messages(50), deadline=float("inf"))
            results = []
            while len(results) < pool.window:  # read, but never say they were written down
                results += sending.next_group(gather=0)
            sending.close()  # as a worker that stops here (or dies) would
        finally:
            pool.close()
        assert pool.window == 3 * AHEAD
        assert len(results) == pool.window and all(error is None for _, error, _ in results)
        # No connection could start a message beyond the window while none was written down.
        assert len(server.inbox.message_ids()) == pool.window


def test_each_result_written_down_lets_the_next_message_go(settings):
    with SmtpServer() as server:
        for name, value in server.settings().items():
            setattr(settings, name, value)
        pool = SmtpPool(connections=2)
        try:
            sending = pool.start()
            sending.add(messages(40), deadline=float("inf"))
            results = []
            while sending.pending:
                group = sending.next_group()
                results += group
                sending.written(group)
            sending.close()
        finally:
            pool.close()
        assert len(results) == 40 and all(tried and error is None for _, error, tried in results)
        assert len(set(server.inbox.message_ids())) == 40
