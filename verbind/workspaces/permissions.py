"""Who may do what: the one table of each role's permission for each action, and the one
check (``require``) that web views, API routes and commands ask before they act.

``docs/roles.md`` prints the same table; ``tests/test_roles.py`` walks it (every role ×
every action, on the web and through the API) and fails when a route that changes
something is not in it. A new role (issue 11's desk) is a new column here, a new action a
new row.
"""

from __future__ import annotations

import inspect
from enum import Enum, StrEnum
from functools import wraps

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from verbind.lib.refusals import Refused
from verbind.workspaces.models import Membership, Role


class Level(Enum):
    ANY = "any"  # on anything in the workspace
    OWN = "own"  # only on what is the member's own (their meeting, promise, message, entry)
    NO = "no"


ANY, OWN, NO = Level.ANY, Level.OWN, Level.NO


class Action(StrEnum):
    """Each thing a member can do that changes the workspace or takes its data out."""

    ADD_PERSON = "add_person"
    EDIT_PERSON = "edit_person"
    DELETE_PERSON = "delete_person"
    MERGE_PEOPLE = "merge_people"
    IMPORT = "import"
    EXPORT = "export"
    LOG_ENTRY = "log_entry"
    EDIT_ENTRY = "edit_entry"
    DELETE_ENTRY = "delete_entry"
    ADD_OBLIGATION = "add_obligation"
    RECORD_MEETING = "record_meeting"
    CHANGE_OBLIGATION = "change_obligation"
    DELETE_OBLIGATION = "delete_obligation"
    UNDO = "undo"
    SEND_MESSAGE = "send_message"
    CANCEL_MESSAGE = "cancel_message"
    OFFER_TIMES = "offer_times"
    WITHDRAW_OFFER = "withdraw_offer"
    OWN_AGENDA = "own_agenda"
    OWN_SETTINGS = "own_settings"
    UNLOCK_SIGN_IN = "unlock_sign_in"
    DESK = "desk"
    ANSWER_VISIT = "answer_visit"
    INTRODUCE = "introduce"
    CHANGE_INTRODUCTION = "change_introduction"
    KEEP_ASKS = "keep_asks"
    KEEP_IN_TOUCH = "keep_in_touch"
    CHANGE_KEEPING = "change_keeping"
    WORKSPACE_SETTINGS = "workspace_settings"
    MANAGE_MEMBERS = "manage_members"
    SET_BACKUP = "set_backup"
    READ_TIMELINES = "read_timelines"

    @property
    def label(self) -> str:
        return str(LABELS[self])


LABELS = {
    Action.ADD_PERSON: gettext_lazy("add people and organisations"),
    Action.EDIT_PERSON: gettext_lazy("change a person or organisation"),
    Action.DELETE_PERSON: gettext_lazy("delete a person or organisation"),
    Action.MERGE_PEOPLE: gettext_lazy("merge two people (or undo a merge)"),
    Action.IMPORT: gettext_lazy("import contacts"),
    Action.EXPORT: gettext_lazy("export all contacts"),
    Action.LOG_ENTRY: gettext_lazy("log an interaction"),
    Action.EDIT_ENTRY: gettext_lazy("correct a timeline entry"),
    Action.DELETE_ENTRY: gettext_lazy("remove a timeline entry"),
    Action.ADD_OBLIGATION: gettext_lazy("add an appointment or a promise"),
    Action.RECORD_MEETING: gettext_lazy("record a meeting as held or missed"),
    Action.CHANGE_OBLIGATION: gettext_lazy(
        "cancel, move or settle an appointment or a promise"
    ),
    Action.DELETE_OBLIGATION: gettext_lazy("delete an appointment or a promise"),
    Action.UNDO: gettext_lazy("undo a change to a meeting"),
    Action.SEND_MESSAGE: gettext_lazy("edit, send or mark a message as sent"),
    Action.CANCEL_MESSAGE: gettext_lazy("discard a message"),
    Action.OFFER_TIMES: gettext_lazy("offer times on a private link"),
    Action.WITHDRAW_OFFER: gettext_lazy("withdraw an offer of times"),
    Action.OWN_AGENDA: gettext_lazy("act on your own agenda"),
    Action.OWN_SETTINGS: gettext_lazy("change your own settings, calendars and absences"),
    Action.UNLOCK_SIGN_IN: gettext_lazy("unlock someone's sign-in"),
    Action.DESK: gettext_lazy("receive visitors at the desk (check in and out, hand over)"),
    Action.ANSWER_VISIT: gettext_lazy("answer the desk about your visitor"),
    Action.INTRODUCE: gettext_lazy("introduce two people"),
    Action.CHANGE_INTRODUCTION: gettext_lazy("send, end or wait on an introduction"),
    Action.KEEP_ASKS: gettext_lazy("keep or close what someone asks or offers"),
    Action.KEEP_IN_TOUCH: gettext_lazy(
        "keep in touch: set a cadence or a tag, start a nudge, note an event and who you met"
    ),
    Action.CHANGE_KEEPING: gettext_lazy("stop a cadence, or decide on a nudge"),
    Action.WORKSPACE_SETTINGS: gettext_lazy("change the workspace's settings"),
    Action.MANAGE_MEMBERS: gettext_lazy(
        "invite colleagues, change their role or remove them"
    ),
    Action.SET_BACKUP: gettext_lazy("set a colleague's backup"),
    Action.READ_TIMELINES: gettext_lazy(
        "read a person's or organisation's page: the timeline, notes and health"
    ),
}

ROLES = (Role.OWNER, Role.MANAGER, Role.MEMBER, Role.RECEPTION)

# The table. Columns in the order of ROLES: owner, manager, member, reception.
TABLE: dict[Action, tuple[Level, Level, Level, Level]] = {
    Action.ADD_PERSON: (ANY, ANY, ANY, ANY),
    Action.EDIT_PERSON: (ANY, ANY, ANY, NO),
    Action.DELETE_PERSON: (ANY, ANY, ANY, NO),
    Action.MERGE_PEOPLE: (ANY, ANY, ANY, NO),
    Action.IMPORT: (ANY, ANY, ANY, NO),
    Action.EXPORT: (ANY, ANY, ANY, NO),
    Action.LOG_ENTRY: (ANY, ANY, ANY, ANY),
    Action.EDIT_ENTRY: (ANY, ANY, OWN, OWN),
    Action.DELETE_ENTRY: (ANY, ANY, OWN, NO),
    Action.ADD_OBLIGATION: (ANY, ANY, ANY, ANY),
    Action.RECORD_MEETING: (ANY, ANY, ANY, ANY),
    Action.CHANGE_OBLIGATION: (ANY, ANY, OWN, NO),
    Action.DELETE_OBLIGATION: (ANY, ANY, OWN, NO),
    Action.UNDO: (ANY, ANY, ANY, ANY),  # the meeting's own rule: only who made the change
    Action.SEND_MESSAGE: (ANY, ANY, OWN, OWN),
    Action.CANCEL_MESSAGE: (ANY, ANY, OWN, NO),
    Action.OFFER_TIMES: (ANY, ANY, ANY, NO),
    Action.WITHDRAW_OFFER: (ANY, ANY, OWN, NO),
    Action.OWN_AGENDA: (OWN, OWN, OWN, OWN),
    Action.OWN_SETTINGS: (OWN, OWN, OWN, OWN),
    Action.UNLOCK_SIGN_IN: (ANY, NO, NO, NO),
    Action.DESK: (ANY, ANY, ANY, ANY),
    Action.ANSWER_VISIT: (ANY, ANY, ANY, ANY),  # the visit's own rule: its host or backup
    Action.INTRODUCE: (ANY, ANY, ANY, NO),
    Action.CHANGE_INTRODUCTION: (ANY, ANY, OWN, NO),
    Action.KEEP_ASKS: (ANY, ANY, ANY, NO),
    Action.KEEP_IN_TOUCH: (ANY, ANY, ANY, NO),
    Action.CHANGE_KEEPING: (ANY, ANY, OWN, NO),
    Action.WORKSPACE_SETTINGS: (ANY, ANY, NO, NO),
    Action.MANAGE_MEMBERS: (ANY, NO, NO, NO),
    Action.SET_BACKUP: (ANY, ANY, NO, NO),
    Action.READ_TIMELINES: (ANY, ANY, ANY, NO),  # the desk sees today's visits and names only
}


def level(role: str, action: Action) -> Level:
    return TABLE[action][ROLES.index(Role(role))]


class NotAllowed(Refused):
    code = "not_allowed"
    status = 403


def owns(membership: Membership, obj) -> bool:
    """Whether *obj* is the member's own: each model says so with ``belongs_to``."""
    return obj.belongs_to(membership)


def allows(membership: Membership | None, action: Action, obj=None) -> bool:
    """May this member do *action* (on *obj*, when given)? For templates and lists."""
    if membership is None:
        return False
    found = level(membership.role, action)
    if found is ANY:
        return True
    if found is OWN:
        return obj is None or owns(membership, obj)
    return False


def require(membership: Membership | None, action: Action, obj=None) -> None:
    """Refuse (403, naming the action and the role) what the table does not allow.

    Without *obj* only the role is checked (an ``own`` action is allowed: the object is
    checked once it is found); with *obj* whose it is counts too.
    """
    if allows(membership, action, obj):
        return
    if membership is None:
        raise NotAllowed(_("Sign in first."))
    role = membership.get_role_display()
    if level(membership.role, action) is OWN:
        raise NotAllowed(
            _(
                "As %(role)s you may %(action)s only when it is your own; "
                "ask a manager or the workspace's owner."
            )
            % {"role": role, "action": action.label}
        )
    raise NotAllowed(
        _("As %(role)s you may not %(action)s; ask a manager or the workspace's owner.")
        % {"role": role, "action": action.label}
    )


def guard(action: Action | tuple[Action, ...] | None):
    """A view or API route that does *action*: the role is checked before it runs.

    ``None`` marks a route that changes nothing of the workspace (reading, signing in, the
    public link page); a tuple names the actions a route does when which one depends on
    what is asked (it calls ``require`` itself). ``tests/test_roles.py`` fails on a route
    without a mark.
    """

    def decorate(view):
        if action is None:
            view.permission = None
            return view
        if isinstance(action, tuple):  # one of these, decided with the object: the view asks
            view.permission = action
            return view

        @wraps(view)
        def checked(request, *args, **kwargs):
            require(getattr(request, "membership", None), action)
            return view(request, *args, **kwargs)

        checked.permission = action
        checked.__signature__ = _signature(view)
        return checked

    return decorate


def _signature(view) -> inspect.Signature:
    """The view's own signature with its annotations evaluated: the API reads parameter
    types from it, also in a module with ``from __future__ import annotations``."""
    try:
        return inspect.signature(view, eval_str=True)
    except NameError:
        return inspect.signature(view)


def guard_by(kwarg: str, actions: dict[str, Action]):
    """A route whose action depends on a part of its address (``/people/1/<action>/``)."""

    def decorate(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            action = actions.get(kwargs.get(kwarg, ""))
            if action is not None:
                require(getattr(request, "membership", None), action)
            return view(request, *args, **kwargs)

        checked.permission = dict(actions)
        return checked

    return decorate


MARKS = {ANY: "yes", OWN: "own", NO: "—"}


def markdown_table() -> str:
    """The table as docs/roles.md prints it (a test keeps the two the same)."""
    lines = [
        "| action | " + " | ".join(str(role) for role in ROLES) + " |",
        "|---|" + "---|" * len(ROLES),
    ]
    with translation.override("en"):
        for action, levels in TABLE.items():
            marks = " | ".join(MARKS[found] for found in levels)
            lines.append(f"| {action.label} (`{action.value}`) | {marks} |")
    return "\n".join(lines)
