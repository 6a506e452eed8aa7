"""Keeping the outcome rollups current, and rebuilding them from the raw rows.

One function per source turns a raw record into the rollup cells it counts in; the signal
receivers (in the transaction of the service that changes the record) and the rebuild both use
it, so the two paths cannot drift apart in meaning. The receivers only add: a history row is
appended (certifications, applications), or an engagement's counted cells before and after a
save are compared; a deleted record (or history row, at retention) takes its cells with it.

What counts:
- certifications: status events in the fiscal year of the event: renewed (also by exception),
  lapsed (the sweep), revoked; grouped by the prefecture of the cohort the holder completed
  and by training body;
- applications: decisions in the fiscal year of the decision: selected, declined, completed;
  grouped by the applicant's organisation (its prefecture, municipality and setting; the
  cohort's prefecture when no organisation is named) and by training body;
- engagements: confirmed new engagements (a change of terms is not a new one) by kind, in the
  fiscal year they start; grouped by the organisation, its prefecture, municipality, setting.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from peers.dates import fiscal_year_of as fiscal_year
from peers.models import Engagement, Organisation
from training.models import ApplicationStateChange, Certification, CertificationStatusChange
from training.signals import certification_history_added

from .models import Group, OutcomeRollup, RollupCheck, Source

Cell = tuple[str, int, str, str, str, str]  # (table, fiscal year, prefecture, group, key, outcome)

CERTIFICATION_OUTCOMES = ("renewed", "lapsed", "revoked")
APPLICATION_OUTCOMES = ("selected", "declined", "completed")
ENGAGEMENT_OUTCOMES = tuple(Engagement.Kind.values)

GROUPS = {
    Source.CERTIFICATIONS: (Group.PREFECTURE, Group.BODY),
    Source.APPLICATIONS: (Group.PREFECTURE, Group.MUNICIPALITY, Group.ORGANISATION, Group.BODY, Group.SETTING),
    Source.ENGAGEMENTS: (Group.PREFECTURE, Group.MUNICIPALITY, Group.ORGANISATION, Group.SETTING),
    Source.ACTIVITY: (Group.PREFECTURE, Group.MUNICIPALITY, Group.ORGANISATION, Group.SETTING),
    # Counted from the attendance records when read (comparisons.selectors): no rollup to keep.
    Source.ATTENDANCE: (Group.CONSULTATION_BODY,),
}


def _cells(table: str, year: int, outcome: str, prefecture, **keys) -> list[Cell]:
    prefecture = prefecture or ""
    out = []
    for group in GROUPS[table]:
        if group == Group.PREFECTURE:
            key = prefecture
        elif group == Group.MUNICIPALITY:
            key = f"{prefecture}:{keys['municipality']}" if keys.get("municipality") else ""
        else:
            value = keys.get(str(group))
            key = "" if value is None else str(value)
        out.append((table, year, prefecture, str(group), key, outcome))
    return out


# ---------------------------------------------------------------- one record → its cells
CERTIFICATION_FIELDS = ("at", "event", "from_status", "to_status", "certification__body_id",
                        "certification__basis__cohort__prefecture_id")


def certification_cells(at, event, from_status, to_status, body_id, prefecture) -> list[Cell]:
    E = CertificationStatusChange.Event
    if event in (E.RENEWED, E.RENEWED_OVERRIDE):
        outcome = "renewed"
    elif event == E.REVOKED:
        outcome = "revoked"
    elif to_status == Certification.Status.LAPSED and from_status != Certification.Status.LAPSED:
        outcome = "lapsed"
    else:
        return []
    return _cells(Source.CERTIFICATIONS, fiscal_year(at), outcome, prefecture, body=body_id)


APPLICATION_FIELDS = ("at", "to_state", "application__organisation_id", "application__organisation__prefecture_id",
                      "application__organisation__municipality", "application__organisation__kind_id",
                      "application__cohort__prefecture_id", "application__cohort__course__body_id")


def application_cells(at, to_state, organisation_id, org_prefecture, municipality, setting_id, cohort_prefecture,
                      body_id) -> list[Cell]:
    if to_state not in APPLICATION_OUTCOMES:
        return []
    prefecture = org_prefecture if organisation_id else cohort_prefecture
    return _cells(Source.APPLICATIONS, fiscal_year(at), to_state, prefecture, municipality=municipality,
                  organisation=organisation_id, body=body_id, setting=setting_id)


ENGAGEMENT_FIELDS = ("start_date", "kind", "confirmed_at", "previous_id", "organisation_id",
                     "organisation__prefecture_id", "organisation__municipality", "organisation__kind_id")
ENGAGEMENT_COUNTED_FIELDS = {"start_date", "kind", "confirmed_at", "confirmed_by", "previous", "organisation"}


def engagement_cells(start_date, kind, confirmed_at, previous_id, organisation_id, prefecture, municipality,
                     setting_id) -> list[Cell]:
    if confirmed_at is None or previous_id is not None:
        return []
    return _cells(Source.ENGAGEMENTS, fiscal_year(start_date), kind, prefecture, municipality=municipality,
                  organisation=organisation_id, setting=setting_id)


# ---------------------------------------------------------------- applying deltas
_COLUMNS = ("table", "fiscal_year", "prefecture", "group", "key", "outcome", "count", "updated_at")


def apply(delta: Counter) -> None:
    """Add each cell's delta to the rollup: one upsert per cell, in the caller's transaction."""
    delta = {cell: n for cell, n in delta.items() if n}
    if not delta:
        return
    table = connection.ops.quote_name(OutcomeRollup._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _COLUMNS)
    now = timezone.now()
    with connection.cursor() as cursor:
        for (source, year, prefecture, group, key, outcome), n in delta.items():
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
                'ON CONFLICT ("table", "group", fiscal_year, prefecture, "key", outcome) DO UPDATE SET '
                f'"count" = {table}."count" + excluded."count", updated_at = excluded.updated_at',
                [source, year, prefecture, group, key, outcome, n, now],
            )


def _one(model, fields, pk, cells_of) -> list[Cell]:
    row = model.objects.filter(pk=pk).values_list(*fields).first()
    return cells_of(*row) if row else []


def _on_certification_history(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        apply(Counter(_one(CertificationStatusChange, CERTIFICATION_FIELDS, instance.pk, certification_cells)))


def _on_certification_history_added(sender, at, **kwargs):
    """The sweep appends its history rows in bulk (INSERT … SELECT): count the rows it added."""
    rows = (CertificationStatusChange.objects.filter(at=at, to_status=Certification.Status.LAPSED)
            .values_list(*CERTIFICATION_FIELDS).annotate(n=Count("id")).order_by())
    delta = Counter()
    for *row, n in rows:  # one row per group of cells, whatever the number of lapses
        for cell in certification_cells(*row):
            delta[cell] += n
    apply(delta)


def _on_application_history(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        apply(Counter(_one(ApplicationStateChange, APPLICATION_FIELDS, instance.pk, application_cells)))


HISTORY = {
    CertificationStatusChange: (CERTIFICATION_FIELDS, certification_cells),
    ApplicationStateChange: (APPLICATION_FIELDS, application_cells),
}


def _before_history_delete(sender, instance, **kwargs):
    """History rows go only with their record (retention, erasure: peers.history.history_purge);
    what they counted goes with them, so the rollup still agrees with the raw rows."""
    fields, cells_of = HISTORY[sender]
    instance._rollup_before = _one(sender, fields, instance.pk, cells_of)


def _after_history_delete(sender, instance, **kwargs):
    delta = Counter()
    delta.subtract(Counter(getattr(instance, "_rollup_before", None) or []))
    apply(delta)


def _engagement_counts(instance, update_fields) -> bool:
    return update_fields is None or bool(ENGAGEMENT_COUNTED_FIELDS & set(update_fields))


def _before_engagement_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None or instance._state.adding or not _engagement_counts(instance, update_fields):
        instance._rollup_before = None
        return
    instance._rollup_before = _one(Engagement, ENGAGEMENT_FIELDS, instance.pk, engagement_cells)


def _after_engagement_save(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw or not (created or _engagement_counts(instance, update_fields)):
        return
    delta = Counter(_one(Engagement, ENGAGEMENT_FIELDS, instance.pk, engagement_cells))
    delta.subtract(Counter(getattr(instance, "_rollup_before", None) or []))
    apply(delta)


def _before_engagement_delete(sender, instance, **kwargs):
    instance._rollup_before = _one(Engagement, ENGAGEMENT_FIELDS, instance.pk, engagement_cells)


def _after_engagement_delete(sender, instance, **kwargs):
    delta = Counter()
    delta.subtract(Counter(getattr(instance, "_rollup_before", None) or []))
    apply(delta)


ORGANISATION_GROUPING = ("prefecture_id", "municipality", "kind_id")


def _organisation_cells(pk) -> Counter:
    """What an organisation's engagements and application decisions count in, grouped: one query
    per source whatever the number of records."""
    counts = Counter()
    for model, fields, cells_of, path in (
        (Engagement, ENGAGEMENT_FIELDS, engagement_cells, "organisation_id"),
        (ApplicationStateChange, APPLICATION_FIELDS, application_cells, "application__organisation_id"),
    ):
        for *row, n in model.objects.filter(**{path: pk}).values_list(*fields).annotate(n=Count("id")).order_by():
            for cell in cells_of(*row):
                counts[cell] += n
    return counts


def _before_organisation_save(sender, instance, raw=False, **kwargs):
    """An organisation moved to another prefecture, municipality or setting takes its records'
    counts along (the rebuild groups them by the organisation as it is now)."""
    instance._rollup_before = None
    if raw or instance.pk is None or instance._state.adding:
        return
    before = sender.objects.filter(pk=instance.pk).values_list(*ORGANISATION_GROUPING).first()
    if before is not None and tuple(before) != tuple(getattr(instance, f) for f in ORGANISATION_GROUPING):
        instance._rollup_before = _organisation_cells(instance.pk)


def _after_organisation_save(sender, instance, raw=False, **kwargs):
    before = getattr(instance, "_rollup_before", None)
    if raw or before is None:
        return
    delta = _organisation_cells(instance.pk)
    delta.subtract(before)
    apply(delta)


def connect() -> None:
    uid = "comparisons_rollup"
    post_save.connect(_on_certification_history, sender=CertificationStatusChange, dispatch_uid=f"{uid}_cert")
    certification_history_added.connect(_on_certification_history_added, dispatch_uid=f"{uid}_sweep")
    post_save.connect(_on_application_history, sender=ApplicationStateChange, dispatch_uid=f"{uid}_application")
    for model in HISTORY:
        name = model._meta.model_name
        pre_delete.connect(_before_history_delete, sender=model, dispatch_uid=f"{uid}_{name}_del_pre")
        post_delete.connect(_after_history_delete, sender=model, dispatch_uid=f"{uid}_{name}_del")
    pre_save.connect(_before_organisation_save, sender=Organisation, dispatch_uid=f"{uid}_organisation_pre")
    post_save.connect(_after_organisation_save, sender=Organisation, dispatch_uid=f"{uid}_organisation")
    pre_save.connect(_before_engagement_save, sender=Engagement, dispatch_uid=f"{uid}_engagement_pre")
    post_save.connect(_after_engagement_save, sender=Engagement, dispatch_uid=f"{uid}_engagement")
    pre_delete.connect(_before_engagement_delete, sender=Engagement, dispatch_uid=f"{uid}_engagement_del_pre")
    post_delete.connect(_after_engagement_delete, sender=Engagement, dispatch_uid=f"{uid}_engagement_del")


# ---------------------------------------------------------------- rebuild and check
RAW = {
    Source.CERTIFICATIONS: (CertificationStatusChange, CERTIFICATION_FIELDS, certification_cells),
    Source.APPLICATIONS: (ApplicationStateChange, APPLICATION_FIELDS, application_cells),
    Source.ENGAGEMENTS: (Engagement, ENGAGEMENT_FIELDS, engagement_cells),
}


def expected_cells(source: str) -> Counter:
    """The rollup of one source counted afresh from its raw rows."""
    model, fields, cells_of = RAW[source]
    counts = Counter()
    for row in model.objects.values_list(*fields).order_by().iterator(chunk_size=5000):
        counts.update(cells_of(*row))
    return counts


def _stored_cells(source: str) -> Counter:
    rows = OutcomeRollup.objects.filter(table=source).values_list(
        "table", "fiscal_year", "prefecture", "group", "key", "outcome", "count")
    return Counter({tuple(r[:6]): r[6] for r in rows if r[6]})


def _activity_cells() -> tuple[Counter, Counter]:
    """(stored, raw) counts of verified entries by month × prefecture × setting × activity type."""
    from django.db.models import Count, Sum
    from django.db.models.functions import TruncMonth

    from collaboration.activity.models import ActivityEntry, ActivityRollup, EntryStatus

    stored = Counter()
    for r in ActivityRollup.objects.values_list("month", "prefecture_id", "setting_id", "activity_id") \
            .annotate(n=Sum("entries")).order_by():
        if r[4]:
            stored[(r[0], r[1], r[2], r[3])] += r[4]
    raw = Counter()
    for r in (ActivityEntry.objects.filter(status=EntryStatus.VERIFIED)
              .annotate(m=TruncMonth("date")).values_list("m", "organisation__prefecture_id", "setting_id",
                                                            "activity_id")
              .annotate(n=Count("id")).order_by()):
        month = r[0].date() if isinstance(r[0], datetime.datetime) else r[0]
        raw[(month, r[1], r[2], r[3])] += r[4]
    return stored, raw


def _differences(stored: Counter, raw: Counter) -> int:
    return sum(1 for cell in set(stored) | set(raw) if stored.get(cell, 0) != raw.get(cell, 0))


@transaction.atomic
def rollup_check(*, sources: Iterable[str] = tuple(Source.values), rebuild: bool = False) -> list[RollupCheck]:
    """Compare each source's rollup with its raw rows; with `rebuild`, replace the rollup by the
    raw count and compare again (the result saved says whether they now agree)."""
    out = []
    for source in sources:
        if source == Source.ATTENDANCE:
            continue  # no rollup: counted from the attendance records when read
        if source == Source.ACTIVITY:
            stored, raw = _activity_cells()
            if rebuild:
                from collaboration.activity.services import activity_rollup_rebuild

                activity_rollup_rebuild()
                stored, raw = _activity_cells()
        else:
            # Lock out concurrent writers of this source's rollup while it is compared (PostgreSQL).
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"LOCK TABLE {OutcomeRollup._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
            stored, raw = _stored_cells(source), expected_cells(source)
            if rebuild:
                OutcomeRollup.objects.filter(table=source).delete()
                now = timezone.now()
                OutcomeRollup.objects.bulk_create(
                    [OutcomeRollup(table=c[0], fiscal_year=c[1], prefecture=c[2], group=c[3], key=c[4], outcome=c[5],
                                   count=n, updated_at=now) for c, n in raw.items() if n],
                    batch_size=2000,
                )
                stored = _stored_cells(source)
        out.append(RollupCheck.objects.create(
            table=source, cells=len(set(stored) | set(raw)), differences=_differences(stored, raw), rebuilt=rebuild,
        ))
    return out
