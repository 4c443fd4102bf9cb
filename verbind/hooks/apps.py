from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HooksConfig(AppConfig):
    name = "verbind.hooks"
    verbose_name = _("Webhooks")

    def ready(self):
        # Lazy: receivers and steps use models, which exist only once every app is loaded.
        from verbind.hooks import receivers, steps  # noqa: F401
        from verbind.lib.steps import register  # lazy like the line above

        register(*steps.STEPS)
