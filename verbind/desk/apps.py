from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "verbind.desk"
    verbose_name = _("Front desk")

    def ready(self) -> None:
        # Lazy: the steps use models, which exist only once every app is loaded.
        from verbind.desk import steps  # noqa: F401
        from verbind.lib.steps import register  # lazy like the line above

        register(*steps.STEPS)
