from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransferConfig(AppConfig):
    name = "verbind.transfer"
    verbose_name = _("Import and export")

    def ready(self) -> None:
        # Lazy: the steps use settings and the registry once every app is loaded.
        from verbind.lib.steps import register  # lazy like the line above
        from verbind.transfer import steps

        register(*steps.STEPS)
