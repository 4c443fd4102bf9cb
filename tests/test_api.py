from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.conftest import make_appointment
from verbind.obligations.models import Appointment
from verbind.people.models import Person
from verbind.workspaces.models import ApiToken


def test_without_a_token_the_api_answers_401_in_json(client, person):
    response = client.get("/api/v1/people")
    assert response.status_code == 401
    assert "Bearer" in response.json()["message"]
    bad = client.get("/api/v1/people", headers={"Authorization": "Bearer vb_not-a-real-token"})
    assert bad.status_code == 401


def test_a_revoked_token_stops_working(api, owner):
    assert api.get("/api/v1/people").status_code == 200
    ApiToken.objects.get(membership__user=owner).revoke()
    assert api.get("/api/v1/people").status_code == 401


def test_tokens_are_stored_only_as_a_hash(owner, workspace):
    token, raw = ApiToken.issue(owner.memberships.get(), "script")
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw.startswith("vb_") and len(raw) > 40
    assert raw not in (stored.key_hash, stored.hint) and stored.hint == raw[:8]
    assert ApiToken.objects.find(raw) == stored


def test_people_can_be_added_found_changed_and_removed(api, organisation):
    created = api.post(
        "/api/v1/people",
        {
            "name": "Linda Bakker",
            "email": "Linda@BakkerCo.example",
            "phone": "06-23456789",
            "organisation_id": organisation.pk,
            "language": "en",
        },
    )
    assert created.status_code == 201, created.content
    linda = created.json()
    assert (linda["email"], linda["phone"], linda["language"]) == (
        "linda@bakkerco.example",
        "+31623456789",
        "en",
    )
    found = api.get("/api/v1/people", q="linda").json()
    assert found["count"] == 1 and found["items"][0]["id"] == linda["id"]
    changed = api.patch(f"/api/v1/people/{linda['id']}", {"job_title": "Director"}).json()
    assert changed["job_title"] == "Director" and changed["name"] == "Linda Bakker"
    assert api.delete(f"/api/v1/people/{linda['id']}").status_code == 204
    assert not Person.objects.filter(pk=linda["id"]).exists()


def test_bad_input_gets_422_with_a_message_naming_the_field(api):
    response = api.post("/api/v1/people", {"name": "Eva", "phone": "12"})
    assert response.status_code == 422
    body = response.json()
    assert body["message"].startswith("Invalid request — phone:")
    assert "phone" in body["errors"]
    missing = api.post("/api/v1/people", {"email": "x@example.org"})
    assert missing.status_code == 422 and "name" in missing.json()["errors"]
    wrong_type = api.post("/api/v1/people", {"name": "Eva", "language": "klingon"})
    assert wrong_type.status_code == 422 and "language" in wrong_type.json()["errors"]
    assert not Person.objects.filter(name="Eva").exists()


def test_an_unknown_path_and_an_unknown_id_answer_json_404(api):
    assert api.get("/api/v1/nothing-here").json() == {"message": "Not found."}
    assert api.get("/api/v1/people/999999").status_code == 404


def test_logging_an_interaction_defaults_to_now_and_to_the_caller(api, person, owner):
    response = api.post(
        "/api/v1/interactions", {"person_id": person.pk, "kind": "call", "notes": "Rang back"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["member_id"] == owner.pk and body["channel"] is None
    listed = api.get("/api/v1/interactions", person_id=person.pk).json()
    assert [i["notes"] for i in listed["items"]] == ["Rang back"]


def test_appointments_go_through_their_lifecycle_via_the_api(api, person, owner, colleague):
    starts = timezone.now() - timedelta(minutes=10)
    created = api.post(
        "/api/v1/appointments",
        {
            "title": "Coffee",
            "person_id": person.pk,
            "host_id": colleague.pk,
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=1)).isoformat(),
        },
    )
    assert created.status_code == 201, created.content
    meeting = created.json()
    assert meeting["host_id"] == colleague.pk and meeting["status"] == "confirmed"
    assert "missed_by_us" in meeting["allowed_next"]
    missed = api.post(f"/api/v1/appointments/{meeting['id']}/transition", {"to": "missed_by_us"})
    assert missed.json()["outcome"] == "broken"
    refused = api.post(f"/api/v1/appointments/{meeting['id']}/transition", {"to": "held"})
    assert refused.status_code == 409
    assert "Missed by us" in refused.json()["message"]
    later = timezone.now() + timedelta(days=3)
    moved = api.post(
        f"/api/v1/appointments/{meeting['id']}/reschedule",
        {"starts_at": later.isoformat(), "ends_at": (later + timedelta(hours=1)).isoformat()},
    )
    assert moved.status_code == 201
    assert Appointment.objects.get(pk=meeting["id"]).successor_id == moved.json()["id"]


def test_an_appointment_that_ends_before_it_starts_is_refused(api, person):
    starts = timezone.now() + timedelta(days=1)
    response = api.post(
        "/api/v1/appointments",
        {
            "title": "Coffee",
            "person_id": person.pk,
            "starts_at": starts.isoformat(),
            "ends_at": (starts - timedelta(hours=1)).isoformat(),
        },
    )
    assert response.status_code == 422
    assert "ends_at" in response.json()["errors"]
    assert not Appointment.objects.exists()


def test_the_host_must_be_a_member_of_the_workspace(api, person, outsider):
    starts = timezone.now() + timedelta(days=1)
    response = api.post(
        "/api/v1/appointments",
        {
            "title": "Coffee",
            "person_id": person.pk,
            "host_id": outsider.pk,
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=1)).isoformat(),
        },
    )
    assert response.status_code == 422 and "host_id" in response.json()["errors"]


def test_appointments_can_be_listed_by_status_and_time(api, person, owner):
    make_appointment(person, owner, starts_in=timedelta(days=1), title="Soon")
    make_appointment(person, owner, starts_in=timedelta(days=30), title="Later")
    soon = api.get(
        "/api/v1/appointments", starts_before=(timezone.now() + timedelta(days=7)).isoformat()
    )
    assert [a["title"] for a in soon.json()["items"]] == ["Soon"]


def test_promises_can_be_kept_via_the_api(api, person):
    due = (timezone.now() + timedelta(days=2)).isoformat()
    created = api.post(
        "/api/v1/promises",
        {
            "what": "Send the proposal",
            "kind": "send_proposal",
            "person_id": person.pk,
            "due_at": due,
        },
    )
    assert created.status_code == 201
    kept = api.post(f"/api/v1/promises/{created.json()['id']}/transition", {"to": "kept"})
    assert kept.json()["status"] == "kept"
    assert api.get("/api/v1/promises", status="open").json()["count"] == 0


def test_the_openapi_schema_describes_every_resource(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path in [
        "/api/v1/people",
        "/api/v1/organisations",
        "/api/v1/interactions",
        "/api/v1/appointments",
        "/api/v1/promises",
        "/api/v1/appointments/{appointment_id}/transition",
    ]:
        assert path in schema["paths"], path
    assert client.get("/api/v1/docs").status_code == 200


def test_a_token_made_in_settings_is_shown_once_and_works(web, client):
    response = web.post("/settings/", {"name": "Zapier", "make_token": "1"}, follow=True)
    assert response.redirect_chain == [("/settings/", 302)]  # a reload makes no second token
    html = response.content.decode()
    raw = html.split('<code class="token">')[1].split("</code>")[0]
    assert "shown only once" in html
    assert (
        client.get("/api/v1/people", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    )
    assert raw not in web.get("/settings/").content.decode()
    token = ApiToken.objects.get(name="Zapier")
    web.post(f"/settings/tokens/{token.pk}/revoke/")
    assert (
        client.get("/api/v1/people", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    )


def test_a_member_cannot_revoke_someone_elses_token(outsider_web, owner, workspace):
    token, _raw = ApiToken.issue(owner.memberships.get(), "mine")
    assert outsider_web.post(f"/settings/tokens/{token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_a_deactivated_members_token_stops_working(api, owner):
    owner.is_active = False
    owner.save()
    assert api.get("/api/v1/people").status_code == 401


def test_a_time_without_a_zone_is_refused_before_anything_is_saved(api, person):
    response = api.post(
        "/api/v1/appointments",
        {
            "title": "Coffee",
            "person_id": person.pk,
            "starts_at": "2026-12-01T10:00",
            "ends_at": "2026-12-01T11:00",
        },
    )
    assert response.status_code == 422
    assert "starts_at" in response.json()["errors"]
    assert not Appointment.objects.exists()


def test_patching_a_field_to_null_is_a_422_not_a_crash(api, person):
    response = api.patch(f"/api/v1/people/{person.pk}", {"email": None})
    assert response.status_code == 422 and "email" in response.json()["errors"]
    blank = api.post("/api/v1/people", {"name": "   "})
    assert blank.status_code == 422 and "name" in blank.json()["errors"]


def test_paging_is_bounded(api):
    response = api.get("/api/v1/people", limit="99999999999999999999")
    assert response.status_code == 422
    assert api.get("/api/v1/people", limit=5, offset=0).json()["count"] == 0


def test_every_api_error_is_json(api, person):
    response = api.client.put(
        f"/api/v1/people/{person.pk}", {}, content_type="application/json", headers=api.headers
    )
    assert response.status_code == 405
    assert response.json() == {"message": "This method is not allowed here."}
    bad_host = api.client.get("/api/v1/people", headers={**api.headers, "Host": "evil.example"})
    assert bad_host.status_code == 400 and "message" in bad_host.json()


def test_reception_may_look_up_and_log_but_not_delete(workspace, person):
    from tests.conftest import ApiClient
    from verbind.workspaces.accounts import make_user
    from verbind.workspaces.models import Membership, Role

    desk = make_user("desk@example.org", "Fatima Desk")
    membership = Membership.objects.create(workspace=workspace, user=desk, role=Role.RECEPTION)
    _token, raw = ApiToken.issue(membership, "desk")
    reception = ApiClient(raw)
    assert reception.get(f"/api/v1/people/{person.pk}").status_code == 200
    refused = reception.delete(f"/api/v1/people/{person.pk}")
    assert refused.status_code == 403 and "Reception" in refused.json()["message"]
    assert Person.objects.filter(pk=person.pk).exists()


def test_a_website_without_scheme_means_https(api):
    created = api.post("/api/v1/organisations", {"name": "Verbeek", "website": "verbeek.example"})
    assert created.json()["website"] == "https://verbeek.example"
