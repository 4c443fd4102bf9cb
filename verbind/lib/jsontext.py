"""One JSON encoder for everything Verbind writes as JSON (CLI output, backups)."""

from __future__ import annotations

import datetime
import json

from django.core.serializers.json import DjangoJSONEncoder


class Encoder(DjangoJSONEncoder):
    """Django's encoder, but times keep every microsecond (it cuts them to milliseconds)."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            return o.isoformat().replace("+00:00", "Z")
        if isinstance(o, datetime.time):
            return o.isoformat()
        return super().default(o)


def dumps(data, indent: int | None = 2) -> str:
    return json.dumps(data, cls=Encoder, indent=indent, ensure_ascii=False)
