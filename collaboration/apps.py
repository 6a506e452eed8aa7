from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollaborationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "collaboration"
    verbose_name = _("Activity and collaboration")

    def ready(self) -> None:
        from .parts import register_parts

        register_parts()
        # Staff work without a staff role: peers asks these before granting any staff scope.
        from peers.access import register_staff_capability

        from .activity.selectors import user_is_named_supervisor
        from .selectors import user_is_body_coordinator

        register_staff_capability(user_is_named_supervisor)
        register_staff_capability(user_is_body_coordinator)
