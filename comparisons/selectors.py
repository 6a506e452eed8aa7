"""Reads of the comparisons: who may open them, tables from the rollups (never a scan of the raw
rows), what a viewer may see of them, and the comparison of a table.

Access follows the region report (collaboration.activity.selectors.region_report_allowed):
administrators and regional coordinators, both after two-step sign-in, each over the
prefectures they cover. Only administrators may see people (peers.selectors.user_is_admin): to
everyone else a count from 1 to 4 is "<5", every total that would reveal one is "x" (as
official statistics mark a concealed figure), and the test runs on a table where the groups
with such counts are merged (or left out), never on the counts they cannot see."""

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
}


def comparison_allowed(user) -> bool:
    """Who compares regions: the region report's readers (administrators and coordinators)."""
    from collaboration.activity.selectors import region_report_allowed

    return region_report_allowed(user)


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
    return {}


def _activity_cells(codes, admin: bool, group: str, year_from: int, year_to: int) -> dict[tuple[str, int], int]:
    from collaboration.activity.models import ActivityRollup, OrganisationActivityRollup

    window = {"month__gte": datetime.date(year_from, 4, 1), "month__lte": datetime.date(year_to + 1, 3, 31)}
    if group in (Group.PREFECTURE, Group.SETTING):
        qs = ActivityRollup.objects.filter(**window)
        if not admin:
            qs = qs.filter(prefecture_id__in=codes)
        field_ = "prefecture_id" if group == Group.PREFECTURE else "setting_id"
        rows = qs.values_list(field_, "activity_id").annotate(n=Sum("entries")).order_by()
        return {(str(k), a): n for k, a, n in rows if n}
    qs = OrganisationActivityRollup.objects.filter(**window)
    if not admin:
        qs = qs.filter(organisation__prefecture_id__in=codes)
    if group == Group.ORGANISATION:
        rows = qs.values_list("organisation_id", "activity_id").annotate(n=Sum("entries")).order_by()
        return {(str(k), a): n for k, a, n in rows if n}
    rows = (qs.values_list("organisation__prefecture_id", "organisation__municipality", "activity_id")
            .annotate(n=Sum("entries")).order_by())
    out: dict = {}
    for pref, muni, a, n in rows:
        if n:
            key = f"{pref}:{muni}" if muni else ""
            out[(key, a)] = out.get((key, a), 0) + n
    return out


def record_table_for(user, *, source: str, group: str, year_from: int, year_to: int) -> RecordTable:
    """One table of counts (groups × outcomes) over fiscal years `year_from`..`year_to`, from the
    rollups, limited to the prefectures the user covers (an administrator sees all, also
    records with no prefecture). True counts: hide them with `shown` before display."""
    admin = user_is_admin(user)
    prefectures = list(prefecture_list_coordinated_by(user))
    codes = [p.code for p in prefectures]
    updated_at = None
    if source == Source.ACTIVITY:
        cells = _activity_cells(codes, admin, group, year_from, year_to)
        activity_ids = {a for _k, a in cells}
        activities = [a for a in Activity.objects.all() if a.pk in activity_ids]
        columns = [str(a.pk) for a in activities]
        column_labels = [a.name for a in activities]
        cells = {(k, str(a)): n for (k, a), n in cells.items()}
    else:
        qs = OutcomeRollup.objects.filter(table=source, group=group, fiscal_year__gte=year_from,
                                          fiscal_year__lte=year_to)
        if not admin:
            qs = qs.filter(prefecture__in=codes)
        rows = qs.values_list("key", "outcome").annotate(n=Sum("count"), at=Max("updated_at")).order_by()
        cells = {}
        for key, outcome, n, at in rows:
            if n:
                cells[(key, outcome)] = cells.get((key, outcome), 0) + n
            if at and (updated_at is None or at > updated_at):
                updated_at = at
        columns = list(OUTCOMES[source])
        column_labels = [str(OUTCOME_LABELS[source][c]) for c in columns]
    keys = {k for k, _c in cells}
    names = _labels(group, keys)
    table_rows = [
        TableRow(key=k, label=str(names.get(k, NOT_RECORDED) if k else NOT_RECORDED),
                 counts=[cells.get((k, c), 0) for c in columns])
        for k in keys
    ]
    table_rows.sort(key=lambda r: (r.key == "", r.key if group == Group.PREFECTURE else r.label))
    checked = RollupCheck.objects.filter(table=source).order_by("-checked_at", "-id").first()
    return RecordTable(source=source, group=group, year_from=year_from, year_to=year_to, columns=columns,
                       column_labels=column_labels, rows=table_rows, prefectures=prefectures,
                       updated_at=updated_at, checked=checked, may_see=admin)


# ---------------------------------------------------------------- what a viewer sees
def _small(n: int) -> bool:
    return 0 < n < SUPPRESS_BELOW


@dataclass
class ShownTable:
    """A table as one viewer may see it: small counts "<5", revealing totals "x"."""

    column_labels: list[str]
    rows: list[dict]  # {"label", "counts": [int | "<5"], "total": int | "x"}
    column_totals: list
    total: object
    hidden: bool


def shown(table: RecordTable) -> ShownTable:
    """Counts 1–4 become "<5" for a viewer who may not see people, and every row, column and
    grand total that includes one becomes "x": no hidden count can be worked out by subtraction."""
    n_cols = len(table.columns)
    column_totals = [sum(r.counts[j] for r in table.rows) for j in range(n_cols)]
    total = sum(column_totals)
    if table.may_see:
        return ShownTable(table.column_labels, [{"label": r.label, "counts": list(r.counts), "total": r.total}
                                                for r in table.rows], column_totals, total, hidden=False)
    hidden_columns = {j for r in table.rows for j, n in enumerate(r.counts) if _small(n)}
    rows = []
    for r in table.rows:
        small = any(_small(n) for n in r.counts)
        rows.append({"label": r.label, "counts": [SMALL if _small(n) else n for n in r.counts],
                     "total": CONCEALED if small else r.total})
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
    not see people, the groups with a count from 1 to 4 are merged into one row (left out if that
    row still holds one), so the result never rests on a count they cannot see. `merge_small`
    also merges the groups too small for expected counts of 5 (the cautions offer it)."""
    cautions: list[stats.Caution] = []
    columns, labels, rows, left_out = _drop_empty(table.columns, table.column_labels,
                                                  [(r.label, r.counts) for r in table.rows])
    merged_groups = 0
    if not table.may_see:
        rows, merged, merged_groups = _merge(rows, lambda counts: any(_small(n) for n in counts))
        if merged is not None:
            if any(_small(n) for n in merged):
                cautions.append(stats.Caution("small_left_out", stats.fmt(_(
                    "%(n)s groups with counts under 5 were left out of the test so that no one can be singled out."
                ), n=merged_groups)))
            else:
                rows.append((str(MERGED), merged))
                cautions.append(stats.Caution("small_merged", stats.fmt(_(
                    "%(n)s groups with counts under 5 are compared as one merged row so that no one can be singled "
                    "out."), n=merged_groups)))
            columns, labels, rows, more = _drop_empty(columns, labels, rows)
            left_out += more
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
