"""An uploaded contacts file that was previewed but never imported does not stay for good."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from verbind.worker.loop import Worker

CORPUS = Path(__file__).parent / "corpus"


def upload(web, name="vcard_40.vcf"):
    data = (CORPUS / name).read_bytes()
    response = web.post(
        reverse("import"), {"file": SimpleUploadedFile(name, data), "format": "auto"}
    )
    assert response.status_code == 302
    return response["Location"]


def waiting() -> set[str]:
    folder = Path(settings.DATA_DIR) / "imports"
    return {path.name for path in folder.iterdir()} if folder.exists() else set()


def test_the_worker_removes_a_preview_left_for_more_than_a_day(web):
    preview = upload(web)
    assert web.get(preview).status_code == 200
    token = preview.rstrip("/").rsplit("/", 1)[-1]
    assert token in waiting()
    with time_machine.travel(timezone.now() + timedelta(hours=23)):
        Worker().run_pass()
        assert token in waiting()  # the member may still be deciding
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        done = Worker().run_pass()
        assert done["remove_stale_uploads"] >= 1
        assert token not in waiting()
        assert web.get(preview).status_code == 404


def test_the_next_upload_removes_old_ones_and_keeps_recent_ones(web):
    old = upload(web).rstrip("/").rsplit("/", 1)[-1]
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        recent = upload(web).rstrip("/").rsplit("/", 1)[-1]
        assert old not in waiting()
        newest = upload(web).rstrip("/").rsplit("/", 1)[-1]
        assert {recent, newest} <= waiting()
