"""One entry point for the CLI, the web and the API: bytes in, a plan out."""

from __future__ import annotations

from verbind.lib.uploads import check_size
from verbind.transfer import detect
from verbind.transfer.decoding import decode
from verbind.transfer.plan import Plan, make_plan
from verbind.transfer.records import Parsed


def read_contacts(data: bytes, filename: str, fmt: str = "auto", mapping: str = "") -> Parsed:
    """The contacts of any export, within the limits. Raises ImportFailed for an unreadable file."""
    check_size(len(data), filename)
    return detect.parse(decode(data, filename), filename, fmt, mapping)


def plan_import(
    data: bytes, filename: str, workspace, fmt: str = "auto", mapping: str = "", region: str = "NL"
) -> Plan:
    """Read any export and say what importing it would do. Raises ImportFailed for an unreadable file."""
    return make_plan(read_contacts(data, filename, fmt, mapping), workspace, filename, region)
