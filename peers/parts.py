"""peers' parts of the person's record (registered in PeersConfig.ready)."""

from __future__ import annotations

import datetime

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils.translation import gettext_lazy as _

from .history import history_purge
from .models import (
    AuditEvent,
    Consent,
    Engagement,
    EngagementLeave,
    ErasureRequest,
    HeldEmail,
    Invitation,
    LivedExperience,
    ProfessionalRole,
    Profile,
    RetentionRule,
    RoleAssignment,
    SensitiveAccess,
    User,
    WorkAccommodation,
)
from .personal_data import Part, RetentionKind, Table, add_period, kept_for, subtract_period


def rule_for(kind: str) -> RetentionRule | None:
    return RetentionRule.objects.filter(kind=kind).first()


# Third-party tables that hold nothing but the person's sign-in: removed on erasure.
_SIGN_IN_TABLES = (
    "account.EmailAddress", "mfa.Authenticator", "peers.ApiToken", "wagtailcore.APIToken",
    "wagtailusers.UserProfile", "wagtailcore.PageSubscription", "wagtailadmin.EditingSession",
    "wagtailadmin.FormState",
)


def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


class AccountPart(Part):
    """The account and how the person signs in. Erased last: the other parts may still need
    the name (minutes) while they run."""

    name = "account"
    label = _("Account")
    person_fields = (*(f"{label}.user" for label in _SIGN_IN_TABLES), "peers.HeldEmail.recipient")

    def tables(self) -> list[Table]:
        from allauth.account.models import EmailAddress
        from allauth.mfa.models import Authenticator

        return [
            Table("account", User, ("email", "display_name", "name_kana", "language", "date_joined",
                                    "text_size", "theme", "quiet_hours_start", "quiet_hours_end"),
                  lambda user: User.objects.filter(pk=user.pk)),
            # Emails waiting for the end of the person's quiet hours.
            Table("held_emails", HeldEmail, ("subject", "held_at", "send_after"),
                  lambda user: HeldEmail.objects.filter(recipient=user)),
            Table("email_addresses", EmailAddress, ("email", "verified", "primary"),
                  lambda user: EmailAddress.objects.filter(user=user)),
            # Only the kind and dates of each second factor, never its secret.
            Table("two_step_sign_in", Authenticator, ("type", "created_at", "last_used_at"),
                  lambda user: Authenticator.objects.filter(user=user),
                  labels={"type": _("kind"), "created_at": _("created at"), "last_used_at": _("last used at")}),
            # Only the name, scope and dates of each API token, never its digest.
            Table("api_tokens", apps.get_model("peers", "ApiToken"),
                  ("name", "scope", "created_at", "expires_at", "last_used_at", "revoked_at"),
                  lambda user: apps.get_model("peers", "ApiToken").objects.filter(user=user)),
        ]

    def erase(self, user, *, request, now):
        for label in _SIGN_IN_TABLES:
            model = _model(label)
            if model is not None:
                model.objects.filter(user=user).delete()
        HeldEmail.objects.filter(recipient=user).delete()
        user.email = f"erased-{user.pk}@invalid.example"
        user.display_name = str(_("Erased person"))
        user.name_kana = ""
        user.password = make_password(None)
        user.is_active = False
        user.is_staff = user.is_superuser = False
        user.save()
        user.groups.clear()
        user.user_permissions.clear()
        return []


class ProfilePart(Part):
    name = "profile"
    label = _("Profile and lived experience")
    person_fields = ("peers.Profile.user", "peers.LivedExperience.person")

    def tables(self):
        return [
            Table("profile", Profile, (
                "prefecture__name_ja", "languages", "accommodations", "directory_opt_in",
                "public_prefecture", "public_languages", "public_roles", "public_engagements",
                "updated_at"), lambda user: Profile.objects.filter(user=user)),
            Table("profile_professional_roles", ProfessionalRole, ("code", "name_ja", "name_en"),
                  lambda user: ProfessionalRole.objects.filter(profiles__user=user)),
            Table("lived_experience", LivedExperience, ("relation", "visibility", "declared_at", "consent"),
                  lambda user: LivedExperience.objects.filter(person=user),
                  labels={"consent": _("consent")}),
        ]

    def erase(self, user, *, request, now):
        LivedExperience.objects.filter(person=user).delete()
        Profile.objects.filter(user=user).delete()
        return []


class RolesPart(Part):
    name = "roles"
    label = _("Roles and invitations")
    person_fields = ("peers.RoleAssignment.user", "peers.Invitation.accepted_by")
    actor_fields = ("peers.RoleAssignment.granted_by", "peers.Invitation.invited_by")

    def tables(self):
        return [
            Table("roles", RoleAssignment, ("role", "organisation__name", "prefecture__name_ja",
                                             "region__name_ja", "granted_at"),
                  lambda user: RoleAssignment.objects.filter(user=user)),
            Table("invitations", Invitation, ("email", "role", "organisation__name", "created_at",
                                               "accepted_at"),
                  lambda user: Invitation.objects.filter(Q(accepted_by=user) | Q(email__iexact=user.email))),
        ]

    def erase(self, user, *, request, now):
        from .selectors import forget_roles

        RoleAssignment.objects.filter(user=user).delete()
        forget_roles(user)
        # The invitation was sent to the person's address: it goes with the account.
        Invitation.objects.filter(Q(accepted_by=user) | Q(email__iexact=user.email)).delete()
        return []


ENGAGEMENTS = RetentionKind(
    "engagements", _("Engagements (volunteer and honorarium)"), ("ended",), 3, "years",
    "ボランティア・謝金の従事記録は、従事の終了から3年間保存し、その後消去します"
    "（障害者の就労に関する確認情報は退職後3年を超えて保存しない旨の指針に準じる）。",
    "Volunteer and honorarium engagements are kept for 3 years after they end, then erased "
    "(following the guideline to keep such information no longer than 3 years after the person leaves).",
)
STAFFING = RetentionKind(
    "staffing_records", _("Staffing records of employment (welfare fees)"), ("ended",), 5, "years",
    "雇用による従事記録（勤務時間・常勤換算）は、障害福祉サービス等報酬（ピアサポート体制加算等）の"
    "請求の根拠として、従事の終了から5年間保存します。",
    "Employed engagements (hours and FTE) are the basis of welfare-fee claims (peer-support "
    "additions) and are kept for 5 years after they end.",
)


class EngagementsPart(Part):
    name = "engagements"
    label = _("Engagements")
    person_fields = ("peers.Engagement.person",)
    actor_fields = ("peers.Engagement.confirmed_by", "peers.Engagement.created_by")
    retention_kinds = (ENGAGEMENTS, STAFFING)

    def tables(self):
        return [
            Table("engagements", Engagement, (
                "id", "organisation__name", "kind", "job_title", "start_date", "end_date",
                "honorarium_rate", "honorarium_unit", "weekly_hours", "full_time_weekly_hours",
                "on_leave", "confirmed_at", "previous"),
                lambda user: Engagement.objects.filter(person=user),
                labels={"id": _("number"), "previous": _("replaces")}),
            Table("engagement_activities", Engagement.activities.through,
                  ("engagement", "activity__code", "activity__name_ja"),
                  lambda user: Engagement.activities.through.objects.filter(engagement__person=user),
                  labels={"engagement": _("engagement"), "activity__code": _("code")}),
        ]

    def erase(self, user, *, request, now):
        kept = []
        for kind, rows in ((STAFFING, Engagement.objects.filter(person=user, kind=Engagement.Kind.EMPLOYED)),
                           (ENGAGEMENTS, Engagement.objects.filter(person=user).exclude(
                               kind=Engagement.Kind.EMPLOYED))):
            ends = list(rows.values_list("end_date", flat=True))
            if not ends:
                continue
            rule = rule_for(kind.code)
            until = None
            if rule and all(ends):
                until = add_period(max(ends), rule.period, rule.unit)
            kept.append(kept_for(data=kind.code, label=kind.label, count=len(ends), rule=rule, until=until))
        return kept

    def expire(self, kind, *, rule, now):
        cutoff = subtract_period(now.date() if isinstance(now, datetime.datetime) else now, rule.period, rule.unit)
        rows = Engagement.objects.filter(end_date__isnull=False, end_date__lt=cutoff)
        rows = rows.filter(kind=Engagement.Kind.EMPLOYED) if kind == STAFFING.code else rows.exclude(
            kind=Engagement.Kind.EMPLOYED)
        removed = 0
        for engagement in rows.order_by("end_date", "id"):
            try:
                with transaction.atomic():
                    Engagement.objects.filter(previous=engagement).update(previous=None)
                    engagement.delete()
            except ProtectedError:
                continue  # records of another kind rest on it (activity entries): kept until they go
            removed += 1
        return removed


class EmploymentPart(Part):
    """Leave and the accommodations agreed at work (第三群). Sensitive: erased on erasure and,
    for accommodations, when the consent they were stored under is withdrawn. Otherwise they
    go with their engagement when its retention runs out (the rows cascade)."""

    name = "employment"
    label = _("Leave and accommodations agreed at work")
    actor_fields = ("peers.EngagementLeave.recorded_by", "peers.WorkAccommodation.recorded_by")

    def tables(self):
        return [
            Table("leave", EngagementLeave, (
                "engagement", "engagement__organisation__name", "kind", "start_date", "expected_return",
                "actual_return", "recorded_at"),
                lambda user: EngagementLeave.objects.filter(engagement__person=user),
                labels={"engagement": _("engagement")}),
            Table("accommodations_at_work", WorkAccommodation, (
                "engagement", "engagement__organisation__name", "text", "agreed_on", "review_on", "consent",
                "recorded_at", "updated_at"),
                lambda user: WorkAccommodation.objects.filter(engagement__person=user),
                labels={"engagement": _("engagement"), "consent": _("consent")}),
        ]

    def erase(self, user, *, request, now):
        WorkAccommodation.objects.filter(engagement__person=user).delete()
        EngagementLeave.objects.filter(engagement__person=user).delete()
        return []

    def consent_withdrawn(self, consent_ids):
        deleted, _rows = WorkAccommodation.objects.filter(consent_id__in=consent_ids).delete()
        return deleted


WITHDRAWN = RetentionKind(
    "withdrawn_consent_data", _("Data covered by a withdrawn consent"), ("withdrawn",), 0, "days",
    "同意が撤回された要配慮個人情報（当事者経験・合理的配慮）は、撤回と同時に利用を停止し、直ちに消去します"
    "（個人情報保護法）。同意の記録そのものは、何に同意したかの証拠として残します。",
    "Sensitive data (lived experience, accommodation requests) whose consent is withdrawn is unused "
    "at once and erased at once (APPI). The consent ledger itself stays as proof of what was agreed.",
)


class ConsentsPart(Part):
    name = "consents"
    label = _("Consents and erasure requests")
    person_fields = ("peers.Consent.person", "peers.ErasureRequest.person")
    actor_fields = ("peers.Consent.recorded_by", "peers.ErasureRequest.completed_by")
    retention_kinds = (WITHDRAWN,)

    def tables(self):
        return [
            Table("consents", Consent, ("id", "purpose", "data_categories", "given_at", "withdrawn_at",
                                         "data_erased_at"),
                  lambda user: Consent.objects.filter(person=user), labels={"id": _("number")}),
            Table("erasure_requests", ErasureRequest, ("requested_at", "status", "completed_at"),
                  lambda user: ErasureRequest.objects.filter(person=user)),
        ]

    def erase(self, user, *, request, now):
        Consent.objects.filter(person=user, withdrawn_at__isnull=True).update(withdrawn_at=now)
        Consent.objects.filter(person=user, data_erased_at__isnull=True).update(data_erased_at=now)
        ErasureRequest.objects.filter(person=user).exclude(pk=request.pk).update(note="")
        return [kept_for(
            data="consents", label=_("Consent ledger"), count=Consent.objects.filter(person=user).count(),
            rule=None,
            reason_ja="同意の記録は、何に同意し、いつ撤回したかの証拠として残します。記録が指すデータは消去しました。",
            reason_en="The consent ledger proves what was agreed and when it was withdrawn; the data it "
                      "covered is erased.",
        )]

    def expire(self, kind, *, rule, now):
        from .services.privacy import consent_purge_expired

        return consent_purge_expired(now=now, rule=rule)["consents"]


ACCESS_LOG = RetentionKind(
    "sensitive_access_log", _("Log of who read sensitive data"), ("created",), 3, "years",
    "要配慮個人情報を本人以外が閲覧した記録は、本人が確認できるよう3年間保存し、その後消去します。",
    "The log of reads of sensitive data by others is kept for 3 years so that the person can check it, "
    "then erased.",
)


class SensitiveAccessPart(Part):
    name = "sensitive_access_log"
    label = _("Log of who read your sensitive data")
    person_fields = ("peers.SensitiveAccess.person",)
    actor_fields = ("peers.SensitiveAccess.accessor",)
    retention_kinds = (ACCESS_LOG,)

    def tables(self):
        return [Table("sensitive_access_log", SensitiveAccess,
                      ("at", "category", "accessor__display_name", "context"),
                      lambda user: SensitiveAccess.objects.filter(person=user),
                      labels={"accessor__display_name": _("read by")})]

    def erase(self, user, *, request, now):
        with history_purge():  # the log is append-only (peers/history.py); erasure ends it
            SensitiveAccess.objects.filter(person=user).delete()
        return []

    def expire(self, kind, *, rule, now):
        cutoff = subtract_period(now.date(), rule.period, rule.unit)
        with history_purge():
            deleted, _rows = SensitiveAccess.objects.filter(at__date__lt=cutoff).delete()
        return deleted


class AuditPart(Part):
    """The audit log: what the person did on the platform. Kept on erasure (the platform's
    accountability record), pointing at the anonymised account; it never holds sensitive text."""

    name = "audit"
    label = _("What you did on the platform (audit log)")
    actor_fields = ("peers.AuditEvent.actor",)

    def tables(self):
        return [Table("audit_log", AuditEvent, ("at", "action", "target_type", "target_id"),
                      lambda user: AuditEvent.objects.filter(actor=user))]

    def erase(self, user, *, request, now):
        count = AuditEvent.objects.filter(actor=user).count()
        if not count:
            return []
        return [kept_for(
            data="audit", label=self.label, count=count, rule=None,
            reason_ja="操作の記録は、誰が何をしたかを確かめるためのもので、氏名を除いて残します（機微な内容は含みません）。",
            reason_en="The audit log shows who did what on the platform; it stays without your name "
                      "(it never holds sensitive text).",
        )]


def register_parts() -> None:
    from .personal_data import register

    for part in (ProfilePart(), RolesPart(), EngagementsPart(), EmploymentPart(), ConsentsPart(),
                 SensitiveAccessPart(), AuditPart(), HonorariumPaymentsPart(), AccountPart()):
        register(part)


HONORARIA = RetentionKind(
    "honorarium_payments", _("Honorarium payments"), ("ended",), 7, "years",
    "謝金の支払記録（支払調書の基になる記録）は、帳簿書類の保存期間に準じ、支払（または取消し）から7年間保存し、"
    "その後消去します。",
    "Honorarium payments (the records behind the payment statement, 支払調書) are kept for 7 years after "
    "they were paid or cancelled, as books and records are under the tax laws, then erased.",
)


class HonorariumPaymentsPart(Part):
    """Honorarium payments (第二群 謝金): the person's own record of what they were paid, and the
    paying organisation's tax record. Kept on erasure for the rule's years, then erased."""

    name = "honorarium_payments"
    label = _("Honorarium payments")
    person_fields = ("peers.HonorariumPayment.person",)
    actor_fields = ("peers.HonorariumPayment.confirmed_by", "peers.HonorariumPayment.created_by")
    retention_kinds = (HONORARIA,)

    def tables(self):
        from .models import HonorariumPayment

        return [Table("honorarium_payments", HonorariumPayment, (
            "id", "organisation__name", "occasion_date", "category", "description", "amount",
            "withholding_tax", "status", "paid_on", "source", "cancelled_at"),
            lambda user: HonorariumPayment.objects.filter(person=user), labels={"id": _("number")})]

    def erase(self, user, *, request, now):
        from .models import HonorariumPayment

        rows = HonorariumPayment.objects.filter(person=user)
        open_rows = rows.filter(status__in=[HonorariumPayment.Status.TO_CONFIRM, HonorariumPayment.Status.CONFIRMED])
        open_rows.update(status=HonorariumPayment.Status.CANCELLED, cancelled_at=now, updated_at=now,
                         cancel_reason="本人のデータ消去により取消 / cancelled on erasure",
                         withdrawn_by_source=False)
        days = [d for d in rows.values_list("paid_on", flat=True) if d] + [
            c.date() for c in rows.values_list("cancelled_at", flat=True) if c]
        if not days:
            return []
        rule = rule_for(HONORARIA.code)
        until = add_period(max(days), rule.period, rule.unit) if rule else None
        return [kept_for(data=HONORARIA.code, label=HONORARIA.label, count=len(days), rule=rule, until=until)]

    def expire(self, kind, *, rule, now):
        from .models import HonorariumPayment

        cutoff = subtract_period(now.date() if isinstance(now, datetime.datetime) else now, rule.period, rule.unit)
        Status = HonorariumPayment.Status
        rows = HonorariumPayment.objects.filter(
            Q(status=Status.PAID, paid_on__lt=cutoff) | Q(status=Status.CANCELLED, cancelled_at__date__lt=cutoff))
        with history_purge():  # a paid payment is guarded against deletion (peers/history.py)
            deleted, _rows = rows.delete()
        return deleted
