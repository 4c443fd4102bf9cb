"""One entry point for the CLI, the web and the API: bytes in, a plan out."""

from __future__ import annotations

from verbind.transfer import detect
from verbind.transfer.decoding import decode
from verbind.transfer.plan import Plan, make_plan


def plan_import(
    data: bytes, filename: str, workspace, fmt: str = "auto", mapping: str = "", region: str = "NL"
) -> Plan:
    """Read any export and say what importing it would do. Raises ImportFailed for an unreadable file."""
    text = decode(data, filename)
    parsed = detect.parse(text, filename, fmt, mapping)
    return make_plan(parsed, workspace, filename, region)
