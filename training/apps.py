from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "training"
    verbose_name = _("Training and certification")

    def ready(self) -> None:
        from .parts import register_parts

        register_parts()
        # Links to this app's pages on peers' pages (peers names nothing above it).
        from .links import register_links

        register_links()

        from peers.signals import invitation_accepted

        invitation_accepted.connect(_attach_applications, dispatch_uid="training_attach_invited_applications")


def _attach_applications(sender, invitation, user, **kwargs) -> None:
    from .services import application_attach_invited

    application_attach_invited(invitation=invitation, user=user)
