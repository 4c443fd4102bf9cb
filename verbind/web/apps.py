from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "verbind.web"
    verbose_name = _("Web")

    def ready(self) -> None:
        from verbind.web import checks  # noqa: F401  (registers the deployment checks)
