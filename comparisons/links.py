"""The comparison page on the staff home (peers.links), for the same people the staff home
already decided coordinate a region."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from peers.links import register_link


def _coordinates(context) -> bool:
    return bool(context.get("prefectures") or context.get("regions") or context.get("is_admin"))


def register_links() -> None:
    register_link("staff_activity", label=_("Compare regions"), url_name="comparisons:compare",
                  condition=_coordinates, order=40)
    register_link("staff_activity", label=_("Consultation body indicators"), url_name="comparisons:body_list",
                  condition=_coordinates, order=45)
