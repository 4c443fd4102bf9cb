"""Reading CSV exports: rows with the line each starts on, and values by header name."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.utils.translation import gettext as _

from verbind.lib import limits
from verbind.transfer.decoding import sniff_dialect
from verbind.transfer.records import ImportFailed, Problem


def rows(text: str, filename: str, header_at: int = 0) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, {header: value}) for each row after the header.

    *header_at* is the 0-based index of the header line (LinkedIn puts notes above it).
    """
    lines = text.splitlines(keepends=True)
    body = "".join(lines[header_at:])
    reader = csv.reader(io.StringIO(body), sniff_dialect(body))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ImportFailed(Problem(filename, header_at + 1, "", "the file is empty")) from None
    except csv.Error as exc:
        raise ImportFailed(Problem(filename, header_at + 1, "", f"unreadable CSV: {exc}")) from None
    previous = reader.line_num
    most, deadline, count = limits.max_contacts(), limits.Deadline(filename), 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportFailed(
                Problem(filename, header_at + previous + 1, "", f"unreadable CSV: {exc}")
            ) from None
        start = header_at + previous + 1
        previous = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        count += 1
        if count > most:
            rest = sum(1 for line in lines[header_at + previous :] if line.strip())
            raise limits.too_many(filename, count + rest, most, _("contacts"))
        if count % 500 == 0:
            deadline.check(start)
        yield (
            start,
            {
                name: (row[i].strip() if i < len(row) else "")
                for i, name in enumerate(header)
                if name
            },
        )


def header_of(text: str, header_at: int = 0) -> list[str]:
    lines = text.splitlines()
    if len(lines) <= header_at:
        return []
    first = lines[header_at]
    reader = csv.reader(
        io.StringIO(first), sniff_dialect("\n".join(lines[header_at : header_at + 20]))
    )
    try:
        return [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error):
        return []


def split_values(cell: str) -> list[str]:
    """Google puts several values in one cell, separated by ' ::: '."""
    return [v.strip() for v in cell.split(":::") if v.strip()]


def full_name(*parts: str) -> str:
    return " ".join(p.strip() for p in parts if p and p.strip())
