from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "peers"
    verbose_name = _("People and organisations")

    def ready(self) -> None:
        from .parts import register_parts

        register_parts()
        from . import signals  # noqa: F401 - connects the two-step sign-in receivers
