from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowThroughConfig(AppConfig):
    name = "verbind.followthrough"
    verbose_name = _("Follow-through")

    def ready(self) -> None:
        # Lazy: these modules use models, which exist only once every app is loaded.
        from verbind.followthrough import receivers, steps  # noqa: F401  (connects the signals)
        from verbind.lib.steps import register  # lazy like the line above

        register(*steps.STEPS)
