"""The worker turns the passage of time into state and sends what is due.

Each domain app registers its steps (its ``steps.py``, from its AppConfig.ready);
the worker runs them in their stated order (``verbind.lib.steps.registered``).
A pass drains every step: it calls a step again while it finds work, then goes
on to the next. Then the worker sleeps. Each step claims its work with a
compare-and-set, so several workers never do the same piece twice, and a
failing row is held back by its step while the others go through (see
``RowStep``). Tests call one step directly, with no threads and no sleeping.
"""

from __future__ import annotations

import logging
import threading

from django.utils import timezone

from verbind.lib.steps import Step, registered

log = logging.getLogger(__name__)


class Worker:
    """One worker process (or thread). Several may run against one database."""

    def __init__(self, send_connections: int | None = None):
        self.steps: list[Step] = []
        for kind in registered():
            if send_connections is not None and kind.name == "handle_one_send":
                self.steps.append(kind(send_connections))
            else:
                self.steps.append(kind())
        sender = self.step("handle_one_send")
        self.claimant = getattr(sender, "claimant", "")

    def step(self, name: str) -> Step | None:
        return next((step for step in self.steps if getattr(step, "name", "") == name), None)

    def close(self, readers: bool = True) -> None:
        """Let go of the mail connections; with *readers*, wait for calendars being read."""
        for step in self.steps:
            if isinstance(step, Step):
                step.close(wait=readers)

    def run_pass(
        self, now=None, stop: threading.Event | None = None, wait_for_readers: bool = True
    ) -> dict[str, int]:
        """Drain every step once; returns how much work each step did.

        A pass on its own (``--once``, tests) ends when its calendars are read. The
        running worker does not wait for them: a slow calendar server holds up no mail.
        """
        done: dict[str, int] = {}
        for step in self.steps:
            name = getattr(step, "name", "") or getattr(step, "__name__", str(step))
            count = 0
            while not (stop and stop.is_set()):
                try:
                    found = step(now or timezone.now())
                except Exception:
                    log.exception("worker step %s failed; going on with the next step", name)
                    break
                if not found:
                    break
                count += 1
            done[name] = count
        self.close(readers=wait_for_readers)
        return done

    def run_forever(self, stop: threading.Event, idle_seconds: float = 5.0) -> None:
        try:
            while not stop.is_set():
                self.run_pass(stop=stop, wait_for_readers=False)
                stop.wait(idle_seconds)
        finally:
            self.close()
