"""Upload an export, see the preview, then import; and take people out again."""

from __future__ import annotations

import secrets
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from verbind.transfer.apply import ImportRefused, apply
from verbind.transfer.detect import FORMATS
from verbind.transfer.exporting import csv_text, people_of, vcard
from verbind.transfer.importing import plan_import
from verbind.transfer.records import ImportFailed
from verbind.web.views.common import member_required

MAX_BYTES = 20 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Export file"),
        help_text=gettext_lazy("vCard (.vcf), LinkedIn Connections.csv, Google or Outlook CSV"),
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"), choices=[(f, f) for f in FORMATS], initial="auto"
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("That file is larger than 20 MB."))
        return upload


def _folder() -> Path:
    folder = Path(settings.DATA_DIR) / "imports"
    folder.mkdir(exist_ok=True)
    return folder


@member_required
def upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        token = secrets.token_urlsafe(16)
        (_folder() / token).write_bytes(form.cleaned_data["file"].read())
        request.session[f"import:{token}"] = {
            "workspace": request.workspace.pk,
            "name": Path(form.cleaned_data["file"].name).name,
            "format": form.cleaned_data["format"],
        }
        return redirect("import_preview", token)
    return render(request, "web/import.html", {"form": form})


@member_required
def preview(request, token):
    meta = request.session.get(f"import:{token}")
    path = _folder() / token
    if not meta or meta["workspace"] != request.workspace.pk or not path.exists():
        raise Http404
    try:
        plan = plan_import(path.read_bytes(), meta["name"], request.workspace, meta["format"])
    except ImportFailed as exc:
        path.unlink(missing_ok=True)
        messages.error(request, str(exc.problem))
        return redirect("import")
    if request.method == "POST":
        try:
            result = apply(plan, request.workspace, valid_only=bool(request.POST.get("valid_only")))
        except ImportRefused:
            messages.error(request, _("Some rows have errors, so nothing was imported."))
        else:
            path.unlink(missing_ok=True)
            request.session.pop(f"import:{token}", None)
            messages.success(
                request,
                _("Imported: %(new)s new, %(updated)s filled in.")
                % {"new": result["created"], "updated": result["updated"]},
            )
            return redirect("duplicates")
    return render(
        request,
        "web/import_preview.html",
        {"plan": plan, "summary": plan.summary(), "token": token},
    )


@member_required
def export_vcard(request):
    response = HttpResponse(
        vcard(people_of(request.workspace)), content_type="text/vcard; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="verbind-people.vcf"'
    return response


@member_required
def export_csv(request):
    response = HttpResponse(
        csv_text(people_of(request.workspace)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="verbind-people.csv"'
    return response
