from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulingConfig(AppConfig):
    name = "verbind.scheduling"
    verbose_name = _("Scheduling")

    def ready(self) -> None:
        # Lazy: these modules use models, which exist only once every app is loaded.
        from verbind.lib.steps import register  # lazy like the line above
        from verbind.scheduling import receivers, steps  # noqa: F401  (connects the signals)

        register(*steps.STEPS)
