"""CSV and Excel exports of the activity log. The rows come from the same selectors as the pages,
so the access rules are the same; reflections are never exported. The files are written by
peers.spreadsheets (one way for every app, with its formula-injection guard)."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _

from .models import ActivityEntry


def entry_header(with_author: bool) -> list[str]:
    header = [
        _("Date"), _("Start time"), _("Duration (minutes)"), _("Organisation"), _("Kind of engagement"), _("Setting"),
        _("Activity type"), _("Mode"), _("Stage"), _("People supported"), _("Professionals worked with"),
        _("Effect on the person"), _("Effect on professionals"), _("Effect on the organisation"),
        _("Effect on the community"), _("Status"),
    ]
    return ([_("Recorded by")] if with_author else []) + header


def entry_rows(qs, with_author: bool) -> Iterator[list]:
    qs = qs.prefetch_related("professional_roles").order_by("-date", "-id")
    for e in qs.iterator(chunk_size=2000):
        row = [
            e.date.isoformat(), e.start_time.strftime("%H:%M") if e.start_time else "", e.duration_minutes,
            e.organisation.name, e.get_engagement_kind_display(), e.setting.name, e.activity.name,
            e.get_mode_display(), e.get_stage_display(), e.people_supported,
            " / ".join(r.name for r in e.professional_roles.all()),
            *("1" if getattr(e, f) else "" for f in
              ("level_person", "level_professionals", "level_organisation", "level_community")),
            e.get_status_display(),
        ]
        yield ([e.author.display_name] if with_author else []) + row




def region_rows(report) -> tuple[list, list[list]]:
    header = [_("Table"), _("Label"), _("Entries"), _("Hours")]
    rows = []
    for title, table in ((_("Setting"), report.by_setting), (_("Activity type"), report.by_activity),
                         (_("Professional role"), report.by_role)):
        for r in table:
            rows.append([title, str(r["label"]), r["entries"], str(r["hours"])])
    return header, rows


__all__ = ["ActivityEntry", "entry_header", "entry_rows", "region_rows"]
