from datetime import datetime

from ninja import Field, Router, Schema
from ninja.pagination import paginate

from verbind.api.answers import answers
from verbind.api.crud import Id, Input, save, scoped_get
from verbind.api.pagination import Page
from verbind.people.models import Organisation
from verbind.workspaces.permissions import Action, guard

router = Router(tags=["organisations"])


class OrganisationOut(Schema):
    id: int
    name: str
    website: str
    city: str
    notes: str
    created_at: datetime


class OrganisationIn(Input):
    name: str = Field(min_length=1, max_length=200)
    website: str = ""
    city: str = ""
    notes: str = ""


class OrganisationPatch(Input):
    name: str | None = Field(None, min_length=1, max_length=200)
    website: str | None = None
    city: str | None = None
    notes: str | None = None


@router.get("", response=answers(list[OrganisationOut]))
@paginate(Page)
def list_organisations(request, q: str = ""):
    organisations = Organisation.objects.in_workspace(request.workspace)
    if q:
        organisations = organisations.filter(name__icontains=q)
    return organisations.order_by("name", "id")


def _with_scheme(data: dict) -> dict:
    """“verbeek.nl” means https://verbeek.nl, as in the web form."""
    website = data.get("website")
    if website and "://" not in website:
        data["website"] = "https://" + website
    return data


@router.post("", response=answers({201: OrganisationOut}, 409, 413))
@guard(Action.ADD_PERSON)
def create_organisation(request, payload: OrganisationIn):
    return 201, save(Organisation(workspace=request.workspace), **_with_scheme(payload.dict()))


@router.get("/{int:organisation_id}", response=answers(OrganisationOut, 404))
def get_organisation(request, organisation_id: Id):
    return scoped_get(request, Organisation, organisation_id)


@router.patch("/{int:organisation_id}", response=answers(OrganisationOut, 404, 409, 413))
@guard(Action.EDIT_PERSON)
def update_organisation(request, organisation_id: Id, payload: OrganisationPatch):
    organisation = scoped_get(request, Organisation, organisation_id)
    return save(organisation, **_with_scheme(payload.dict(exclude_unset=True)))


@router.delete("/{int:organisation_id}", response=answers({204: None}, 403, 404, 409))
@guard(Action.DELETE_PERSON)
def delete_organisation(request, organisation_id: Id):
    scoped_get(request, Organisation, organisation_id).delete()
    return 204, None
