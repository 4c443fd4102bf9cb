"""The caller's calendars through the API: follow, upload, read again, list, remove."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.radicale import PASSWORD, USER
from verbind.scheduling.models import Calendar

CORPUS = Path(__file__).parent / "corpus" / "calendars"
pytestmark = pytest.mark.django_db(transaction=True)


def test_follow_list_sync_and_remove_a_caldav_calendar(api, radicale, outsider_api):
    collection = radicale.new_calendar("Api")
    made = api.post(
        "/api/v1/calendars",
        {
            "name": "Work",
            "source": "caldav",
            "url": str(collection.url),
            "username": USER,
            "password": PASSWORD,
        },
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["last_error"] == "" and "password" not in body and body["busy"] == 0
    [listed] = api.get("/api/v1/calendars").json()
    assert listed["name"] == "Work"
    assert api.post(f"/api/v1/calendars/{body['id']}/sync").status_code == 200
    # Another workspace sees nothing and can touch nothing.
    assert outsider_api.get("/api/v1/calendars").json() == []
    assert outsider_api.post(f"/api/v1/calendars/{body['id']}/sync").status_code == 404
    assert outsider_api.delete(f"/api/v1/calendars/{body['id']}").status_code == 404
    assert api.delete(f"/api/v1/calendars/{body['id']}").status_code == 204
    assert not Calendar.objects.exists()


def test_a_calendar_that_cannot_be_read_is_a_named_422_and_adds_nothing(api):
    refused = api.post(
        "/api/v1/calendars",
        {"name": "Nowhere", "source": "feed", "url": "http://127.0.0.1:9/x.ics"},
    )
    assert refused.status_code == 422
    assert refused.json()["errors"]["url"] == ["nothing answers at 127.0.0.1 (connection refused)"]
    assert not Calendar.objects.exists()


def test_upload_an_export_and_a_broken_one(api):
    client = Client()
    with open(CORPUS / "google.ics", "rb") as handle:
        done = client.post("/api/v1/calendars/upload", {"file": handle}, headers=api.headers)
    assert done.status_code == 201 and done.json()["busy"] > 0
    with open(CORPUS / "broken.ics", "rb") as handle:
        broken = client.post("/api/v1/calendars/upload", {"file": handle}, headers=api.headers)
    assert broken.status_code == 201  # the readable event is read; the broken one is named
    assert broken.json()["events_read"] == 1 and broken.json()["busy"] == 1
    [skipped] = broken.json()["skipped"]
    assert (skipped["line"], skipped["field"], skipped["read"]) == (11, "DTSTART", False)
    assert "is not a date or time" in skipped["reason"]
    unreadable = (CORPUS / "broken.ics").read_bytes().replace(b"T090000Z", b"nope")
    refused = client.post(
        "/api/v1/calendars/upload",
        {"file": SimpleUploadedFile("none.ics", unreadable)},
        headers=api.headers,
    )
    assert refused.status_code == 422 and "line 5" in refused.json()["errors"]["file"][0]
    assert api.post(f"/api/v1/calendars/{done.json()['id']}/sync").status_code == 409
