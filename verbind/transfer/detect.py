"""Which importer a file needs, from its content."""

from __future__ import annotations

from verbind.transfer.formats import generic, google, linkedin, outlook, vcard
from verbind.transfer.records import Parsed

FORMATS = ("auto", "vcard", "linkedin", "google", "outlook", "csv")


def parse(text: str, filename: str, fmt: str = "auto", mapping: str = "") -> Parsed:
    if fmt == "auto":
        fmt = detect(text)
    if fmt == "vcard":
        return vcard.parse(text, filename)
    if fmt == "linkedin":
        return linkedin.parse(text, filename)
    if fmt == "google":
        return google.parse(text, filename)
    if fmt == "outlook":
        return outlook.parse(text, filename)
    return generic.parse(text, filename, mapping)


def detect(text: str) -> str:
    for name, module in (
        ("vcard", vcard),
        ("linkedin", linkedin),
        ("google", google),
        ("outlook", outlook),
    ):
        if module.looks_like(text):
            return name
    return "csv"
