from __future__ import annotations

from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from verbind.demo.stories import load_demo
from verbind.obligations.models import Appointment, AppointmentStatus, Promise
from verbind.people.models import Interaction, Organisation, Person
from verbind.workspaces.models import Membership, Workspace


def counts():
    return [
        m.objects.count()
        for m in (Workspace, Membership, Person, Organisation, Interaction, Appointment, Promise)
    ]


def test_the_demo_loads_twice_without_duplicates(owner):
    workspace, created = load_demo(owner)
    first = counts()
    again, created_again = load_demo(owner)
    assert (created, created_again) == (True, False)
    assert again == workspace
    assert counts() == first


def test_a_reset_rebuilds_the_same_demo(owner):
    load_demo(owner)
    first = counts()
    load_demo(owner, reset=True)
    assert counts() == first


def test_the_demo_plays_the_four_stories(owner):
    workspace, _ = load_demo(owner)
    people = Person.objects.in_workspace(workspace)
    # 1. You will be travelling while a visit is booked: Today warns you weeks ahead, and one
    # click offers Hans new dates on a link he picks from.
    visit = Appointment.objects.get(person__name="Hans Verbeek")
    assert visit.status == AppointmentStatus.CONFIRMED and visit.owner == owner
    from verbind.followthrough.absences import offer_new_dates
    from verbind.followthrough.agenda import agenda_for

    me = owner.memberships.get(workspace=workspace)
    assert f"absence:{visit.pk}" in [item.key for item in agenda_for(me)]
    assert (visit.starts_at - timezone.now()).days >= 20
    [offer] = [m for m in offer_new_dates(me) if m.person == visit.person]
    link = offer.body.split("http://localhost:8000")[1].split()[0]
    page = Client().get(link)
    assert page.status_code == 200 and "Coffee and the Oudegracht plans" in page.content.decode()
    slot = page.context["slots"][0]
    Client().post(link, {"slot": slot.pk})
    visit.refresh_from_db()
    assert visit.status == AppointmentStatus.RESCHEDULED
    assert visit.successor.starts_at == slot.starts_at < visit.starts_at  # before the trip
    assert f"absence:{visit.pk}" not in [item.key for item in agenda_for(me)]
    # 2. A visit failed by our side yesterday, recorded at the desk by reception.
    failed = Appointment.objects.get(person__name="Linda Bakker")
    assert failed.status == AppointmentStatus.MISSED_BY_US
    desk = Interaction.objects.get(person=failed.person, kind="meeting")
    assert desk.member.memberships.get(workspace=workspace).role == "reception"
    # 3. An introduction that helped, and thanks still owed to the expert: on Today, with a
    # warm draft; the ledger shows how much Joost gave, and Eva's ask meets Karin's offer.
    agenda = {item.key: item for item in agenda_for(me)}
    thanks = [item for item in agenda.values() if item.rule == "introduction"]
    assert [item.person.name for item in thanks] == ["Joost Hermans"]
    assert "Thank Joost Hermans for the time given to Eva Jansen" in thanks[0].why
    assert any(i.rule == "give_back" and i.person.name == "Joost Hermans" for i in agenda.values())
    assert any(i.rule == "match" and "coaching" in i.why for i in agenda.values())
    joost = people.get(name="Joost Hermans")
    page = Client()
    page.force_login(owner)
    html = page.get(joost.get_absolute_url()).content.decode()
    assert "Joost helped you 3 times" in html and "<svg" in html and "Ambassador" in html
    # 4. A patient chair with months of rare, warm follow-ups.
    assert Interaction.objects.filter(person__name="Mark de Boer").count() >= 3
    assert people.count() >= 9
    assert all(p.phone.startswith("+") for p in people.exclude(phone=""))


def test_the_demo_command_gives_the_first_owner_the_demo(db, capsys):
    call_command("demo")
    out = capsys.readouterr().out
    assert "Loaded the demo workspace" in out and "password" in out
    call_command("demo")
    assert "already there" in capsys.readouterr().out
    assert Workspace.objects.filter(slug="demo").count() == 1
