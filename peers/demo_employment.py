"""Demo of employed work (第三群, issue 18; never in production): a past leave with its return
and two accommodations agreed at work, one recorded by the person (with their consent) and
one by the manager. Called by collaboration.activity.demo_work."""

from __future__ import annotations

import datetime

from django.utils import timezone

from .models import Consent, EngagementLeave
from .services.employment import accommodation_record, leave_record
from .services.privacy import consent_give


def load(*, person, manager, engagement) -> None:
    if EngagementLeave.objects.filter(engagement=engagement).exists():
        return
    today = timezone.localdate()
    start = max(engagement.start_date, today - datetime.timedelta(days=240))
    leave_record(actor=manager, engagement=engagement, kind=EngagementLeave.Kind.HEALTH, start_date=start,
                 expected_return=start + datetime.timedelta(days=60), actual_return=start + datetime.timedelta(days=52))
    consent_give(person=person, purpose=Consent.Purpose.ACCOMMODATIONS)
    agreed = start + datetime.timedelta(days=52)
    accommodation_record(actor=person, engagement=engagement, agreed_on=agreed,
                         review_on=agreed + datetime.timedelta(days=180),
                         text="復帰後3か月は、週30時間のうち午前中の勤務を中心にする。")
    accommodation_record(actor=manager, engagement=engagement, agreed_on=agreed,
                         review_on=agreed + datetime.timedelta(days=90),
                         text="会議の資料は前日までに受け取り、指示は文書でも伝える。")
