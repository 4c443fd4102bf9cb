"""What a script can now do that only the web could: the outbox, agenda actions, duplicates,
imports and exports, absences, the member's settings and tokens, and the figures — and an
``Idempotency-Key`` that keeps a retried POST from doing anything twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.conftest import ApiClient, make_appointment, make_promise
from verbind.followthrough.models import ClosedBecause, Repair, RepairState
from verbind.messaging.enqueue import DRAFT, enqueue
from verbind.messaging.models import OutboxMessage, Purpose, State
from verbind.obligations.models import AppointmentStatus, Promise
from verbind.people.models import Interaction, Person
from verbind.scheduling.models import Absence
from verbind.workspaces.models import ApiToken

pytestmark = pytest.mark.django_db


def _draft(person, owner, key="test:draft", **fields) -> OutboxMessage:
    message, _new = enqueue(
        key,
        workspace_id=person.workspace_id,
        purpose=Purpose.FOLLOW_UP,
        language="en",
        to_address=person.email,
        subject="Good to meet you",
        body="It was good to meet you, Hans.",
        then=DRAFT,
        person=person,
        sender=owner,
        **fields,
    )
    return message


def test_a_script_reads_changes_and_sends_a_draft_and_it_is_recorded_once(api, person, owner):
    draft = _draft(person, owner)
    listed = api.get("/api/v1/messages", show="waiting").json()
    assert [m["id"] for m in listed["items"]] == [draft.pk]
    changed = api.patch(f"/api/v1/messages/{draft.pk}", {"body": "Thanks for the coffee, Hans."})
    assert changed.status_code == 200 and changed.json()["body"] == "Thanks for the coffee, Hans."
    assert changed.json()["links"]["email"].startswith("mailto:")
    sent = api.post(f"/api/v1/messages/{draft.pk}/send")
    assert sent.status_code == 200 and sent.json()["state"] in ("queued", "ready")
    again = api.post(f"/api/v1/messages/{draft.pk}/send")
    assert again.status_code == 409 and "already sent" in again.json()["message"]
    assert api.patch(f"/api/v1/messages/{draft.pk}", {"body": "x"}).status_code == 409


def test_a_draft_sent_by_hand_is_marked_sent_and_lands_on_the_timeline(api, person, owner):
    draft = _draft(person, owner)
    marked = api.post(f"/api/v1/messages/{draft.pk}/sent")
    assert marked.status_code == 200 and marked.json()["state"] == "sent"
    assert Interaction.objects.filter(person=person, notes__contains="good to meet you").exists()
    cancel = api.post(f"/api/v1/messages/{draft.pk}/cancel")
    assert cancel.status_code == 409


def test_a_script_tries_a_failed_mail_again_and_only_a_failed_one(api, settings, person, owner):
    settings.EMAIL_HOST = "mail.example.org"
    draft = _draft(person, owner)
    assert api.post(f"/api/v1/messages/{draft.pk}/retry").status_code == 409  # it did not fail
    failed = _draft(person, owner, key="test:failed")
    OutboxMessage.objects.filter(pk=failed.pk).update(
        state=State.FAILED, attempts=1, last_error="550 5.1.1 No such user here"
    )
    retried = api.post(f"/api/v1/messages/{failed.pk}/retry")
    assert retried.status_code == 200, retried.content
    assert (retried.json()["state"], retried.json()["attempts"]) == ("queued", 0)
    assert api.post(f"/api/v1/messages/{failed.pk}/retry").status_code == 409


def test_new_times_in_the_past_are_refused_with_the_field_named(api, person, owner):
    meeting = make_appointment(person, owner)
    draft = _draft(person, owner, appointment=meeting)
    past = (timezone.now() - timedelta(days=1)).isoformat()
    refused = api.patch(f"/api/v1/messages/{draft.pk}", {"proposed_times": [past]})
    assert refused.status_code == 422 and "future" in refused.json()["message"]
    soon = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    moved = api.patch(f"/api/v1/messages/{draft.pk}", {"proposed_times": [soon.isoformat()]})
    assert moved.status_code == 200, moved.content
    assert moved.json()["proposed_times"] == [soon.isoformat().replace("+00:00", "Z")]
    no_due = api.patch(f"/api/v1/messages/{draft.pk}", {"new_due": soon.isoformat()})
    assert no_due.status_code == 422


def test_an_agenda_item_is_drafted_then_kept_through_the_api(api, person, owner):
    promise = make_promise(person, owner, due_in=timedelta(hours=3), what="Send the proposal")
    items = api.get("/api/v1/agenda").json()
    item = next(i for i in items if i["obligation"] == {"type": "promise", "id": promise.pk})
    assert "kept" in item["actions"]
    snoozed = api.post(f"/api/v1/agenda/{item['key']}/snooze", {"reason": "Waiting for prices"})
    assert snoozed.status_code == 422 and "until" in snoozed.json()["errors"]
    kept = api.post(f"/api/v1/agenda/{item['key']}/kept")
    assert kept.status_code == 200
    promise.refresh_from_db()
    assert promise.status == "kept"
    gone = api.post(f"/api/v1/agenda/{item['key']}/done")
    assert gone.status_code == 404 and "no longer on your agenda" in gone.json()["message"]


def test_duplicates_are_listed_merged_and_the_merge_undone(api, workspace):
    keep = Person.objects.create(workspace=workspace, name="Hans Verbeek", email="hans@v.example")
    twin = Person.objects.create(workspace=workspace, name="H. Verbeek", phone="+31612345678")
    found = api.get("/api/v1/duplicates").json()
    assert {(d["first"]["id"], d["second"]["id"]) for d in found} == {(keep.pk, twin.pk)}
    merged = api.post("/api/v1/duplicates/merge", {"keep_id": keep.pk, "remove_id": twin.pk})
    assert merged.status_code == 201
    keep.refresh_from_db()
    assert keep.phone == "+31612345678" and not Person.objects.filter(pk=twin.pk).exists()
    undone = api.post(f"/api/v1/duplicates/merges/{merged.json()['id']}/undo")
    assert undone.status_code == 200 and undone.json()["undone_at"]
    assert Person.objects.filter(pk=twin.pk).exists()
    again = api.post(f"/api/v1/duplicates/merges/{merged.json()['id']}/undo")
    assert again.status_code == 409


CARDS = (
    b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Smit\r\nEMAIL:ann@smit.example\r\nEND:VCARD\r\n"
    b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:" + b"Bob de Vries " * 20 + b"\r\nEND:VCARD\r\n"
)


def test_an_import_is_previewed_refused_with_its_errors_then_imported_valid_only(api, workspace):
    def send(**form):
        return api.upload("/api/v1/imports", {"file": SimpleUploadedFile("people.vcf", CARDS), **form})

    preview = send(dry_run="true")
    assert preview.status_code == 200, preview.content
    summary = preview.json()
    assert (summary["new"], summary["written"]) == (1, False)
    assert summary["errors"] and "people.vcf" in summary["errors"][0]
    assert not Person.objects.filter(workspace=workspace).exists()
    refused = send()
    assert refused.status_code == 422 and "nothing was imported" in refused.json()["message"]
    assert not Person.objects.filter(workspace=workspace).exists()
    done = send(valid_only="true")
    assert done.status_code == 200 and (done.json()["created"], done.json()["written"]) == (1, True)
    assert send(valid_only="true").json()["created"] == 0  # the same file again adds nobody
    vcf = api.get("/api/v1/imports/export")
    assert vcf["Content-Type"].startswith("text/vcard") and b"Ann Smit" in vcf.content
    csv = api.get("/api/v1/imports/export", format="csv")
    assert csv["Content-Type"].startswith("text/csv") and "ann@smit.example" in csv.content.decode()


def test_a_member_changes_their_settings_and_revokes_a_token(api, owner, colleague):
    me = api.get("/api/v1/me").json()
    assert me["email"] == owner.email and me["role"] == "owner"
    bad = api.patch("/api/v1/me", {"time_zone": "Mars/Olympus", "mobile": "12", "backup_id": 999})
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) >= {"time_zone", "mobile", "backup_id"}
    good = api.patch(
        "/api/v1/me",
        {"time_zone": "America/New_York", "mobile": "06 12345678", "backup_id": colleague.pk},
    )
    assert good.status_code == 200, good.content
    assert (good.json()["mobile"], good.json()["backup_id"]) == ("+31612345678", colleague.pk)
    tokens = api.get("/api/v1/me/tokens").json()
    other, raw = ApiToken.issue(owner.memberships.get(), "old script")
    assert len(api.get("/api/v1/me/tokens").json()) == len(tokens) + 1
    assert api.delete(f"/api/v1/me/tokens/{other.pk}").status_code == 204
    assert ApiClient(raw).get("/api/v1/me").status_code == 401


def test_meetings_inside_an_absence_get_new_dates_or_go_to_the_backup(api, person, owner, colleague):
    membership = owner.memberships.get()
    start = timezone.now() + timedelta(days=2)
    Absence.objects.create(
        workspace=membership.workspace, membership=membership,
        starts_at=start - timedelta(hours=12), ends_at=start + timedelta(days=1),
    )
    meeting = make_appointment(person, owner, starts_in=timedelta(days=2))
    stuck = api.post("/api/v1/absences/to-backup").json()
    assert stuck == {"offered": [], "handed_over": [], "left": [meeting.pk]}
    api.patch("/api/v1/me", {"backup_id": colleague.pk})
    moved = api.post("/api/v1/absences/to-backup").json()
    assert moved["handed_over"] == [meeting.pk]
    meeting.refresh_from_db()
    assert meeting.owner == colleague


def test_the_working_week_is_read_and_set_and_an_empty_one_refused(api):
    week = api.get("/api/v1/calendars/week").json()
    assert week["weekly_hours"]["0"] == [["09:00", "17:00"]]
    empty = api.put("/api/v1/calendars/week", {"weekly_hours": {}})
    assert empty.status_code == 422 and "no working hours" in empty.json()["message"]
    wrong = api.put("/api/v1/calendars/week", {"weekly_hours": {"0": [["17:00", "09:00"]]}})
    assert wrong.status_code == 422
    set_ = api.put("/api/v1/calendars/week", {"weekly_hours": {"2": [["10:00", "12:00"]]},
                                                "buffer_minutes": 5})
    assert set_.status_code == 200 and set_.json()["weekly_hours"] == {"2": [["10:00", "12:00"]]}


def test_the_figures_give_each_repairs_duration_to_the_minute(api, person, owner, colleague):
    opened = timezone.now() - timedelta(days=3)
    for minutes, who in ((30, owner), (90, owner), (600, colleague)):
        with time_machine.travel(opened, tick=False):
            meeting = make_appointment(person, who, starts_in=-timedelta(hours=1))
            meeting.transition(AppointmentStatus.MISSED_BY_US)
        Repair.objects.filter(lapse__appointment=meeting).update(
            state=RepairState.CLOSED,
            closed_at=opened + timedelta(minutes=minutes),
            first_contact_at=opened + timedelta(minutes=minutes),
            closed_because=ClosedBecause.ANSWERED,
        )
    found = api.get("/api/v1/figures").json()
    assert found["workspace"]["repairs_closed"] == 3
    assert sorted(r["minutes"] for r in found["workspace"]["repaired"]) == [30, 90, 600]
    assert found["workspace"]["median_minutes_to_repair"] == 90
    members = {m["member_id"]: m for m in found["members"]}
    assert members[owner.pk]["median_minutes_to_repair"] == 60
    assert [r["minutes"] for r in members[colleague.pk]["repaired"]] == [600]
    earlier = api.get(
        "/api/v1/figures", until=(opened - timedelta(days=1)).isoformat(), member_id=owner.pk
    ).json()
    assert earlier["workspace"]["repairs_closed"] == 0 and earlier["members"] == []
    backwards = api.get("/api/v1/figures", since=timezone.now().isoformat(),
                        until=opened.isoformat())
    assert backwards.status_code == 422


def test_a_retried_post_with_an_idempotency_key_does_nothing_twice(api, person, owner):
    draft = _draft(person, owner)
    headers = {"Idempotency-Key": "send-draft-1"}
    first = api.client.post(
        f"/api/v1/messages/{draft.pk}/send", headers={**api.headers, **headers}
    )
    second = api.client.post(
        f"/api/v1/messages/{draft.pk}/send", headers={**api.headers, **headers}
    )
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json() and second["Idempotent-Replayed"] == "true"
    logged = {"person_id": person.pk, "kind": "call", "notes": "Called about the offer"}
    for _ in range(3):
        api.client.post(
            "/api/v1/interactions", logged, content_type="application/json",
            headers={**api.headers, "Idempotency-Key": "log-call-7"},
        )
    assert Interaction.objects.filter(notes="Called about the offer").count() == 1
    other = api.client.post(
        "/api/v1/interactions", {**logged, "notes": "Another call"},
        content_type="application/json",
        headers={**api.headers, "Idempotency-Key": "log-call-7"},
    )
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        later = api.client.post(
            "/api/v1/interactions", {**logged, "notes": "Another call"},
            content_type="application/json",
            headers={**api.headers, "Idempotency-Key": "log-call-7"},
        )
    assert later.status_code == 201  # after a day the key is free again
    assert OutboxMessage.objects.get(pk=draft.pk).state in (State.QUEUED, State.READY)
    assert Promise.objects.count() == 0


def test_verbind_figures_gives_the_same_as_the_api(api, person, owner, capsys):
    import json as jsonlib

    from django.core.management import call_command
    from django.core.management.base import CommandError

    opened = timezone.now() - timedelta(days=2)
    with time_machine.travel(opened, tick=False):
        meeting = make_appointment(person, owner, starts_in=-timedelta(hours=1))
        meeting.transition(AppointmentStatus.MISSED_BY_US)
    Repair.objects.update(
        state=RepairState.CLOSED, closed_at=opened + timedelta(minutes=75),
        closed_because=ClosedBecause.ANSWERED,
    )
    call_command("figures", "--member", owner.email, "--json")
    printed = jsonlib.loads(capsys.readouterr().out)
    given = api.get("/api/v1/figures").json()
    assert printed["workspace"]["repaired"][0]["minutes"] == 75
    assert printed["workspace"]["median_minutes_to_repair"] == given["workspace"][
        "median_minutes_to_repair"
    ] == 75
    call_command("figures", "--member", owner.email)
    assert "1 h 15 min" in capsys.readouterr().out
    with pytest.raises(CommandError, match="--since 'tomorrow' is not a date and time"):
        call_command("figures", "--member", owner.email, "--since", "tomorrow")
