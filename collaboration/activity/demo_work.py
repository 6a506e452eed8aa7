"""Demo of issue 18 (never in production), after the activity log's demo: the demo peer's
volunteer check-ins at the peer salon, entries of seed 000's core peer work with their effect on
recovery, a thank-you summary the demo manager sent for the last quarter, and (peers) a past
leave and the accommodations agreed at the demo peer's employed post. Idempotent: does nothing
once the demo peer has a volunteer check-in."""

from __future__ import annotations

import datetime

from django.utils import timezone

from peers.access import acting_for_system
from peers.dates import fiscal_year_of
from peers.models import Activity, Engagement, User

from . import services
from .models import VolunteerSession, VolunteerThanks
from .selectors.volunteer import quarter_of

CORE_ENTRIES = [  # days ago, activity, minutes, stage, effects
    (12, "wishes-into-words", 60, "community", {"recovery_personal": True}),
    (26, "advocacy", 45, "hospital", {"recovery_social": True, "level_professionals": True}),
    (40, "role-model", 90, "discharge", {"recovery_personal": True, "recovery_social": True}),
    (54, "community-settling", 120, "community", {"recovery_social": True, "level_community": True}),
    (68, "early-support", 30, "prevention", {"recovery_personal": True}),
]


def load() -> None:
    peer = acting_for_system(User.objects.filter(email="peer@example.org").first())
    manager = acting_for_system(User.objects.filter(email="manager@example.org").first())
    if peer is None or manager is None or VolunteerSession.objects.filter(person=peer).exists():
        return
    now = timezone.now()
    today = timezone.localdate()
    volunteer = Engagement.objects.filter(person=peer, kind=Engagement.Kind.VOLUNTEER, end_date__isnull=True).first()
    if volunteer is not None:
        listening = Activity.objects.get(code="listening")
        role_model = Activity.objects.get(code="role-model")
        # Saturday afternoons at the salon, checked in and out: confirmed at once (the salon does
        # not ask to verify volunteer hours).
        for weeks_ago, activity, minutes in ((9, listening, 150), (6, role_model, 120), (3, listening, 95), (1, listening, 130)):
            moment = now - datetime.timedelta(weeks=weeks_ago, hours=2)
            session = services.volunteer_check_in(person=peer, engagement=volunteer, now=moment)
            services.volunteer_check_out(person=peer, session=session, activity=activity, stage="community",
                                         people_supported=4, now=moment + datetime.timedelta(minutes=minutes))
    employed = Engagement.objects.filter(person=peer, kind=Engagement.Kind.EMPLOYED, end_date__isnull=True).first()
    if employed is not None:
        activities = {a.code: a for a in Activity.objects.filter(code__in=[c[1] for c in CORE_ENTRIES])}
        for days_ago, code, minutes, stage, effects in CORE_ENTRIES:
            day = today - datetime.timedelta(days=days_ago)
            if day < employed.start_date:
                continue
            services.activity_entry_create(
                author=peer, engagement=employed, date=day, duration_minutes=minutes, activity=activities[code],
                stage=stage, people_supported=1, **effects,
            )
        from peers.demo_employment import load as load_employment

        load_employment(person=peer, manager=manager, engagement=employed)
    # The demo manager thanked the volunteers of their organisation for the last quarter.
    fy, quarter = fiscal_year_of(today), quarter_of(today)
    fy, quarter = (fy, quarter - 1) if quarter > 1 else (fy - 1, 4)
    from peers.selectors import organisation_list_managed_by

    for organisation in organisation_list_managed_by(manager):
        if not VolunteerThanks.objects.filter(organisation=organisation, fiscal_year=fy, quarter=quarter).exists():
            services.volunteer_thanks_send(actor=manager, organisation=organisation, fiscal_year=fy, quarter=quarter)
