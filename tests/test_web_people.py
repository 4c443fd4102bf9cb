from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_appointment
from verbind.obligations.models import Appointment, AppointmentStatus, Promise
from verbind.people.models import Interaction, Person


def test_signing_in_with_email_and_password_leads_to_today(owner, workspace, client):
    response = client.post(
        reverse("login"),
        {"username": "OLGA@example.org ", "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    landing = client.get(response["Location"], follow=True)
    assert landing.request["PATH_INFO"] == reverse("home")
    assert "Nothing is owed to anyone right now." in landing.content.decode()


def test_a_wrong_password_is_told_on_the_sign_in_page(owner, client):
    response = client.post(reverse("login"), {"username": "olga@example.org", "password": "nope"})
    assert response.status_code == 200
    assert "That e-mail address and password do not match an account." in response.content.decode()


def test_pages_need_a_signed_in_member(client, person):
    for url in [reverse("people"), reverse("person", args=[person.pk]), reverse("settings")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_search_finds_people_by_any_word_of_name_email_or_organisation(web, workspace, person):
    Person.objects.create(workspace=workspace, name="Linda Bakker", email="linda@bakkerco.example")
    assert "Hans Verbeek" in web.get(reverse("people"), {"q": "bouwadvies"}).content.decode()
    found = web.get(reverse("people"), {"q": "linda bakkerco"}).content.decode()
    assert "Linda Bakker" in found and "Hans Verbeek" not in found
    assert "Nobody matches" in web.get(reverse("people"), {"q": "zzz"}).content.decode()


def test_htmx_search_answers_with_only_the_results(web, person):
    response = web.get(
        reverse("people"),
        {"q": "hans"},
        headers={"HX-Request": "true", "HX-Target": "people-results"},
    )
    html = response.content.decode()
    assert "Hans Verbeek" in html
    assert "<html" not in html


def test_adding_a_person_normalises_phone_and_email(web, workspace):
    response = web.post(
        reverse("person_new"),
        {
            "name": "Eva Jansen",
            "email": " Eva@Koers.Example ",
            "phone": "06 12345678",
            "language": "nl",
            "preferred_channel": "whatsapp",
        },
    )
    eva = Person.objects.get(name="Eva Jansen")
    assert response["Location"] == eva.get_absolute_url()
    assert (eva.email, eva.phone, eva.workspace) == ("eva@koers.example", "+31612345678", workspace)


def test_a_bad_phone_number_is_shown_next_to_the_field_and_nothing_is_saved(web):
    response = web.post(
        reverse("person_new"),
        {"name": "Eva", "phone": "12", "language": "nl", "preferred_channel": "email"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="field has-error"' in html
    assert "wrong number of digits" in html
    assert not Person.objects.filter(name="Eva").exists()


def test_the_person_page_shows_open_obligations_and_the_whole_history(web, person, owner):
    Interaction.objects.create(
        workspace=person.workspace, person=person, kind="event", notes="Met at the fair"
    )
    make_appointment(person, owner, title="Coffee and plans")
    Promise.objects.create(
        workspace=person.workspace,
        person=person,
        owner=owner,
        what="Send the reference projects",
        due_at=timezone.now() + timedelta(days=2),
    )
    html = web.get(reverse("person", args=[person.pk])).content.decode()
    open_part, history = html.split(">History<")
    assert "Coffee and plans" in open_part and "Send the reference projects" in open_part
    assert "Met at the fair" in history


def test_logging_an_interaction_with_htmx_updates_the_timeline_and_resets_the_form(web, person):
    response = web.post(
        reverse("person_action", args=[person.pk, "interaction"]),
        {
            "kind": "call",
            "direction": "outbound",
            "channel": "phone",
            "occurred_at": "2026-11-20T14:30",
            "notes": "Talked about the plans",
        },
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert 'hx-swap-oob="true"' in html and "Talked about the plans" in html
    assert "Added to the timeline" in html
    call = Interaction.objects.get(person=person)
    assert (
        call.occurred_at.isoformat() == "2026-11-20T13:30:00+00:00"
    )  # Amsterdam is UTC+1 in November


def test_a_quick_action_with_errors_keeps_the_input_and_names_the_field(web, person):
    response = web.post(
        reverse("person_action", args=[person.pk, "promise"]),
        {"what": "", "kind": "call_back", "due_at": "not a date"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "has-error" in html and "hx-swap-oob" not in html
    assert "This field is required" in html and "Enter a valid date/time" in html
    assert not Promise.objects.exists()


def test_adding_an_appointment_from_the_person_page(web, person, owner):
    web.post(
        reverse("person_action", args=[person.pk, "appointment"]),
        {
            "title": "Coffee at his office",
            "starts_at": "2026-12-03T10:00",
            "duration": "90",
            "place": "Amersfoort",
            "owner": owner.pk,
            "status": "confirmed",
        },
    )
    meeting = Appointment.objects.get(person=person)
    assert meeting.starts_at.isoformat() == "2026-12-03T09:00:00+00:00"
    assert meeting.ends_at - meeting.starts_at == timedelta(minutes=90)
    assert (meeting.owner, meeting.status, meeting.place) == (owner, "confirmed", "Amersfoort")


def test_the_host_must_be_a_member_of_the_workspace(web, person, outsider):
    response = web.post(
        reverse("person_action", args=[person.pk, "appointment"]),
        {
            "title": "Coffee",
            "starts_at": "2026-12-03T10:00",
            "duration": "60",
            "owner": outsider.pk,
            "status": "confirmed",
        },
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Appointment.objects.exists()


def test_marking_a_meeting_missed_by_us_from_the_timeline(web, person, owner):
    meeting = make_appointment(person, owner, starts_in=-timedelta(minutes=30))
    response = web.post(
        reverse("appointment_transition", args=[meeting.pk]),
        {"to": "missed_by_us"},
        headers={"HX-Request": "true"},
    )
    assert "Missed by us" in response.content.decode()
    meeting.refresh_from_db()
    assert (meeting.status, meeting.outcome, meeting.changed_by) == (
        "missed_by_us",
        "broken",
        owner,
    )


def test_a_refused_transition_is_explained_on_the_timeline(web, person, owner):
    meeting = make_appointment(
        person, owner, starts_in=-timedelta(minutes=30), status=AppointmentStatus.HELD
    )
    response = web.post(
        reverse("appointment_transition", args=[meeting.pk]),
        {"to": "cancelled_by_us"},
        headers={"HX-Request": "true"},
    )
    assert "it cannot become" in response.content.decode()
    assert Appointment.objects.get(pk=meeting.pk).status == AppointmentStatus.HELD


def test_without_htmx_a_refused_transition_redirects_with_a_message(web, person, owner):
    meeting = make_appointment(person, owner, starts_in=timedelta(days=3))
    response = web.post(
        reverse("appointment_transition", args=[meeting.pk]), {"to": "held"}, follow=True
    )
    assert "cannot be “Held” yet" in response.content.decode()


def test_moving_a_missed_meeting_from_the_timeline_links_the_new_time(web, person, owner):
    meeting = make_appointment(
        person, owner, starts_in=-timedelta(hours=2), status=AppointmentStatus.MISSED_BY_US
    )
    web.post(
        reverse("reschedule", args=[meeting.pk]),
        {"starts_at": "2026-12-10T15:00", "duration": "60"},
    )
    meeting.refresh_from_db()
    assert meeting.status == AppointmentStatus.MISSED_BY_US
    assert meeting.successor.starts_at.isoformat() == "2026-12-10T14:00:00+00:00"


def test_keeping_a_promise_from_the_timeline(web, promise):
    web.post(
        reverse("promise_transition", args=[promise.pk]),
        {"to": "kept"},
        headers={"HX-Request": "true"},
    )
    promise.refresh_from_db()
    assert (promise.status, promise.outcome) == ("kept", "kept")


def test_every_action_button_on_the_timeline_has_a_label(web, person, owner):
    import re

    make_appointment(person, owner, starts_in=timedelta(days=2))
    make_appointment(person, owner, starts_in=-timedelta(minutes=5), title="Just started")
    html = web.get(reverse("person", args=[person.pk])).content.decode()
    labels = [
        re.sub(r"\s+", " ", b).strip()
        for b in re.findall(r"<button[^>]*>(.*?)</button>", html, re.S)
    ]
    assert labels and all(labels), labels
    assert "Missed by us" in labels and "We cancel" in labels


def test_a_phone_number_typed_the_dutch_way_finds_the_person(web, workspace):
    Person.objects.create(workspace=workspace, name="Ahmed Yilmaz", phone="+31645678901")
    for typed in ["06 45678901", "0645678901", "+31 6 4567 8901"]:
        assert "Ahmed Yilmaz" in web.get(reverse("people"), {"q": typed}).content.decode(), typed


def test_organisations_are_listed_alphabetically(web, workspace):
    from verbind.people.models import Organisation

    for name in ["Verbeek", "Gemeente Utrecht", "Bakker & Co"]:
        Organisation.objects.create(workspace=workspace, name=name)
    html = web.get(reverse("organisations")).content.decode()
    assert html.index("Bakker &amp; Co") < html.index("Gemeente Utrecht") < html.index("Verbeek")


def test_phone_errors_speak_dutch_to_a_dutch_browser(web):
    response = web.post(
        reverse("person_new"),
        {"name": "Eva", "phone": "12", "language": "nl", "preferred_channel": "email"},
        headers={"Accept-Language": "nl"},
    )
    assert "niet het juiste aantal cijfers" in response.content.decode()


def test_switching_to_a_bad_workspace_id_is_a_404(web):
    assert web.post(reverse("switch_workspace"), {"workspace": "abc"}).status_code == 404


def test_any_address_or_number_of_a_person_finds_them(web, workspace, person):
    person.add_contact_point("email", "hans@private.example")
    person.add_contact_point("phone", "06 12345678")  # his only number: the primary
    person.add_contact_point("phone", "+49 30 1234567")  # a second one
    for query in ["private.example", "06 12345678", "+49 30 1234567", "0049 30 1234567"]:
        found = web.get(reverse("people"), {"q": query}).content.decode()
        assert "Hans Verbeek" in found, query
    assert "Hans Verbeek" not in web.get(reverse("people"), {"q": "06 99999999"}).content.decode()


def test_the_person_page_shows_every_address_and_number(web, person):
    person.add_contact_point("email", "hans@private.example")
    person.add_contact_point("phone", "06 12345678")
    person.add_contact_point("phone", "06 87654321")
    html = web.get(reverse("person", args=[person.pk])).content.decode()
    assert 'href="mailto:hans@verbeek.example"' in html
    assert 'href="mailto:hans@private.example"' in html
    assert "+31 6 12345678" in html and "+31 6 87654321" in html


def test_the_start_of_a_number_typed_as_people_say_it_finds_them(web, workspace):
    from verbind.people.models import Person

    Person.objects.create(workspace=workspace, name="Sophie van Dam", phone="+31698765432")
    page = web.get("/people/", {"q": "06 987"}).content.decode()
    assert "Sophie van Dam" in page
