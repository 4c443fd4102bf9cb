"""Members without Django's admin: the owner invites a colleague by e-mail (a sign-up link that
works once, for a week), sets roles and backups, and removes members; the workspace always
keeps an owner. On the web, through the API and with `verbind members`."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from tests.conftest import PASSWORD, ApiClient
from verbind.messaging.models import OutboxMessage, Purpose
from verbind.worker.loop import Worker
from verbind.workspaces.accounts import make_user
from verbind.workspaces.models import ApiToken, Invitation, Membership, Role

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/join/([\w-]+)/")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def link_in(mail) -> str:
    return LINK.search(mail.get_content()).group(0).split("://", 1)[1].split("/", 1)[1]


@pytest.fixture
def manager(workspace):
    user = make_user("mia@example.org", "Mia Manager", PASSWORD)
    Membership.objects.create(workspace=workspace, user=user, role=Role.MANAGER)
    return user


def test_the_owner_invites_a_colleague_who_joins_from_the_mail_in_her_language(
    smtp, web, owner, workspace
):
    answer = web.post(
        "/settings/members/",
        {"invite-email": "Sanne@Example.org", "invite-role": "manager", "invite-language": "nl"},
    )
    assert answer.status_code == 302
    assert "Invitation sent to sanne@example.org" in web.get("/settings/members/").content.decode()
    Worker().run_pass()
    [mail] = smtp.to("sanne@example.org")
    assert mail["Subject"] == "Olga Owner nodigt je uit voor Olga's network in Verbind"
    assert "als beheerder" in mail.get_content() and "werkt één keer" in mail.get_content()
    path = "/" + link_in(mail)
    # Only the link's hash is kept.
    raw = path.rstrip("/").rsplit("/", 1)[1]
    assert not Invitation.objects.filter(token_hash=raw).exists()
    sanne = Client()
    page = sanne.get(path).content.decode()
    assert "Olga Owner invites you as manager, with the address sanne@example.org" in page
    joined = sanne.post(
        path, {"full_name": "Sanne de Vries", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert joined.status_code == 302 and joined["Location"] == "/"
    membership = Membership.objects.get(workspace=workspace, user__username="sanne@example.org")
    assert membership.role == Role.MANAGER and membership.language == "nl"
    assert "Welcome to Olga&#x27;s network" in sanne.get("/").content.decode()
    # Once: the link does nothing a second time, for anyone.
    again = Client().get(path)
    assert again.status_code == 404 and "This invitation no longer works" in again.content.decode()


def test_a_link_expires_after_a_week_and_a_new_invitation_replaces_the_old(owner, workspace):
    from verbind.messaging import invitations

    host = owner.memberships.get()
    first, _m, first_link = invitations.invite(host, "sanne@example.org")
    _second, _m, second_link = invitations.invite(host, "sanne@example.org", Role.RECEPTION)
    path = lambda link: "/" + link.split("://", 1)[1].split("/", 1)[1]  # noqa: E731
    assert Client().get(path(first_link)).status_code == 404
    assert Client().get(path(second_link)).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        assert Client().get(path(second_link)).status_code == 404
    assert not Membership.objects.filter(user__username="sanne@example.org").exists()


def test_someone_with_an_account_signs_in_and_joins_but_not_as_someone_else(
    owner, workspace, outsider
):
    from verbind.messaging import invitations

    _inv, _m, link = invitations.invite(owner.memberships.get(), outsider.email)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    page = Client().get(path).content.decode()
    assert "You have an account already" in page and "Make my account" not in page
    wrong = signed_in(owner).post(path).content.decode()
    assert "This invitation is for otto@elsewhere.example; you are signed in as olga@example.org" in wrong
    otto = signed_in(outsider)
    assert otto.post(path).status_code == 302
    assert outsider.memberships.filter(workspace=workspace, role=Role.MEMBER).exists()


def test_the_last_owner_can_never_be_demoted_or_removed(web, owner, workspace, colleague):
    mine = owner.memberships.get()
    answer = web.post(f"/settings/members/{owner.pk}/role/", {f"m{owner.pk}-role": "member"})
    assert answer.status_code == 302
    page = web.get("/settings/members/").content.decode()
    assert "Olga Owner is the only owner of this workspace, which always keeps one" in page
    mine.refresh_from_db()
    assert mine.role == Role.OWNER
    # With a second owner, she may step down; the other then cannot.
    web.post(f"/settings/members/{colleague.pk}/role/", {f"m{colleague.pk}-role": "owner"})
    web.post(f"/settings/members/{owner.pk}/role/", {f"m{owner.pk}-role": "manager"})
    mine.refresh_from_db()
    assert mine.role == Role.MANAGER
    _token, raw = ApiToken.issue(colleague.memberships.get(), "script")
    cees = ApiClient(raw)
    refused = cees.patch(f"/api/v1/members/{colleague.pk}", {"role": "member"})
    assert refused.status_code == 409 and refused.json()["code"] == "last_owner"
    assert cees.delete(f"/api/v1/members/{colleague.pk}").status_code == 409
    assert Membership.objects.get(user=colleague).role == Role.OWNER


def test_a_manager_sets_backups_but_not_roles_and_sees_no_invite_form(
    manager, owner, workspace, colleague
):
    mia = signed_in(manager)
    page = mia.get("/settings/members/").content.decode()
    assert "Cees Colleague" in page and "Invite a colleague" not in page
    mine = owner.memberships.get()
    cees = colleague.memberships.get()
    assert mia.post(
        f"/settings/members/{colleague.pk}/backup/", {f"m{colleague.pk}-backup": mine.pk}
    ).status_code == 302
    cees.refresh_from_db()
    assert cees.backup == mine
    refused = mia.post(f"/settings/members/{colleague.pk}/role/", {f"m{colleague.pk}-role": "owner"})
    assert refused.status_code == 403
    assert "invite colleagues, change their role or remove them" in refused.content.decode()
    assert signed_in(colleague).get("/settings/members/").status_code == 403


def test_a_removed_member_can_no_longer_sign_in_here_nor_use_a_token(web, colleague, workspace):
    _token, raw = ApiToken.issue(colleague.memberships.get(), "script")
    assert ApiClient(raw).get("/api/v1/people").status_code == 200
    assert web.post(f"/settings/members/{colleague.pk}/remove/").status_code == 302
    assert not Membership.objects.filter(user=colleague, workspace=workspace).exists()
    assert ApiClient(raw).get("/api/v1/people").status_code == 401
    assert signed_in(colleague).get("/").status_code == 403


def test_the_api_invites_lists_changes_and_removes(smtp, api, owner, workspace, colleague):
    made = api.post(
        "/api/v1/members/invitations", {"email": "noor@example.org", "role": "reception"}
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["role"] == "reception" and body["language"] == "en" and "/join/" in body["link"]
    assert body["mail"] == "queued"
    Worker().run_pass()
    [mail] = smtp.to("noor@example.org")
    assert mail["Subject"] == "Olga Owner invites you to Olga's network in Verbind"
    assert [i["email"] for i in api.get("/api/v1/members/invitations").json()] == ["noor@example.org"]
    assert api.delete(f"/api/v1/members/invitations/{body['id']}").status_code == 204
    assert api.get("/api/v1/members/invitations").json() == []
    changed = api.patch(
        f"/api/v1/members/{colleague.pk}", {"role": "manager", "backup_id": owner.pk}
    )
    assert changed.status_code == 200
    assert changed.json()["role"] == "manager" and changed.json()["backup_id"] == owner.pk
    cleared = api.patch(f"/api/v1/members/{colleague.pk}", {"backup_id": None})
    assert cleared.json()["backup_id"] is None
    listed = {m["email"]: m["role"] for m in api.get("/api/v1/members").json()}
    assert listed == {"olga@example.org": "owner", "cees@example.org": "manager"}
    assert api.post("/api/v1/members/invitations", {"email": "cees@example.org"}).json()[
        "code"
    ] == "already_member"
    assert api.patch(f"/api/v1/members/{colleague.pk}", {"role": "boss"}).status_code == 422
    assert api.delete(f"/api/v1/members/{colleague.pk}").status_code == 204


def test_nobody_but_who_sent_it_reads_an_invitation_in_the_outbox_web_or_api(owner, workspace, manager):
    from verbind.messaging import invitations

    _inv, message, _link = invitations.invite(owner.memberships.get(), "noor@example.org")
    assert message.purpose == Purpose.JOIN
    assert signed_in(manager).get(f"/outbox/{message.pk}/").status_code == 404
    assert signed_in(owner).get(f"/outbox/{message.pk}/").status_code == 200
    assert "noor@example.org" not in signed_in(manager).get("/outbox/").content.decode()
    assert "noor@example.org" in signed_in(owner).get("/outbox/").content.decode()
    _token, raw = ApiToken.issue(manager.memberships.get(), "script")
    mia = ApiClient(raw)
    assert mia.get(f"/api/v1/messages/{message.pk}").status_code == 404
    assert "/join/" not in mia.get("/api/v1/messages").content.decode()
    assert mia.post(f"/api/v1/messages/{message.pk}/cancel").status_code == 404


def test_the_command_invites_and_changes_roles(owner, workspace, colleague, capsys):
    call_command("members", "invite", "noor@example.org", "--role", "manager", "--language", "nl")
    out = capsys.readouterr()
    assert "/join/" in out.out and "Invited noor@example.org as manager" in out.err
    assert OutboxMessage.objects.filter(to_address="noor@example.org", language="nl").exists()
    call_command("members", "backup", "cees@example.org", "olga@example.org")
    call_command("members", "role", "cees@example.org", "manager")
    call_command("members", "list")
    listed = capsys.readouterr().out
    assert "cees@example.org\tmanager\tCees Colleague\tbackup: olga@example.org" in listed
    with pytest.raises(CommandError) as refused:
        call_command("members", "role", "olga@example.org", "member")
    assert refused.value.returncode == 2 and "only owner" in str(refused.value)
    with pytest.raises(CommandError) as refused:
        call_command("members", "remove", "olga@example.org", "--member", "cees@example.org")
    assert "As Manager you may not invite colleagues" in str(refused.value)
