from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowThroughConfig(AppConfig):
    name = "verbind.followthrough"
    verbose_name = _("Follow-through")

    def ready(self) -> None:
        from verbind.followthrough import receivers  # noqa: F401  (connects the signal)
