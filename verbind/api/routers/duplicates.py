"""Likely duplicates, merging two people into one, and undoing a merge (People → Duplicates)."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from verbind.api.answers import answers
from verbind.api.crud import Id, Input, resolve
from verbind.people.duplicates import suggestions
from verbind.people.merging import merge, undo
from verbind.people.models import Merge, Person
from verbind.workspaces.permissions import Action, guard

router = Router(tags=["duplicates"])


class DuplicateOut(Schema):
    id: int
    name: str
    email: str
    organisation: str | None

    @staticmethod
    def resolve_organisation(obj) -> str | None:
        return obj.organisation.name if obj.organisation_id else None


class SuggestionOut(Schema):
    first: DuplicateOut
    second: DuplicateOut
    score: int = Field(description="how alike the names are, 0 to 100")
    reason: str


class MergeIn(Input):
    keep_id: Id = Field(description="the person who stays")
    remove_id: Id = Field(description="the person whose history moves to the one who stays")


class MergeOut(Schema):
    id: int = Field(description="the merge, to undo it with POST /duplicates/merges/{id}/undo")
    kept_id: int
    removed_id: int
    merged_at: datetime
    undone_at: datetime | None


@router.get("", response=answers(list[SuggestionOut]), summary="Likely duplicates")
def list_duplicates(request):
    return [
        {"first": s.first, "second": s.second, "score": s.score, "reason": str(s.reason)}
        for s in suggestions(request.workspace)
    ]


@router.get("/merges", response=answers(list[MergeOut]), summary="Recent merges, newest first")
def list_merges(request):
    return list(Merge.objects.in_workspace(request.workspace).order_by("-merged_at", "-id")[:100])


@router.post(
    "/merge",
    response=answers({201: MergeOut}, 403, 409, 413),
    summary="Merge two people into one",
    description="Everything of the removed person moves to the one who stays; empty fields "
    "are filled in. Undo it with POST /duplicates/merges/{id}/undo.",
)
@guard(Action.MERGE_PEOPLE)
def merge_people(request, payload: MergeIn):
    keep = resolve(request, Person, payload.keep_id, "keep_id")
    remove = resolve(request, Person, payload.remove_id, "remove_id")
    return 201, merge(keep, remove, by=request.user)


@router.post(
    "/merges/{int:merge_id}/undo",
    response=answers(MergeOut, 403, 404, 409),
    summary="Undo a merge: the removed person comes back with their own history",
)
@guard(Action.MERGE_PEOPLE)
def undo_merge(request, merge_id: Id):
    record = get_object_or_404(Merge.objects.in_workspace(request.workspace), pk=merge_id)
    undo(record)
    record.refresh_from_db()
    return record
