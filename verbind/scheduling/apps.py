from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulingConfig(AppConfig):
    name = "verbind.scheduling"
    verbose_name = _("Scheduling")

    def ready(self) -> None:
        from verbind.scheduling import receivers  # noqa: F401  (connects the signal)
