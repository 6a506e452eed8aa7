"""Links to training pages on peers' pages (peers.links): peers names nothing above it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from peers.links import register_link, register_panel


def register_links() -> None:
    # The person's home: the renewal card and the evidence requested of them, drawn by training.
    from .templatetags.training import training_evidence_requests, training_reminders

    register_panel("me_home", name="training_reminders", template="training/_reminders.html",
                   values=training_reminders, order=10)
    register_panel("me_home", name="training_evidence_requests", template="training/_evidence_requests.html",
                   values=training_evidence_requests, order=20)
    register_link("me_home", label=_("My training and certifications"), url_name="training:me")
    # Inside "Training bodies you work for", which the page shows to the bodies' staff.
    register_link("staff_training_bodies", label=_("Training and certification pages"),
                  url_name="training:staff_home")
    # An administrator sees no body list, so the link stands on its own.
    register_link("staff_home", label=_("Training and certification pages"), url_name="training:staff_home",
                  condition=lambda context: bool(context.get("is_admin")))
    # Among the actions of an organisation's manager (the page shows them to managers only).
    register_link("organisation_staff", label=_("Peer-support staffing check"), url_name="training:staffing",
                  args=lambda context: (context["organisation"].pk,))
