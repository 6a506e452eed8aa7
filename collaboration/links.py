"""Links to activity and collaboration pages on peers' pages (peers.links): peers names nothing
above it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from peers.links import register_link


def _in_activity(context) -> bool:
    match = getattr(context.get("request"), "resolver_match", None)
    return getattr(match, "app_name", None) == "activity"


def _coordinates(context) -> bool:
    return bool(context.get("prefectures") or context.get("regions") or context.get("is_admin"))


def _sees_team_or_region(context) -> bool:
    return bool(context.get("managed_organisations")) or _coordinates(context)


def register_links() -> None:
    # The person's own pages: after their engagements.
    register_link("me_nav", label=_("My activity"), url_name="activity:my_activity", current=_in_activity, order=10)
    register_link("me_nav", label=_("Meetings"), url_name="collaboration:meeting_list", order=20)
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
