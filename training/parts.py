"""training's parts of the person's record (registered in TrainingConfig.ready)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max, ProtectedError, Q
from django.utils.translation import gettext_lazy as _

from peers.history import history_purge
from peers.parts import STAFFING, rule_for
from peers.personal_data import Part, RetentionKind, Table, add_period, kept_for, subtract_period
from peers.selectors.privacy import erased_people

from .models import (
    Application,
    ApplicationStateChange,
    Attendance,
    Certification,
    CertificationStatusChange,
    Cohort,
    Completion,
    ContinuingEducation,
    InHouseTraining,
    Instructor,
    PeerSupportDeliveryCount,
    ReminderSent,
    RenewalRequest,
    StaffingFiling,
    StaffingPublication,
)

ACCOMMODATION_REQUESTS = RetentionKind(
    "training_accommodation_requests", _("Accommodation requests in training applications"), ("ended",),
    30, "days",
    "研修の合理的配慮の申出は、その研修の最終日から30日後に消去します（配慮の提供という目的を終えたため）。",
    "Accommodation requests in training applications are erased 30 days after the cohort's last day, "
    "once they have served their purpose.",
)
APPLICATIONS = RetentionKind(
    "training_applications", _("Training applications and attendance"), ("created",), 5, "years",
    "研修の申込と出欠の記録は、修了の根拠として研修機構が申込から5年間保存し、その後消去します。",
    "Training applications and attendance are the training body's basis for completions and are "
    "kept for 5 years after the application, then erased.",
)
UNCONFIRMED_APPLICATIONS = RetentionKind(
    "training_unconfirmed_applications", _("Applications from the public page never confirmed"),
    ("created",), 14, "days",
    "アカウントなしで申し込まれ、メールで確認されなかった研修の申込（氏名・よみがな・メールアドレス・事業所）は、"
    "申込から14日後に消去します（確認の期限を過ぎ、使われないため）。",
    "Applications sent from the public page without an account and never confirmed by email (name, "
    "reading, email address, office) are erased 14 days after they were sent: the link has expired and "
    "they serve no one.",
)
COMPLETIONS = RetentionKind(
    "completions", _("Completions (after erasure)"), ("created",), 10, "years",
    "修了の記録は研修機構の修了者名簿として、修了日から10年間保存します（アカウント削除後は氏名なし）。",
    "Completions are the training body's register of who completed a course; after an erasure they "
    "are kept without the name for 10 years after the completion date.",
)
CERTIFICATIONS = RetentionKind(
    "certifications", _("Certifications and their history (after erasure)"), ("ended",), 5, "years",
    "認定と状態の履歴は、認定番号の照会に応えるため研修機構の認定者名簿として、有効期限の終了から5年間保存します"
    "（アカウント削除後は氏名なし、公開照会に氏名は表示しません）。",
    "Certifications and their status history are the training body's register, so that a number can "
    "still be verified; after an erasure they are kept without the name for 5 years after the "
    "certification's validity ends (the public check never shows the name).",
)
CONTINUING_EDUCATION = RetentionKind(
    "continuing_education", _("Continuing-education records and evidence files"), ("created",), 5, "years",
    "継続研修の記録と証拠書類は、更新審査のため受講日から5年間保存し、その後消去します。",
    "Continuing-education records and evidence files serve renewal and are kept for 5 years after "
    "the date, then erased.",
)

STAFFING_FILINGS = RetentionKind(
    "staffing_filings", _("Staffing filing packs and staff-training records (welfare fees)"), ("created",), 5, "years",
    "ピアサポート体制加算・実施加算の届出資料（職員一覧・研修修了・勤務時間・職員研修の記録・公表）と、"
    "その基になる職員研修・公表・利用者数の記録は、請求の根拠として5年間保存し、求めに応じて示します。",
    "The filing packs of the peer-support additions (staff list, completions, hours, staff-training log, "
    "publication) and the staff-training, publication and monthly count records behind them are the basis "
    "of the claim: kept for 5 years and shown on request, then erased.",
)


def _today(now):
    return now.date()


class TrainingPart(Part):
    name = "training"
    label = _("Training, completions and certifications")
    person_fields = (
        "training.Instructor.user", "training.Application.applicant", "training.Completion.person",
        "training.Certification.holder", "training.ContinuingEducation.person",
        "training.InHouseTraining.attendees",
        "training.InHouseTraining.given_by",
    )
    actor_fields = (
        "training.ApplicationStateChange.actor", "training.Application.submitted_by",
        "training.Attendance.recorded_by",
        "training.CertificationStatusChange.actor", "training.ContinuingEducation.reviewed_by",
        "training.InHouseTraining.recorded_by", "training.StaffingPublication.recorded_by",
        "training.RenewalRequest.closed_by",
        "training.PeerSupportDeliveryCount.recorded_by", "training.StaffingFiling.prepared_by",
    )
    retention_kinds = (ACCOMMODATION_REQUESTS, APPLICATIONS, UNCONFIRMED_APPLICATIONS, COMPLETIONS, CERTIFICATIONS,
                       CONTINUING_EDUCATION, STAFFING_FILINGS)

    def tables(self):
        return [
            Table("training_applications", Application, (
                "id", "cohort__course__body__organisation__name", "cohort__course__title", "cohort__name",
                "organisation__name", "pair", "pair_role", "eligibility", "state", "accommodation_request",
                "consent_at", "created_at", "applicant_name", "applicant_kana", "applicant_email"),
                lambda user: Application.objects.filter(applicant=user),
                labels={"id": _("number"), "cohort__course__body__organisation__name": _("training body")}),
            Table("training_application_history", ApplicationStateChange,
                  ("application", "from_state", "to_state", "at", "note"),
                  lambda user: ApplicationStateChange.objects.filter(application__applicant=user)),
            Table("training_attendance", Attendance, ("application", "day__date", "present"),
                  lambda user: Attendance.objects.filter(application__applicant=user)),
            Table("completions", Completion, (
                "body__organisation__name", "course__title", "cohort__name", "number", "completed_on", "hours"),
                lambda user: Completion.objects.filter(person=user),
                labels={"body__organisation__name": _("training body")}),
            Table("certifications", Certification, (
                "number", "body__organisation__name", "credential_type__name", "issued_on", "cycle",
                "cycle_started_on", "valid_until", "status", "status_reason", "show_name_publicly"),
                lambda user: Certification.objects.filter(holder=user),
                labels={"body__organisation__name": _("training body")}),
            Table("certification_history", CertificationStatusChange, (
                "certification__number", "from_status", "to_status", "event", "at", "reason", "override_reason",
                "valid_until"),
                lambda user: CertificationStatusChange.objects.filter(certification__holder=user)),
            Table("renewal_reminders", ReminderSent,
                  ("certification__number", "cycle", "offset_days", "kind", "channel", "sent_at"),
                  lambda user: ReminderSent.objects.filter(certification__holder=user)),
            Table("renewal_requests", RenewalRequest,
                  ("certification__number", "cycle", "requested_at", "note", "outcome", "closed_at"),
                  lambda user: RenewalRequest.objects.filter(certification__holder=user)),
            Table("continuing_education", ContinuingEducation, (
                "id", "body__organisation__name", "date", "provider", "title", "hours", "category__name",
                "evidence", "source_ref", "review", "evidence_due_on", "evidence_submitted_at", "review_reason",
                "created_at"),
                lambda user: ContinuingEducation.objects.filter(person=user),
                labels={"id": _("number"), "body__organisation__name": _("training body")}),
            Table("instructor_roles", Instructor, ("cohort__name", "name", "is_peer"),
                  lambda user: Instructor.objects.filter(user=user)),
            Table("in_house_trainings_attended", InHouseTraining,
                  ("organisation__name", "held_on", "title", "trainer"),
                  lambda user: InHouseTraining.objects.filter(attendees=user)),
            Table("in_house_trainings_given", InHouseTraining,
                  ("organisation__name", "held_on", "title", "trainer"),
                  lambda user: InHouseTraining.objects.filter(given_by=user)),
        ]

    def files(self, user):
        return [
            (f"files/continuing_education/{record.pk}-{record.evidence.name.rsplit('/', 1)[-1]}", record.evidence)
            for record in ContinuingEducation.objects.filter(person=user).exclude(evidence="").only("evidence")
        ]

    def consent_withdrawn(self, consent_ids) -> int:
        return Application.objects.filter(accommodation_consent_id__in=consent_ids).exclude(
            accommodation_request="").update(accommodation_request="", accommodation_consent=None)

    def erase(self, user, *, request, now):
        kept = []
        applications = Application.objects.filter(applicant=user)
        applications.update(accommodation_request="", accommodation_consent=None, applicant_name="",
                            applicant_kana="", applicant_email="")
        # Applications that never held a place serve no one once the person is gone; their
        # append-only state history goes with them (peers/history.py).
        with history_purge():
            applications.exclude(state__in=Application.PLACE_STATES).delete()
        placed = list(applications.values_list("created_at", flat=True))
        if placed:
            rule = rule_for(APPLICATIONS.code)
            until = add_period(max(placed), rule.period, rule.unit) if rule else None
            kept.append(kept_for(data=APPLICATIONS.code, label=APPLICATIONS.label, count=len(placed),
                                 rule=rule, until=until))
        completions = list(Completion.objects.filter(person=user).values_list("completed_on", flat=True))
        if completions:
            rule = rule_for(COMPLETIONS.code)
            until = add_period(max(completions), rule.period, rule.unit) if rule else None
            kept.append(kept_for(data=COMPLETIONS.code, label=COMPLETIONS.label, count=len(completions),
                                 rule=rule, until=until))
        certifications = Certification.objects.filter(holder=user)
        certifications.update(show_name_publicly=False)
        # The person's own words to the body go with them; the request's dates stay with the register.
        RenewalRequest.objects.filter(certification__holder=user).update(note="")
        ends = list(certifications.values_list("valid_until", flat=True))
        if ends:
            rule = rule_for(CERTIFICATIONS.code)
            until = add_period(max(ends), rule.period, rule.unit) if rule and all(ends) else None
            kept.append(kept_for(data=CERTIFICATIONS.code, label=CERTIFICATIONS.label, count=len(ends),
                                 rule=rule, until=until))
        self._delete_ce(ContinuingEducation.objects.filter(person=user))
        Instructor.objects.filter(user=user).update(user=None, name=str(_("Erased person")))
        attended = list(InHouseTraining.objects.filter(Q(attendees=user) | Q(given_by=user)).distinct()
                        .values_list("held_on", flat=True))
        if attended:
            rule = rule_for(STAFFING.code)
            until = add_period(max(attended), rule.period, rule.unit) if rule else None
            kept.append(kept_for(data="in_house_trainings", label=_("In-house trainings attended"),
                                 count=len(attended), rule=rule, until=until))
        return kept

    @staticmethod
    def _delete_ce(rows) -> int:
        files = [r.evidence.name for r in rows.exclude(evidence="").only("evidence")]
        storage = ContinuingEducation._meta.get_field("evidence").storage
        deleted, _rows = rows.delete()

        def remove_files():
            for name in files:
                storage.delete(name)

        transaction.on_commit(remove_files)
        return deleted

    def expire(self, kind, *, rule, now):
        cutoff = subtract_period(_today(now), rule.period, rule.unit)
        if kind == ACCOMMODATION_REQUESTS.code:
            ended = Cohort.objects.annotate(last=Max("days__date")).filter(last__lt=cutoff)
            return Application.objects.filter(cohort__in=ended).exclude(accommodation_request="").update(
                accommodation_request="", accommodation_consent=None)
        if kind == APPLICATIONS.code:
            rows = Application.objects.filter(created_at__date__lt=cutoff)
            count = rows.count()
            with history_purge():  # their append-only state history ends with them
                rows.delete()
            return count
        if kind == UNCONFIRMED_APPLICATIONS.code:
            rows = Application.objects.filter(state=Application.State.UNCONFIRMED, applicant__isnull=True,
                                              created_at__date__lt=cutoff)
            ids = list(rows.values_list("pk", flat=True))
            # Their append-only history goes with them (the rule ends the record).
            with history_purge():
                ApplicationStateChange.objects.filter(application_id__in=ids).delete()
                Application.objects.filter(pk__in=ids).update(pair=None)
                Application.objects.filter(pk__in=ids).delete()
            return len(ids)
        if kind == CONTINUING_EDUCATION.code:
            rows = ContinuingEducation.objects.filter(date__lt=cutoff)
            count = rows.count()
            self._delete_ce(rows)
            return count
        if kind == STAFFING_FILINGS.code:
            # The month's records go once the pack of that month is past keeping.
            removed = 0
            for rows in (StaffingFiling.objects.filter(prepared_at__date__lt=cutoff),
                         PeerSupportDeliveryCount.objects.filter(month__lt=cutoff.replace(day=1)),
                         StaffingPublication.objects.filter(fiscal_year__lt=cutoff.year - 1)):
                removed += rows.count()
                rows.delete()
            trainings = InHouseTraining.objects.filter(held_on__lt=cutoff)
            removed += trainings.count()
            trainings.delete()
            return removed
        erased = erased_people()
        if kind == CERTIFICATIONS.code:
            rows = Certification.objects.filter(holder__in=erased, valid_until__lt=cutoff)
            ids = list(rows.values_list("pk", flat=True))
            # The history is append-only while the certification lives; the rule ends both.
            with history_purge():
                CertificationStatusChange.objects.filter(certification_id__in=ids).delete()
            ReminderSent.objects.filter(certification_id__in=ids).delete()
            RenewalRequest.objects.filter(certification_id__in=ids).delete()
            Certification.objects.filter(pk__in=ids).delete()
            return len(ids)
        if kind == COMPLETIONS.code:
            removed = 0
            for completion in Completion.objects.filter(person__in=erased, completed_on__lt=cutoff):
                try:
                    with transaction.atomic():
                        completion.delete()
                except ProtectedError:
                    continue  # a kept certification still rests on it
                removed += 1
            return removed
        raise NotImplementedError(kind)


def register_parts() -> None:
    from peers.personal_data import register

    register(TrainingPart())
