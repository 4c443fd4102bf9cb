from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from verbind.lib.uploads import read_file
from verbind.transfer.apply import ImportRefused, apply
from verbind.transfer.detect import FORMATS
from verbind.transfer.importing import plan_import
from verbind.transfer.records import ImportFailed
from verbind.workspaces.commands import MemberCommand
from verbind.workspaces.permissions import Action


class Command(MemberCommand):
    action = Action.IMPORT
    member_help = "import as this member"
    help = "Import contacts from vCard, LinkedIn, Google, Outlook or any CSV, with a preview."

    def add_command_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="the export to read")
        parser.add_argument(
            "--format", default="auto", choices=FORMATS, help="default: recognised from the file"
        )
        parser.add_argument(
            "--map",
            default="",
            metavar="SPEC",
            help="for plain CSV: which column is what, e.g. name=Naam,email=Mail,phone=Tel",
        )
        parser.add_argument(
            "--region", default="NL", help="country for phone numbers without +code (default NL)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would happen; write nothing"
        )
        parser.add_argument(
            "--valid-only",
            action="store_true",
            help="import the valid rows even when others have errors",
        )

    def handle(
        self,
        *args,
        file,
        format,
        map,
        member,
        workspace,
        region,
        dry_run,
        valid_only,
        json: bool,
        **options,
    ):
        path = Path(file)
        data = read_file(path)
        membership = self.membership(member, workspace)
        console = Console(stderr=True)
        try:
            with console.status(f"Reading {path.name}…"):
                plan = plan_import(
                    data, path.name, membership.workspace, format, map, region.upper()
                )
        except ImportFailed as exc:
            raise CommandError(str(exc.problem), returncode=2) from None
        result = plan.summary()
        if not json:
            self.show(plan)
        if dry_run:
            result["written"] = False
        else:
            todo = plan.count("new") + plan.count("update")
            columns = [TextColumn("Importing"), BarColumn(), MofNCompleteColumn()]
            try:
                with Progress(*columns, console=console, transient=True, disable=json) as progress:
                    task = progress.add_task("import", total=todo)
                    result.update(
                        apply(
                            plan,
                            membership.workspace,
                            valid_only,
                            progress=lambda n: progress.advance(task, n),
                        )
                    )
                result["written"] = True
            except ImportRefused:
                result["written"] = False
                if json:
                    self.stdout.write(self.dumps(result))
                raise CommandError(
                    f"{len(plan.errors)} row(s) have errors, so nothing was imported. Fix them, or run "
                    "again with --valid-only to import the rest.",
                    returncode=2,
                ) from None
        if json:
            self.stdout.write(self.dumps(result))
        elif dry_run:
            self.stdout.write("Dry run: nothing was written.")
        else:
            self.stdout.write(f"Imported: {result['created']} new, {result['updated']} filled in.")

    def show(self, plan) -> None:
        console = Console(file=self.stdout, highlight=False)
        table = Table(title=f"{plan.filename} ({plan.format})")
        table.add_column("")
        table.add_column("People", justify="right")
        table.add_row("New", str(plan.count("new")))
        table.add_row("Known, filled in", str(plan.count("update")))
        table.add_row("Known, nothing new", str(plan.count("same")))
        table.add_row("Twice in the file", str(plan.count("duplicate")))
        if plan.skipped_empty:
            table.add_row("Rows without details", str(plan.skipped_empty))
        table.add_row("Errors", str(len(plan.errors)), style="red" if plan.errors else None)
        console.print(table)
        for problem in plan.errors[:20]:
            console.print(f"[red]error[/red] {problem}")
        if len(plan.errors) > 20:
            console.print(f"… and {len(plan.errors) - 20} more errors")
        for problem in plan.warnings[:10]:
            console.print(f"[yellow]note[/yellow] {problem}")


