"""Queries compiled once per process, then run with new values (the agenda's rules, Today's frame).

The agenda asks the same fifteen questions every time, with another member and another
moment. Building and compiling a Django queryset costs about ten times what the database
needs to answer it (issue #13 measured 0.5 ms to compile one rule against 0.02 ms of
SQLite), so a rule writes its query once as a queryset over named values, and
``Prepared`` compiles it on first use and afterwards only fills in the values.

    LATE = Prepared(lambda v: Promise.objects.filter(owner_id=v.member, due_at__lte=v.at))
    promises = LATE.run(member=member.pk, at=ctx.at)

Values are ints, strings, datetimes, or lists of ints (compiled per list length rounded
up to a power of two, padded with the first id again: ``IN (1, 2, 1, 1)`` finds what
``IN (1, 2)`` finds). Anything worked out from a value (``v.at - LOOK_BACK``) would be
compiled in as a constant, so a query is compiled twice with different stand-ins and any
difference that is not a stand-in is refused: pass such a moment as a value of its own.
The rows become model instances (``select_related`` and annotations included) the way
the queryset itself would make them.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from django.db import connections
from django.db.models.query import get_related_populators


class NotPreparable(Exception):
    """The query cannot be prepared as written (a derived value, a changing shape)."""


_counter = itertools.count(1)


def _stand_in(name: str, value, round_: int):
    """A value that no real query holds, of the same type as *value*."""
    n = next(_counter) * 2 + round_
    if isinstance(value, bool):
        raise NotPreparable(f"{name}: a boolean changes the query's shape; write two queries")
    if isinstance(value, int):
        return 7_000_000_000_000 + n
    if isinstance(value, datetime):
        return datetime(1901, 1, 1, tzinfo=UTC) + timedelta(seconds=n, microseconds=n % 999_983)
    if isinstance(value, str):
        return f"\x01stand-in {n}\x01"
    if isinstance(value, list | tuple):
        sample = value[0] if value else 0
        return [_stand_in(name, sample, round_) for _ in range(_bucket(len(value)))]
    raise NotPreparable(f"{name}: values of type {type(value).__name__} cannot be prepared")


def _bucket(length: int) -> int:
    size = 1
    while size < length:
        size *= 2
    return size


@dataclass
class _Compiled:
    sql: str
    slots: list  # per parameter: ("value", name, index or None) or ("constant", value, None)
    compiler: object
    values_only: bool
    init_list: list
    model_start: int
    model_end: int
    populators: list
    annotations: dict
    converters: dict
    qmark_sql: str = ""  # for SQLite: placeholders as the driver takes them


class Prepared:
    def __init__(self, build):
        self.build = build
        self.compiled: dict[tuple, _Compiled] = {}

    def run(self, using: str = "default", **values) -> list:
        connection = connections[using]
        lists = [name for name, value in values.items() if isinstance(value, list | tuple)]
        for name in lists:
            if not values[name]:
                raise ValueError(f"{name}: an empty list; there is nothing to ask for")
        key = (
            using,
            connection.vendor,
            *sorted(values),
            *(_bucket(len(values[name])) for name in lists),
        )
        compiled = self.compiled.get(key)
        if compiled is None:
            compiled = self.compiled[key] = self._compile(using, values)
        adapt = connection.ops.adapt_datetimefield_value
        params = []
        for kind, name, index in compiled.slots:
            if kind == "constant":
                params.append(name)
                continue
            value = values[name]
            if index is not None:
                value = value[index] if index < len(value) else value[0]
            params.append(adapt(value) if isinstance(value, datetime) else value)
        if compiled.qmark_sql and not connection.queries_logged and not connection.execute_wrappers:
            # Straight to the driver: Django's cursor rewrites the placeholders of the (long)
            # text on every run, which cost more than SQLite's answer (46 of 65 µs). When
            # queries are being logged or wrapped (tests, debugging), they go through Django.
            connection.ensure_connection()
            connection.validate_no_broken_transaction()
            with connection.wrap_database_errors:
                rows = connection.connection.execute(compiled.qmark_sql, params).fetchall()
        else:
            with connection.cursor() as cursor:
                cursor.execute(compiled.sql, params)
                rows = cursor.fetchall()
        if compiled.compiler.has_extra_select:
            rows = [row[: compiled.compiler.col_count] for row in rows]
        return self._materialise(compiled, rows, using)

    def _compile(self, using: str, values: dict) -> _Compiled:
        connection = connections[using]
        rounds = []
        for round_ in (0, 1):
            stand_ins = {name: _stand_in(name, v, round_) for name, v in values.items()}
            queryset = self.build(SimpleNamespace(**stand_ins))
            if queryset._prefetch_related_lookups:
                raise NotPreparable("prefetch_related runs further queries; prefetch after run()")
            compiler = queryset.query.get_compiler(using=using)
            sql, params = compiler.as_sql()
            rounds.append((queryset, compiler, sql, list(params), stand_ins))
        (queryset, compiler, sql, params, stand_ins), (_q, _c, sql_b, params_b, stand_ins_b) = (
            rounds
        )
        if sql != sql_b or len(params) != len(params_b):
            raise NotPreparable("the query's SQL changes with its values")
        where = {}
        for name, value in stand_ins.items():
            for index, one in enumerate(value) if isinstance(value, list) else [(None, value)]:
                for form in (one, _adapt(connection, one)):
                    where[_hashable(form)] = (name, index)
        slots = []
        for param, other in zip(params, params_b, strict=True):
            found = where.get(_hashable(param))
            if found:
                slots.append(("value", *found))
            elif param != other:
                raise NotPreparable(
                    f"a parameter worked out from a value ({param!r}): pass it as a value"
                )
            else:
                slots.append(("constant", param, None))
        sql, slots = _inline_constants(sql, slots)
        iterable = queryset._iterable_class.__name__
        values_only = iterable != "ModelIterable"
        if values_only and iterable != "ValuesListIterable":
            raise NotPreparable("only model instances and values_list() rows are prepared")
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        converters = compiler.get_converters(fields)
        compiled = _Compiled(sql, slots, compiler, values_only, [], 0, 0, [], {}, converters)
        if connection.vendor == "sqlite":
            compiled.qmark_sql = _PLACEHOLDER.sub(lambda m: "%" if m.group() == "%%" else "?", sql)
        if not values_only:
            klass_info, select = compiler.klass_info, compiler.select
            fields = klass_info["select_fields"]
            compiled.model_start, compiled.model_end = fields[0], fields[-1] + 1
            compiled.init_list = [
                f[0].target.attname for f in select[compiled.model_start : compiled.model_end]
            ]
            compiled.populators = get_related_populators(klass_info, select, using)
            compiled.annotations = dict(compiler.annotation_col_map or {})
        return compiled

    @staticmethod
    def _materialise(compiled: _Compiled, rows: list, using: str) -> list:
        compiler = compiled.compiler
        converted = (
            compiler.apply_converters(rows, compiled.converters) if compiled.converters else rows
        )
        if compiled.values_only:
            return [tuple(row) for row in converted]
        model = compiler.klass_info["model"]
        found = []
        for row in converted:
            obj = model.from_db(
                using, compiled.init_list, row[compiled.model_start : compiled.model_end]
            )
            for populator in compiled.populators:
                populator.populate(row, obj)
            for name, position in compiled.annotations.items():
                setattr(obj, name, row[position])
            found.append(obj)
        return found


_PLACEHOLDER = re.compile(r"%%|%s")


def _inline_constants(sql: str, slots: list) -> tuple[str, list]:
    """Write the query's fixed words and numbers (a state such as 'open') into its text.

    SQLite prepares a statement again on every run when a bound value is compared with a
    column that a partial index depends on (it might choose another index for another
    value): a three-table rule query took 56 µs with its state bound and 6 µs with it
    written in. A constant cannot change between runs, so it is written in, quoted; values
    stay bound.
    """
    kept = []
    position = -1

    def replace(match):
        nonlocal position
        if match.group() == "%%":
            return "%%"
        position += 1
        kind, value, _index = slots[position]
        if kind == "constant" and _literal(value) is not None:
            return _literal(value)
        kept.append(slots[position])
        return "%s"

    return _PLACEHOLDER.sub(replace, sql), kept


def _literal(value) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and not any(c in value for c in "\\\x00%"):
        return "'" + value.replace("'", "''") + "'"
    return None


def _adapt(connection, value):
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def _hashable(value):
    return (type(value).__name__, value)
