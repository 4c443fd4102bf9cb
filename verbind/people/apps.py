from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "verbind.people"
    verbose_name = _("People")

    def ready(self) -> None:
        # Lazy: the steps use models, which exist only once every app is loaded.
        from verbind.lib.steps import register
        from verbind.people import steps

        register(*steps.STEPS)
        pre_migrate.connect(_before_migrating, sender=self)
        post_migrate.connect(_after_migrating, sender=self)


def _before_migrating(sender, using, plan=None, **kwargs) -> None:
    # A migration of this app may rebuild a table the search triggers name (see searchindex).
    from verbind.people import searchindex

    if any(migration.app_label == sender.label for migration, _backwards in plan or []):
        searchindex.drop_triggers(connections[using])


def _after_migrating(sender, using, **kwargs) -> None:
    from verbind.people import searchindex

    searchindex.ensure(connections[using])
