from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "verbind.messaging"
    verbose_name = _("Messages")

    def ready(self) -> None:
        # Lazy: these modules use models, which exist only once every app is loaded.
        from verbind.lib.steps import register  # lazy like the line above
        from verbind.messaging import steps

        register(*steps.STEPS)
