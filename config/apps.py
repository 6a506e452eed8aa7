from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The project itself as an app, only so that the commands that wire every app together
    (the demo loader, the scheduler) have a home above them all. It holds no models."""

    name = "config"
    verbose_name = "Kakehashi"
