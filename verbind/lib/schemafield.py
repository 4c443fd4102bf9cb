"""A JSON column with a shape: validated by a pydantic schema on write, parsed once on read."""

from __future__ import annotations

import pydantic
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.query_utils import DeferredAttribute


class _Parsed(DeferredAttribute):
    """Whatever is assigned (a dict from a form, a row from the database) becomes the schema."""

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = self.field.parse(value)


class SchemaField(models.JSONField):
    """``JSONField`` whose value is an instance of *schema* in Python.

    Written values (an instance, or a dict that validates) are checked on save and
    on ``update()``; rows are parsed once when read. Lookups into the JSON
    (``next_step__proposal=…``) work as on any JSONField.
    """

    descriptor_class = _Parsed

    def __init__(self, *args, schema: type[pydantic.BaseModel] | None = None, **kwargs):
        self.schema = schema
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        # Migrations keep a plain JSONField: the shape is Python's business, not the table's.
        return name, "django.db.models.JSONField", args, kwargs

    def parse(self, value):
        if value is None or isinstance(value, self.schema):
            return value
        try:
            return self.schema.model_validate(value)
        except pydantic.ValidationError as exc:
            raise ValidationError(f"{self.name}: {exc.errors()[0]['msg']}") from None

    def from_db_value(self, value, expression, connection):
        return self.parse(super().from_db_value(value, expression, connection))

    def to_python(self, value):
        return self.parse(value)

    def get_db_prep_save(self, value, connection):
        parsed = self.parse(value)
        return super().get_db_prep_save(dump(parsed), connection)

    def get_prep_value(self, value):
        return super().get_prep_value(dump(value))

    def value_from_object(self, obj):
        return dump(super().value_from_object(obj))


def dump(value):
    """The JSON form of a schema instance (anything else is passed through)."""
    if isinstance(value, pydantic.RootModel):
        return value.model_dump(mode="json")
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    return value
