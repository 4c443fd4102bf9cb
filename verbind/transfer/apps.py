from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransferConfig(AppConfig):
    name = "verbind.transfer"
    verbose_name = _("Import and export")
