"""Links to activity and collaboration pages on peers' pages (peers.links): peers names nothing
above it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from peers.links import for_peers, for_professionals, register_link, register_panel


def _in_activity(context) -> bool:
    match = getattr(context.get("request"), "resolver_match", None)
    return getattr(match, "app_name", None) == "activity"


def _at(url_name: str):
    def current(context) -> bool:
        match = getattr(context.get("request"), "resolver_match", None)
        return getattr(match, "view_name", None) == url_name

    return current


def _coordinates(context) -> bool:
    return bool(context.get("prefectures") or context.get("regions") or context.get("is_admin"))


def _sees_team_or_region(context) -> bool:
    return bool(context.get("managed_organisations")) or _coordinates(context)


def staff_verification_waiting(context) -> dict:
    """The staff home's card for managers (and administrators): entries waiting for a check,
    per organisation, each linked to its queue. One query."""
    if not (context.get("managed_organisations") or context.get("is_admin")):
        return {"rows": []}
    from .activity.selectors import verification_waiting_by_organisation

    return {"rows": verification_waiting_by_organisation(context["user"])}


def staff_coordinator_waiting(context) -> dict:
    """The staff home's card for coordinators: meetings, action items, the region report."""
    if not _coordinates(context):
        return {"counts": None}
    from .selectors import coordinator_waiting_for

    return {"counts": coordinator_waiting_for(context["user"])}


def professional_home(context) -> dict:
    """A professional's home: the supervision they give, the entries naming them that wait for
    their confirmation, the meetings they are invited to, the people they work with."""
    from .activity.selectors import (
        SHOWN,
        colleague_confirmation_list_for,
        people_worked_with,
        supervision_counts_given_by,
        supervisor_organisation_list_of,
    )
    from .selectors import meeting_invitation_counts_for, meeting_invitation_upcoming_for

    user = context["user"]
    confirmations = list(colleague_confirmation_list_for(user)[: SHOWN + 1])
    people = list(people_worked_with(user)[: SHOWN * 2 + 1])
    return {
        "supervision": supervision_counts_given_by(user),
        "supervises_for": list(supervisor_organisation_list_of(user)),
        # The queues ask for two-step sign-in: someone who has not turned it on is told so here
        # and sent to set it up, not surprised at the door (the home view read it already).
        "two_step_set_up": bool(context.get("mfa_enabled")),
        "confirmations": confirmations[:SHOWN],
        "more_confirmations": len(confirmations) > SHOWN,
        "meetings": meeting_invitation_counts_for(user),
        "next_invitations": list(meeting_invitation_upcoming_for(user)[:3]),
        "people": people[: SHOWN * 2],
        "more_people": len(people) > SHOWN * 2,
    }


def register_links() -> None:
    # The person's own pages, after their engagements: a peer's activity; a professional's
    # supervision they give and the people they work with (their home's parts); meetings for both.
    register_link("me_nav", label=_("My activity"), url_name="activity:my_activity",
                  current=lambda context: _in_activity(context) and not _at("activity:supervision")(context),
                  condition=for_peers, order=10)
    register_link("me_nav", label=_("Supervision you give"), url_name="activity:supervision",
                  current=_at("activity:supervision"), condition=for_professionals, order=15)
    register_link("me_nav", label=_("Meetings"), url_name="collaboration:meeting_list",
                  current=_at("collaboration:meeting_list"), order=20)
    register_link("me_nav", label=_("People you work with"), url_name="peers:home", fragment="people-heading",
                  condition=for_professionals, order=25)
    # The staff home, as its view decided who manages or coordinates what.
    register_link(
        "staff_activity", label=_("Activity in your region"), url_name="activity:staff_index",
        label_for=lambda context: (_("Team activity and entries to verify") if context.get("managed_organisations")
                                   else _("Activity in your region")),
        condition=_sees_team_or_region, order=10,
    )
    register_link("staff_activity", label=_("Consultation meetings you run"),
                  url_name="collaboration:staff_meeting_list", condition=_coordinates, order=20)
    register_link("staff_activity", label=_("Consultation bodies and members"),
                  url_name="collaboration:staff_bodies", condition=_coordinates, order=30)
    register_panel("staff_home", name="activity_waiting", template="collaboration/activity/_staff_waiting.html",
                   values=staff_verification_waiting, order=10)
    register_panel("staff_home", name="coordinator_waiting", template="collaboration/_staff_waiting.html",
                   values=staff_coordinator_waiting, order=30)
    register_panel("me_professional", name="professional_home", template="collaboration/_professional_home.html",
                   values=professional_home, order=10)
