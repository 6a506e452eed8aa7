"""Reads of the comparisons: who may open them, tables from the rollups (never a scan of the raw
rows), what a viewer may see of them, and the comparison of a table.

Access follows the region report (collaboration.activity.selectors.region_report_allowed):
administrators and regional coordinators, both after two-step sign-in, each over the
prefectures they cover. Only administrators may see people (peers.selectors.user_is_admin): to
everyone else a count from 1 to 4 is "<5", a count over several fiscal years that holds a year's
count from 1 to 4 is "x" (else the year could be worked out from a one-year table), every total
that would reveal either is "x" (as official statistics mark a concealed figure), and the test
leaves out the groups with such a cell: it runs only on counts the viewer sees, so neither its
numbers nor the chart's shares can give a hidden one away."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Max, Sum
from django.utils.translation import gettext_lazy as _

from peers.dates import fiscal_year_text
from peers.models import Activity, Engagement, Organisation, OrganisationKind, Prefecture
from peers.selectors import prefecture_list_coordinated_by, user_is_admin
from training.models import Application, TrainingBody

from . import stats
from .models import Group, OutcomeRollup, RollupCheck, Source
from .rollups import (
    APPLICATION_OUTCOMES,
    CERTIFICATION_OUTCOMES,
    ENGAGEMENT_OUTCOMES,
    GROUPS,
    fiscal_year,
)

SUPPRESS_BELOW = 5
SMALL = "<5"
CONCEALED = "x"
NOT_RECORDED = _("Not recorded")
MERGED = _("Smaller groups, merged")

OUTCOME_LABELS = {
    Source.CERTIFICATIONS: {"renewed": _("Renewed"), "lapsed": _("Lapsed"), "revoked": _("Revoked")},
    Source.APPLICATIONS: {s: Application.State(s).label for s in APPLICATION_OUTCOMES},
    Source.ENGAGEMENTS: {k: Engagement.Kind(k).label for k in ENGAGEMENT_OUTCOMES},
}
OUTCOMES = {
    Source.CERTIFICATIONS: CERTIFICATION_OUTCOMES,
    Source.APPLICATIONS: APPLICATION_OUTCOMES,
    Source.ENGAGEMENTS: ENGAGEMENT_OUTCOMES,
}
SOURCE_TEXT = {
    Source.CERTIFICATIONS: _(
        "Certification status events in the fiscal year: renewals (also by exception), lapses reached by the daily "
        "check, revocations. Grouped by the prefecture of the cohort the holder completed, and by training body."
    ),
    Source.APPLICATIONS: _(
        "Decisions on applications in the fiscal year: selected, declined, completed. Grouped by the applicant's "
        "organisation (the cohort's prefecture when none is named) and by training body."
    ),
    Source.ENGAGEMENTS: _(
        "New engagements confirmed by the organisation, by kind, counted in the fiscal year they start; a change of "
        "terms is not a new engagement."
    ),
    Source.ACTIVITY: _(
        "Verified activity entries by activity type, from the rollups kept with every verification."
    ),
    Source.ATTENDANCE: _(
        "People recorded present at the meetings each consultation body held in the fiscal year, by the sector "
        "recorded with their attendance; counted from the attendance records when the table is read."
    ),
}
LIMITS_TEXT = {
    Source.CERTIFICATIONS: _(
        "Only certifications recorded on this platform count; holders without a completed cohort have no prefecture."
    ),
    Source.APPLICATIONS: _(
        "Only applications made on this platform count; a person decided on twice in a year counts twice."
    ),
    Source.ENGAGEMENTS: _(
        "Only confirmed engagements count: ones a person recorded and their organisation has not yet confirmed are "
        "left out, and so is work that was never recorded here."
    ),
    Source.ACTIVITY: _(
        "Only verified entries count: entries waiting for verification or declined are left out, and peers who do "
        "not record their work are not seen at all."
    ),
    Source.ATTENDANCE: _(
        "Only meetings whose room was opened count, and only attendance the coordinators recorded or people "
        "checked in to; a person who came to several meetings counts once for each."
    ),
}


def comparison_allowed(user) -> bool:
    """Who compares regions: the region report's readers (administrators and coordinators), and
    the named coordinators of consultation bodies (after two-step sign-in), who compare their
    bodies."""
    from collaboration.activity.selectors import region_report_allowed

    return region_report_allowed(user) or consultation_body_list_for(user).exists()


def consultation_body_list_for(user):
    """The consultation bodies whose indicators a person reads and compares: the ones they
    coordinate (collaboration.selectors: named coordinator or regional coordinator, each after
    two-step sign-in); all of them for an administrator."""
    from collaboration.selectors import body_list_coordinated_by

    return body_list_coordinated_by(user)


def may_see_people(user) -> bool:
    """Who sees counts under 5 and the test on them: administrators after two-step sign-in."""
    return user_is_admin(user)


def groups_for(source: str) -> tuple[str, ...]:
    return tuple(str(g) for g in GROUPS[source])


def current_fiscal_year() -> int:
    from django.utils import timezone

    return fiscal_year(timezone.localdate())


@dataclass
class TableRow:
    key: str
    label: str
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class RecordTable:
    source: str
    group: str
    year_from: int
    year_to: int
    columns: list[str]
    column_labels: list[str]
    rows: list[TableRow]
    prefectures: list
    updated_at: datetime.datetime | None
    checked: RollupCheck | None
    may_see: bool
    # (group key, column) whose count over the period holds one fiscal year's count from 1 to 4
    concealed: set = field(default_factory=set)

    def hidden(self, row: TableRow, j: int) -> bool:
        """Whether the viewer may not see this cell ("<5" or "x")."""
        if self.may_see:
            return False
        return _small(row.counts[j]) or (row.key, self.columns[j]) in self.concealed

    @property
    def source_text(self):
        return SOURCE_TEXT[self.source]

    @property
    def limits_text(self):
        return LIMITS_TEXT[self.source]

    @property
    def period_text(self) -> str:
        if self.year_from == self.year_to:
            return fiscal_year_text(self.year_from)
        return f"{fiscal_year_text(self.year_from)} – {fiscal_year_text(self.year_to)}"


def _labels(group: str, keys: set[str]) -> dict[str, str]:
    """Names of the groups, in one query whatever their number."""
    ids = [int(k) for k in keys if k.isdigit()]
    if group == Group.PREFECTURE:
        return {p.code: p.name for p in Prefecture.objects.filter(code__in=keys)}
    if group == Group.MUNICIPALITY:
        names = {p.code: p.name for p in Prefecture.objects.filter(code__in={k.split(":", 1)[0] for k in keys if k})}
        return {k: f"{names.get(k.split(':', 1)[0], '')} {k.split(':', 1)[1]}" for k in keys if k}
    if group == Group.ORGANISATION:
        return {str(pk): name for pk, name in Organisation.objects.filter(pk__in=ids).values_list("pk", "name")}
    if group == Group.BODY:
        return {str(pk): name for pk, name in
                TrainingBody.objects.filter(pk__in=ids).values_list("pk", "organisation__name")}
    if group == Group.SETTING:
        return {str(k.pk): k.name for k in OrganisationKind.objects.filter(pk__in=ids)}
    if group == Group.CONSULTATION_BODY:
        from collaboration.models import ConsultationBody

        return {str(pk): name for pk, name in ConsultationBody.objects.filter(pk__in=ids).values_list("pk", "name")}
    return {}


def _activity_cells(codes, admin: bool, group: str, year_from: int, year_to: int,
                    by_year: bool) -> dict[tuple[str, int, int | None], int]:
    """Verified entries per (group key, activity, fiscal year or None when not `by_year`)."""
    from django.db.models.functions import ExtractMonth, ExtractYear

    from collaboration.activity.models import ActivityRollup, OrganisationActivityRollup

    window = {"month__gte": datetime.date(year_from, 4, 1), "month__lte": datetime.date(year_to + 1, 3, 31)}
    years = ("y", "m") if by_year else ()
    if group in (Group.PREFECTURE, Group.SETTING):
        qs = ActivityRollup.objects.filter(**window)
        if not admin:
            qs = qs.filter(prefecture_id__in=codes)
        fields = ("prefecture_id" if group == Group.PREFECTURE else "setting_id",)
    else:
        qs = OrganisationActivityRollup.objects.filter(**window)
        if not admin:
            qs = qs.filter(organisation__prefecture_id__in=codes)
        fields = (("organisation_id",) if group == Group.ORGANISATION
                  else ("organisation__prefecture_id", "organisation__municipality"))
    if by_year:
        qs = qs.annotate(y=ExtractYear("month"), m=ExtractMonth("month"))
    out: dict = {}
    for *keys, a, n in qs.values_list(*fields, *years, "activity_id").annotate(n=Sum("entries")).order_by():
        if not n:
            continue
        year = None
        if by_year:
            y, m = keys[-2:]
            keys, year = keys[:-2], y if m >= 4 else y - 1
        if group == Group.MUNICIPALITY:
            key = f"{keys[0]}:{keys[1]}" if keys[1] else ""
        else:
            key = str(keys[0])
        out[(key, a, year)] = out.get((key, a, year), 0) + n
    return out


def _by_period(cells: dict) -> tuple[dict, set]:
    """Counts over the period per (key, column) from counts per (key, column, year), and the
    (key, column) pairs where one year's count is from 1 to 4."""
    totals: dict = {}
    concealed = set()
    for (key, column, _year), n in cells.items():
        totals[(key, column)] = totals.get((key, column), 0) + n
        if _small(n):
            concealed.add((key, column))
    return totals, concealed


def record_table_for(user, *, source: str, group: str, year_from: int, year_to: int) -> RecordTable:
    """One table of counts (groups × outcomes) over fiscal years `year_from`..`year_to`, from the
    rollups, limited to the prefectures the user covers (an administrator sees all, also
    records with no prefecture). True counts: hide them with `shown` before display."""
    admin = user_is_admin(user)
    prefectures = list(prefecture_list_coordinated_by(user))
    codes = [p.code for p in prefectures]
    updated_at = None
    # Over several years, a viewer who may not see people must not get a year's small count by
    # subtracting the other years' tables: count per year, and conceal the sums that hold one.
    by_year = not admin and year_to > year_from
    if source == Source.ATTENDANCE:
        from collaboration.indicators import attendance_by_body
        from collaboration.models import Sector

        bodies = consultation_body_list_for(user).values("id")
        found = attendance_by_body(bodies, year_from, year_to)
        sectors = {s for _b, s, _y in found}
        columns = [value for value in Sector.values if value in sectors]
        column_labels = [str(Sector(value).label) for value in columns]
        yearly = {(str(b), s, y if by_year else None): 0 for (b, s, y) in found}
        for (b, s, y), n in found.items():
            yearly[(str(b), s, y if by_year else None)] += n
    elif source == Source.ACTIVITY:
        yearly = _activity_cells(codes, admin, group, year_from, year_to, by_year)
        activity_ids = {a for _k, a, _y in yearly}
        activities = [a for a in Activity.objects.all() if a.pk in activity_ids]
        columns = [str(a.pk) for a in activities]
        column_labels = [a.name for a in activities]
        yearly = {(k, str(a), y): n for (k, a, y), n in yearly.items()}
    else:
        qs = OutcomeRollup.objects.filter(table=source, group=group, fiscal_year__gte=year_from,
                                          fiscal_year__lte=year_to)
        if not admin:
            qs = qs.filter(prefecture__in=codes)
        years = ("fiscal_year",) if by_year else ()
        rows = qs.values_list("key", "outcome", *years).annotate(n=Sum("count"), at=Max("updated_at")).order_by()
        yearly = {}
        for key, outcome, *year, n, at in rows:
            if n:
                cell = (key, outcome, year[0] if year else None)
                yearly[cell] = yearly.get(cell, 0) + n
            if at and (updated_at is None or at > updated_at):
                updated_at = at
        columns = list(OUTCOMES[source])
        column_labels = [str(OUTCOME_LABELS[source][c]) for c in columns]
    cells, concealed = _by_period(yearly)
    if not by_year:
        concealed = set()
    keys = {k for k, _c in cells}
    names = _labels(group, keys)
    table_rows = [
        TableRow(key=k, label=str(names.get(k, NOT_RECORDED) if k else NOT_RECORDED),
                 counts=[cells.get((k, c), 0) for c in columns])
        for k in keys
    ]
    table_rows.sort(key=lambda r: (r.key == "", r.key if group == Group.PREFECTURE else r.label))
    checked = (None if source == Source.ATTENDANCE
               else RollupCheck.objects.filter(table=source).order_by("-checked_at", "-id").first())
    return RecordTable(source=source, group=group, year_from=year_from, year_to=year_to, columns=columns,
                       column_labels=column_labels, rows=table_rows, prefectures=prefectures,
                       updated_at=updated_at, checked=checked, may_see=admin, concealed=concealed)


# ---------------------------------------------------------------- what a viewer sees
def _small(n: int) -> bool:
    return 0 < n < SUPPRESS_BELOW


@dataclass
class ShownTable:
    """A table as one viewer may see it: small counts "<5", concealed sums and revealing totals "x"."""

    column_labels: list[str]
    rows: list[dict]  # {"label", "counts": [int | "<5"], "total": int | "x"}
    column_totals: list
    total: object
    hidden: bool


def shown(table: RecordTable) -> ShownTable:
    """Counts 1–4 become "<5" for a viewer who may not see people, sums over years that hold one
    become "x", and so does every row, column and grand total that includes either: no hidden
    count can be worked out by subtraction."""
    n_cols = len(table.columns)
    column_totals = [sum(r.counts[j] for r in table.rows) for j in range(n_cols)]
    total = sum(column_totals)
    if table.may_see:
        return ShownTable(table.column_labels, [{"label": r.label, "counts": list(r.counts), "total": r.total}
                                                for r in table.rows], column_totals, total, hidden=False)
    hidden_columns = {j for r in table.rows for j in range(n_cols) if table.hidden(r, j)}
    rows = []
    for r in table.rows:
        counts = [SMALL if _small(n) else CONCEALED if table.hidden(r, j) else n for j, n in enumerate(r.counts)]
        rows.append({"label": r.label, "counts": counts,
                     "total": CONCEALED if any(table.hidden(r, j) for j in range(n_cols)) else r.total})
    return ShownTable(
        table.column_labels, rows,
        [CONCEALED if j in hidden_columns else t for j, t in enumerate(column_totals)],
        CONCEALED if hidden_columns else total, hidden=bool(hidden_columns),
    )


# ---------------------------------------------------------------- the comparison of a table
@dataclass
class TableComparison:
    result: stats.Comparison | None
    refused: stats.TableRefused | None
    cautions: list[stats.Caution] = field(default_factory=list)
    merged_groups: int = 0


def _drop_empty(columns, labels, rows):
    """Leave out groups and outcomes with no counts at all (they cannot be compared)."""
    rows = [(label, counts) for label, counts in rows if sum(counts)]
    keep = [j for j in range(len(columns)) if any(counts[j] for _l, counts in rows)]
    left_out = [labels[j] for j in range(len(columns)) if j not in keep]
    return ([columns[j] for j in keep], [labels[j] for j in keep],
            [(label, [counts[j] for j in keep]) for label, counts in rows], left_out)


def _merge(rows, merge_if) -> tuple[list, list[int] | None, int]:
    keep, merged, n = [], None, 0
    for label, counts in rows:
        if merge_if(counts):
            merged = list(counts) if merged is None else [a + b for a, b in zip(merged, counts, strict=True)]
            n += 1
        else:
            keep.append((label, counts))
    return keep, merged, n


def compare_table(table: RecordTable, *, merge_small: bool = False) -> TableComparison:
    """The χ² comparison of a table from the records, with every caution. For a viewer who may
    not see people, the groups with a hidden cell ("<5" or "x") are left out, so the result, its
    expected counts and the chart's shares rest only on counts they see (merging them would not
    do: the merged row less the other rows' shown counts gives the hidden one back). `merge_small`
    merges the groups too small for expected counts of 5 (the cautions offer it)."""
    cautions: list[stats.Caution] = []
    rows = table.rows
    if not table.may_see:
        rows = [r for r in table.rows if not any(table.hidden(r, j) for j in range(len(table.columns)))]
        if len(rows) < len(table.rows):
            cautions.append(stats.Caution("small_left_out", stats.fmt(_(
                "%(n)s groups with counts under 5 were left out of the test so that no one can be singled out."
            ), n=len(table.rows) - len(rows))))
    columns, labels, rows, left_out = _drop_empty(table.columns, table.column_labels,
                                                  [(r.label, r.counts) for r in rows])
    # An outcome seen only in the groups left out has records: the caution above says why it went.
    recorded = {table.column_labels[j] for j in range(len(table.columns)) if any(r.counts[j] for r in table.rows)}
    left_out = [name for name in left_out if name not in recorded]
    merged_groups = 0
    if merge_small and rows:
        col_totals = [sum(c[j] for _l, c in rows) for j in range(len(columns))]
        n = sum(col_totals)
        if n and col_totals:
            rows, merged, count = _merge(rows, lambda counts: sum(counts) * min(col_totals) / n < stats.SPARSE_EXPECTED)
            if merged is not None:
                rows.append((str(MERGED), merged))
                merged_groups += count
                cautions.append(stats.Caution("small_merged", stats.fmt(_(
                    "%(n)s groups too small for the test are compared as one merged row."), n=count)))
    if left_out:
        cautions.append(stats.Caution("left_out", stats.fmt(_(
            "Outcomes with no records in this period were left out: %(names)s."), names="、".join(left_out))))
    cautions.append(stats.data_limits(table.limits_text))
    try:
        result = stats.compare(labels, rows)
    except stats.TableRefused as refusal:
        return TableComparison(None, refusal, cautions, merged_groups)
    result.cautions = result.cautions + cautions
    return TableComparison(result, None, result.cautions, merged_groups)
