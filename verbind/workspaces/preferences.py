"""A member's own settings (Settings → You, and ``PATCH /api/v1/me``): name, zone, language,
digest, backup colleague and mobile number, checked by the same rules either way."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from verbind.lib.phones import BadPhoneNumber, normalise_phone
from verbind.workspaces.models import Membership

NAMES = ("first_name", "last_name")
FIELDS = ("time_zone", "language", "digest_hour", "wants_digest", "mobile")


@transaction.atomic
def change_preferences(membership: Membership, changes: dict) -> Membership:
    """Apply *changes* (any of NAMES, FIELDS and ``backup_id``, a colleague's user id or None).

    Raises ValidationError naming each field that is wrong; nothing is saved then.
    """
    errors = {}
    if "mobile" in changes:
        try:
            changes["mobile"] = normalise_phone(changes["mobile"] or "")
        except BadPhoneNumber:
            errors["mobile"] = [
                _("“%(value)s” is not a phone number we can call.") % {"value": changes["mobile"]}
            ]
    if "backup_id" in changes:
        wanted = changes.pop("backup_id")
        membership.backup = (
            None if wanted is None else membership.colleagues().filter(user_id=wanted).first()
        )
        if wanted is not None and membership.backup is None:
            errors["backup_id"] = [_("There is no other member %(id)s here.") % {"id": wanted}]
    before = (membership.time_zone, membership.digest_hour)
    for name in FIELDS:
        if name in changes and name not in errors:
            setattr(membership, name, changes[name])
    try:
        membership.full_clean(exclude=["workspace", "user", "backup", *errors])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    membership.save()
    user = membership.user
    for name in NAMES:
        if name in changes:
            setattr(user, name, (changes[name] or "").strip())
    user.save(update_fields=list(NAMES))
    if (membership.time_zone, membership.digest_hour) != before:
        membership.digest_changed()
    return membership
