from __future__ import annotations

import json

from django.core.management.base import BaseCommand
from django.utils import timezone

from verbind.worker import health


def ago(delta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S %Z")


class Command(BaseCommand):
    help = (
        "Show whether the worker keeps up: its last pass, what waits and the mail server "
        "(exit code 1 when the worker is stuck)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="print what /health answers"
        )

    def handle(self, *args, as_json: bool = False, **options):
        report = health.check(timezone.now())
        if as_json:
            self.stdout.write(json.dumps(report.public(), indent=2))
        else:
            self.stdout.write("\n".join(lines(report)))
        if not report.healthy:
            raise SystemExit(1)


def lines(report: health.Health) -> list[str]:
    if report.last_pass_at is None:
        worker = "Worker: no pass completed yet. Is `verbind worker` (or `verbind serve`) running?"
    else:
        worker = (
            f"Worker: last pass {ago(report.age)} ago ({local(report.last_pass_at)}); "
            f"{report.workers} worker(s) seen lately."
        )
        if not report.healthy:
            worker += f" Stuck: no pass for longer than {ago(report.max_age)}."
    waiting = f"Outbox: {report.waiting} waiting, {report.failed} failed."
    if report.oldest_waiting_at:
        waiting = waiting[:-1] + f"; the oldest waits since {local(report.oldest_waiting_at)}."
    if report.mail_down_since:
        mail = (
            f"Mail server: DOWN since {local(report.mail_down_since)} "
            f"({report.mail_tries} tries); last: {report.mail_error}"
        )
    else:
        mail = "Mail server: up."
    return [worker, waiting, mail, "Status: " + report.status]
