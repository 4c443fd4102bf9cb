"""Asks and offers per person, and the matches between them ("introduce them?").

Matching happens when an ask or offer is written, against the open ones of the other
kind in the workspace; the agenda only reads the stored matches.
"""

from __future__ import annotations

import re
import unicodedata

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from verbind.introductions.models import AskOffer, AskOfferKind, Match, MatchState
from verbind.lib.refusals import Invalid, Refused
from verbind.workspaces.permissions import Action, require

# Words that say nothing about what someone needs or can give (English and Dutch).
QUIET = set(
    """
    about after also and any are ask asks being can could does doing for from good have help
    helps into just like looking look more need needs offer offers other our over some someone
    something than that the their them they this very want wants what when which who will with
    would your advise advice kan kunnen een het van voor met naar zoekt zoek zoeken iemand die dat
    wil willen nodig heeft hebben over ook nog wel niet maar zijn haar hun onze jouw mijn bij
    graag help helpen advies adviseren bieden biedt aanbod vraag vragen waar wat wie als dan door
    """.split()
)


class AskInvalid(Invalid):
    code = "ask_invalid"


def words(text: str) -> list[str]:
    """The words that matter, lower-case, without accents, short and quiet words left out."""
    plain = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    found = []
    for word in re.findall(r"[a-z0-9]+", plain):
        if len(word) < 4 or word in QUIET:
            continue
        if len(word) > 5 and word.endswith("s"):
            word = word[:-1]  # partners ~ partner
        if word not in found:
            found.append(word)
    return found


@transaction.atomic
def add(membership, person, kind: str, text: str) -> AskOffer:
    require(membership, Action.KEEP_ASKS)
    text = " ".join(text.split())
    if kind not in AskOfferKind.values:
        raise AskInvalid(_("Say whether they are looking for something or can offer it."))
    if not text:
        raise AskInvalid(_("Write what they are looking for or can offer, in a line."))
    if len(text) > 300:
        raise AskInvalid(_("Keep it to one line: at most 300 characters."))
    if person.workspace_id != membership.workspace_id:
        raise AskInvalid(_("Pick someone from your own network."))
    item = AskOffer.objects.create(
        workspace_id=membership.workspace_id,
        person=person,
        kind=kind,
        text=text,
        words=" ".join(words(text)),
        member=membership.user,
    )
    suggest(item, membership.user)
    return item


def suggest(item: AskOffer, member) -> list[Match]:
    """Open asks and offers of the other kind sharing a word that matters become matches."""
    mine = item.words.split()
    if not mine:
        return []
    other = AskOfferKind.OFFER if item.kind == AskOfferKind.ASK else AskOfferKind.ASK
    condition = Q()
    for word in mine:
        condition |= Q(words__contains=word)
    candidates = (
        AskOffer.objects.filter(workspace_id=item.workspace_id, kind=other, is_open=True)
        .exclude(person_id=item.person_id)
        .filter(condition)[:200]
    )
    made = []
    for candidate in candidates:
        shared = [word for word in mine if word in candidate.words.split()]
        if not shared:
            continue
        ask, offer = (item, candidate) if item.kind == AskOfferKind.ASK else (candidate, item)
        match, new = Match.objects.get_or_create(
            ask=ask,
            offer=offer,
            defaults={
                "workspace_id": item.workspace_id,
                "member": member,
                "shared": " ".join(shared)[:300],
            },
        )
        if new:
            made.append(match)
    return made


def close(item: AskOffer) -> None:
    """Found, given, or no longer asked: it stops matching."""
    AskOffer.objects.filter(pk=item.pk).update(is_open=False)
    item.is_open = False
    Match.objects.filter(Q(ask=item) | Q(offer=item), state=MatchState.OPEN).update(
        state=MatchState.DISMISSED
    )


def dismiss(match: Match) -> None:
    if not Match.objects.filter(pk=match.pk, state=MatchState.OPEN).update(
        state=MatchState.DISMISSED
    ):
        raise Refused(_("This suggestion is no longer open."))


def open_asks(person):
    return AskOffer.objects.filter(person=person, kind=AskOfferKind.ASK, is_open=True)
