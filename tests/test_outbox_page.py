"""The outbox as a member reads it: what waits for them, filters, and no mail to themself."""

from __future__ import annotations

from tests.conftest import make_appointment
from verbind.followthrough.drafts import make_draft
from verbind.messaging import outbox


def test_the_outbox_filters_and_the_navigation_counts_what_waits(web, person, owner):
    meeting = make_appointment(person, owner)
    draft = make_draft("thank_you", person, owner, owner.memberships.get().zone, obligation=meeting)
    sent = make_draft("follow_up", person, owner, owner.memberships.get().zone)
    outbox.mark_sent(sent, by=owner)
    page = web.get("/outbox/").content.decode()
    assert '<span class="count"' in page and ">1<" in page  # one draft waits for Olga
    waiting = web.get("/outbox/?show=waiting").content.decode()
    assert f"/outbox/{draft.pk}/" in waiting and f"/outbox/{sent.pk}/" not in waiting
    done = web.get("/outbox/?show=sent").content.decode()
    assert f"/outbox/{sent.pk}/" in done and f"/outbox/{draft.pk}/" not in done
    assert "E-mail" in done  # the channel, and the date, on every line


def test_the_draft_form_reads_in_order(web, person, owner):
    meeting = make_appointment(person, owner)
    draft = make_draft("thank_you", person, owner, owner.memberships.get().zone, obligation=meeting)
    page = web.get(f"/outbox/{draft.pk}/").content.decode()
    assert page.index('name="subject"') < page.index('name="body"') < page.index('name="channel"')
