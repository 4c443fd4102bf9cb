"""The worker's short way to a message's bytes writes exactly what the mail library writes."""

from __future__ import annotations

import pytest
from aiosmtplib.email import flatten_message

from verbind.messaging.channels.email import build
from verbind.messaging.channels.smtp_pool import flatten
from verbind.messaging.models import OutboxMessage

LONG = "Following up on our conversation about the foundation's spring programme and more"
BODIES = [
    "Good to see you last week.",
    "Hoi Jörg,\n\nFijn dat je er was — tot snel!\n",
    "Two lines\r\nwith CRLF\rand a lone CR\n\n",
    "From the start, a line that mail programs would read as a separator.\nFrom here too.",
    "A line far longer than a mail line may be: " + "word " * 250,
    "Dots\n.\n..on their own lines\n",
    "",
]
SUBJECTS = ["Following up", "Bedankt, Zoë", LONG, "Two  spaces", " leading space", "Tab\there"]


def message(subject: str, body: str, **fields) -> OutboxMessage:
    return OutboxMessage(
        to_address=fields.pop("to", "relation@example.org"),
        subject=subject,
        body=body,
        idempotency_key="follow_up:1:2",
        message_id="<abc123@verbind.test>",
        **fields,
    )


@pytest.mark.parametrize("subject", SUBJECTS)
@pytest.mark.parametrize("body", BODIES)
def test_the_short_way_writes_the_same_bytes_as_the_mail_library(settings, subject, body):
    mail = build(message(subject, body)).message()
    assert flatten(mail) == flatten_message(mail)


def test_an_invite_and_an_odd_address_take_the_long_way_and_come_out_the_same(settings):
    calendar = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    invite = build(message("Invite", "See you then.", calendar=calendar)).message()
    invite.set_boundary("fixed")  # else each writing draws its own
    for mail in (invite, build(message("Hello", "Hi", to="Zoë Jansen <zoe@example.org>")).message()):
        assert flatten(mail) == flatten_message(mail)


def test_a_plain_message_takes_the_short_way(settings, monkeypatch):
    from verbind.messaging.channels import smtp_pool

    mail = build(message("Following up", "Hoi Jörg,\n\nFijn dat je er was.\n")).message()
    expected = flatten_message(mail)
    monkeypatch.setattr(smtp_pool, "flatten_message", None)  # the long way would fail
    assert flatten(mail) == expected
