from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntroductionsConfig(AppConfig):
    name = "verbind.introductions"
    verbose_name = _("Introductions and the ledger")

    def ready(self) -> None:
        # Lazy: these modules use models, which exist only once every app is loaded.
        from verbind.followthrough.rules import register as register_rule  # lazy, as above
        from verbind.introductions import receivers, rules, steps  # noqa: F401  (signals)
        from verbind.lib.steps import register  # lazy like the line above

        for rule in rules.RULES:
            register_rule(rule)
        register(*steps.STEPS)
