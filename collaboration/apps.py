from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollaborationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "collaboration"
    verbose_name = _("Activity and collaboration")

    def ready(self) -> None:
        from .parts import register_parts

        register_parts()
        # Links to this app's pages on peers' pages (peers names nothing above it).
        from .links import register_links

        register_links()
        # Staff work without a staff role: peers asks these before granting any staff scope.
        from peers.access import register_staff_capability

        from .activity.models import ActivityVerifier
        from .models import BodyMember

        # A named supervisor (not removed) and a body's coordinator.
        register_staff_capability(lambda user: ActivityVerifier.objects.filter(user=user, removed_at__isnull=True))
        register_staff_capability(lambda user: BodyMember.objects.filter(user=user, is_coordinator=True))
        # Payments from the attendance at a body's meetings: its coordinators confirm them.
        from peers.selectors.payments import register_payment_reach

        from .services.honoraria import payment_reach

        register_payment_reach(payment_reach)
