"""The agenda written out by hand in SQL: the yardstick `verbind bench` holds the product to.

Three statements give what the Today page shows for one member: every rule's rows in one
``UNION ALL`` (the same conditions as the rules in ``followthrough.rules``, the cadences'
and the introductions' ``rules.py``), the marks that hide some of them, and the context
beside each item (the person and their organisation, the last contact, other open
obligations, a message waiting). A few lines of Python turn rows into keys and moments.

The bench runs both, checks that they find the same items in the same order with the same
context (``compare``), and reports the product's time as a multiple of this one's. When a
rule changes, this file must change with it, or the bench says they differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.utils.dateparse import parse_datetime

from verbind.cadences.events import NICE_TO_MEET_DAYS
from verbind.cadences.models import NudgeState, later
from verbind.followthrough.agenda import PENDING, context_for
from verbind.followthrough.models import MarkKind, RepairState
from verbind.followthrough.rules.base import COMING, LOOK_BACK, OVERDUE, TODAY
from verbind.introductions.ledger import GIVE_BACK_GAP
from verbind.introductions.models import AskOfferKind, MatchState, Side, Waiting
from verbind.messaging.models import Purpose, State
from verbind.obligations.models import AppointmentStatus, Outcome
from verbind.people.models import Direction

RULES_SQL = f"""
SELECT 'repair' AS rule, r.id, r.person_id, r.deadline_at AS moment,
       l.appointment_id AS a, l.promise_id AS b, NULL AS t, NULL AS t2
  FROM followthrough_repair r JOIN followthrough_lapse l ON l.id = r.lapse_id
 WHERE r.workspace_id = %(ws)s AND r.owner_id = %(member)s AND r.state = '{RepairState.OPEN.value}'
   AND r.opened_at <= %(at)s
UNION ALL
SELECT 'late', p.id, p.person_id, p.due_at, NULL, NULL, NULL, NULL
  FROM obligations_promise p
 WHERE p.workspace_id = %(ws)s AND p.owner_id = %(member)s AND p.outcome = '{Outcome.OPEN.value}'
   AND p.due_at <= %(at)s
   AND NOT EXISTS (SELECT 1 FROM followthrough_lapse l
                    WHERE l.promise_id = p.id AND l.occurred_at = p.due_at)
UNION ALL
SELECT 'escalated', r.id, r.person_id, r.deadline_at, l.appointment_id, l.promise_id, NULL, NULL
  FROM followthrough_repair r JOIN followthrough_lapse l ON l.id = r.lapse_id
 WHERE r.workspace_id = %(ws)s AND r.escalated_to_id = %(member)s AND r.state = '{RepairState.OPEN.value}'
   AND r.owner_id <> %(member)s
UNION ALL
SELECT 'stood_in', r.id, r.person_id, r.deadline_at, NULL, NULL, NULL, NULL
  FROM followthrough_repair r
 WHERE r.workspace_id = %(ws)s AND r.delegated_from_id = %(member)s AND r.opened_at > %(since)s
UNION ALL
SELECT 'soon', p.id, p.person_id, p.due_at, NULL, NULL, NULL, NULL
  FROM obligations_promise p
 WHERE p.workspace_id = %(ws)s AND p.owner_id = %(member)s AND p.outcome = '{Outcome.OPEN.value}'
   AND p.due_at > %(at)s AND p.due_at <= %(soon)s
UNION ALL
SELECT 'new_dates', a.id, a.person_id, a.closed_at, NULL, NULL, NULL, NULL
  FROM obligations_appointment a
 WHERE a.workspace_id = %(ws)s AND a.owner_id = %(member)s
   AND a.status IN ('{AppointmentStatus.CANCELLED_BY_THEM.value}', '{AppointmentStatus.MISSED_BY_THEM.value}') AND a.successor_id IS NULL
   AND a.closed_at > %(since)s AND a.closed_at <= %(at)s
   AND NOT EXISTS (SELECT 1 FROM messaging_outboxmessage m WHERE m.appointment_id = a.id
                      AND m.purpose = '{Purpose.NEW_DATES.value}' AND m.state = '{State.SENT.value}')
   AND NOT EXISTS (SELECT 1 FROM scheduling_proposal x WHERE x.replaces_id = a.id)
UNION ALL
SELECT 'thank_you', a.id, a.person_id, a.ends_at, NULL, NULL, NULL, NULL
  FROM obligations_appointment a
 WHERE a.workspace_id = %(ws)s AND a.owner_id = %(member)s AND a.status = '{AppointmentStatus.HELD.value}'
   AND a.ends_at > %(since)s AND a.ends_at <= %(at)s
   AND NOT EXISTS (SELECT 1 FROM obligations_appointment e WHERE e.person_id = a.person_id
                      AND e.status = '{AppointmentStatus.HELD.value}' AND e.starts_at < a.starts_at)
   AND NOT EXISTS (SELECT 1 FROM people_interaction i WHERE i.person_id = a.person_id
                      AND i.direction = '{Direction.OUTBOUND.value}' AND i.occurred_at > a.ends_at)
   AND NOT EXISTS (SELECT 1 FROM messaging_outboxmessage m WHERE m.appointment_id = a.id
                      AND m.purpose IN ('{Purpose.THANK_YOU.value}', '{Purpose.FOLLOW_UP.value}') AND m.state = '{State.SENT.value}')
UNION ALL
SELECT 'absence', a.id, a.person_id, a.starts_at, NULL, NULL, NULL, NULL
  FROM obligations_appointment a
 WHERE a.workspace_id = %(ws)s AND a.owner_id = %(member)s
   AND a.status IN ('{AppointmentStatus.PROPOSED.value}', '{AppointmentStatus.CONFIRMED.value}') AND a.starts_at > %(at)s
   AND (EXISTS (SELECT 1 FROM scheduling_busyblock k
                  JOIN workspaces_membership s ON s.id = k.membership_id
                 WHERE s.user_id = a.owner_id AND s.workspace_id = a.workspace_id
                   AND k.absence AND k.starts_at < a.ends_at AND k.ends_at > a.starts_at)
        OR EXISTS (SELECT 1 FROM scheduling_absence k
                     JOIN workspaces_membership s ON s.id = k.membership_id
                    WHERE s.user_id = a.owner_id AND k.workspace_id = a.workspace_id
                      AND k.starts_at < a.ends_at AND k.ends_at > a.starts_at))
UNION ALL
SELECT * FROM (
  SELECT 'introduction', i.id, i.a_id, i.agenda_at, i.a_id, i.b_id, i.waiting, i.declined_by
    FROM introductions_introduction i
   WHERE i.workspace_id = %(ws)s AND i.member_id = %(member)s
     AND i.agenda_at IS NOT NULL AND i.agenda_at <= %(at)s
     AND NOT (i.waiting = '')
   ORDER BY i.agenda_at LIMIT 100) AS introductions
UNION ALL
SELECT * FROM (
  SELECT 'match', m.id, k.person_id, m.created_at, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT),
         NULL, NULL
    FROM introductions_match m JOIN introductions_askoffer k ON k.id = m.ask_id
   WHERE m.workspace_id = %(ws)s AND m.member_id = %(member)s AND m.state = '{MatchState.OPEN.value}'
   ORDER BY m.created_at DESC LIMIT 20) AS matches
UNION ALL
SELECT * FROM (
  SELECT 'give_back', b.id, b.person_id, b.last_got_at, b.got, CAST(NULL AS BIGINT), NULL, NULL
    FROM introductions_balance b
   WHERE b.workspace_id = %(ws)s AND b.member_id = %(member)s AND b.gap >= {GIVE_BACK_GAP}
   ORDER BY b.gap DESC LIMIT 20) AS balances
UNION ALL
SELECT 'cadence', c.id, c.person_id, c.due_at, NULL, NULL, NULL, NULL
  FROM cadences_cadence c
 WHERE c.workspace_id = %(ws)s AND c.owner_id = %(member)s AND c.person_id IS NOT NULL
   AND c.due_at < %(end_of_day)s
UNION ALL
SELECT 'nudge', n.id, n.person_id, n.next_at, n.steps_sent, n.cap, n.state, NULL
  FROM cadences_nudge n
 WHERE n.workspace_id = %(ws)s AND n.owner_id = %(member)s
   AND n.state IN ('{NudgeState.WAITING.value}', '{NudgeState.DECIDE.value}') AND n.next_at < %(end_of_day)s
UNION ALL
SELECT 'met', m.id, m.person_id, m.met_at, NULL, NULL, NULL, NULL
  FROM cadences_met m
 WHERE m.workspace_id = %(ws)s AND m.owner_id = %(member)s
   AND m.met_at > %(since)s AND m.met_at <= %(at)s
   AND NOT EXISTS (SELECT 1 FROM people_interaction i WHERE i.person_id = m.person_id
                      AND i.direction = '{Direction.OUTBOUND.value}' AND i.occurred_at > m.met_at)
"""

MARKS_SQL = f"""
SELECT key FROM followthrough_agendamark
 WHERE workspace_id = %s AND member_id = %s AND key IN ({{keys}})
   AND (kind = '{MarkKind.DONE.value}' OR (kind = '{MarkKind.SNOOZED.value}' AND until > %s))
"""

PENDING_SQL = ", ".join(f"'{state}'" for state in PENDING)
CONTEXT_SQL = f"""
SELECT 'person' AS kind, p.id AS person_id, CAST(NULL AS BIGINT) AS id,
       CAST(NULL AS TIMESTAMP) AS moment, p.name, o.name
  FROM people_person p LEFT JOIN people_organisation o ON o.id = p.organisation_id
 WHERE p.id IN ({{people}})
UNION ALL
SELECT 'last', p.id, (SELECT i.id FROM people_interaction i
                       WHERE i.person_id = p.id AND i.occurred_at <= %s
                       ORDER BY i.occurred_at DESC, i.id DESC LIMIT 1),
       CAST(NULL AS TIMESTAMP), NULL, NULL
  FROM people_person p WHERE p.id IN ({{people}})
UNION ALL
SELECT 'promise', person_id, id, due_at, NULL, NULL FROM obligations_promise
 WHERE person_id IN ({{people}}) AND outcome = '{Outcome.OPEN.value}'
UNION ALL
SELECT 'appointment', person_id, id, starts_at, NULL, NULL FROM obligations_appointment
 WHERE person_id IN ({{people}})
   AND status IN ('{AppointmentStatus.PROPOSED.value}', '{AppointmentStatus.CONFIRMED.value}')
   AND starts_at >= %s
UNION ALL
SELECT 'waiting', person_id, id, created_at, NULL, NULL FROM messaging_outboxmessage
 WHERE person_id IN ({{people}}) AND sender_id = %s AND state IN ({PENDING_SQL})
UNION ALL
SELECT 'ask', person_id, id, created_at, text, NULL FROM introductions_askoffer
 WHERE person_id IN ({{asking}}) AND kind = '{AskOfferKind.ASK.value}' AND is_open
"""


@dataclass
class Item:
    key: str
    person_id: int
    due_by: datetime
    urgency: int
    obligation: str = ""  # "promise:12" or "appointment:34", to leave out of "also open"
    context: dict = field(default_factory=dict)

    @property
    def sort_key(self):
        return (self.urgency, self.due_by, self.key)


def agenda(membership, at: datetime | None = None) -> list[Item]:
    """The member's agenda by the three statements above."""
    ctx = context_for(membership, at)
    at, rules = ctx.at, ctx.settings
    ops = connection.ops
    values = {
        "ws": ctx.workspace.pk,
        "member": ctx.member.pk,
        "at": ops.adapt_datetimefield_value(at),
        "since": ops.adapt_datetimefield_value(at - LOOK_BACK),
        "soon": ops.adapt_datetimefield_value(at + timedelta(hours=rules.promise_due_soon_hours)),
        "end_of_day": ops.adapt_datetimefield_value(ctx.end_of_day),
    }

    def urgency(due: datetime, overdue_means_urgent: bool = True) -> int:
        if due <= at and overdue_means_urgent:
            return OVERDUE
        return TODAY if due < ctx.end_of_day else COMING

    items = []
    with connection.cursor() as cursor:
        cursor.execute(RULES_SQL, values)
        rows = cursor.fetchall()
    for rule, pk, person, moment, a, b, t, t2 in rows:
        moment = _moment(moment)
        if rule in ("repair", "escalated"):
            obligation = f"appointment:{a}" if a else f"promise:{b}"
            escalated = rule == "escalated"
            key = ("escalated:" if escalated else "") + f"repair:{obligation}"
            items.append(
                Item(key, person, moment, OVERDUE if escalated else urgency(moment), obligation)
            )
        elif rule == "late":
            due = moment + timedelta(hours=rules.repair_deadline_hours)
            items.append(Item(f"repair:promise:{pk}", person, due, urgency(due), f"promise:{pk}"))
        elif rule == "stood_in":
            items.append(Item(f"stood-in:{pk}", person, moment, urgency(moment, False)))
        elif rule == "soon":
            items.append(Item(f"promise:{pk}", person, moment, urgency(moment), f"promise:{pk}"))
        elif rule in ("new_dates", "thank_you"):
            hours = (
                rules.new_dates_within_hours
                if rule == "new_dates"
                else rules.thank_you_within_hours
            )
            due = moment + timedelta(hours=hours)
            key = f"{rule.replace('_', '-')}:{pk}"
            items.append(Item(key, person, due, urgency(due), f"appointment:{pk}"))
        elif rule == "absence":
            items.append(
                Item(f"absence:{pk}", person, moment, urgency(moment), f"appointment:{pk}")
            )
        elif rule == "introduction":
            if t == Waiting.LET_DOWN:
                person = (b if t2 == Side.A else a) if t2 else a
            else:
                about_a = t in (Waiting.SEND_ASK_A, Waiting.REMIND_A, Waiting.DECIDE_A)
                person = a if about_a else b
            items.append(Item(f"introduction:{pk}:{t}", person, max(moment, at), TODAY))
        elif rule == "match":
            items.append(Item(f"match:{pk}", person, max(moment, at), COMING))
        elif rule == "give_back":
            due = max(moment or at, at)
            items.append(Item(f"give_back:{person}:{a}", person, due, COMING))
        elif rule == "cadence":
            items.append(Item(f"cadence:{pk}:{moment:%Y%m%d}", person, moment, urgency(moment)))
        elif rule == "nudge":
            key = f"nudge:{pk}:{a + 1}" if t == NudgeState.WAITING else f"nudge-decide:{pk}:{b}"
            items.append(Item(key, person, moment, urgency(moment)))
        elif rule == "met":
            due = later(moment, days=NICE_TO_MEET_DAYS)
            items.append(Item(f"met:{pk}", person, due, urgency(due)))
    if not items:
        return items
    items = _without_marked(items, values, at)
    items.sort(key=lambda item: item.sort_key)
    _add_context(items, values)
    return items


def _without_marked(items: list[Item], values: dict, at: datetime) -> list[Item]:
    keys = [item.key for item in items]
    sql = MARKS_SQL.format(keys=", ".join(["%s"] * len(keys)))
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [values["ws"], values["member"], *keys, values["at"]],
        )
        hidden = {key for (key,) in cursor.fetchall()}
    return [item for item in items if item.key not in hidden]


def _add_context(items: list[Item], values: dict) -> None:
    people = sorted({item.person_id for item in items})
    marks = ", ".join(["%s"] * len(people))
    # Open asks are quoted on give-back items only (-1: nobody, when there are none).
    asking = [item.person_id for item in items if item.key.startswith("give_back:")] or [-1]
    sql = CONTEXT_SQL.format(people=marks, asking=", ".join(["%s"] * len(asking)))
    params = [
        *people,
        values["at"],
        *people,
        *people,
        *people,
        values["at"],
        *people,
        values["member"],
        *asking,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    names, last, waiting, open_ = {}, {}, {}, {}
    for kind, person, pk, moment, name, organisation in rows:
        if kind == "person":
            names[person] = (name, organisation)
        elif kind == "last":
            last[person] = pk
        elif kind == "ask":
            continue  # read as the product reads it (its give-back item quotes them), not compared
        elif kind == "waiting":
            waiting.setdefault(person, []).append((_moment(moment), pk))
        else:
            open_.setdefault(person, []).append((_moment(moment), pk, f"{kind}:{pk}"))
    for item in items:
        person = item.person_id
        also = sorted(open_.get(person, []), key=lambda one: one[0])
        # Promises first, then meetings, each in time order: how the page lists them.
        also = [o for o in also if o[2].startswith("promise")] + [
            o for o in also if o[2].startswith("appointment")
        ]
        newest = max(waiting.get(person, []), default=None, key=lambda one: one[0])
        item.context = {
            "person": names.get(person),
            "last_interaction": last.get(person),
            "other_open": [o[2] for o in also if o[2] != item.obligation],
            "waiting_message": newest[1] if newest else None,
        }


def _moment(value):
    """A datetime from the database: SQLite gives text or a naive UTC datetime (in a UNION,
    which column types it knows varies), PostgreSQL an aware one."""
    if value is None:
        return value
    parsed = value if isinstance(value, datetime) else parse_datetime(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def of_product(items) -> list[dict]:
    """The product's agenda in the reference's terms, to compare."""
    found = []
    for item in items:
        context = item.context
        organisation = item.person.organisation
        last = context.get("last_interaction")
        waiting = context.get("waiting_message")
        found.append(
            {
                "key": item.key,
                "person_id": item.person.pk,
                "due_by": item.due_by,
                "urgency": item.urgency,
                "person": (item.person.name, organisation.name if organisation else None),
                "last_interaction": last.pk if last else None,
                "other_open": [
                    f"{o._meta.model_name}:{o.pk}" for o in context.get("other_open", [])
                ],
                "waiting_message": waiting.pk if waiting else None,
            }
        )
    return found


def of_reference(items: list[Item]) -> list[dict]:
    return [
        {
            "key": item.key,
            "person_id": item.person_id,
            "due_by": item.due_by,
            "urgency": item.urgency,
            **item.context,
        }
        for item in items
    ]


def compare(product, reference) -> list[str]:
    """What differs between the product's agenda and the reference's (empty when the same)."""
    mine, theirs = of_product(product), of_reference(reference)
    differences = []
    if [i["key"] for i in mine] != [i["key"] for i in theirs]:
        differences.append(
            f"items differ: product {[i['key'] for i in mine]} / "
            f"reference {[i['key'] for i in theirs]}"
        )
        return differences
    for one, other in zip(mine, theirs, strict=True):
        for name in one:
            if one[name] != other[name]:
                differences.append(f"{one['key']}: {name} {one[name]!r} != {other[name]!r}")
    return differences
