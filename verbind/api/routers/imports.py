"""Contacts in and out: an import with its preview (a dry run), and the export (People →
Import and Export on the web, ``verbind import`` and ``verbind export`` in the CLI)."""

from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile

from verbind.api.answers import answers
from verbind.api.crud import Input
from verbind.lib.uploads import check_size
from verbind.transfer.apply import ImportRefused, apply
from verbind.transfer.detect import FORMATS
from verbind.transfer.exporting import csv_text, people_of, vcard
from verbind.transfer.importing import plan_import
from verbind.transfer.records import ImportFailed
from verbind.workspaces.permissions import Action, guard

router = Router(tags=["import and export"])


class ImportOut(Schema):
    file: str
    format: str
    new: int
    updated: int = Field(description="known people filled in")
    unchanged: int
    duplicates_in_file: int
    left_out: int
    conflicts: int = Field(description="rows that say otherwise than what is known (kept)")
    skipped_empty: int
    errors: list[str] = Field(description="each by file, line and field; such a row is not read")
    warnings: list[str]
    written: bool = Field(description="false for a dry run, or when errors stopped the import")
    created: int = Field(0, description="people added (0 for a dry run)")


class ImportIn(Input):
    format: Literal[tuple(FORMATS)] = "auto"  # type: ignore[valid-type]
    mapping: str = Field("", max_length=500, description="e.g. name=Naam,email=Mail,phone=Tel")
    dry_run: bool = Field(False, description="only say what it would do (the preview)")
    valid_only: bool = Field(False, description="import the valid rows when some have errors")
    leave_out: list[int] = Field(
        [], max_length=100_000, description="lines of the file not to import"
    )


@router.post(
    "",
    response=answers(ImportOut, 403, 413),
    summary="Import contacts (or preview it with dry_run)",
    description="One transaction: all rows or none, unless valid_only. A file with errors "
    "and without valid_only answers 422 with the summary's errors and writes nothing. "
    "Importing the same file again adds nobody.",
)
@guard(Action.IMPORT)
def import_contacts(request, file: File[UploadedFile], options: Form[ImportIn]):
    check_size(file.size, file.name)
    try:
        plan = plan_import(file.read(), file.name, request.workspace, options.format, options.mapping)
    except ImportFailed as exc:
        raise ValidationError({"file": [str(exc.problem)]}) from None
    plan.leave_out(options.leave_out)
    result = plan.summary()
    result["written"] = False
    if options.dry_run:
        return result
    try:
        result.update(apply(plan, request.workspace, options.valid_only))
    except ImportRefused:
        raise ValidationError(
            {
                "file": [
                    f"{len(plan.errors)} row(s) have errors, so nothing was imported; fix "
                    "them, or send valid_only to import the rest.",
                    *result["errors"][:50],
                ]
            }
        ) from None
    result["written"] = True
    return result


@router.get(
    "/export",
    response=answers({200: str}, 403),
    summary="Everyone as vCard 4.0 or CSV",
    description="`format=vcard` (text/vcard) or `format=csv` (text/csv, UTF-8).",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file",
                "content": {
                    "text/vcard": {"schema": {"type": "string"}},
                    "text/csv": {"schema": {"type": "string"}},
                },
            }
        }
    },
)
@guard(Action.EXPORT)
def export_people(request, format: Literal["vcard", "csv"] = "vcard"):
    people = people_of(request.workspace)
    if format == "csv":
        response = HttpResponse(csv_text(people), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="verbind-people.csv"'
    else:
        response = HttpResponse(vcard(people), content_type="text/vcard; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="verbind-people.vcf"'
    return response
