"""Demo activity log (never in production). Idempotent: does nothing once the demo peer has
entries. Several months of entries for the demo peers: older ones at the demo manager's
organisations verified, recent ones waiting, one declined with a reason; a confirmed supervision
session, one waiting for the demo professional's confirmation, and recent entries that name
them. Needs peers.demo.load() first (accounts and engagements)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from peers.access import acting_for_system  # the demo loader acts for the platform
from peers.models import (
    Activity,
    Engagement,
    Organisation,
    OrganisationKind,
    ProfessionalRole,
    User,
)
from peers.selectors import organisation_list_managed_by

from . import services
from .models import ActivityEntry, EntryStatus

WEEKS = 20
# weekday, minutes, stage, people, roles, levels
PATTERN = [
    (1, 90, "community", 3, ["psw"], {"level_person": True}),
    (3, 60, "discharge", 1, ["nurse", "psw"], {"level_person": True, "level_professionals": True}),
    (4, 120, "prevention", 12, [], {"level_community": True}),
]


@transaction.atomic
def load() -> None:
    _load_log()
    from .demo_work import load as load_work  # issue 18: volunteer work, leave, core peer work

    load_work()


def _load_log() -> None:
    peer = User.objects.filter(email="peer@example.org").first()
    manager = acting_for_system(User.objects.filter(email="manager@example.org").first())
    if peer is None or manager is None or ActivityEntry.objects.filter(author=peer).exists():
        return
    fallback_setting = OrganisationKind.objects.get(code="peer-salon")
    roles = {r.code: r for r in ProfessionalRole.objects.all()}
    listening = Activity.objects.get(code="listening")
    today = timezone.localdate()
    managed = set(organisation_list_managed_by(manager).values_list("pk", flat=True))
    people = User.objects.filter(email__in=["peer@example.org", "peer2@example.org"])
    pro = User.objects.filter(email="pro@example.org").first()
    recent = today - datetime.timedelta(days=21)
    created = []
    for person in people:
        engagements = list(
            Engagement.objects.select_related("organisation__kind").prefetch_related("activities")
            .filter(person=person, end_date__isnull=True)
        )
        for week in range(WEEKS, 0, -1):
            monday = today - datetime.timedelta(days=today.weekday() + 7 * week)
            for i, (weekday, minutes, stage, count, role_codes, levels) in enumerate(PATTERN):
                engagement = engagements[(week + i) % len(engagements)]
                day = monday + datetime.timedelta(days=weekday)
                if day < engagement.start_date or day > today:
                    continue
                activities = list(engagement.activities.all()) or [listening]
                # The demo peer's recent accompanying visits name the demo professional, who
                # finds them on their home waiting for their confirmation.
                colleagues = [pro] if pro is not None and person == peer and i == 1 and day >= recent else []
                created.append(services.activity_entry_create(
                    author=person, engagement=engagement, date=day, duration_minutes=minutes,
                    activity=activities[week % len(activities)], stage=stage, people_supported=count,
                    mode="in_person" if i != 1 else "accompanying",
                    setting=engagement.organisation.kind or fallback_setting,
                    professional_roles=[roles[c] for c in role_codes if c in roles], **levels,
                    reflection="振り返り（デモ）: 本人の言葉を支援チームに伝えられた。" if i == 0 else "",
                    reflection_shared=week % 2 == 0, colleagues=colleagues,
                ))
    # Older entries at the manager's organisations are verified; the last three weeks wait.
    cutoff = today - datetime.timedelta(days=21)
    # (A volunteer's entry is already confirmed where the organisation does not ask to verify.)
    to_check = [e for e in created if e.organisation_id in managed and e.date < cutoff
                and e.status == EntryStatus.SUBMITTED]
    if to_check:
        declined = to_check[len(to_check) // 2]
        services.activity_entry_decline(
            actor=manager, entry=declined, reason="日付と時間を確認してください（別の記録と重なっています）。"
        )
        for entry in to_check:
            if entry.pk != declined.pk:
                services.activity_entry_verify(actor=manager, entry=entry)
    pro = acting_for_system(pro)
    if pro is not None:
        # A session is recorded only with someone one works with: the manager names the
        # professional a supervisor of an organisation where the demo peer works.
        shared = (
            Engagement.objects.filter(person=peer, end_date__isnull=True, organisation_id__in=managed)
            .values_list("organisation_id", flat=True).first()
        )
        if shared is None:
            return
        services.activity_verifier_name(actor=manager, organisation=Organisation.objects.get(pk=shared), user=pro)
        for weeks_ago, confirm in ((6, True), (2, False)):
            session = services.supervision_record(
                actor=pro, supervisor=pro, peer=peer, date=today - datetime.timedelta(days=7 * weeks_ago),
                minutes=60, topics="境界線の持ち方、セルフケア", notify=False,
            )
            if confirm:
                services.supervision_confirm(actor=peer, session=session)
        # One the peer recorded, waiting on the professional's home for their confirmation.
        services.supervision_record(
            actor=peer, supervisor=pro, peer=peer, date=today - datetime.timedelta(days=3),
            minutes=45, topics="ふりかえりの進め方", notify=False,
        )


def summary() -> dict:
    return {s: ActivityEntry.objects.filter(status=s).count() for s in EntryStatus.values}
