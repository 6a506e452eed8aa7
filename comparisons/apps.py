from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComparisonsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "comparisons"
    verbose_name = _("Regional comparisons")

    def ready(self) -> None:
        # The rollups follow the records in the transaction that changes them (see .rollups).
        from . import rollups

        rollups.connect()
        from .links import register_links

        register_links()
