"""Upload an export, see the preview, then import; and take people out again."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from verbind.lib.refusals import Refused
from verbind.lib.uploads import FileTooBig, check_size
from verbind.people.models import Person
from verbind.transfer import pending
from verbind.transfer.apply import apply_in_steps
from verbind.transfer.detect import FORMATS
from verbind.transfer.exporting import csv_text, people_of, vcard
from verbind.transfer.importing import read_contacts
from verbind.transfer.plan import make_plan
from verbind.transfer.records import ImportFailed, Parsed
from verbind.web.views.common import member_required
from verbind.workspaces.permissions import Action, guard

SHOWN_ROWS = 300  # rows listed in the preview, each with what it changes and a way to leave it out
FORMAT_NAMES = {
    "auto": gettext_lazy("Recognise it"),
    "vcard": gettext_lazy("vCard (phone, Apple, Outlook)"),
    "linkedin": gettext_lazy("LinkedIn connections"),
    "google": gettext_lazy("Google Contacts"),
    "outlook": gettext_lazy("Outlook contacts"),
    "csv": gettext_lazy("Another spreadsheet (CSV)"),
}


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Export file"),
        help_text=gettext_lazy("vCard (.vcf), LinkedIn Connections.csv, Google or Outlook CSV"),
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[(f, FORMAT_NAMES[f]) for f in FORMATS],
        initial="auto",
    )
    mapping = forms.CharField(
        label=gettext_lazy("Columns (other CSV files)"),
        required=False,
        max_length=500,
        help_text=gettext_lazy(
            "Only when the columns are not recognised, e.g. name=Naam,email=Mail,phone=Tel"
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_size(upload.size, upload.name)
        except FileTooBig as exc:
            raise forms.ValidationError(exc.message) from None
        return upload


def _folder() -> Path:
    return pending.folder()


@member_required
@guard(Action.IMPORT)
def upload(request):
    """The file is read once, here; the preview shows what was read, however often it is opened."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        name = Path(form.cleaned_data["file"].name).name
        try:
            parsed = read_contacts(
                form.cleaned_data["file"].read(),
                name,
                form.cleaned_data["format"],
                form.cleaned_data["mapping"],
            )
        except Refused as exc:
            messages.error(
                request, str(exc.problem) if isinstance(exc, ImportFailed) else exc.message
            )
            return redirect("import")
        token = pending.keep(parsed.to_json().encode("utf-8"))
        request.session[f"import:{token}"] = {"workspace": request.workspace.pk, "name": name}
        return redirect("import_preview", token)
    return render(request, "web/import.html", {"form": form})


@member_required
@guard(Action.IMPORT)
def preview(request, token):
    meta = request.session.get(f"import:{token}")
    path = _folder() / token
    if not meta or meta["workspace"] != request.workspace.pk or not path.exists():
        raise Http404
    # What is matched against the workspace is worked out anew (people change); the file is not.
    parsed = Parsed.from_json(path.read_text(encoding="utf-8"))
    plan = make_plan(parsed, request.workspace, meta["name"])
    shown = [row for row in plan.rows if row.action in ("new", "update") or row.conflicts]
    if request.method == "POST":
        if "rows_shown" in request.POST:  # the rows the member unticked stay out
            kept = set(request.POST.getlist("keep"))
            plan.leave_out(
                str(row.record.line)
                for row in shown[:SHOWN_ROWS]
                if str(row.record.line) not in kept
            )
        valid_only = bool(request.POST.get("valid_only"))
        if plan.errors and not valid_only:
            messages.error(request, _("Some rows have errors, so nothing was imported."))
        else:
            path.unlink(missing_ok=True)  # one import per upload
            request.session.pop(f"import:{token}", None)
            return StreamingHttpResponse(_progress_page(request, plan, valid_only))
    for row in shown[:SHOWN_ROWS]:  # what each row changes, as the person page names it
        row.said = [(_label(name), _value(value)) for name, value in row.changes.items()]
        row.said += [(_label(kind), value) for kind, value in row.more]
        row.conflicts_said = [
            (_label(name), ours, theirs) for name, (ours, theirs) in row.conflicts.items()
        ]
    return render(
        request,
        "web/import_preview.html",
        {
            "plan": plan,
            "summary": plan.summary(),
            "token": token,
            "format_name": FORMAT_NAMES.get(plan.format, plan.format),
            "rows": shown[:SHOWN_ROWS],
            "more_rows": max(len(shown) - SHOWN_ROWS, 0),
        },
    )


def _label(name: str) -> str:
    return str(Person._meta.get_field(name).verbose_name)


def _value(value) -> str:
    return formats.date_format(value, "j F Y") if isinstance(value, date) else str(value)


STREAM_MARK = "<!--progress-->"


def _progress_page(request, plan, valid_only: bool):
    """The import, running while the page shows how far it got; then on to the duplicates."""
    total = plan.count("new") + plan.count("update")
    page = render_to_string(
        "web/import_progress.html", {"total": total, "summary": plan.summary()}, request
    )
    head, _mark, tail = page.partition(STREAM_MARK)
    script = f'<script nonce="{getattr(request, "csp_nonce", "")}">'  # the page's Content-Security-Policy
    yield head
    steps = apply_in_steps(plan, request.workspace, valid_only)
    try:
        while True:
            written = next(steps)
            yield f"{script}step({written})</script>\n"
    except StopIteration as finished:
        result = finished.value
    except Exception:  # noqa: BLE001 - the headers are sent: say so on the page, keep nothing
        yield f"{script}failed()</script>{tail}"
        raise
    url = reverse("duplicates") + f"?imported={result['created']}&filled={result['updated']}"
    yield f'{script}step({total}); location.replace("{url}")</script>'
    yield f'<noscript><a href="{url}">{_("Continue")}</a></noscript>{tail}'


@member_required
@guard(Action.EXPORT)
def export_vcard(request):
    response = HttpResponse(
        vcard(people_of(request.workspace)), content_type="text/vcard; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="verbind-people.vcf"'
    return response


@member_required
@guard(Action.EXPORT)
def export_csv(request):
    response = HttpResponse(
        csv_text(people_of(request.workspace)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="verbind-people.csv"'
    return response
