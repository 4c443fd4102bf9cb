"""A demo workspace that plays the four stories Verbind is built for.

Studio Lindeboom is a small design studio in Utrecht: a manager (you), two
colleagues who meet clients, and a front desk. Times are relative to the moment
the demo is loaded, so the stories are always current.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from verbind.cadences import cadence as cadences
from verbind.cadences import events, nudges
from verbind.cadences.models import Nudge, NudgeStep
from verbind.desk.models import Answer, Visit
from verbind.followthrough.repairs import lapse_kind, open_repair
from verbind.followthrough.steps import handle_one_escalation, handle_one_late_promise
from verbind.introductions import asks
from verbind.introductions.flow import write_thanks
from verbind.introductions.ledger import record
from verbind.introductions.models import Answer as Said
from verbind.introductions.models import (
    Direction as Gave,
)
from verbind.introductions.models import (
    Help,
    Introduction,
    IntroEvent,
    IntroLink,
    IntroState,
    Question,
    Side,
    Waiting,
)
from verbind.obligations.models import Appointment, AppointmentStatus, Outcome, Promise
from verbind.obligations.models import PromiseKind as K
from verbind.obligations.models.appointment import OUTCOME
from verbind.people.models import Channel, Direction, Interaction, Organisation, Person
from verbind.people.models import InteractionKind as I
from verbind.scheduling.models import Absence, BusyBlock, Calendar
from verbind.workspaces.models import Membership, Role, Workspace

SLUG = "demo"
NAME = "Studio Lindeboom (demo)"

COLLEAGUES = [
    ("pieter@lindeboom.example", "Pieter Smit", Role.MEMBER),
    ("sanne@lindeboom.example", "Sanne de Wit", Role.MEMBER),
    ("fatima@lindeboom.example", "Fatima El Amrani", Role.RECEPTION),
]


def at(days: int, hour: int, minute: int = 0) -> datetime:
    """A moment *days* from today, at a local wall-clock time."""
    local = timezone.localtime() + timedelta(days=days)
    return local.replace(hour=hour, minute=minute, second=0, microsecond=0)


def colleague(email: str, full_name: str):
    User = get_user_model()
    user = User.objects.filter(username=email).first()
    if user is None:
        first, _, last = full_name.partition(" ")
        user = User(username=email, email=email, first_name=first, last_name=last)
        user.set_unusable_password()
        user.save()
    return user


@transaction.atomic
def load_demo(owner, reset: bool = False) -> tuple[Workspace, bool]:
    """Load the demo workspace with *owner* as its manager; returns it and whether it is new."""
    existing = Workspace.objects.filter(slug=SLUG).first()
    if existing is not None and not reset:
        Membership.objects.get_or_create(
            workspace=existing, user=owner, defaults={"role": Role.OWNER}
        )
        return existing, False
    if existing is not None:
        existing.delete()
    workspace = Workspace.objects.create(name=NAME, slug=SLUG)
    Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    team = {}
    for email, full_name, role in COLLEAGUES:
        user = colleague(email, full_name)
        Membership.objects.create(workspace=workspace, user=user, role=role)
        team[full_name.split()[0].lower()] = user
    Story(workspace, owner, team).play()
    keep_in_touch(workspace, owner)
    catch_up(timezone.now())
    return workspace, True


def catch_up(now) -> None:
    """Let the engine see the demo's past: late promises open repairs, overdue ones escalate."""
    for step in (handle_one_late_promise, handle_one_escalation):
        while step(now):
            pass


class Story:
    def __init__(self, workspace: Workspace, me, team: dict):
        self.ws = workspace
        self.me = me
        self.pieter = team["pieter"]
        self.sanne = team["sanne"]
        self.fatima = team["fatima"]

    def org(self, name: str, city: str = "Utrecht", **extra) -> Organisation:
        return Organisation.objects.create(workspace=self.ws, name=name, city=city, **extra)

    def person(self, name: str, **extra) -> Person:
        person = Person(workspace=self.ws, name=name, **extra)
        person.full_clean()  # the same checks (and phone normalising) as the web and API
        person.save()
        return person

    def log(self, person, kind, when, notes, direction=Direction.MUTUAL, channel="", member=None):
        Interaction.objects.create(
            workspace=self.ws,
            person=person,
            kind=kind,
            occurred_at=when,
            notes=notes,
            direction=direction,
            channel=channel,
            member=member or self.me,
        )

    def meeting(self, person, host, title, starts_at, minutes=60, place="", status=None, notes=""):
        status = status or AppointmentStatus.CONFIRMED
        outcome = OUTCOME[status]  # the lifecycle's own mapping
        appointment = Appointment.objects.create(
            workspace=self.ws,
            owner=host,
            person=person,
            title=title,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            place=place,
            status=status,
            outcome=outcome,
            closed_at=None if outcome == Outcome.OPEN else starts_at,
            notes=notes,
        )
        kind = lapse_kind(appointment)
        if kind is not None:  # the desk recorded it: the repair is owed from that moment
            open_repair(appointment, kind, occurred_at=starts_at + timedelta(minutes=20))
        return appointment

    def promise(self, person, owner, what, due_at, kind=K.OTHER, notes=""):
        return Promise.objects.create(
            workspace=self.ws,
            owner=owner,
            person=person,
            what=what,
            kind=kind,
            due_at=due_at,
            notes=notes,
        )

    def trip(self, user, start, days: int, summary: str) -> None:
        """An absence in the member's calendar, as their Outlook would show it."""
        membership = Membership.objects.get(workspace=self.ws, user=user)
        calendar = Calendar.objects.create(
            membership=membership, name="Outlook", last_synced_at=timezone.now()
        )
        BusyBlock.objects.create(
            calendar=calendar,
            membership=membership,
            starts_at=start,
            ends_at=start + timedelta(days=days),
            absence=True,
            summary=summary,
        )

    def play(self) -> None:
        self.host_on_a_trip()
        self.day_off()
        self.generous_introduction()
        self.patient_chair()
        self.everyday_network()
        self.at_the_desk_today()
        generosity(self)

    def host_on_a_trip(self) -> None:
        """Story 1: you invited Hans for coffee, and you will be travelling that week.

        Today warns you weeks ahead; the Calendars page offers him new dates in one click.
        """
        verbeek = self.org("Verbeek Bouwadvies", website="https://verbeek.example")
        hans = self.person(
            "Hans Verbeek",
            email="hans@verbeek.example",
            phone="+31612345678",
            organisation=verbeek,
            job_title="Owner",
            met_how="Building fair in Jaarbeurs, stand of the municipality",
            met_on=at(-60, 12).date(),
        )
        self.log(
            hans,
            I.EVENT,
            at(-60, 14),
            "Talked about restoring canal houses; he wants to "
            "see our plans for the Oudegracht project.",
            member=self.me,
        )
        self.log(
            hans,
            I.CALL,
            at(-10, 11),
            "Agreed on coffee at our office in three weeks. He drives in from Amersfoort.",
            Direction.OUTBOUND,
            Channel.PHONE,
            self.me,
        )
        self.meeting(
            hans,
            self.me,
            "Coffee and the Oudegracht plans",
            at(21, 10),
            place="Studio Lindeboom, Oudegracht 112, Utrecht",
            notes="You leave for your trip around the world the day before.",
        )
        self.trip(self.me, start=at(20, 0), days=60, summary="Trip around the world")
        self.promise(
            hans,
            self.me,
            "Send Hans the reference projects before the visit",
            at(2, 17),
            K.SEND_PROPOSAL,
        )

    def day_off(self) -> None:
        """Story 2: Linda came for her tour with Sanne; Sanne had taken the day off."""
        bakker = self.org("Bakker & Co Catering", city="Houten")
        linda = self.person(
            "Linda Bakker",
            email="linda@bakkerco.example",
            phone="06 23456789",
            organisation=bakker,
            job_title="Director",
            met_how="Introduced by Joost Hermans",
        )
        self.log(
            linda,
            I.EMAIL,
            at(-14, 9),
            "Sanne invited Linda for a tour of the studio.",
            Direction.OUTBOUND,
            Channel.EMAIL,
            self.sanne,
        )
        self.meeting(
            linda,
            self.sanne,
            "Studio tour and lunch",
            at(-2, 10),
            90,
            place="Studio Lindeboom, Oudegracht 112, Utrecht",
            status=AppointmentStatus.MISSED_BY_US,
        )
        self.log(
            linda,
            I.MEETING,
            at(-2, 10, 5),
            "Linda came for her 10:00 tour with Sanne. "
            "Sanne has a day off; nobody could stand in. We apologised at the desk and "
            "offered coffee. She left at 10:20, friendly but clearly disappointed.",
            Direction.INBOUND,
            Channel.IN_PERSON,
            self.fatima,
        )

    def generous_introduction(self) -> None:
        """Story 3: you introduced Eva, a starting coach, to Joost, who gave his time freely."""
        koers = self.org("Koers Coaching")
        hermans = self.org("Hermans Marketing", city="Zeist")
        eva = self.person(
            "Eva Jansen",
            email="eva@koerscoaching.example",
            organisation=koers,
            job_title="Founder",
            met_how="Old friend from university",
        )
        joost = self.person(
            "Joost Hermans",
            email="joost@hermans.example",
            phone="+31 30 123 4567",
            organisation=hermans,
            job_title="Marketing advisor",
            met_how="Ondernemersclub Utrecht-Oost",
        )
        self.log(
            eva,
            I.MEETING,
            at(-35, 12, 30),
            "Lunch. Eva starts her coaching business on a "
            "small budget and is stuck on how to find her first clients.",
        )
        self.log(
            joost,
            I.EMAIL,
            at(-28, 16),
            "Introduced Joost to Eva; both said yes first.",
            Direction.OUTBOUND,
            Channel.EMAIL,
        )
        self.log(
            eva,
            I.MESSAGE,
            at(-7, 20),
            "“Two hours with Joost and I finally have a plan. How can I ever thank him?”",
            Direction.INBOUND,
            Channel.WHATSAPP,
        )
        self.promise(
            eva, self.me, "Ask Eva a few weeks on whether the plan is working", at(14, 10), K.OTHER
        )

    def patient_chair(self) -> None:
        """Story 4: as chair of the club, you follow up with Mark, rarely and warmly."""
        club = self.org("Ondernemersclub Utrecht-Oost", notes="You chair this club.")
        mark = self.person(
            "Mark de Boer",
            email="mark@deboer-tuinen.example",
            phone="06 34567890",
            job_title="Garden architect",
            met_how="Club evening as a guest",
            met_on=at(-150, 20).date(),
        )
        self.log(
            mark,
            I.EVENT,
            at(-150, 20),
            "Came as a guest to the club evening. Liked the "
            "talks; wants to think about joining. Busy spring season.",
        )
        self.log(
            mark,
            I.CALL,
            at(-120, 17),
            "Short call: still thinking, no rush. His daughter starts school in September.",
            Direction.OUTBOUND,
            Channel.PHONE,
        )
        self.log(
            mark,
            I.EMAIL,
            at(-70, 9),
            "Wished him a good summer; no question about joining.",
            Direction.OUTBOUND,
            Channel.EMAIL,
        )
        self.promise(
            mark,
            self.me,
            "Ask Mark how the summer and his daughter's first school "
            "weeks went — and whether we can help",
            at(1, 10),
            K.OTHER,
        )
        self.person(
            "Karin Vos",
            email="karin@club-utrecht-oost.example",
            organisation=club,
            job_title="Club secretary",
        )

    def everyday_network(self) -> None:
        """The ordinary rest: a promise already late, a proposal in the works, a held meeting."""
        yilmaz = self.org("Yilmaz Installatietechniek", city="Nieuwegein")
        ahmed = self.person(
            "Ahmed Yilmaz",
            phone="06 45678901",
            organisation=yilmaz,
            job_title="Owner",
            preferred_channel=Channel.WHATSAPP,
        )
        self.log(
            ahmed,
            I.CALL,
            at(-4, 15),
            "Asked for a quote for the showroom redesign; Pieter "
            "promised to call back with a first price.",
            Direction.INBOUND,
            Channel.PHONE,
            self.pieter,
        )
        self.promise(
            ahmed,
            self.pieter,
            "Call Ahmed back with a first price for the showroom",
            at(-1, 12),
            K.CALL_BACK,
        )
        olivia = self.person(
            "Olivia Hart",
            email="olivia@hart-design.example",
            language="en",
            job_title="Interior architect",
            met_how="Dutch Design Week",
        )
        self.meeting(
            olivia,
            self.me,
            "Lunch to compare notes",
            at(-1, 12, 30),
            place="Café De Rode Hoed",
            status=AppointmentStatus.HELD,
        )
        self.log(
            olivia,
            I.MEETING,
            at(-1, 12, 30),
            "Lovely lunch. She may need a partner for a hotel project in Amsterdam next spring.",
            channel=Channel.IN_PERSON,
        )
        self.promise(olivia, self.me, "Send Olivia our hotel portfolio", at(3, 12), K.SEND_PROPOSAL)
        gemeente = self.org("Gemeente Utrecht")
        roel = self.person(
            "Roel Dijkstra",
            email="r.dijkstra@utrecht.example",
            organisation=gemeente,
            job_title="Project leader public space",
        )
        self.meeting(
            roel,
            self.sanne,
            "Kick-off canal-side benches",
            at(2, 14),
            60,
            place="Stadskantoor, Utrecht",
        )

    def at_the_desk_today(self) -> None:
        """Story 2 again, live on the desk page: Sanne has a day off today and a visitor is
        coming for her; Pieter is in a meeting when his visitor arrives; one came and went."""
        members = {m.user_id: m for m in Membership.objects.filter(workspace=self.ws)}
        for user, mobile in ((self.me, "+31612000001"), (self.pieter, "+31612000002"),
                             (self.sanne, "+31612000003")):
            members[user.pk].mobile = mobile
            members[user.pk].save(update_fields=["mobile"])
        Absence.objects.create(
            workspace=self.ws,
            membership=members[self.sanne.pk],
            starts_at=at(0, 0),
            ends_at=at(1, 0),
            backup=members[self.pieter.pk],
            note="Day off",
        )
        visser = self.org("Visser Bouw", city="Zeist")
        noor = self.person(
            "Noor Jansen", email="noor@visserbouw.example", organisation=visser, job_title="Buyer"
        )
        daan = self.person("Daan Visser", email="daan@visserbouw.example", organisation=visser)
        jeroen = self.person("Jeroen de Vries", email="jeroen@devries-advies.example")
        came = at(0, 9, 30) < timezone.now() - timedelta(minutes=45)
        samples = self.meeting(
            daan, self.pieter, "Samples for the new office", at(0, 9, 30), 30,
            status=AppointmentStatus.HELD if came else None,
        )
        if came:  # Fatima checked him in, Pieter came down, he left at ten
            Visit.objects.create(
                workspace=self.ws, appointment=samples, person=daan, visitor_name=daan.name,
                host=self.pieter, expected_at=samples.starts_at, checked_in_at=at(0, 9, 26),
                checked_in_by=self.fatima, host_told_at=at(0, 9, 26), answer=Answer.COMING,
                answered_at=at(0, 9, 27), checked_out_at=at(0, 10, 5),
            )
        self.meeting(jeroen, self.pieter, "Budget review", at(0, 11), 60)
        self.meeting(noor, self.sanne, "Choosing the fabrics", at(0, 14), 60,
                     place="Studio Lindeboom, Oudegracht 112, Utrecht")
        self.meeting(jeroen, self.me, "Second opinion on the floor plan", at(0, 16), 45)


# The demo's welcome on Today: the four stories, each with where to see it.
TOUR = [
    (
        gettext_noop("The host who left on a trip"),
        gettext_noop(
            "You invited Hans for coffee in a week you will be travelling. Verbind warned you "
            "weeks ahead: offer him new dates in one click."
        ),
        "calendars",
        "",
    ),
    (
        gettext_noop("The day off"),
        gettext_noop(
            "Linda came for her tour; Sanne had taken the day off. The failed visit is owed a "
            "repair within a day: an apology with dates to pick."
        ),
        "person",
        "linda@bakkerco.example",
    ),
    (
        gettext_noop("The generous introduction"),
        gettext_noop(
            "You introduced Eva, a starting coach, to Joost, who gave his time freely. See how "
            "it went and who helped whom."
        ),
        "person",
        "eva@koerscoaching.example",
    ),
    (
        gettext_noop("The patient chair"),
        gettext_noop(
            "As chair of the club you follow up with Mark rarely and warmly, never pushing."
        ),
        "person",
        "mark@deboer-tuinen.example",
    ),
]


def tour(workspace) -> list[dict]:
    """The stories of the demo workspace with the page that shows each (empty elsewhere)."""
    if workspace.slug != SLUG:
        return []
    people = {
        p.email: p for p in Person.objects.in_workspace(workspace).filter(
            email__in=[email for *_rest, email in TOUR if email]
        )
    }
    stops = []
    for title, text, page, email in TOUR:
        if page == "person" and email not in people:
            continue
        url = people[email].get_absolute_url() if page == "person" else reverse(page)
        stops.append({"title": _(title), "text": _(text), "url": url})
    return stops


def generosity(story: Story) -> None:
    """Story 3 through the introductions and the ledger: Joost said yes first, then Eva; three
    weeks on Eva said it helped, so Today asks you to thank Joost — and, as he keeps giving
    (his time, advice, a referral), how you could help him back."""
    ws, me = story.ws, story.me
    people = {p.email: p for p in Person.objects.in_workspace(ws)}
    eva, joost = people["eva@koerscoaching.example"], people["joost@hermans.example"]
    linda, karin = people["linda@bakkerco.example"], people["karin@club-utrecht-oost.example"]
    intro = Introduction.objects.create(
        workspace=ws,
        member=me,
        a=eva,
        b=joost,
        why="Eva is starting her coaching business on a small budget and is stuck on finding "
        "her first clients; Joost has helped many starters with their marketing.",
        state=IntroState.HELPED,
        asked_b_at=at(-31, 10),
        asked_a_at=at(-30, 9),
        introduced_at=at(-28, 16),
        followed_up_at=at(-7, 9),
        created_at=at(-31, 9),
    )
    steps = [
        (at(-31, 10), IntroState.ASKED_B, "You asked Joost first whether he would meet Eva."),
        (at(-30, 8), IntroState.B_AGREED, "Joost said yes: “Happy to help a starter.”"),
        (at(-30, 9), IntroState.ASKED_A, "You asked Eva whether she would meet Joost."),
        (at(-29, 12), IntroState.ASKED_A, "Eva said yes too."),
        (at(-28, 16), IntroState.INTRODUCED, "You introduced Eva and Joost to each other."),
        (at(-7, 9), IntroState.INTRODUCED, "You asked Eva and Joost whether it helped."),
        (
            at(-7, 20),
            IntroState.HELPED,
            "Eva: It helped — “Two hours with Joost and I finally "
            "have a plan.” Time to thank Joost.",
        ),
    ]
    for when, state, text in steps:
        IntroEvent.objects.create(workspace=ws, introduction=intro, at=when, state=state, text=text)
    for side, question, answer, when in (
        (Side.B, Question.CONSENT, Said.YES, at(-30, 8)),
        (Side.A, Question.CONSENT, Said.YES, at(-29, 12)),
        (Side.A, Question.FOLLOW_UP, Said.HELPED, at(-7, 20)),
    ):
        IntroLink.objects.create(
            workspace=ws,
            introduction=intro,
            side=side,
            question=question,
            token_hash=IntroLink.new_token()[1],
            expires_at=when,
            answer=answer,
            answered_at=when,
        )
    record(
        ws.pk,
        joost,
        Gave.GOT,
        Help.ADVICE,
        member=me,
        at=at(-200, 15),
        note="Tips for our studio's website",
    )
    record(ws.pk, joost, Gave.GOT, Help.REFERRAL, member=me, at=at(-60, 11), brought=linda)
    record(
        ws.pk,
        eva,
        Gave.GAVE,
        Help.INTRODUCTION,
        member=me,
        introduction=intro,
        at=at(-7, 20),
        note=joost.name,
    )
    record(
        ws.pk,
        joost,
        Gave.GOT,
        Help.TIME,
        member=me,
        introduction=intro,
        at=at(-7, 20),
        note=eva.name,
    )
    write_thanks(intro)
    Introduction.objects.filter(pk=intro.pk).update(waiting=Waiting.THANK_B, agenda_at=at(-7, 20))
    membership = Membership.objects.get(workspace=ws, user=me)
    asks.add(
        membership,
        joost,
        "ask",
        "Looking for a speaker on sustainable building for the spring congress",
    )
    asks.add(membership, eva, "ask", "Looking for her first coaching clients")
    asks.add(membership, karin, "offer", "Club members often ask her about coaching")
def keep_in_touch(workspace, me) -> None:
    """Story 4 over time: a patient nudge for Mark, the club's cadence, last night's event."""
    people = Person.objects.in_workspace(workspace)
    mark = people.get(email="mark@deboer-tuinen.example")
    # In his language: the words go into the Dutch drafts to him as the chair wrote them.
    nudge = nudges.start(me, mark, "lid worden van de club", at=at(-150, 21))
    for number, days in ((1, -120), (2, -70)):  # the call and the summer wish went out
        NudgeStep.objects.create(
            workspace=workspace, nudge=nudge, number=number, sent_at=at(days, 9)
        )
    Nudge.objects.filter(pk=nudge.pk).update(steps_sent=2, next_at=at(0, 9))
    karin = people.get(email="karin@club-utrecht-oost.example")
    sophie = Person.objects.create(
        workspace=workspace,
        name="Sophie Jansen",
        email="sophie@bakkerij-jansen.example",
        job_title="Baker, club member since last year",
        organisation=karin.organisation,
    )
    Interaction.objects.create(
        workspace=workspace, person=karin, member=me, kind=I.MEETING,
        occurred_at=at(-63, 19), notes="Board meeting: the spring programme and new speakers.",
    )
    Interaction.objects.create(
        workspace=workspace, person=sophie, member=me, kind=I.CALL, occurred_at=at(-20, 11),
        notes="She brought two guests to the club last month and wants to host an evening.",
    )
    for person in (karin, sophie):
        cadences.tag_person(person, _("club members"))
    cadences.for_tag(me, workspace, _("club members"), 8)
    evening = events.create(
        me, workspace, name=_("Club evening December"), held_on=at(-1, 20).date(),
        place="De Kroon, Utrecht",
    )
    events.met_someone(
        evening, me, name="Daan Mulder", reach="daan@mulder-advies.example",
        talked="Starting as an independent tax advisor; looking for his first clients.",
    )
    events.met_someone(
        evening, me, name="Lotte Visser", reach="06 56789012",
        talked="Runs a flower shop; curious what the club does for small shops.",
    )
    evening.met.update(met_at=at(-1, 21, 30))  # met last night, not when the demo was loaded
