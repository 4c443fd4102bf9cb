from datetime import date, datetime

from ninja import Field, Router, Schema
from ninja.pagination import paginate

from verbind.api.answers import answers
from verbind.api.crud import Id, Input, resolve, save, scoped_get
from verbind.api.pagination import Page
from verbind.people.models import Channel, Language, Organisation, Person
from verbind.people.search import search_people
from verbind.workspaces.permissions import Action, guard

router = Router(tags=["people"])


class PersonOut(Schema):
    id: int
    name: str
    email: str
    phone: str
    organisation_id: int | None
    job_title: str
    language: Language
    preferred_channel: Channel
    met_how: str
    met_on: date | None
    notes: str
    created_at: datetime


class PersonIn(Input):
    name: str = Field(min_length=1, max_length=200)
    email: str = ""
    phone: str = ""
    organisation_id: Id | None = None
    job_title: str = ""
    language: Language | None = Field(
        None, description="nl or en; default: the language of your own e-mails"
    )
    preferred_channel: Channel = Channel.EMAIL
    met_how: str = ""
    met_on: date | None = None
    notes: str = ""


class PersonPatch(Input):
    name: str | None = Field(None, min_length=1, max_length=200)
    email: str | None = None
    phone: str | None = None
    organisation_id: Id | None = None
    job_title: str | None = None
    language: Language | None = None
    preferred_channel: Channel | None = None
    met_how: str | None = None
    met_on: date | None = None
    notes: str | None = None


def _changes(request, data: dict) -> dict:
    if "organisation_id" in data:
        data["organisation"] = resolve(
            request, Organisation, data.pop("organisation_id"), "organisation_id"
        )
    return data


@router.get("", response=answers(list[PersonOut]), summary="List or search people")
@paginate(Page)
def list_people(request, q: str = "", organisation_id: Id | None = None):
    people = search_people(request.workspace, q)
    if organisation_id is not None:
        people = people.filter(organisation_id=organisation_id)
    return people


@router.post("", response=answers({201: PersonOut}, 409, 413), summary="Add a person")
@guard(Action.ADD_PERSON)
def create_person(request, payload: PersonIn):
    person = Person(workspace=request.workspace)
    data = payload.dict()
    data["language"] = data["language"] or request.membership.language
    return 201, save(person, **_changes(request, data))


@router.get("/{int:person_id}", response=answers(PersonOut, 404))
def get_person(request, person_id: Id):
    return scoped_get(request, Person, person_id)


@router.patch(
    "/{int:person_id}",
    response=answers(PersonOut, 404, 409, 413),
    summary="Change some fields of a person",
)
@guard(Action.EDIT_PERSON)
def update_person(request, person_id: Id, payload: PersonPatch):
    person = scoped_get(request, Person, person_id)
    return save(person, **_changes(request, payload.dict(exclude_unset=True)))


@router.delete("/{int:person_id}", response=answers({204: None}, 403, 404, 409))
@guard(Action.DELETE_PERSON)
def delete_person(request, person_id: Id):
    scoped_get(request, Person, person_id).delete()
    return 204, None
