from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "verbind.api"
    verbose_name = "API"
