from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "verbind.api"
    verbose_name = "API"

    def ready(self):
        # Lazy: the steps use models, which exist only once every app is loaded.
        from verbind.api import steps
        from verbind.lib.steps import register  # lazy like the line above

        register(*steps.STEPS)
