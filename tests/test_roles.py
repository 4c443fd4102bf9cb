"""The role matrix: every role × every action, on the web and through the API, generated from
the one table in ``verbind.workspaces.permissions`` (docs/roles.md prints it). A route that
changes something and is missing from the table, or from the cases here, fails the suite."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tests.conftest import ApiClient, make_appointment, make_promise
from verbind.api.api import api as ninja_api
from verbind.cadences import cadence as cadences
from verbind.cadences import events, nudges
from verbind.cadences.models import Cadence, Event, Nudge
from verbind.introductions.models import Introduction
from verbind.lib.tokens import new_token
from verbind.messaging.enqueue import DRAFT, enqueue
from verbind.messaging.models import OutboxMessage, Purpose
from verbind.people.merging import merge
from verbind.people.models import Interaction, Organisation, Person
from verbind.scheduling.models import Proposal
from verbind.workspaces.accounts import make_user
from verbind.workspaces.models import ApiToken, Membership, Role
from verbind.workspaces.permissions import ANY, NO, OWN, ROLES, TABLE, Action, level

# Part of the fault suite (`pytest -m faults`): the role matrix, the limits, attacks.
pytestmark = [pytest.mark.django_db, pytest.mark.faults]


class World:
    """One workspace with a member of each role, and things that belong to each of them."""

    def __init__(self, owner, workspace):
        self.workspace = workspace
        self.users = {Role.OWNER: owner}
        for role in (Role.MANAGER, Role.MEMBER, Role.RECEPTION):
            user = make_user(f"{role}@example.org", f"A {role}", "x")
            Membership.objects.create(workspace=workspace, user=user, role=role)
            self.users[role] = user
        # Whose "colleague's" things are: another plain member.
        self.colleague = make_user("colleague@example.org", "Cees Colleague", "x")
        Membership.objects.create(workspace=workspace, user=self.colleague, role=Role.MEMBER)
        self.person = Person.objects.create(workspace=workspace, name="Hans Verbeek")
        self.n = itertools.count()

    def membership(self, user) -> Membership:
        return user.memberships.get(workspace=self.workspace)

    def new_person(self) -> Person:
        return Person.objects.create(workspace=self.workspace, name=f"Person {next(self.n)}")

    def interaction(self, user) -> Interaction:
        return Interaction.objects.create(
            workspace=self.workspace, person=self.person, member=user, kind="call", notes="Spoke about the roof terrace"
        )

    def appointment(self, user):
        # Started an hour ago: it can be recorded held or missed, or cancelled.
        return make_appointment(self.person, user, starts_in=-timedelta(minutes=30))

    def promise(self, user):
        return make_promise(self.person, user)

    def message(self, user) -> OutboxMessage:
        message, _new = enqueue(
            f"test:{next(self.n)}",
            workspace_id=self.workspace.pk,
            purpose=Purpose.FOLLOW_UP,
            language="en",
            to_address="hans@verbeek.example",
            subject="Following up",
            body="Good to meet you.",
            then=DRAFT,
            person=self.person,
            sender=user,
        )
        return message

    def proposal(self, user) -> Proposal:
        _raw, digest = new_token()
        return Proposal.objects.create(
            workspace=self.workspace,
            host=self.membership(user),
            person=self.person,
            title="Coffee",
            token_hash=digest,
            expires_at=timezone.now() + timedelta(days=14),
        )

    def introduction(self, user) -> Introduction:
        return Introduction.objects.create(
            workspace=self.workspace, member=user, a=self.person, b=self.new_person(),
            why="They should meet.",
        )

    def tag_cadence(self, user) -> Cadence:
        return cadences.for_tag(user, self.workspace, f"club {next(self.n)}", 6)

    def nudge(self, user) -> Nudge:
        return nudges.start(user, self.person, "joining the club")

    def event(self) -> Event:
        return events.create(self.users[Role.OWNER], self.workspace, name="Club evening")

    def new_member(self):
        user = make_user(f"leaver{next(self.n)}@example.org", "Leo Leaver", "x")
        Membership.objects.create(workspace=self.workspace, user=user, role=Role.MEMBER)
        return user

    def organisation(self):
        return Organisation.objects.create(workspace=self.workspace, name=f"Org {next(self.n)}")

    def merge_record(self):
        return merge(self.new_person(), self.new_person())


@dataclass(frozen=True)
class Case:
    """One thing to try: *route* (a URL name, or ``METHOD /api/path``) doing *action*.

    *build(world, user)* returns (method, path, data); *user* is whose object it is
    (``None``: the route acts on no one's object).
    """

    route: str
    action: Action
    build: object
    on_objects: bool = True


def _web(route, action, build, on_objects=True):
    return Case(route, action, build, on_objects)


WEB_CASES = [
    _web("agenda_action", Action.OWN_AGENDA, lambda w, u: ("post", "/today/nothing/done/", {}), False),
    _web("welcome_seen", Action.OWN_SETTINGS, lambda w, u: ("post", "/welcome/seen/", {}), False),
    _web("message", Action.SEND_MESSAGE,
         lambda w, u: ("post", f"/outbox/{w.message(u).pk}/", {"save": "1", "body": "Hi", "channel": "email"})),
    _web("message_sent", Action.SEND_MESSAGE, lambda w, u: ("post", f"/outbox/{w.message(u).pk}/sent/", {})),
    _web("message_retry", Action.SEND_MESSAGE,
         lambda w, u: ("post", f"/outbox/{w.message(u).pk}/retry/", {})),
    _web("message_cancel", Action.CANCEL_MESSAGE,
         lambda w, u: ("post", f"/outbox/{w.message(u).pk}/cancel/", {})),
    _web("quick_add", Action.ADD_PERSON, lambda w, u: ("post", "/people/quick/", {"name": "Ann"}), False),
    _web("person_new", Action.ADD_PERSON, lambda w, u: ("post", "/people/new/", {"name": "Ann"}), False),
    _web("merge_people", Action.MERGE_PEOPLE,
         lambda w, u: ("post", "/duplicates/merge/",
                       {"keep": w.new_person().pk, "remove": w.new_person().pk}), False),
    _web("undo_merge", Action.MERGE_PEOPLE,
         lambda w, u: ("post", f"/duplicates/undo/{w.merge_record().pk}/", {}), False),
    _web("import", Action.IMPORT, lambda w, u: ("get", "/import/", {}), False),
    _web("import_preview", Action.IMPORT, lambda w, u: ("get", "/import/nothing/", {}), False),
    _web("export_vcard", Action.EXPORT, lambda w, u: ("get", "/export/people.vcf", {}), False),
    _web("export_csv", Action.EXPORT, lambda w, u: ("get", "/export/people.csv", {}), False),
    _web("person_edit", Action.EDIT_PERSON,
         lambda w, u: ("post", f"/people/{w.person.pk}/edit/", {"name": "Hans", "email": ""}), False),
    _web("person_action", Action.LOG_ENTRY,
         lambda w, u: ("post", f"/people/{w.person.pk}/interaction/", {"kind": "call", "notes": "Hi"}), False),
    _web("person_action", Action.ADD_OBLIGATION,
         lambda w, u: ("post", f"/people/{w.person.pk}/promise/", {"what": "Call back"}), False),
    _web("person_action", Action.OFFER_TIMES,
         lambda w, u: ("post", f"/people/{w.person.pk}/offer/", {}), False),
    _web("organisation_new", Action.ADD_PERSON,
         lambda w, u: ("post", "/organisations/new/", {"name": "Verbeek"}), False),
    _web("organisation_edit", Action.EDIT_PERSON,
         lambda w, u: ("post", f"/organisations/{w.person.pk}/edit/", {"name": "Verbeek"}), False),
    _web("appointment_transition", Action.RECORD_MEETING,
         lambda w, u: ("post", f"/appointments/{w.appointment(u).pk}/transition/", {"to": "missed_by_us"})),
    _web("appointment_transition", Action.CHANGE_OBLIGATION,
         lambda w, u: ("post", f"/appointments/{w.appointment(u).pk}/transition/", {"to": "cancelled_by_us"})),
    _web("appointment_undo", Action.UNDO,
         lambda w, u: ("post", f"/appointments/{w.appointment(u).pk}/undo/", {})),
    _web("entry_edit", Action.EDIT_ENTRY,
         lambda w, u: ("post", f"/entries/{w.interaction(u).pk}/edit/", {"kind": "call", "notes": "Hello"})),
    _web("entry_delete", Action.DELETE_ENTRY,
         lambda w, u: ("post", f"/entries/{w.interaction(u).pk}/delete/", {})),
    _web("promise_transition", Action.CHANGE_OBLIGATION,
         lambda w, u: ("post", f"/promises/{w.promise(u).pk}/transition/", {"to": "kept"})),
    _web("reschedule", Action.CHANGE_OBLIGATION,
         lambda w, u: ("post", f"/appointments/{w.appointment(u).pk}/reschedule/", {"starts_at": ""})),
    _web("settings", Action.OWN_SETTINGS, lambda w, u: ("post", "/settings/", {}), False),
    _web("calendars", Action.OWN_SETTINGS, lambda w, u: ("post", "/calendars/", {}), False),
    _web("calendar_sync", Action.OWN_SETTINGS, lambda w, u: ("post", "/calendars/0/sync/", {}), False),
    _web("calendar_remove", Action.OWN_SETTINGS, lambda w, u: ("post", "/calendars/0/remove/", {}), False),
    _web("absence_remove", Action.OWN_SETTINGS, lambda w, u: ("post", "/absences/0/remove/", {}), False),
    _web("absence_offer_all", Action.OWN_AGENDA,
         lambda w, u: ("post", "/absences/offer-new-dates/", {}), False),
    _web("absence_to_backup", Action.OWN_AGENDA, lambda w, u: ("post", "/absences/to-backup/", {}), False),
    _web("feed_renew", Action.OWN_SETTINGS, lambda w, u: ("post", "/calendars/feed/renew/", {}), False),
    _web("revoke_token", Action.OWN_SETTINGS, lambda w, u: ("post", "/settings/tokens/0/revoke/", {}), False),
    _web("unlock_member", Action.UNLOCK_SIGN_IN,
         lambda w, u: ("post", f"/settings/unlock/{w.colleague.pk}/", {}), False),
    _web("desk_check_in", Action.DESK, lambda w, u: ("post", "/desk/appointments/0/check-in/", {}), False),
    _web("desk_walk_in", Action.DESK, lambda w, u: ("post", "/desk/walk-in/", {"name": ""}), False),
    _web("desk_answer", Action.ANSWER_VISIT, lambda w, u: ("post", "/desk/visits/0/answer/", {}), False),
    _web("desk_hand_over", Action.DESK, lambda w, u: ("post", "/desk/visits/0/hand-over/", {}), False),
    _web("desk_failed", Action.DESK, lambda w, u: ("post", "/desk/visits/0/failed/", {}), False),
    _web("desk_check_out", Action.DESK, lambda w, u: ("post", "/desk/visits/0/check-out/", {}), False),
    _web("introduction_new", Action.INTRODUCE,
         lambda w, u: ("post", "/introductions/new/", {"a": w.person.pk, "why": ""}), False),
    _web("introduction_act", Action.CHANGE_INTRODUCTION,
         lambda w, u: ("post", f"/introductions/{w.introduction(u).pk}/end/", {})),
    _web("person_ledger_add", Action.LOG_ENTRY,
         lambda w, u: ("post", f"/people/{w.person.pk}/ledger/", {"direction": "got", "kind": "advice"}),
         False),
    _web("person_ask_add", Action.KEEP_ASKS,
         lambda w, u: ("post", f"/people/{w.person.pk}/asks/", {"kind": "ask", "text": "A hotel partner"}),
         False),
    _web("ask_close", Action.KEEP_ASKS, lambda w, u: ("post", "/asks/0/close/", {}), False),
    _web("keeping", Action.KEEP_IN_TOUCH,
         lambda w, u: ("post", "/keeping/", {"event-name": "Club evening", "event-held_on": "2026-12-01"}),
         False),
    _web("keeping_settings", Action.WORKSPACE_SETTINGS, lambda w, u: ("post", "/keeping/settings/", {}),
         False),
    _web("cadence_group_stop", Action.CHANGE_KEEPING,
         lambda w, u: ("post", f"/keeping/cadences/{w.tag_cadence(u).pk}/stop/", {})),
    _web("nudge_decide", Action.CHANGE_KEEPING,
         lambda w, u: ("post", f"/keeping/nudges/{w.nudge(u).pk}/wait/", {})),
    _web("person_keeping", Action.KEEP_IN_TOUCH,
         lambda w, u: ("post", f"/people/{w.person.pk}/keeping/cadence/", {"every_weeks": 6}), False),
    _web("event", Action.KEEP_IN_TOUCH,
         lambda w, u: ("post", f"/keeping/events/{w.event().pk}/", {"name": "Daan Mulder"}), False),
    _web("webhooks", Action.WORKSPACE_SETTINGS,
         lambda w, u: ("post", "/settings/webhooks/", {"url": "ftp://x", "events": ["repair.opened"]}),
         False),
    _web("webhook_resume", Action.WORKSPACE_SETTINGS,
         lambda w, u: ("post", "/settings/webhooks/999999/resume/", {}), False),
    _web("webhook_remove", Action.WORKSPACE_SETTINGS,
         lambda w, u: ("post", "/settings/webhooks/999999/remove/", {}), False),
    _web("keeping", Action.READ_TIMELINES, lambda w, u: ("get", "/keeping/", {}), False),
    _web("nudge", Action.READ_TIMELINES,
         lambda w, u: ("get", f"/keeping/nudges/{w.nudge(w.users[Role.OWNER]).pk}/", {}), False),
    _web("event", Action.READ_TIMELINES,
         lambda w, u: ("get", f"/keeping/events/{w.event().pk}/", {}), False),
    _web("introductions", Action.READ_TIMELINES, lambda w, u: ("get", "/introductions/", {}), False),
    _web("introduction", Action.READ_TIMELINES,
         lambda w, u: ("get", f"/introductions/{w.introduction(w.users[Role.OWNER]).pk}/", {}), False),
    _web("person", Action.READ_TIMELINES, lambda w, u: ("get", f"/people/{w.person.pk}/", {}), False),
    _web("organisation", Action.READ_TIMELINES,
         lambda w, u: ("get", f"/organisations/{w.organisation().pk}/", {}), False),
    _web("members", Action.SET_BACKUP, lambda w, u: ("get", "/settings/members/", {}), False),
    _web("members", Action.MANAGE_MEMBERS,
         lambda w, u: ("post", "/settings/members/",
                       {"invite-email": f"new{next(w.n)}@example.org", "invite-role": "member",
                        "invite-language": "en"}), False),
    _web("member_role", Action.MANAGE_MEMBERS,
         lambda w, u: ("post", f"/settings/members/{w.colleague.pk}/role/",
                       {f"m{w.colleague.pk}-role": "member"}), False),
    _web("member_backup", Action.SET_BACKUP,
         lambda w, u: ("post", f"/settings/members/{w.colleague.pk}/backup/",
                       {f"m{w.colleague.pk}-backup": ""}), False),
    _web("member_remove", Action.MANAGE_MEMBERS,
         lambda w, u: ("post", f"/settings/members/{w.new_member().pk}/remove/", {}), False),
    _web("invitation_withdraw", Action.MANAGE_MEMBERS,
         lambda w, u: ("post", "/settings/invitations/999999/withdraw/", {}), False),
    _web("desk_settings", Action.WORKSPACE_SETTINGS,
         lambda w, u: ("post", "/desk/settings/", {"answer_minutes": 5, "keep_days": 90}), False),
    _web("desk_visitor_data", Action.EXPORT,
         lambda w, u: ("get", "/desk/visitor-data/", {"q": "Hans Verbeek"}), False),
    _web("absence_hand_over", Action.OWN_AGENDA,
         lambda w, u: ("post", "/absences/999999/hand-over/", {}), False),
    _web("switch_workspace", Action.OWN_SETTINGS, lambda w, u: ("post", "/workspace/", {"workspace": "x"}), False),
]

SOON = (timezone.now() + timedelta(days=3)).isoformat()

API_CASES = [
    Case("POST /people", Action.ADD_PERSON, lambda w, u: ("post", "/people", {"name": "Ann"}), False),
    Case("PATCH /people/{person_id}", Action.EDIT_PERSON,
         lambda w, u: ("patch", f"/people/{w.person.pk}", {"email": ""}), False),
    Case("DELETE /people/{person_id}", Action.DELETE_PERSON,
         lambda w, u: ("delete", f"/people/{w.new_person().pk}", None), False),
    Case("POST /organisations", Action.ADD_PERSON,
         lambda w, u: ("post", "/organisations", {"name": "Verbeek"}), False),
    Case("PATCH /organisations/{organisation_id}", Action.EDIT_PERSON,
         lambda w, u: ("patch", "/organisations/999999", {"city": "Ede"}), False),
    Case("DELETE /organisations/{organisation_id}", Action.DELETE_PERSON,
         lambda w, u: ("delete", "/organisations/999999", None), False),
    Case("POST /interactions", Action.LOG_ENTRY,
         lambda w, u: ("post", "/interactions", {"person_id": w.person.pk, "kind": "call", "notes": "Hi"}), False),
    Case("PATCH /interactions/{interaction_id}", Action.EDIT_ENTRY,
         lambda w, u: ("patch", f"/interactions/{w.interaction(u).pk}", {"notes": "Hello"})),
    Case("DELETE /interactions/{interaction_id}", Action.DELETE_ENTRY,
         lambda w, u: ("delete", f"/interactions/{w.interaction(u).pk}", None)),
    Case("POST /appointments", Action.ADD_OBLIGATION,
         lambda w, u: ("post", "/appointments", {"title": "Coffee", "person_id": w.person.pk,
                                                  "starts_at": SOON, "ends_at": SOON}), False),
    Case("POST /appointments/{appointment_id}/transition", Action.RECORD_MEETING,
         lambda w, u: ("post", f"/appointments/{w.appointment(u).pk}/transition", {"to": "held"})),
    Case("POST /appointments/{appointment_id}/transition", Action.CHANGE_OBLIGATION,
         lambda w, u: ("post", f"/appointments/{w.appointment(u).pk}/transition", {"to": "cancelled_by_us"})),
    Case("POST /appointments/{appointment_id}/undo", Action.UNDO,
         lambda w, u: ("post", f"/appointments/{w.appointment(u).pk}/undo", {})),
    Case("POST /appointments/{appointment_id}/reschedule", Action.CHANGE_OBLIGATION,
         lambda w, u: ("post", f"/appointments/{w.appointment(u).pk}/reschedule",
                       {"starts_at": SOON, "ends_at": SOON})),
    Case("DELETE /appointments/{appointment_id}", Action.DELETE_OBLIGATION,
         lambda w, u: ("delete", f"/appointments/{w.appointment(u).pk}", None)),
    Case("POST /promises", Action.ADD_OBLIGATION,
         lambda w, u: ("post", "/promises", {"what": "Call", "person_id": w.person.pk, "due_at": SOON}), False),
    Case("POST /promises/{promise_id}/transition", Action.CHANGE_OBLIGATION,
         lambda w, u: ("post", f"/promises/{w.promise(u).pk}/transition", {"to": "released"})),
    Case("POST /promises/{promise_id}/renew", Action.CHANGE_OBLIGATION,
         lambda w, u: ("post", f"/promises/{w.promise(u).pk}/renew", {"due_at": SOON})),
    Case("DELETE /promises/{promise_id}", Action.DELETE_OBLIGATION,
         lambda w, u: ("delete", f"/promises/{w.promise(u).pk}", None)),
    Case("POST /proposals", Action.OFFER_TIMES,
         lambda w, u: ("post", "/proposals", {"person_id": w.person.pk, "within_days": 1}), False),
    Case("POST /proposals/{proposal_id}/withdraw", Action.WITHDRAW_OFFER,
         lambda w, u: ("post", f"/proposals/{w.proposal(u).pk}/withdraw", {})),
    Case("POST /calendars", Action.OWN_SETTINGS,
         lambda w, u: ("post", "/calendars", {"name": "x", "source": "upload", "url": "x"}), False),
    Case("POST /calendars/upload", Action.OWN_SETTINGS, lambda w, u: ("post", "/calendars/upload", {}), False),
    Case("POST /calendars/{calendar_id}/sync", Action.OWN_SETTINGS,
         lambda w, u: ("post", "/calendars/0/sync", {}), False),
    Case("DELETE /calendars/{calendar_id}", Action.OWN_SETTINGS,
         lambda w, u: ("delete", "/calendars/0", None), False),
    Case("POST /absences", Action.OWN_SETTINGS, lambda w, u: ("post", "/absences", {}), False),
    Case("POST /desk/appointments/{appointment_id}/check-in", Action.DESK,
         lambda w, u: ("post", "/desk/appointments/0/check-in", {}), False),
    Case("POST /desk/walk-ins", Action.DESK, lambda w, u: ("post", "/desk/walk-ins", {}), False),
    Case("POST /desk/visits/{visit_id}/answer", Action.ANSWER_VISIT,
         lambda w, u: ("post", "/desk/visits/0/answer", {"answer": "coming"}), False),
    Case("POST /desk/visits/{visit_id}/hand-over", Action.DESK,
         lambda w, u: ("post", "/desk/visits/0/hand-over", {}), False),
    Case("POST /desk/visits/{visit_id}/failed", Action.DESK,
         lambda w, u: ("post", "/desk/visits/0/failed", {}), False),
    Case("POST /desk/visits/{visit_id}/check-out", Action.DESK,
         lambda w, u: ("post", "/desk/visits/0/check-out", {}), False),
    Case("POST /introductions", Action.INTRODUCE,
         lambda w, u: ("post", "/introductions", {"a_id": w.person.pk, "b_id": w.new_person().pk,
                                                   "why": "They should meet."}), False),
    Case("POST /introductions/{introduction_id}/send", Action.CHANGE_INTRODUCTION,
         lambda w, u: ("post", f"/introductions/{w.introduction(u).pk}/send", {})),
    Case("POST /introductions/{introduction_id}/end", Action.CHANGE_INTRODUCTION,
         lambda w, u: ("post", f"/introductions/{w.introduction(u).pk}/end", {})),
    Case("POST /ledger/entries", Action.LOG_ENTRY,
         lambda w, u: ("post", "/ledger/entries", {"person_id": w.person.pk, "direction": "got",
                                                   "kind": "advice"}), False),
    Case("POST /ledger/asks", Action.KEEP_ASKS,
         lambda w, u: ("post", "/ledger/asks", {"person_id": w.person.pk, "kind": "ask",
                                                "text": "A hotel partner"}), False),
    Case("POST /ledger/asks/{ask_id}/close", Action.KEEP_ASKS,
         lambda w, u: ("post", "/ledger/asks/999999/close", {}), False),
    Case("POST /cadences", Action.KEEP_IN_TOUCH,
         lambda w, u: ("post", "/cadences", {"person_id": w.person.pk, "every_weeks": 6}), False),
    Case("DELETE /cadences/{cadence_id}", Action.CHANGE_KEEPING,
         lambda w, u: ("delete", f"/cadences/{w.tag_cadence(u).pk}", None)),
    Case("POST /tags", Action.KEEP_IN_TOUCH,
         lambda w, u: ("post", "/tags", {"person_id": w.person.pk, "tag": "club"}), False),
    Case("POST /nudges", Action.KEEP_IN_TOUCH,
         lambda w, u: ("post", "/nudges", {"person_id": w.new_person().pk, "about": "joining"}), False),
    Case("POST /nudges/{nudge_id}/wait-longer", Action.CHANGE_KEEPING,
         lambda w, u: ("post", f"/nudges/{w.nudge(u).pk}/wait-longer", {})),
    Case("POST /nudges/{nudge_id}/close", Action.CHANGE_KEEPING,
         lambda w, u: ("post", f"/nudges/{w.nudge(u).pk}/close", {})),
    Case("POST /events", Action.KEEP_IN_TOUCH,
         lambda w, u: ("post", "/events", {"name": "Club evening"}), False),
    Case("POST /events/{event_id}/met", Action.KEEP_IN_TOUCH,
         lambda w, u: ("post", f"/events/{w.event().pk}/met", {"name": "Daan Mulder"}), False),
    Case("POST /agenda/{key}/{action}", Action.OWN_AGENDA,
         lambda w, u: ("post", "/agenda/nothing/done", {}), False),
    Case("PATCH /messages/{message_id}", Action.SEND_MESSAGE,
         lambda w, u: ("patch", f"/messages/{w.message(u).pk}", {"body": "Good to meet you!"})),
    Case("POST /messages/{message_id}/send", Action.SEND_MESSAGE,
         lambda w, u: ("post", f"/messages/{w.message(u).pk}/send", {})),
    Case("POST /messages/{message_id}/sent", Action.SEND_MESSAGE,
         lambda w, u: ("post", f"/messages/{w.message(u).pk}/sent", {})),
    Case("POST /messages/{message_id}/retry", Action.SEND_MESSAGE,
         lambda w, u: ("post", f"/messages/{w.message(u).pk}/retry", {})),
    Case("POST /messages/{message_id}/cancel", Action.CANCEL_MESSAGE,
         lambda w, u: ("post", f"/messages/{w.message(u).pk}/cancel", {})),
    Case("POST /duplicates/merge", Action.MERGE_PEOPLE,
         lambda w, u: ("post", "/duplicates/merge",
                       {"keep_id": w.new_person().pk, "remove_id": w.new_person().pk}), False),
    Case("POST /duplicates/merges/{merge_id}/undo", Action.MERGE_PEOPLE,
         lambda w, u: ("post", f"/duplicates/merges/{w.merge_record().pk}/undo", {}), False),
    Case("POST /imports", Action.IMPORT,
         lambda w, u: ("upload", "/imports", {"file": SimpleUploadedFile(
             "people.vcf", b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Smit\r\nEND:VCARD\r\n"),
             "dry_run": "true"}), False),
    Case("GET /imports/export", Action.EXPORT, lambda w, u: ("get", "/imports/export", None), False),
    Case("POST /absences/offer-new-dates", Action.OWN_AGENDA,
         lambda w, u: ("post", "/absences/offer-new-dates", {}), False),
    Case("POST /absences/to-backup", Action.OWN_AGENDA,
         lambda w, u: ("post", "/absences/to-backup", {}), False),
    Case("POST /calendars/feed/renew", Action.OWN_SETTINGS,
         lambda w, u: ("post", "/calendars/feed/renew", {}), False),
    Case("PUT /calendars/week", Action.OWN_SETTINGS,
         lambda w, u: ("put", "/calendars/week", {"weekly_hours": {"0": [["09:00", "17:00"]]}}), False),
    Case("PATCH /me", Action.OWN_SETTINGS, lambda w, u: ("patch", "/me", {"digest_hour": 7}), False),
    Case("DELETE /me/tokens/{token_id}", Action.OWN_SETTINGS,
         lambda w, u: ("delete", "/me/tokens/999999", None), False),
    Case("POST /tags/remove", Action.KEEP_IN_TOUCH,
         lambda w, u: ("post", "/tags/remove", {"person_id": w.person.pk, "tag": "club"}), False),
    Case("PATCH /keeping/settings", Action.WORKSPACE_SETTINGS,
         lambda w, u: ("patch", "/keeping/settings", {"send_nudges_by_itself": True}), False),
    Case("POST /introductions/{introduction_id}/wait", Action.CHANGE_INTRODUCTION,
         lambda w, u: ("post", f"/introductions/{w.introduction(u).pk}/wait", {})),
    Case("POST /webhooks", Action.WORKSPACE_SETTINGS,
         lambda w, u: ("post", "/webhooks", {"url": "ftp://x", "events": ["repair.opened"]}), False),
    Case("POST /webhooks/{webhook_id}/resume", Action.WORKSPACE_SETTINGS,
         lambda w, u: ("post", "/webhooks/999999/resume", {}), False),
    Case("DELETE /webhooks/{webhook_id}", Action.WORKSPACE_SETTINGS,
         lambda w, u: ("delete", "/webhooks/999999", None), False),
    Case("PATCH /desk/settings", Action.WORKSPACE_SETTINGS,
         lambda w, u: ("patch", "/desk/settings", {"answer_minutes": 5, "keep_days": 90}), False),
    Case("GET /desk/visitor-data", Action.EXPORT,
         lambda w, u: ("get", "/desk/visitor-data?q=Hans+Verbeek", None), False),
    Case("POST /absences/{absence_id}/hand-over", Action.OWN_AGENDA,
         lambda w, u: ("post", "/absences/999999/hand-over", {}), False),
    Case("DELETE /absences/{absence_id}", Action.OWN_SETTINGS,
         lambda w, u: ("delete", "/absences/0", None), False),
    Case("GET /interactions", Action.READ_TIMELINES, lambda w, u: ("get", "/interactions", {}), False),
    Case("GET /interactions/{interaction_id}", Action.READ_TIMELINES,
         lambda w, u: ("get", f"/interactions/{w.interaction(u).pk}", {}), False),
    Case("GET /health/people/{person_id}", Action.READ_TIMELINES,
         lambda w, u: ("get", f"/health/people/{w.person.pk}", {}), False),
    Case("GET /ledger/entries", Action.READ_TIMELINES, lambda w, u: ("get", "/ledger/entries", {}), False),
    Case("GET /nudges", Action.READ_TIMELINES, lambda w, u: ("get", "/nudges", {}), False),
    Case("GET /events", Action.READ_TIMELINES, lambda w, u: ("get", "/events", {}), False),
    Case("GET /cadences", Action.READ_TIMELINES, lambda w, u: ("get", "/cadences", {}), False),
    Case("GET /introductions", Action.READ_TIMELINES, lambda w, u: ("get", "/introductions", {}), False),
    Case("PATCH /members/{user_id}", Action.MANAGE_MEMBERS,
         lambda w, u: ("patch", f"/members/{w.colleague.pk}", {"role": "member"}), False),
    Case("PATCH /members/{user_id}", Action.SET_BACKUP,
         lambda w, u: ("patch", f"/members/{w.colleague.pk}", {"backup_id": None}), False),
    Case("DELETE /members/{user_id}", Action.MANAGE_MEMBERS,
         lambda w, u: ("delete", f"/members/{w.new_member().pk}", None), False),
    Case("POST /members/invitations", Action.MANAGE_MEMBERS,
         lambda w, u: ("post", "/members/invitations", {"email": f"new{next(w.n)}@example.org"}),
         False),
    Case("DELETE /members/invitations/{invitation_id}", Action.MANAGE_MEMBERS,
         lambda w, u: ("delete", "/members/invitations/999999", None), False),
]


def expected(role: str, action: Action, whose: str | None) -> bool:
    found = level(role, action)
    return found is ANY or (found is OWN and whose != "theirs")


def _matrix(cases):
    for case, role in itertools.product(cases, ROLES):
        if not case.on_objects:
            yield pytest.param(case, role, None, id=f"{case.route}-{case.action}-{role}")
            continue
        for whose in ("own", "theirs"):
            yield pytest.param(case, role, whose, id=f"{case.route}-{case.action}-{role}-{whose}")


@pytest.fixture
def world(owner, workspace) -> World:
    return World(owner, workspace)


def _object_owner(world: World, role: str, whose: str | None):
    user = world.users[role]
    return world.colleague if whose == "theirs" else user


def _assert_answer(answer, role, case, allowed: bool, api: bool):
    assert answer.status_code < 500, answer.content[:500]
    if allowed:
        assert answer.status_code != 403, answer.content[:500]
        return
    assert answer.status_code == 403, (answer.status_code, answer.content[:300])
    said = answer.json()["message"] if api else answer.content.decode()
    assert case.action.label in said.replace("&#x27;", "'")
    assert str(Role(role).label) in said


@pytest.mark.parametrize("case,role,whose", list(_matrix(WEB_CASES)))
def test_the_web_allows_each_role_what_the_table_says(world, case, role, whose):
    client = Client()
    client.force_login(world.users[role])
    method, path, data = case.build(world, _object_owner(world, role, whose))
    answer = getattr(client, method)(path, data)
    _assert_answer(answer, role, case, expected(role, case.action, whose), api=False)


@pytest.mark.parametrize("case,role,whose", list(_matrix(API_CASES)))
def test_the_api_allows_each_role_what_the_table_says(world, case, role, whose):
    _token, raw = ApiToken.issue(world.membership(world.users[role]), "matrix")
    client = ApiClient(raw)
    method, path, data = case.build(world, _object_owner(world, role, whose))
    if method == "delete":
        answer = client.delete("/api/v1" + path)
    elif method == "get":
        answer = client.get("/api/v1" + path, **(data or {}))
    else:
        answer = getattr(client, method)("/api/v1" + path, data)
    _assert_answer(answer, role, case, expected(role, case.action, whose), api=True)


def _web_routes(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern) in ("admin/", "api/v1/", "i18n/"):
                continue  # the admin has its own staff rules; the API is checked below
            yield from _web_routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield entry.name, entry.callback


def test_every_page_and_action_says_what_it_does_in_the_table():
    web_cases = {(case.route, case.action) for case in WEB_CASES}
    for name, view in _web_routes(get_resolver().url_patterns):
        assert hasattr(view, "permission"), f"the view of {name!r} is not in the role table"
        marked = view.permission
        actions = (
            [] if marked is None
            else list(marked.values()) if isinstance(marked, dict)
            else list(marked) if isinstance(marked, tuple)
            else [marked]
        )
        for action in actions:
            assert (name, action) in web_cases, f"no matrix case for {name!r} doing {action}"


def _api_operations():
    for prefix, router in ninja_api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    yield f"{method} {prefix}{path}".replace("/{int:", "/{").rstrip("/"), operation


def test_every_api_route_that_changes_something_is_in_the_table():
    api_cases = {(case.route, case.action) for case in API_CASES}
    for route, operation in _api_operations():
        if route.startswith("GET "):
            continue
        marked = getattr(operation.view_func, "permission", "missing")
        assert marked != "missing" and marked is not None, f"{route} is not in the role table"
        for action in marked if isinstance(marked, tuple) else [marked]:
            assert (route, action) in api_cases, f"no matrix case for {route} doing {action}"


def test_every_action_in_the_table_is_tried_and_every_role_has_a_column():
    tried = {case.action for case in WEB_CASES + API_CASES}
    assert set(TABLE) == tried
    assert all(len(levels) == len(ROLES) for levels in TABLE.values())
    assert set(ROLES) == set(Role)
    assert {NO, OWN, ANY} >= {found for levels in TABLE.values() for found in levels}


# What the attack found, one by one: these fail on the code before the table.


def test_reception_cannot_merge_cancel_a_colleagues_message_or_meeting_or_export(world):
    desk = Client()
    desk.force_login(world.users[Role.RECEPTION])
    keep, remove = world.new_person(), world.new_person()
    desk.post("/duplicates/merge/", {"keep": keep.pk, "remove": remove.pk})
    assert Person.objects.filter(pk=remove.pk).exists()
    message = world.message(world.colleague)
    assert desk.post(f"/outbox/{message.pk}/cancel/").status_code == 403
    message.refresh_from_db()
    assert message.state == "draft"
    meeting = world.appointment(world.colleague)
    desk.post(f"/appointments/{meeting.pk}/transition/", {"to": "cancelled_by_us"})
    meeting.refresh_from_db()
    assert meeting.status == "confirmed"
    export = desk.get("/export/people.csv")
    assert export.status_code == 403 and "Hans Verbeek" not in export.content.decode()


def test_a_reception_token_cannot_blank_an_email_or_withdraw_a_colleagues_offer(world):
    world.person.email = "hans@verbeek.example"
    world.person.save()
    _token, raw = ApiToken.issue(world.membership(world.users[Role.RECEPTION]), "desk")
    desk = ApiClient(raw)
    blanked = desk.patch(f"/api/v1/people/{world.person.pk}", {"email": ""})
    assert blanked.status_code == 403
    assert blanked.json() == {
        "message": "As Reception you may not change a person or organisation; "
        "ask a manager or the workspace's owner.",
        "code": "not_allowed",
    }
    world.person.refresh_from_db()
    assert world.person.email == "hans@verbeek.example"
    offer = world.proposal(world.colleague)
    assert desk.post(f"/api/v1/proposals/{offer.pk}/withdraw").status_code == 403
    offer.refresh_from_db()
    assert offer.state == "open"


def test_reception_still_logs_and_records_a_failed_visit_at_the_desk(world):
    desk = Client()
    desk.force_login(world.users[Role.RECEPTION])
    meeting = world.appointment(world.colleague)
    desk.post(f"/appointments/{meeting.pk}/transition/", {"to": "missed_by_us"})
    meeting.refresh_from_db()
    assert meeting.status == "missed_by_us"
    desk.post(
        f"/people/{world.person.pk}/interaction/",
        {"kind": "meeting", "direction": "mutual", "occurred_at": "2026-11-30T10:00",
         "notes": "At the desk"},
    )
    assert Interaction.objects.filter(notes="At the desk").exists()


def test_a_member_cancels_their_own_message_and_a_manager_anyones(world):
    member = Client()
    member.force_login(world.users[Role.MEMBER])
    theirs = world.message(world.colleague)
    assert member.post(f"/outbox/{theirs.pk}/cancel/").status_code == 403
    own = world.message(world.users[Role.MEMBER])
    assert member.post(f"/outbox/{own.pk}/cancel/").status_code == 302
    manager = Client()
    manager.force_login(world.users[Role.MANAGER])
    assert manager.post(f"/outbox/{theirs.pk}/cancel/").status_code == 302
    states = set(OutboxMessage.objects.filter(pk__in=[own.pk, theirs.pk]).values_list("state", flat=True))
    assert states == {"cancelled"}


def test_reception_does_not_see_the_buttons_it_cannot_use(world):
    desk = Client()
    desk.force_login(world.users[Role.RECEPTION])
    world.appointment(world.colleague)
    world.interaction(world.users[Role.RECEPTION])
    # The desk sees names, not timelines: the person page itself is refused.
    refused = desk.get(world.person.get_absolute_url())
    # (A phrase no random form token can contain: "Hi" sometimes was one's letters.)
    assert refused.status_code == 403
    assert "Spoke about the roof terrace" not in refused.content.decode()
    member = Client()
    member.force_login(world.users[Role.MEMBER])
    page = member.get(world.person.get_absolute_url()).content.decode()
    assert "Missed by us" in page and "Log contact" in page
    people = desk.get("/people/").content.decode()
    assert 'href="/import/"' not in people and 'href="/duplicates/"' not in people
    message = world.message(world.colleague)
    shown = desk.get(f"/outbox/{message.pk}/").content.decode()
    assert "Discard this draft" not in shown and 'name="send"' not in shown
    owner_page = Client()
    owner_page.force_login(world.users[Role.OWNER])
    page = owner_page.get(world.person.get_absolute_url()).content.decode()
    assert "Edit details" in page and "We cancel" in page and "Offer times" in page


def test_commands_ask_the_same_table(world, tmp_path):
    from django.core.management import CommandError, call_command

    for command, args in (("export", [str(tmp_path / "out.csv"), "--format", "csv"]),
                          ("propose", [str(world.person.pk)])):
        with pytest.raises(CommandError) as refused:
            call_command(command, *args, "--member", "reception@example.org")
        assert refused.value.returncode == 2
        assert "As Reception you may not" in str(refused.value)
    assert not (tmp_path / "out.csv").exists()
    call_command("export", str(tmp_path / "out.csv"), "--format", "csv", "--member", "member@example.org")
    assert "Hans Verbeek" in (tmp_path / "out.csv").read_text()


def test_the_table_in_the_docs_is_the_table_in_the_code():
    from pathlib import Path

    from verbind.workspaces.permissions import markdown_table

    docs = (Path(__file__).parent.parent / "docs" / "roles.md").read_text()
    assert markdown_table() in docs


def test_a_reception_token_cannot_read_timelines_or_notes_or_delete(world):
    note = world.interaction(world.colleague)
    note.notes = "Hans is worried about the budget"
    note.save()
    _token, raw = ApiToken.issue(world.membership(world.users[Role.RECEPTION]), "desk")
    desk = ApiClient(raw)
    for path in ("/api/v1/interactions", f"/api/v1/interactions/{note.pk}",
                 f"/api/v1/health/people/{world.person.pk}", "/api/v1/ledger/entries",
                 f"/api/v1/ledger/balance/{world.person.pk}", "/api/v1/introductions"):
        answer = desk.get(path)
        assert answer.status_code == 403, path
        assert answer.json()["message"] == (
            "As Reception you may not read a person's or organisation's page: the timeline, "
            "notes and health; ask a manager or the workspace's owner."
        )
        assert "budget" not in answer.content.decode()
    assert desk.delete(f"/api/v1/interactions/{note.pk}").status_code == 403
    assert desk.delete(f"/api/v1/people/{world.person.pk}").status_code == 403
    assert Interaction.objects.filter(pk=note.pk).exists()
    # What the desk needs still works: today's visits, and names to find a visitor by.
    assert desk.get("/api/v1/desk/visits").status_code == 200
    assert "Hans Verbeek" in desk.get("/api/v1/people", q="Hans").content.decode()


def test_reception_logging_at_the_desk_lands_back_on_the_desk_not_on_the_timeline(world):
    desk = Client()
    desk.force_login(world.users[Role.RECEPTION])
    answer = desk.post(
        f"/people/{world.person.pk}/interaction/",
        {"kind": "meeting", "direction": "mutual", "occurred_at": "2026-11-30T10:00",
         "notes": "Came by for Cees"},
    )
    assert answer.status_code == 302 and answer["Location"] == "/desk/"
    meeting = world.appointment(world.colleague)
    answer = desk.post(f"/appointments/{meeting.pk}/transition/", {"to": "missed_by_us"})
    assert answer["Location"] == "/desk/"
    assert desk.get(world.organisation().get_absolute_url()).status_code == 403
