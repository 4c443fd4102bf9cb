"""Bytes to text the way exports come: UTF-8 (with or without BOM), else Windows-1252."""

from __future__ import annotations

import csv

from verbind.lib.nul import strip_nul
from verbind.transfer.records import ImportFailed, Problem


def decode(data: bytes, filename: str) -> str:
    """The text of an export, without NUL characters (no database of ours may hold one)."""
    return strip_nul(_decode(data, filename))


def _decode(data: bytes, filename: str) -> str:
    if b"\x00" in data[:4096]:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            try:
                return data.decode("utf-16")
            except UnicodeDecodeError:
                pass
        raise ImportFailed(Problem(filename, 1, "", "this looks like a binary file, not contacts"))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFailed(
            Problem(filename, line, "", "the file is neither UTF-8 nor Windows-1252 text")
        ) from None


def sniff_dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    """Comma, semicolon (common in Dutch exports) or tab, from the first lines."""
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        return csv.excel
