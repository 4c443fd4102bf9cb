"""Creating workspaces and the people who sign in to them."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify

from verbind.workspaces.models import Membership, Role, Workspace


def find_user(email: str):
    return get_user_model().objects.filter(username=email.strip().lower()).first()


def make_user(email: str, full_name: str = "", password: str | None = None):
    """A user signs in with their e-mail address, which is also their username."""
    email = email.strip().lower()
    first, _, last = full_name.partition(" ")
    user = get_user_model().objects.create_user(
        username=email, email=email, password=password, first_name=first, last_name=last
    )
    return user


def unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "workspace"
    slug, n = base, 1
    while Workspace.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def create_workspace(name: str, owner, slug: str | None = None) -> Workspace:
    workspace = Workspace.objects.create(name=name, slug=slug or unique_slug(name))
    Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    return workspace


LOCAL_OWNER = "owner@verbind.local"


@transaction.atomic
def ensure_local_owner() -> tuple[object, str | None]:
    """On the first run, make an owner account with a fresh password.

    Returns the user and, only when it was just made, the password to show once.
    """
    User = get_user_model()
    existing = User.objects.filter(memberships__role=Role.OWNER).order_by("id").first()
    if existing is not None:
        return existing, None
    existing = User.objects.filter(is_superuser=True).order_by("id").first()
    if existing is not None:
        if not existing.memberships.exists():
            create_workspace("My network", existing)
        return existing, None
    password = secrets.token_urlsafe(12)
    user = make_user(LOCAL_OWNER, "Verbind Owner", password)
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    create_workspace("My network", user)
    return user, password


class MembershipNotFound(LookupError):
    pass


def find_membership(email: str | None = None, slug: str | None = None):
    """The membership a command acts as: of *email* (default: the first owner), in *slug* if given."""
    user = find_user(email) if email else ensure_local_owner()[0]
    if user is None:
        raise MembershipNotFound(f"no member with e-mail {email!r}")
    memberships = user.memberships.select_related("workspace", "user")
    if slug:
        memberships = memberships.filter(workspace__slug=slug)
    found = list(memberships.order_by("-joined_at", "-id"))
    if not found:
        where = f"workspace {slug!r}" if slug else "any workspace"
        raise MembershipNotFound(f"{user.email} is not a member of {where}")
    return found[0]
