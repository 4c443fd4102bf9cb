"""Setting a keep-in-touch cadence for one person or for everyone with a tag."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from verbind.cadences.models import Cadence
from verbind.cadences.touches import last_touches
from verbind.lib.refusals import Invalid
from verbind.people.models import Person, Tag


class CadenceInvalid(Invalid):
    code = "cadence"


def _check(weeks: int) -> None:
    if not isinstance(weeks, int) or not 1 <= weeks <= 104:
        raise CadenceInvalid(_("Keep in touch every 1 to 104 weeks."))


def _place(cadence: Cadence, last) -> Cadence:
    start = last or cadence.created_at
    cadence.last_touch_at, cadence.due_at = last, cadence.due_after(start)
    return cadence


@transaction.atomic
def for_person(member, person: Person, weeks: int, *, group: Cadence | None = None) -> Cadence:
    """Every *weeks* weeks with *person*; counted from the last contact there was."""
    _check(weeks)
    cadence = Cadence.objects.filter(person=person, owner=member).first()
    if cadence is not None and group is not None and cadence.group_id is None:
        return cadence  # the person's own cadence wins over the group's
    if cadence is None:
        cadence = Cadence(
            workspace_id=person.workspace_id, person=person, created_at=timezone.now()
        )
    cadence.owner, cadence.every_weeks, cadence.group = member, weeks, group
    _place(cadence, last_touches([person.pk]).get(person.pk))
    cadence.save()
    return cadence


@transaction.atomic
def for_tag(member, workspace, tag_name: str, weeks: int) -> Cadence:
    """Every *weeks* weeks with everyone tagged *tag_name* (now and later)."""
    _check(weeks)
    tag = Tag.named(workspace, tag_name)
    group, _new = Cadence.objects.update_or_create(
        workspace=workspace, tag=tag, defaults={"owner": member, "every_weeks": weeks}
    )
    spread(group)
    return group


def spread(group: Cadence, people=None) -> int:
    """Give the people of the group's tag a row of their own (not those with their own)."""
    people = list(people if people is not None else group.tag.people.all())
    ids = [p.pk for p in people]
    Cadence.objects.filter(person_id__in=ids, group=group).exclude(owner=group.owner).delete()
    Cadence.objects.filter(person_id__in=ids, group=group).update(every_weeks=group.every_weeks)
    # One row per member and person: one the owner set by hand wins over the group's.
    have = set(
        Cadence.objects.filter(person_id__in=ids, owner=group.owner).values_list(
            "person_id", flat=True
        )
    )
    last = last_touches([pk for pk in ids if pk not in have])
    now = timezone.now()
    new = [
        _place(
            Cadence(
                workspace_id=group.workspace_id,
                owner=group.owner,
                person_id=pk,
                group=group,
                every_weeks=group.every_weeks,
                created_at=now,
            ),
            last.get(pk),
        )
        for pk in ids
        if pk not in have
    ]
    Cadence.objects.bulk_create(new)
    for row in Cadence.objects.filter(person_id__in=ids, group=group):
        _place(row, row.last_touch_at)
        row.save(update_fields=["due_at"])
    return len(new)


def stop(cadence: Cadence) -> None:
    """No cadence any more (a tag's: for none of its people)."""
    cadence.delete()


def tag_person(person: Person, tag_name: str) -> Tag:
    """*person* carries the tag from now on, and with it the tag's cadence."""
    tag = Tag.named(Person.objects.get(pk=person.pk).workspace, tag_name)
    person.tags.add(tag)  # the tag's cadence follows (receivers.follow_the_tag)
    return tag


def untag_person(person: Person, tag: Tag) -> None:
    person.tags.remove(tag)  # and the tag's cadence goes with it (receivers.follow_the_tag)
