"""No page repeats an element id: a label must point at the one field it names."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

from tests.conftest import make_appointment, make_promise


def repeated_ids(html: str) -> list[str]:
    ids = re.findall(r'\bid="([^"]+)"', html)
    return [name for name, n in Counter(ids).items() if n > 1]


def test_the_person_page_gives_each_quick_action_its_own_ids(web, person, owner):
    html = web.get(person.get_absolute_url()).content.decode()
    assert repeated_ids(html) == []
    assert 'for="appointment_title"' in html and 'id="appointment_title"' in html


def test_today_does_not_repeat_the_snooze_field_per_item(web, person, owner):
    make_promise(person, owner, due_in=timedelta(hours=2))
    make_promise(person, owner, due_in=timedelta(hours=3), what="Send the plans")
    make_appointment(person, owner, starts_in=-timedelta(days=1)).transition(
        "missed_by_us", by=owner
    )
    html = web.get("/").content.decode()
    assert html.count('name="until"') >= 2
    assert repeated_ids(html) == []
