"""How big a file Verbind reads (contacts, calendars), the same for web, API and CLI."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from verbind.lib.refusals import Invalid


class FileTooBig(Invalid):
    code = "file_too_big"


def limit_mb() -> int:
    return settings.MAX_UPLOAD_MB


def check_size(size: int, name: str) -> None:
    """Refuse a file over the limit before reading it, naming the file and the limit."""
    if size > limit_mb() * 1_000_000:
        raise FileTooBig(
            _("%(name)s is %(size)s MB; Verbind reads files of at most %(limit)d MB.")
            % {"name": name, "size": f"{size / 1_000_000:,.0f}", "limit": limit_mb()}
        )


def read_file(path: Path) -> bytes:
    """A file from disk (the CLI), checked against the limit before it is read."""
    try:
        check_size(path.stat().st_size, path.name)
        return path.read_bytes()
    except OSError as exc:
        raise Invalid(
            _("cannot read %(path)s: %(reason)s") % {"path": path, "reason": exc.strerror},
            code="unreadable_file",
        ) from None


def body_limit_mb() -> str:
    """The most a request may carry besides uploaded files (Django's DATA_UPLOAD_MAX_MEMORY_SIZE)."""
    return f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1_000_000:g}"


def body_too_large_message() -> str:
    return _("The request is too large: at most %(limit)s MB besides uploaded files.") % {
        "limit": body_limit_mb()
    }
