from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CadencesConfig(AppConfig):
    name = "verbind.cadences"
    label = "cadences"
    verbose_name = _("Keeping in touch")

    def ready(self) -> None:
        # Lazy: these modules use models, which exist only once every app is loaded.
        from verbind.cadences import health, receivers, rules, steps  # noqa: F401
        from verbind.followthrough.rules import register as register_rule  # lazy, as above
        from verbind.lib.steps import register as register_step  # lazy, as above

        for rule in rules.RULES:
            register_rule(rule)
        register_step(*steps.STEPS)
