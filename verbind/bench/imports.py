"""Import benchmark: a 30,000-row LinkedIn export against 50,000 known people; a 10,000-card vCard."""

from __future__ import annotations

import random
import resource
import time

from django.contrib.auth import get_user_model

from verbind.people.models import Person
from verbind.transfer.apply import apply
from verbind.transfer.importing import plan_import
from verbind.workspaces.accounts import create_workspace

KNOWN = 50_000
LINKEDIN_ROWS = 30_000
CARDS = 10_000


def linkedin_csv(rows: int, seed: int = 2) -> bytes:
    """Shaped like LinkedIn's: notes above the header; a third are people we already know."""
    rnd = random.Random(seed)
    lines = [
        "Notes:",
        '"When exporting your connection data, you may notice that some of the email addresses are missing."',
        "",
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On",
    ]
    for n in range(rows):
        if n % 50 == 0:
            lines.append(",,,,,,12 Jan 2024")  # a connection that hides everything
            continue
        known = n % 3 == 0
        email = (
            f"person{rnd.randrange(KNOWN)}@bench.example"
            if known
            else (f"new{n}@example.org" if n % 4 else "")
        )
        lines.append(
            f"First{n},Last{n},https://www.linkedin.com/in/p{n},{email},Company {n % 900},"
            f"Position {n % 40},{rnd.randint(1, 28):02d} Jun 20{rnd.randint(10, 26)}"
        )
    return ("\r\n".join(lines) + "\r\n").encode()


def vcard_file(cards: int) -> bytes:
    """Mostly 3.0 as iPhones write, every tenth a 2.1 card with quoted-printable, as Android does."""
    out = []
    for n in range(cards):
        if n % 10 == 0:
            out.append(
                "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Janss=C3=A9n;Anne;;;\r\n"
                f"FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Anne Janss=C3=A9n {n}\r\n"
                f"TEL;CELL:06{n:08d}\r\nNOTE;ENCODING=QUOTED-PRINTABLE:Ontmoet op de borrel,=\r\n bij het station.\r\n"
                "END:VCARD\r\n"
            )
        else:
            out.append(
                f"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Family{n};Given{n};;;\r\nFN:Given{n} Family{n}\r\n"
                f"ORG:Org {n % 700};\r\nEMAIL;type=INTERNET;type=WORK:card{n}@example.net\r\n"
                f"TEL;type=CELL:+31 6 {n:08d}\r\nEND:VCARD\r\n"
            )
    return "".join(out).encode()


def import_timings() -> dict:
    User = get_user_model()
    owner = User.objects.create_user(
        username="bench-owner@example.org", email="bench-owner@example.org"
    )
    workspace = create_workspace("Import benchmark", owner)
    Person.objects.bulk_create(
        [
            Person(workspace=workspace, name=f"Person {i}", email=f"person{i}@bench.example")
            for i in range(KNOWN)
        ],
        batch_size=5000,
    )
    figures = {"known_people": KNOWN}
    for label, data, name in (
        ("linkedin", linkedin_csv(LINKEDIN_ROWS), "Connections.csv"),
        ("vcard", vcard_file(CARDS), "contacts.vcf"),
    ):
        before = _peak_mb()
        start = time.perf_counter()
        plan = plan_import(data, name, workspace)
        result = apply(plan, workspace, valid_only=True)
        seconds = time.perf_counter() - start
        figures[f"{label}_rows"] = LINKEDIN_ROWS if label == "linkedin" else CARDS
        figures[f"{label}_seconds"] = round(seconds, 2)
        figures[f"{label}_created"] = result["created"]
        figures[f"{label}_updated"] = result["updated"]
        figures[f"{label}_matched"] = plan.count("update") + plan.count("same")
        figures[f"{label}_errors"] = len(plan.errors)
        # The process's peak resident memory, after the import and before it: what the
        # import itself needed shows as the rise (when the peak was reached inside it).
        figures[f"{label}_peak_mb"] = _peak_mb()
        figures[f"{label}_peak_before_mb"] = before
    return figures


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux
