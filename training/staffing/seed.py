"""The first versions of the staffing rules (FY2021 and FY2024 fee revisions), seeded by
migration and by the demo loader on a flushed database. Administrators add later versions in
the editor (Workforce → welfare-fee staffing rules); nothing here is read by the check."""

from __future__ import annotations

import datetime

SYSTEM_SERVICES = ["independent-living", "plan-consultation", "child-consultation", "community-transition",
                   "community-settlement"]
TRAINED = ["basic", "specialised"]
_COMMON = {
    "units": 100, "peer_courses": TRAINED, "partner_courses": TRAINED, "fte_floor": "0.50",
    "combine_co_located": True, "counted_kinds": ["employed"], "counted_contracts": ["employment"],
    "on_leave_counts": False, "trainings_per_fiscal_year": 1, "training_by_placed_staff": True,
    "publication_required": True,
}
_TRANSITIONAL = {
    "transitional_until": datetime.date(2024, 3, 31), "transitional_peer_courses": ["equivalent"],
    "transitional_partner_untrained": True,
}

RULES = [
    ("peer_support_system", "FY2021", datetime.date(2021, 4, 1), SYSTEM_SERVICES,
     {**_COMMON, **_TRANSITIONAL, "units_per_service_user": False,
      "note_ja": "令和3年度障害福祉サービス等報酬改定 ピアサポート体制加算（100単位/月）。自立生活援助・計画相談支援・"
                 "障害児相談支援・地域移行支援・地域定着支援。令和6年3月31日までの経過措置あり。",
      "note_en": "FY2021 fee revision: peer-support system addition, 100 units a month, for the five "
                 "consultation and community-living services; transitional measure to 2024-03-31."}),
    ("peer_support_system", "FY2024", datetime.date(2024, 4, 1), SYSTEM_SERVICES,
     {**_COMMON, "units_per_service_user": False,
      "note_ja": "令和6年度障害福祉サービス等報酬改定 ピアサポート体制加算（100単位/月）。",
      "note_en": "FY2024 fee revision: peer-support system addition, 100 units a month."}),
    ("peer_support_delivery", "FY2021", datetime.date(2021, 4, 1), ["continued-work-b-participation"],
     {**_COMMON, **_TRANSITIONAL, "units_per_service_user": True,
      "note_ja": "令和3年度改定 ピアサポート実施加算（利用者1人につき100単位/月）。就労継続支援B型（利用者の就労や"
                 "生産活動等への参加等をもって一律に評価する報酬体系）。令和6年3月31日までの経過措置あり。",
      "note_en": "FY2021 fee revision: peer-support delivery addition, 100 units a month per service user "
                 "who received peer support; continued-work support type B rated by participation."}),
    ("peer_support_delivery", "FY2024", datetime.date(2024, 4, 1),
     ["continued-work-b-participation", "functional-training", "life-training"],
     {**_COMMON, "units_per_service_user": True,
      "note_ja": "令和6年度改定 ピアサポート実施加算（利用者1人につき100単位/月）。自立訓練（機能訓練・生活訓練）にも拡大。",
      "note_en": "FY2024 fee revision: peer-support delivery addition, now also for independence training."}),
]


def seed_rules(StaffingRule, WelfareService) -> None:
    """Create any missing version (by addition and start), never changing an existing one."""
    for addition, label, start, services, values in RULES:
        rule, created = StaffingRule.objects.get_or_create(
            addition=addition, in_force_from=start, defaults={"label": label, **values})
        if created:
            rule.eligible_services.set(WelfareService.objects.filter(code__in=services))


def ensure_seeded() -> None:
    from peers.models import WelfareService

    from ..models import StaffingRule

    seed_rules(StaffingRule, WelfareService)
