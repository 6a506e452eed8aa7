"""Links to training pages on peers' pages (peers.links): peers names nothing above it."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from peers.links import register_link, register_panel


def staff_waiting(context) -> dict:
    """The staff home's training card: per body, what waits and the page where it is done.
    Only for the people the page showed bodies to (its view decided), else no query."""
    if not (context.get("training_bodies") or context.get("is_admin")):
        return {"bodies": []}
    from .selectors import training_staff_waiting_for

    bodies = []
    for waiting in training_staff_waiting_for(context["user"]):
        rows = [
            (item, reverse(item.url_name, kwargs={"body_id": waiting.body.pk}) + (f"?{item.query}" if item.query else ""))
            for item in waiting.counts
        ]
        bodies.append({"body": waiting.body, "rows": rows,
                       "href": reverse("training:staff_body", kwargs={"body_id": waiting.body.pk})})
    return {"bodies": bodies}


def register_links() -> None:
    # The person's home: the renewal card and the evidence requested of them, drawn by training.
    from .templatetags.training import training_evidence_requests, training_reminders

    register_panel("me_home", name="training_reminders", template="training/_reminders.html",
                   values=training_reminders, order=10)
    register_panel("me_home", name="training_evidence_requests", template="training/_evidence_requests.html",
                   values=training_evidence_requests, order=20)
    register_link("me_home", label=_("My training and certifications"), url_name="training:me")
    register_panel("staff_home", name="training_waiting", template="training/_staff_waiting.html",
                   values=staff_waiting, order=20)
    # The professional's home links to their own training too (a co-worker takes courses).
    register_link("me_professional", label=_("My training and certifications"), url_name="training:me")
    # Inside "Training bodies you work for", which the page shows to the bodies' staff.
    register_link("staff_training_bodies", label=_("Training and certification pages"),
                  url_name="training:staff_home")
    # An administrator sees no body list, so the link stands on its own.
    register_link("staff_home", label=_("Training and certification pages"), url_name="training:staff_home",
                  condition=lambda context: bool(context.get("is_admin")))
    # Among the actions of an organisation's manager (the page shows them to managers only).
    register_link("organisation_staff", label=_("Peer-support staffing check"), url_name="training:staffing",
                  args=lambda context: (context["organisation"].pk,))
