from django.apps import AppConfig


class MinimalPageConfig(AppConfig):
    name = "bench._minimal_page"
    label = "bench_minimal_page"
    default_auto_field = "django.db.models.BigAutoField"
