"""The worker turns the passage of time into state and sends what is due.

Each domain app registers its steps (its ``steps.py``, from its AppConfig.ready);
the worker runs them in their stated order (``verbind.lib.steps.registered``).
A pass drains every step: it calls a step again while it finds work, then goes
on to the next. Then the worker sleeps, and writes down that it completed a pass (``beats``), so
``/health`` and ``verbind status`` can tell a stuck worker. Each step claims its work with a
compare-and-set, so several workers never do the same piece twice, and a
failing row is held back by its step while the others go through (see
``RowStep``). Tests call one step directly, with no threads and no sleeping.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.utils import timezone

from verbind.lib.connections import heal, lost
from verbind.lib.steps import Step, registered
from verbind.worker import beats

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
        # A connection the database dropped while we slept is replaced before any step needs it.
        heal(check=True)
        done: dict[str, int] = {}
        for step in self.steps:
            name = getattr(step, "name", "") or getattr(step, "__name__", str(step))
            count, healed = 0, False
            while not (stop and stop.is_set()):
                try:
                    found = step(now or timezone.now())
                except Exception as exc:
                    # Lost mid-pass: reconnect and take the step again, once; its work is
                    # claimed with compare-and-set, so taking it again does nothing twice.
                    if not healed and lost(exc):
                        healed = True
                        heal(check=True)
                        log.warning("worker step %s lost the database; taking it again", name)
                        continue
                    log.exception("worker step %s failed; going on with the next step", name)
                    break
                if not found:
                    break
                count += 1
            done[name] = count
        self.close(readers=wait_for_readers)
        try:
            beats.record(self.claimant, now or timezone.now())
        except Exception:
            heal()
            log.exception("could not write down the end of this pass")
        return done

    def run_forever(
        self,
        stop: threading.Event,
        idle_seconds: float = 5.0,
        after_pass: Callable[[dict[str, int]], None] | None = None,
    ) -> None:
        try:
            while not stop.is_set():
                done = self.run_pass(stop=stop, wait_for_readers=False)
                if after_pass is not None:
                    after_pass(done)
                stop.wait(idle_seconds)
        finally:
            self.close()
