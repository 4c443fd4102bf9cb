"""The repair loop as the relation and the host meet it: declines, replacements, their words."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from tests.conftest import make_appointment
from verbind.followthrough import actions
from verbind.followthrough.agenda import agenda_for
from verbind.messaging import outbox
from verbind.obligations.models import AppointmentStatus, Promise, PromiseStatus
from verbind.scheduling.models import Proposal
from verbind.scheduling.proposals import book, find, offer, propose
from verbind.scheduling.slots import free_slots

AMS = ZoneInfo("Europe/Amsterdam")
HOUR = timedelta(hours=1)
NOW = "2026-12-01 08:00:00+00:00"  # a Tuesday morning


@pytest.fixture
def host(owner, workspace):
    return owner.memberships.get()


def decline(host, person, **answer):
    proposal, raw = propose(host, person, "Coffee at De Ruif", free_slots(host, HOUR), HOUR,
                            place="De Ruif, Utrecht")
    Client().post(f"/p/{raw}/", {"decline": "1", **answer})
    return Proposal.objects.get(pk=proposal.pk)


def owed_item(host, person):
    [item] = [i for i in agenda_for(host) if i.person == person]
    return item


@time_machine.travel(NOW, tick=False)
def test_after_none_suit_me_with_afternoons_the_draft_offers_afternoons_in_their_language(
    host, person
):
    declined = decline(host, person, prefer="afternoons", note="liefst na de lunch")
    item = owed_item(host, person)
    # The host reads why, with their own words quoted.
    assert item.purpose == "new_dates"
    assert "“liefst na de lunch”" in item.why and "Afternoons suit them better." in item.why
    message = actions.draft(host, item)
    assert message.subject == "Andere momenten voor Coffee at De Ruif"  # Hans reads Dutch
    assert "Dan wordt het een middag." in message.body and "Send " not in message.body
    times = message.next_step.times
    assert len(times) == 3
    assert all(12 <= t.astimezone(AMS).hour < 17 for t in times)
    assert not set(times) & {slot.starts_at for slot in declined.slots.all()}


@time_machine.travel(NOW, tick=False)
def test_after_a_later_week_suits_them_the_times_start_the_week_after_the_offer(host, person):
    declined = decline(host, person, prefer="later")
    message = actions.draft(host, owed_item(host, person))
    last_offered = max(slot.starts_at for slot in declined.slots.all())
    monday = last_offered.astimezone(AMS).date() + timedelta(
        days=7 - last_offered.astimezone(AMS).weekday()
    )
    assert message.next_step.times
    assert all(t.astimezone(AMS).date() >= monday for t in message.next_step.times)


@time_machine.travel(NOW, tick=False)
def test_sending_the_other_dates_keeps_the_promise_and_the_link_books_the_same_meeting(
    host, person, owner
):
    decline(host, person, prefer="mornings")
    message = actions.draft(host, owed_item(host, person))
    outbox.send(message, by=owner)
    outbox.mark_sent(message, by=owner)
    assert Promise.objects.get(person=person).status == PromiseStatus.KEPT
    raw = message.body.split("/p/")[1].split("/")[0]
    proposal = find(raw)
    assert (proposal.title, proposal.place) == ("Coffee at De Ruif", "De Ruif, Utrecht")
    meeting = book(proposal, proposal.slots.first().pk)
    assert meeting.title == "Coffee at De Ruif" and meeting.place == "De Ruif, Utrecht"


def test_an_offer_that_replaces_a_meeting_keeps_its_title_and_place(host, person, owner):
    failed = make_appointment(person, owner, starts_in=-HOUR, title="Lunch at the club",
                              place="Sociëteit, Zwolle")
    failed.transition(AppointmentStatus.MISSED_BY_US)
    proposal, _raw = offer(host, person, replaces=failed)
    meeting = book(proposal, proposal.slots.first().pk)
    assert (meeting.title, meeting.place) == ("Lunch at the club", "Sociëteit, Zwolle")


def test_the_hosts_booking_mail_does_not_name_the_person_twice(smtp, host, person, owner):
    from verbind.messaging.models import OutboxMessage

    proposal, _raw = offer(host, person)  # "Meeting with Hans Verbeek"
    book(proposal, proposal.slots.first().pk)
    to_host = OutboxMessage.objects.get(purpose="invite", member=owner)
    assert to_host.subject.count("Hans Verbeek") == 1


@time_machine.travel(NOW, tick=False)
def test_a_repair_of_a_host_who_is_away_goes_to_the_backup_at_once(
    host, person, owner, colleague
):
    from verbind.followthrough.models import Repair
    from verbind.scheduling.models import Absence

    backup = colleague.memberships.get()
    Absence.objects.create(
        workspace=host.workspace,
        membership=host,
        starts_at=host_now() - timedelta(days=1),
        ends_at=host_now() + timedelta(days=20),
        backup=backup,
        note="Day off",
    )
    missed = make_appointment(person, owner, starts_in=-HOUR)
    missed.transition(AppointmentStatus.MISSED_BY_US)
    repair = Repair.objects.get()
    assert repair.owner == colleague and repair.delegated_from == owner
    # It is on the backup's agenda now, not after the 24 h deadline as an escalation.
    [item] = [i for i in agenda_for(backup) if i.rule == "repair_due"]
    message = actions.draft(backup, item)
    assert message.next_step.host == backup.pk and len(message.next_step.times) == 3
    # The host sees on return who took it over, and marks it seen.
    [seen] = [i for i in agenda_for(host) if i.rule == "repair_stood_in"]
    assert "Cees Colleague took over" in seen.why and "still open" in seen.why
    actions.done(host, seen)
    assert not [i for i in agenda_for(host) if i.rule == "repair_stood_in"]


def host_now():
    from django.utils import timezone

    return timezone.now()


def test_a_late_promise_reads_broken_with_its_repair_and_renew_opens_it_again(
    api, person, owner
):
    from tests.conftest import make_promise
    from verbind.followthrough.models import Repair
    from verbind.followthrough.steps import LatePromises

    promise = make_promise(person, owner, due_in=-HOUR)
    LatePromises()(promise.due_at + timedelta(minutes=1))
    seen = api.get(f"/api/v1/promises/{promise.pk}").json()
    repair = Repair.objects.get()
    assert seen["status"] == "broken" and seen["repair_id"] == repair.pk
    later = (promise.due_at + timedelta(days=3)).isoformat()
    renewed = api.post(f"/api/v1/promises/{promise.pk}/renew", {"due_at": later}).json()
    assert renewed["status"] == "open" and renewed["repair_id"] is None
    past = api.post(f"/api/v1/promises/{promise.pk}/renew", {"due_at": "2020-01-01T10:00:00Z"})
    assert past.status_code == 409 and "future" in past.json()["message"]


def test_missed_by_us_shows_the_repair_it_opened_with_its_draft_and_an_undo(
    web, person, owner
):
    from verbind.followthrough.models import Lapse, Repair

    meeting = make_appointment(person, owner, starts_in=-HOUR)
    page = web.post(
        f"/appointments/{meeting.pk}/transition/",
        {"to": "missed_by_us"},
        headers={"HX-Request": "true"},
    ).content.decode()
    repair = Repair.objects.get()
    assert "Repair opened: apologise to Hans Verbeek by" in page
    assert f"/today/repair:appointment:{meeting.pk}/draft/" in page and "Open draft" in page
    assert f"/appointments/{meeting.pk}/undo/" in page
    # A mistaken click is taken back: the meeting stands again, the repair closes as undone,
    # and the lapse stays on record.
    page = web.post(f"/appointments/{meeting.pk}/undo/", headers={"HX-Request": "true"})
    assert "is “Confirmed” again" in page.content.decode()
    meeting.refresh_from_db()
    repair.refresh_from_db()
    assert meeting.status == AppointmentStatus.CONFIRMED
    assert repair.state == "closed" and repair.closed_because == "undone"
    assert Lapse.objects.count() == 1


def test_an_undo_is_only_for_a_short_while_and_only_for_who_clicked(
    web, person, owner, colleague
):
    meeting = make_appointment(person, owner, starts_in=-HOUR)
    meeting.transition(AppointmentStatus.MISSED_BY_US, by=owner)
    assert not meeting.can_undo(colleague)
    with time_machine.travel(meeting.closed_at + timedelta(minutes=11)):
        answer = web.post(f"/appointments/{meeting.pk}/undo/", follow=True)
        assert "This change can no longer be undone." in answer.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == AppointmentStatus.MISSED_BY_US


def test_after_new_dates_were_offered_the_absence_item_no_longer_asks_to_offer_them(
    host, person, owner
):
    from verbind.followthrough.absences import offer_new_dates
    from verbind.scheduling.models import Absence

    meeting = make_appointment(person, owner, starts_in=timedelta(days=21))
    Absence.objects.create(
        workspace=host.workspace,
        membership=host,
        starts_at=meeting.starts_at - timedelta(days=1),
        ends_at=meeting.ends_at + timedelta(days=2),
    )
    [before] = [i for i in agenda_for(host) if i.rule == "absence_guard"]
    assert "offer new dates now" in before.why and "draft" in before.actions
    offer_new_dates(host)
    [after] = [i for i in agenda_for(host) if i.rule == "absence_guard"]
    assert "are on offer to Hans Verbeek; waiting for their choice" in after.why
    assert "draft" not in after.actions


def test_the_person_page_lists_the_repair_owed_and_the_times_on_offer(web, person, owner):
    missed = make_appointment(person, owner, starts_in=-HOUR)
    missed.transition(AppointmentStatus.MISSED_BY_US, by=owner)
    host = owner.memberships.get()
    propose(host, person, "Lunch", free_slots(host, HOUR), HOUR)
    page = web.get(person.get_absolute_url()).content.decode()
    opened = page.split('id="timeline"')[1].split("History")[0]
    assert "We missed “Coffee at his office”: apologise and offer new dates." in opened
    assert f"/today/repair:appointment:{missed.pk}/draft/" in opened
    assert "Lunch" in opened and "waiting for their choice" in opened
    assert "Nothing open" not in opened


@time_machine.travel(NOW, tick=False)
def test_times_another_offer_took_meanwhile_are_replaced_before_the_draft_goes_out(
    host, person, owner, workspace
):
    from verbind.people.models import Person

    missed = make_appointment(person, owner, starts_in=-HOUR)
    missed.transition(AppointmentStatus.MISSED_BY_US, by=owner)
    item = [i for i in agenda_for(host) if i.rule == "repair_due"][0]
    message = actions.draft(host, item)
    first, *_rest = message.next_step.times
    olivia = Person.objects.create(workspace=workspace, name="Olivia Hart")
    propose(host, olivia, "Lunch", [first], HOUR)  # an offer made later holds the same hour
    outbox.send(message, by=owner)
    message.refresh_from_db()
    proposal = Proposal.objects.get(pk=message.next_step.proposal)
    starts = [slot.starts_at for slot in proposal.slots.all()]
    assert first not in starts and len(starts) == 3
    from verbind.messaging.drafts import local_text

    said = [local_text(s, person.language, AMS) for s in starts]
    assert all(text in message.body for text in said)  # the text names the times on the link
    assert local_text(first, person.language, AMS) not in message.body


@time_machine.travel(NOW, tick=False)
def test_no_time_is_offered_when_they_already_meet_one_of_us(host, person, owner, colleague):
    missed = make_appointment(person, owner, starts_in=-HOUR)
    missed.transition(AppointmentStatus.MISSED_BY_US, by=owner)
    free = offer(host, person)[0]  # where the times would fall
    first = free.slots.order_by("starts_at").first().starts_at
    free.delete()
    other = make_appointment(person, colleague, starts_in=first - timezone_now(), title="Kick-off")
    item = [i for i in agenda_for(host) if i.rule == "repair_due"][0]
    times = actions.draft(host, item).next_step.times
    assert times and all(not (t < other.ends_at and t + HOUR > other.starts_at) for t in times)


def timezone_now():
    from django.utils import timezone

    return timezone.now()


def test_a_promise_past_its_time_reads_broken_even_before_the_worker_passes(api, person, owner):
    from tests.conftest import make_promise

    promise = make_promise(person, owner, due_in=-HOUR)
    seen = api.get(f"/api/v1/promises/{promise.pk}").json()
    assert (seen["status"], seen["outcome"]) == ("broken", "broken")
