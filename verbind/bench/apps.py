from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "verbind.bench"
    verbose_name = "Benchmarks"
