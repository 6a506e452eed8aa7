"""Every change of state about training and certification goes through here.

Services take keyword arguments, run in one transaction, validate with full_clean(), append to
the audit log, and tell people by email once the transaction has committed.
"""

from __future__ import annotations

import calendar
import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from peers.mail import email_lines, language_of
from peers.models import Consent, Organisation, Role, User
from peers.selectors import user_get_by_email
from peers.selectors.workforce import person_belongs_to_organisation, person_manages_organisation
from peers.services import audit_record, invitation_issue
from peers.services.privacy import accommodation_consent_for

from .evidence import evidence_check
from .models import (
    ACCOMMODATION_MAX_CHARS,
    ELIGIBILITY_FOR_ROLE,
    Application,
    ApplicationStateChange,
    Attendance,
    CECategory,
    Certification,
    CertificationStatusChange,
    Cohort,
    CohortDay,
    Completion,
    ContinuingEducation,
    Course,
    CredentialType,
    Eligibility,
    PairRole,
    ReminderSent,
    RenewalOverrideReason,
    RenewalRequest,
    TrainingBody,
)
from .numbers import (
    BASE_NUMBER_RE,
    COMPLETION_BASE_RE,
    COMPLETION_NUMBER_RE,
    NUMBER_RE,
    number_check_matches,
    number_kind,
    number_normalise,
    number_with_check,
)

# ---------------------------------------------------------------- numbers
# The formats and check codes live in .numbers (the data migrations use them too).


def number_is_genuine(number: str) -> bool:
    """Whether a certificate or completion number is well formed and carries its body's check
    code.

    Reads the (few) bodies' prefixes and secrets; never the register, so a guessed number
    costs no lookup of certifications or completions."""
    if number_kind(number) is None:
        return False
    prefix = number.split("-", 1)[0]
    secret = (
        TrainingBody.objects.filter(number_prefix=prefix)
        .values_list("check_secret", flat=True)
        .first()
    )
    return secret is not None and number_check_matches(secret=secret, number=number)


def _next_sequence(body: TrainingBody, year: int) -> int:
    # The body row is locked by the caller, so two issues cannot take the same serial.
    last = (
        Certification.objects.filter(body=body, year=year).order_by("-sequence")
        .values_list("sequence", flat=True).first()
    )
    return (last or 0) + 1


def certification_number(*, body: TrainingBody, year: int, sequence: int) -> str:
    base = f"{body.number_prefix}-{year}-{sequence:0{body.sequence_digits}d}"
    return number_with_check(secret=body.check_secret, base=base)


def completion_number(*, body: TrainingBody, year: int, sequence: int) -> str:
    """修了 numbers carry a check code made the same way: PSS-C2026-0001-7KQ."""
    base = f"{body.number_prefix}-C{year}-{sequence:0{body.sequence_digits}d}"
    return number_with_check(secret=body.check_secret, base=base)


# ---------------------------------------------------------------- dates
def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def cycle_dates(ctype: CredentialType, start: datetime.date) -> dict:
    """valid_until and the dates the sweep compares with, for a cycle starting on `start`."""
    if not ctype.expires:
        return {"valid_until": None, "renewal_due_from": None, "grace_until": None}
    valid_until = add_months(start, ctype.validity_months) - datetime.timedelta(days=1)
    return {
        "valid_until": valid_until,
        "renewal_due_from": valid_until - datetime.timedelta(days=ctype.renewal_window_days),
        "grace_until": valid_until + datetime.timedelta(days=ctype.grace_days),
    }


def status_for_dates(certification: Certification, today: datetime.date) -> str:
    S = Certification.Status
    if certification.valid_until is None:
        return S.ACTIVE
    if today > certification.grace_until:
        return S.LAPSED
    if today > certification.valid_until:
        return S.GRACE
    if today >= certification.renewal_due_from:
        return S.EXPIRING
    return S.ACTIVE


# ---------------------------------------------------------------- email
def _notify(user: User, subject: str, lines: list, *, language: str | None = None) -> None:
    """Send `subject` and `lines` (lazy strings or callables) in the person's language, on commit."""
    email_lines(to=user.email, language=language or language_of(user), subject=subject, lines=lines)


# ---------------------------------------------------------------- bodies, courses, cohorts
@transaction.atomic
def training_body_create(*, organisation: Organisation, number_prefix: str, actor: User | None) -> TrainingBody:
    body = TrainingBody(organisation=organisation, number_prefix=number_prefix.upper())
    body.full_clean()
    body.save()
    audit_record(actor=actor, action="training_body.create", target=body)
    return body


@transaction.atomic
def course_save(*, course: Course, actor: User, prerequisites=None) -> Course:
    course.full_clean()
    created = course._state.adding
    course.save()
    if prerequisites is not None:
        others = [p for p in prerequisites if p.pk != course.pk and p.body_id == course.body_id]
        course.prerequisites.set(others)
    audit_record(actor=actor, action="course.create" if created else "course.update", target=course)
    return course


@transaction.atomic
def cohort_save(*, cohort: Cohort, actor: User) -> Cohort:
    cohort.full_clean()
    created = cohort._state.adding
    cohort.save()
    audit_record(actor=actor, action="cohort.create" if created else "cohort.update", target=cohort)
    return cohort


@transaction.atomic
def cohort_day_add(*, cohort: Cohort, date, starts_at, ends_at, hours=None, module=None, actor: User) -> CohortDay:
    if hours is None:
        start = datetime.datetime.combine(date, starts_at)
        end = datetime.datetime.combine(date, ends_at)
        hours = Decimal((end - start).seconds) / Decimal(3600)
    day = CohortDay(cohort=cohort, date=date, starts_at=starts_at, ends_at=ends_at,
                    hours=Decimal(hours).quantize(Decimal("0.01")), module=module)
    day.full_clean()
    day.save()
    audit_record(actor=actor, action="cohort.day_add", target=cohort, data={"day": day.pk})
    return day


# ---------------------------------------------------------------- applications
TRANSITIONS = {
    # A visitor's application waits for its email confirmation (application_public_confirm);
    # staff cannot move it and it holds no place.
    "unconfirmed": set(),
    "submitted": {"selected", "waitlisted", "declined", "withdrawn"},
    "waitlisted": {"selected", "declined", "withdrawn"},
    "selected": {"enrolled", "declined", "withdrawn"},
    "enrolled": {"completed", "withdrawn"},
    "declined": set(),
    "completed": set(),
    "withdrawn": set(),
}
# Changes a pair makes together: both people are selected, wait-listed or declined at once.
PAIR_TRANSITIONS = frozenset({"selected", "waitlisted", "declined"})
# Signed link in the confirmation email of a visitor's application.
PUBLIC_CONFIRM_SALT = "training.application.public-confirm"


def application_actions(application: Application) -> list[str]:
    """The states staff may move this application to now (the page offers only these)."""
    return sorted(TRANSITIONS.get(application.state, set()) - {"completed"},
                  key=list(Application.State.values).index)


def _lock_cohort(cohort: Cohort) -> Cohort:
    """Lock the cohort's row: every change that takes a place waits here for the others."""
    return Cohort.objects.select_for_update().get(pk=cohort.pk)


def _places_taken(cohort: Cohort) -> int:
    return Application.objects.filter(cohort=cohort, state__in=Application.PLACE_STATES).count()


def _record_state(application: Application, from_state: str, to_state: str, actor, note="",
                  *, notify: bool = True) -> None:
    """Append one row to the application's history (never edit one), audit, and tell the person."""
    ApplicationStateChange.objects.create(
        application=application, from_state=from_state, to_state=to_state,
        actor=actor if actor is not None and actor.pk else None, note=note[:300],
    )
    audit_record(
        actor=actor, action=f"application.{to_state}", target=application,
        data={"from": from_state, "to": to_state},
    )
    if not notify:
        return
    state_label = Application.State(to_state).label
    cohort_name = application.cohort.name
    name = application.person_name
    _notify_person(
        application,
        lambda: _("Your application to %(cohort)s: %(state)s") % {"cohort": cohort_name, "state": state_label},
        [
            lambda: _("Hello %(name)s,") % {"name": name},
            lambda: _("The state of your application to %(cohort)s is now: %(state)s.")
            % {"cohort": cohort_name, "state": state_label},
            *([note] if note else []),
            (lambda: _("You can see your applications on your training page."))
            if application.applicant_id else
            (lambda: _("If you are selected, an email with a link to create your account follows.")),
        ],
    )


def _notify_person(application: Application, subject, lines) -> None:
    """Email the applicant: their account's address, or the one a visitor gave."""
    if application.applicant_id:
        _notify(application.applicant, subject, lines)
        return
    email_lines(to=application.applicant_email, language=application.language or settings.LANGUAGE_CODE,
                subject=subject, lines=lines)


def _prerequisites_missing(course: Course, person: User) -> list[Course]:
    done = set(Completion.objects.filter(person=person).values_list("course_id", flat=True))
    return [c for c in course.prerequisites.all() if c.pk not in done]


def _check_may_apply(cohort: Cohort, person: User, field: str | None = None, *, own: bool = True) -> None:
    """Refuse, saying why, someone who applied to this cohort already, completed the course
    already, or lacks a prerequisite. `own`: the wording speaks to the person themselves."""
    name = person.display_name

    def refuse(message):
        raise ValidationError({field: message} if field else message)

    if Application.objects.filter(cohort=cohort, applicant=person).exists():
        refuse(_("You have already applied to this cohort.") if own else
               _("%(name)s has already applied to this cohort.") % {"name": name})
    if Completion.objects.filter(person=person, course_id=cohort.course_id).exists():
        refuse(_("You have already completed %(course)s: a course is completed once.")
               % {"course": cohort.course.title} if own else
               _("%(name)s has already completed %(course)s: a course is completed once.")
               % {"name": name, "course": cohort.course.title})
    missing = _prerequisites_missing(cohort.course, person)
    if missing:
        courses = "、".join(c.title for c in missing)
        refuse(_("Complete these courses first: %(courses)s") % {"courses": courses} if own else
               _("%(name)s must complete these courses first: %(courses)s") % {"name": name, "courses": courses})


def _accommodation(applicant: User, text: str, given: bool):
    text = (text or "").strip()
    if len(text) > ACCOMMODATION_MAX_CHARS:
        raise ValidationError({"accommodation_request": _(
            "Please keep the accommodation request to %(max)s characters (it has %(count)s)."
        ) % {"max": ACCOMMODATION_MAX_CHARS, "count": len(text)}})
    if not text:
        return "", None
    return text, accommodation_consent_for(
        person=applicant, purpose=Consent.Purpose.TRAINING_ACCOMMODATIONS, given=given,
    )


def _first_come(cohort: Cohort, applications: list[Application]) -> None:
    """A first-come cohort gives places at once while enough are left (a pair needs two)."""
    if cohort.selection != Cohort.Selection.FIRST_COME:
        return
    fits = _places_taken(cohort) + len(applications) <= cohort.capacity
    to_state = Application.State.SELECTED if fits else Application.State.WAITLISTED
    for application in applications:
        application.state = to_state
        application.save(update_fields=["state"])
        _record_state(application, Application.State.SUBMITTED, to_state, None)


@transaction.atomic
def application_submit(
    *,
    cohort: Cohort,
    applicant: User,
    consent: bool,
    organisation: Organisation | None = None,
    accommodation_request: str = "",
    accommodation_consent: bool = False,
) -> Application:
    """Apply alone to an open cohort. First-come cohorts give a place at once while any is left.

    A pairs-only cohort refuses: it takes application_pair_submit. An organisation named must
    be one the applicant works at or manages. A reasonable-accommodation request is sensitive:
    it is stored only under the applicant's consent to share it with the training body's staff
    (`accommodation_consent`, recorded in the consent ledger), or an active consent they gave
    before."""
    cohort = _lock_cohort(cohort)
    if not cohort.is_open:
        raise ValidationError(_("This cohort is not taking applications."))
    if cohort.pair_applications:
        raise ValidationError(_pairs_only())
    if not consent:
        raise ValidationError({"consent": _("Please agree to how your data is used to apply.")})
    _check_may_apply(cohort, applicant)
    if organisation is not None and not person_belongs_to_organisation(applicant, organisation):
        raise ValidationError({"organisation": _(
            "You can apply from %(organisation)s only if you work there or manage it."
        ) % {"organisation": organisation.name}})
    text, consent_row = _accommodation(applicant, accommodation_request, accommodation_consent)
    application = Application(
        cohort=cohort, applicant=applicant, organisation=organisation, submitted_by=applicant,
        accommodation_request=text, accommodation_consent=consent_row, consent_at=timezone.now(),
    )
    application.full_clean()
    application.save()
    _record_state(application, "", Application.State.SUBMITTED, applicant)
    _first_come(cohort, [application])
    return application


def _pairs_only() -> str:
    return _(
        "This cohort takes applications only in pairs from one office: one 当事者 and one "
        "協働支援者 apply together. Name both people to apply."
    )


def _pair_person(email: str, field: str) -> User:
    person = user_get_by_email((email or "").strip()) if (email or "").strip() else None
    if person is None:
        raise ValidationError({field: _(
            "No account uses the address %(email)s. Check it, or ask the person to apply with "
            "you from the public application page."
        ) % {"email": (email or "").strip() or "–"}})
    return person


def _check_eligibility(role: str, eligibility: str, field: str) -> None:
    if eligibility not in ELIGIBILITY_FOR_ROLE[role]:
        raise ValidationError({field: _("Choose what describes %(role)s.") % {"role": PairRole(role).label}})


@transaction.atomic
def application_pair_submit(
    *,
    cohort: Cohort,
    submitted_by: User,
    organisation: Organisation | None,
    peer_email: str,
    peer_eligibility: str,
    supporter_email: str,
    supporter_eligibility: str,
    consent: bool,
    accommodation_request: str = "",
    accommodation_consent: bool = False,
) -> tuple[Application, Application]:
    """Apply as a pair from one office (障害者ピアサポート研修): one 当事者 and one 協働支援者.

    The person sending is one of the two or a manager of the office. Both must belong to the
    office (a current engagement there, or its manager's role) — except a 当事者 with a
    concrete prospect of employment, whom the office's manager may name before they start.
    What is stated about each (employed / prospect; manager / co-worker) is recorded on their
    application. Both applications point at each other and move together on selection. An
    accommodation request is the sender's own and goes only on the sender's application."""
    cohort = _lock_cohort(cohort)
    if not cohort.is_open:
        raise ValidationError(_("This cohort is not taking applications."))
    if not cohort.pair_applications:
        raise ValidationError(_("This cohort takes applications one person at a time."))
    if not (peer_email or "").strip() and not (supporter_email or "").strip():
        raise ValidationError(_pairs_only())
    if not consent:
        raise ValidationError({"consent": _("Please agree to how your data is used to apply.")})
    if organisation is None:
        raise ValidationError({"organisation": _("This cohort takes pairs from one office: choose it.")})
    _check_eligibility(PairRole.PEER, peer_eligibility, "peer_eligibility")
    _check_eligibility(PairRole.SUPPORTER, supporter_eligibility, "supporter_eligibility")
    peer = _pair_person(peer_email, "peer_email")
    supporter = _pair_person(supporter_email, "supporter_email")
    if peer.pk == supporter.pk:
        raise ValidationError({"supporter_email": _(
            "A pair is two people: the 協働支援者 must be someone other than the 当事者."
        )})
    sender_manages = person_manages_organisation(submitted_by, organisation)
    if submitted_by.pk not in (peer.pk, supporter.pk) and not sender_manages:
        raise ValidationError({"organisation": _(
            "You can send a pair application only for yourself and your partner, or as a manager "
            "of %(organisation)s."
        ) % {"organisation": organisation.name}})
    for person, eligibility, field in ((peer, peer_eligibility, "peer_email"),
                                       (supporter, supporter_eligibility, "supporter_email")):
        prospect_named_by_manager = eligibility == Eligibility.PROSPECT and sender_manages
        if not prospect_named_by_manager and not person_belongs_to_organisation(person, organisation):
            raise ValidationError({field: (
                _("You do not belong to %(organisation)s: you can apply from an office where you "
                  "work or that you manage.") if person.pk == submitted_by.pk else
                _("%(name)s does not belong to %(organisation)s: both people of a pair work at, or "
                  "manage, the same office.")
            ) % {"name": person.display_name, "organisation": organisation.name}})
        if eligibility == Eligibility.MANAGER and not person_manages_organisation(person, organisation):
            raise ValidationError({"supporter_eligibility": _(
                "%(name)s is not a manager of %(organisation)s on the platform: choose co-worker."
            ) % {"name": person.display_name, "organisation": organisation.name}})
        _check_may_apply(cohort, person, field, own=person.pk == submitted_by.pk)
    own = submitted_by.pk in (peer.pk, supporter.pk)
    if (accommodation_request or "").strip() and not own:
        raise ValidationError({"accommodation_request": _(
            "Each person asks for their own accommodation: leave this empty when applying for others."
        )})
    now = timezone.now()
    made = []
    for person, role, eligibility in ((peer, PairRole.PEER, peer_eligibility),
                                      (supporter, PairRole.SUPPORTER, supporter_eligibility)):
        text, consent_row = ("", None)
        if person.pk == submitted_by.pk:
            text, consent_row = _accommodation(person, accommodation_request, accommodation_consent)
        application = Application(
            cohort=cohort, applicant=person, organisation=organisation, pair_role=role,
            eligibility=eligibility, submitted_by=submitted_by, accommodation_request=text,
            accommodation_consent=consent_row, consent_at=now,
        )
        application.full_clean()
        application.save()
        made.append(application)
    first, second = made
    first.pair, second.pair = second, first
    first.save(update_fields=["pair"])
    second.save(update_fields=["pair"])
    for application in made:
        _record_state(application, "", Application.State.SUBMITTED, submitted_by)
    _first_come(cohort, made)
    return first, second


@transaction.atomic
def application_public_submit(
    *,
    cohort: Cohort,
    name: str,
    kana: str,
    email: str,
    organisation: Organisation | None,
    consent: bool,
    role: str = "",
    eligibility: str = "",
    partner_name: str = "",
    partner_kana: str = "",
    partner_email: str = "",
    partner_eligibility: str = "",
    language: str = "",
    confirm_url: str = "",
) -> list[Application]:
    """A visitor (no account) applies from the public cohort page; for a pairs-only cohort
    they name their partner too. Nothing counts until the visitor opens the signed link
    emailed to them (application_public_confirm): until then the application is
    "unconfirmed", holds no place and is not among the staff's applications.

    Someone whose address already has an account is emailed to sign in and apply there, and
    nothing is stored (the answer on the page is the same, so the form tells no one who has
    an account). `confirm_url` is the confirmation page's absolute address; the key is added."""
    cohort = _lock_cohort(cohort)
    if not cohort.is_open:
        raise ValidationError(_("This cohort is not taking applications."))
    if not consent:
        raise ValidationError({"consent": _("Please agree to how your data is used to apply.")})
    if organisation is None:
        raise ValidationError({"organisation": _("Choose the office you apply from.")})
    email = (email or "").strip().lower()
    language = language or settings.LANGUAGE_CODE
    people = [(name, kana, email, role, eligibility)]
    if cohort.pair_applications:
        if role not in PairRole.values:
            raise ValidationError({"role": _("Choose your role in the pair.")})
        _check_eligibility(role, eligibility, "eligibility")
        partner_role = PairRole.SUPPORTER if role == PairRole.PEER else PairRole.PEER
        _check_eligibility(partner_role, partner_eligibility, "partner_eligibility")
        partner_email = (partner_email or "").strip().lower()
        if not partner_name.strip() or not partner_email:
            raise ValidationError({"partner_email": _(
                "This cohort takes pairs: give your partner's name and email address."
            )})
        if partner_email == email:
            raise ValidationError({"partner_email": _("A pair is two people: give your partner's own address.")})
        people.append((partner_name, partner_kana, partner_email, partner_role, partner_eligibility))
    else:
        people = [(name, kana, email, "", "")]
    if user_get_by_email(email) is not None:
        _public_has_account(email, cohort, language)
        return []
    pending = Application.objects.filter(cohort=cohort, applicant__isnull=True, applicant_email__iexact=email)
    existing = pending.first()
    if existing is not None:
        if existing.state == Application.State.UNCONFIRMED and confirm_url:
            _public_send_confirmation(existing, confirm_url)
        return [existing]
    now = timezone.now()
    made = []
    for person_name, person_kana, person_email, person_role, person_eligibility in people:
        application = Application(
            cohort=cohort, applicant=None, applicant_name=person_name.strip(),
            applicant_kana=person_kana.strip(), applicant_email=person_email, language=language,
            organisation=organisation, pair_role=person_role, eligibility=person_eligibility,
            state=Application.State.UNCONFIRMED, consent_at=now,
        )
        application.full_clean()
        application.save()
        made.append(application)
    if len(made) == 2:
        made[0].pair, made[1].pair = made[1], made[0]
        made[0].save(update_fields=["pair"])
        made[1].save(update_fields=["pair"])
    for application in made:
        _record_state(application, "", Application.State.UNCONFIRMED, None, notify=False)
    if confirm_url:
        _public_send_confirmation(made[0], confirm_url)
    return made


def _public_has_account(email: str, cohort: Cohort, language: str) -> None:
    cohort_name = cohort.name
    email_lines(to=email, language=language,
                subject=lambda: _("Your application to %(cohort)s") % {"cohort": cohort_name},
                lines=[
                    lambda: _("Someone (perhaps you) tried to apply to %(cohort)s without signing in, with "
                              "this address.") % {"cohort": cohort_name},
                    lambda: _("This address already has an account: please sign in and apply from the "
                              "cohort page. If it was not you, you can ignore this email."),
                ])


def public_confirm_days() -> int:
    return int(getattr(settings, "KAKEHASHI_PUBLIC_APPLICATION_CONFIRM_DAYS", 3))


def _public_send_confirmation(application: Application, confirm_url: str) -> None:
    from django.core import signing

    key = signing.dumps({"a": application.pk}, salt=PUBLIC_CONFIRM_SALT)
    url = f"{confirm_url}?key={key}"
    cohort_name = application.cohort.name
    days = public_confirm_days()
    _notify_person(
        application,
        lambda: _("Please confirm your application to %(cohort)s") % {"cohort": cohort_name},
        [
            lambda: _("Hello %(name)s,") % {"name": application.applicant_name},
            lambda: _("To send your application to %(cohort)s, open this link and press the "
                      "confirmation button:") % {"cohort": cohort_name},
            url,
            lambda: _("The link works for %(days)s days. Until you confirm, the application is not "
                      "sent to the training body. If you did not apply, ignore this email.") % {"days": days},
        ],
    )


def public_confirmation_application(key: str) -> Application:
    """The visitor's application a confirmation key names; refuses a forged, altered or
    expired key (the message says which)."""
    from django.core import signing

    try:
        data = signing.loads(key or "", salt=PUBLIC_CONFIRM_SALT, max_age=public_confirm_days() * 86400)
    except signing.SignatureExpired:
        raise ValidationError(_("This confirmation link has expired. Please apply again.")) from None
    except signing.BadSignature:
        raise ValidationError(_("This confirmation link is not valid. Please open the link from the email as it is.")) from None
    application = (
        Application.objects.select_related("cohort__course__body__organisation", "organisation", "pair")
        .filter(pk=data.get("a") if isinstance(data, dict) else None, applicant__isnull=True).first()
    )
    if application is None:
        raise ValidationError(_("This confirmation link is not valid. Please open the link from the email as it is."))
    return application


@transaction.atomic
def application_public_confirm(*, key: str) -> Application:
    """The visitor opened the signed link and confirmed: their application (and their
    partner's) is submitted and reaches the training body. Confirming twice changes nothing."""
    application = public_confirmation_application(key)
    cohort = _lock_cohort(application.cohort)
    group = [application] + ([application.pair] if application.pair_id else [])
    if application.state != Application.State.UNCONFIRMED:
        return application
    if not cohort.is_open:
        raise ValidationError(_("This cohort is not taking applications any more."))
    for member in group:
        member = Application.objects.select_for_update().get(pk=member.pk)
        if member.state != Application.State.UNCONFIRMED:
            continue
        member.state = Application.State.SUBMITTED
        member.save(update_fields=["state"])
        _record_state(member, Application.State.UNCONFIRMED, Application.State.SUBMITTED, None,
                      _("Email address confirmed."))
    _first_come(cohort, [Application.objects.get(pk=m.pk) for m in group])
    application.refresh_from_db()
    return application


def _invite_public(application: Application, actor: User) -> None:
    """A visitor's application was selected: invite them to create the account it will attach
    to (application_attach_invited)."""
    if application.applicant_id or application.invitation_id:
        return
    role = Role.PROFESSIONAL if application.pair_role == PairRole.SUPPORTER else Role.PEER
    invitation = invitation_issue(
        invited_by=actor if actor is not None and actor.pk else None, email=application.applicant_email,
        role=role, organisation=application.organisation, request_language=application.language or None,
    )
    application.invitation = invitation
    application.save(update_fields=["invitation"])


@transaction.atomic
def application_attach_invited(*, invitation, user: User) -> int:
    """The invited visitor created their account: their applications become the account's
    (the name, reading and address they typed go, the account holds them now)."""
    rows = list(Application.objects.select_for_update().filter(invitation=invitation, applicant__isnull=True))
    for application in rows:
        if Application.objects.filter(cohort_id=application.cohort_id, applicant=user).exists():
            continue
        application.applicant = user
        application.applicant_name = application.applicant_kana = application.applicant_email = ""
        application.full_clean()
        application.save(update_fields=["applicant", "applicant_name", "applicant_kana", "applicant_email"])
        audit_record(actor=user, action="application.attach", target=application)
    return len(rows)


@transaction.atomic
def application_transition(*, application: Application, to_state: str, actor: User, note: str = "") -> Application:
    """Move an application on (select, wait-list, decline, enrol, withdraw). Taking a place
    locks the cohort first, so two staff selecting at once can never exceed capacity.

    Selecting, wait-listing and declining act on a pair together: both or neither (a pair
    needs two places). A visitor's application selected brings them an account invitation."""
    cohort = _lock_cohort(application.cohort)
    application = Application.objects.select_for_update(of=("self",)).select_related("applicant", "cohort").get(
        pk=application.pk
    )
    group = [application]
    if application.pair_id and to_state in PAIR_TRANSITIONS:
        group.append(Application.objects.select_for_update(of=("self",)).select_related("applicant", "cohort").get(
            pk=application.pair_id))
    for member in group:
        if to_state not in TRANSITIONS.get(member.state, set()):
            raise ValidationError(
                _("An application that is “%(from)s” cannot become “%(to)s”.")
                % {"from": Application.State(member.state).label,
                   "to": Application.State(to_state).label if to_state in Application.State.values else to_state}
            )
    takes = [m for m in group if to_state in Application.PLACE_STATES and m.state not in Application.PLACE_STATES]
    if takes and _places_taken(cohort) + len(takes) > cohort.capacity:
        raise ValidationError(
            _("The cohort is full (%(capacity)s places). Wait-list the application instead.")
            % {"capacity": cohort.capacity} if len(takes) == 1 else
            _("The cohort has fewer than two places left (%(capacity)s in all): a pair needs two. "
              "Wait-list the pair instead.") % {"capacity": cohort.capacity}
        )
    for member in group:
        from_state = member.state
        member.state = to_state
        member.save(update_fields=["state"])
        _record_state(member, from_state, to_state, actor, note)
        if to_state == Application.State.SELECTED:
            _invite_public(member, actor)
    return application


# ---------------------------------------------------------------- attendance and completion
@transaction.atomic
def attendance_record(*, day: CohortDay, present: dict[int, bool], actor: User) -> int:
    """Mark who was there on one day ({application id: present}); only enrolled people count,
    and only once the day has come (attendance is a record of what happened)."""
    today = timezone.localdate()
    if day.date > today:
        raise ValidationError(
            _("Attendance for %(date)s can be recorded from that day on, not before.")
            % {"date": day.date.isoformat()}
        )
    enrolled = set(
        Application.objects.filter(
            cohort_id=day.cohort_id, state=Application.State.ENROLLED, pk__in=list(present)
        ).values_list("pk", flat=True)
    )
    unknown = set(present) - enrolled
    if unknown:
        raise ValidationError(_("Attendance can only be recorded for enrolled applicants."))
    for application_id, is_present in present.items():
        Attendance.objects.update_or_create(
            day=day, application_id=application_id,
            defaults={"present": bool(is_present), "recorded_by": actor, "recorded_at": timezone.now()},
        )
    audit_record(actor=actor, action="attendance.record", target=day, data={"count": len(present)})
    return len(present)


def _attended_hours(application: Application) -> tuple[Decimal, bool]:
    days = list(CohortDay.objects.filter(cohort_id=application.cohort_id).values_list("pk", "hours"))
    present = set(
        Attendance.objects.filter(application=application, present=True).values_list("day_id", flat=True)
    )
    hours = sum((h for pk, h in days if pk in present), Decimal("0"))
    return hours, bool(days) and all(pk in present for pk, _h in days)


def _next_completion_sequence(body: TrainingBody, year: int) -> int:
    """One more than the highest serial of the body's completions of `year` (the body row is
    locked by the caller). Read from the numbers, so imported ones are never taken twice."""
    numbers = Completion.objects.filter(body=body, number__startswith=f"{body.number_prefix}-C{year}-")
    serials = [int(m["seq"]) for m in map(COMPLETION_NUMBER_RE.match, numbers.values_list("number", flat=True)) if m]
    return max(serials, default=0) + 1


def _completion_number_for(body: TrainingBody, number: str, completed_on: datetime.date) -> str:
    """The number a new completion gets: the next serial of its year, or the imported one
    (with or without its check code: one is added, a wrong one refused)."""
    if not number:
        year = completed_on.year
        return completion_number(body=body, year=year, sequence=_next_completion_sequence(body, year))
    typed = number_normalise(number)
    match = COMPLETION_NUMBER_RE.match(typed) or COMPLETION_BASE_RE.match(typed)
    if not match or match["prefix"] != body.number_prefix:
        raise ValidationError(
            {"number": _("The completion number does not follow this body's format (%(example)s).")
             % {"example": f"{body.number_prefix}-C2025-0153"}}
        )
    base = f"{match['prefix']}-C{match['year']}-{match['seq']}"
    full = number_with_check(secret=body.check_secret, base=base)
    if "check" in match.groupdict() and full != typed:
        raise ValidationError({"number": _("The number's check code is wrong.")})
    if Completion.objects.filter(body=body, number=full).exists():
        raise ValidationError({"number": _("This completion number is already in the register.")})
    return full


@transaction.atomic
def completion_issue(
    *, person: User, course: Course, completed_on: datetime.date, actor: User | None,
    cohort: Cohort | None = None, hours: Decimal = Decimal("0"), number: str = "", notify: bool = True,
    today: datetime.date | None = None,
) -> Completion:
    """Record a completed course (修了) on the day it was completed (never a day to come). It
    never expires; its number carries the body's check code, so it can be verified."""
    if completed_on > (today or timezone.localdate()):
        raise ValidationError({"completed_on": _("A course cannot be completed on a day that has not come.")})
    body = TrainingBody.objects.select_for_update().get(pk=course.body_id)
    completion = Completion(
        body=body, course=course, cohort=cohort, person=person, completed_on=completed_on,
        hours=hours, number=_completion_number_for(body, number, completed_on),
    )
    completion.full_clean()
    completion.save()
    audit_record(actor=actor, action="completion.issue", target=completion, data={"number": completion.number})
    if cohort is not None and course.ce_category_id and hours:
        ContinuingEducation.objects.get_or_create(
            person=person, cohort=cohort,
            defaults={
                "body": body, "date": completed_on, "provider": str(body), "title": course.title,
                "hours": hours, "category_id": course.ce_category_id,
                "review": ContinuingEducation.Review.ACCEPTED,
            },
        )
    title = course.title
    number_text = completion.number
    if notify:
        _notify(person, lambda: _("You have completed %(course)s") % {"course": title}, [
            lambda: _("Congratulations. Your completion number is %(number)s.") % {"number": number_text},
        ])
    return completion


@transaction.atomic
def cohort_complete(*, cohort: Cohort, actor: User, on: datetime.date | None = None) -> list[Completion]:
    """Apply the course's completion rule to everyone enrolled; those who meet it complete.

    Not before the cohort's last day (`on`, today unless given, is the day this is done). The
    completion date recorded, and printed on the 修了証, is the cohort's last day: the day the
    course was completed, however much later staff record it."""
    cohort = _lock_cohort(cohort)
    course = cohort.course
    on = on or timezone.localdate()
    last_day = CohortDay.objects.filter(cohort=cohort).order_by("-date").values_list("date", flat=True).first()
    if last_day is not None and on < last_day:
        raise ValidationError(
            _("This cohort's last day is %(date)s: it can be completed from that day on.")
            % {"date": last_day.isoformat()}
        )
    completed_on = last_day or on
    issued = []
    for application in Application.objects.filter(cohort=cohort, state=Application.State.ENROLLED).select_related("applicant"):
        hours, every_day = _attended_hours(application)
        if course.completion_rule == Course.CompletionRule.ALL_DAYS:
            meets = every_day
        else:
            meets = hours >= (course.minimum_hours or 0)
        if not meets:
            continue
        issued.append(completion_issue(person=application.applicant, course=course, completed_on=completed_on,
                                       actor=actor, cohort=cohort, hours=hours, today=on))
        application.state = Application.State.COMPLETED
        application.save(update_fields=["state"])
        _record_state(application, Application.State.ENROLLED, Application.State.COMPLETED, actor)
    return issued


# ---------------------------------------------------------------- certifications
def _certification_history(certification, from_status, event, actor=None, reason="", override_reason="") -> None:
    """Append one row to the status history (never edit one: the history is evidence)."""
    CertificationStatusChange.objects.create(
        certification=certification, from_status=from_status, to_status=certification.status,
        event=event, actor=actor if actor is not None and actor.pk else None,
        reason=reason[:300], override_reason=override_reason, valid_until=certification.valid_until,
    )


def renewal_late_limit(certification: Certification) -> datetime.date | None:
    """The last day the certification can still be renewed (late); after it, the person is
    certified again (certification_recertify). None for one that does not expire."""
    if certification.grace_until is None:
        return None
    return add_months(certification.grace_until, certification.credential_type.late_renewal_limit_months)


@transaction.atomic
def certification_issue(
    *, credential_type: CredentialType, holder: User, actor: User | None,
    issued_on: datetime.date | None = None, basis: Completion | None = None,
    imported_number: str = "", valid_until: datetime.date | None = None, notify: bool = True,
) -> Certification:
    """Certify a person once the credential type's requirements are met (the initial course
    completed). Imports pass the body's existing number (with or without its check code: one
    is added) and dates."""
    body = TrainingBody.objects.select_for_update().get(pk=credential_type.body_id)
    issued_on = issued_on or timezone.localdate()
    if credential_type.initial_course_id and not imported_number:
        basis = basis or Completion.objects.filter(
            person=holder, course_id=credential_type.initial_course_id
        ).order_by("-completed_on").first()
        if basis is None or basis.course_id != credential_type.initial_course_id:
            raise ValidationError(
                _("%(name)s has not completed %(course)s.")
                % {"name": holder.display_name, "course": credential_type.initial_course.title}
            )
    held = (
        Certification.objects.filter(holder=holder, credential_type=credential_type, replaced_on__isnull=True)
        .exclude(status=Certification.Status.REVOKED).select_related("credential_type").first()
    )
    if held is not None:
        limit = renewal_late_limit(held)
        if held.status == Certification.Status.LAPSED and limit is not None and timezone.localdate() > limit:
            raise ValidationError(
                _("%(number)s lapsed and can no longer be renewed: certify the person again from its page.")
                % {"number": held.number}
            )
        raise ValidationError(_("This person already holds this credential."))
    if imported_number:
        imported_number = number_normalise(imported_number)
        match = NUMBER_RE.match(imported_number) or BASE_NUMBER_RE.match(imported_number)
        if not match or match["prefix"] != body.number_prefix:
            raise ValidationError(
                {"number": _("The number does not follow this body's format (%(example)s).")
                 % {"example": f"{body.number_prefix}-2025-0153"}}
            )
        year, sequence = int(match["year"]), int(match["seq"])
        number = certification_number(body=body, year=year, sequence=sequence)
        if "check" in match.groupdict() and number != imported_number:
            raise ValidationError({"number": _("The number's check code is wrong.")})
        if Certification.objects.filter(body=body, year=year, sequence=sequence).exists():
            raise ValidationError({"number": _("This number is already in the register.")})
    else:
        year = issued_on.year
        sequence = _next_sequence(body, year)
        number = certification_number(body=body, year=year, sequence=sequence)
    dates = cycle_dates(credential_type, issued_on)
    if valid_until is not None and credential_type.expires:
        dates["valid_until"] = valid_until
        dates["renewal_due_from"] = valid_until - datetime.timedelta(days=credential_type.renewal_window_days)
        dates["grace_until"] = valid_until + datetime.timedelta(days=credential_type.grace_days)
    certification = Certification(
        body=body, credential_type=credential_type, holder=holder, number=number, year=year,
        sequence=sequence, basis=basis, issued_on=issued_on, cycle_started_on=issued_on, **dates,
    )
    certification.status = status_for_dates(certification, timezone.localdate())
    certification.full_clean()
    certification.save()
    _certification_history(
        certification, "",
        CertificationStatusChange.Event.IMPORTED if imported_number else CertificationStatusChange.Event.ISSUED,
        actor,
    )
    audit_record(actor=actor, action="certification.issue", target=certification, data={"number": number})
    ctype_name = credential_type.name
    if notify:
        _notify(holder, lambda: _("You are certified: %(type)s") % {"type": ctype_name}, [
            lambda: _("Your certificate number is %(number)s.") % {"number": number},
            lambda: _("Anyone can check it on the verification page."),
        ])
    return certification


def _lock_certification(certification: Certification) -> Certification:
    return (
        Certification.objects.select_for_update()
        .select_related("credential_type", "holder", "body")
        .get(pk=certification.pk)
    )


def _override_reason(override_reason: str) -> RenewalOverrideReason:
    if override_reason not in RenewalOverrideReason.values:
        raise ValidationError({"override_reason": _("Choose the reason for the exception from the list.")})
    return RenewalOverrideReason(override_reason)


@transaction.atomic
def certification_renew(
    *, certification: Certification, actor: User, on: datetime.date | None = None, override: bool = False,
    override_reason: str = "", reason: str = "",
) -> Certification:
    """Start a new cycle, keeping the number, once the renewal window has opened and the
    credential type's requirements are met. Refused once the late-renewal limit has passed
    (the person is then certified again: certification_recertify).

    By exception (`override`): staff renew without the requirements, giving one of
    RenewalOverrideReason and the reason in words (`reason`); before the renewal window only
    for a reason whose `allows_early_renewal` is true. The history and the holder's email say
    it was an exception, and why. An open renewal request of the holder is closed as renewed."""
    from .selectors import renewal_progress

    override = override or bool(override_reason)
    if override:
        exception = _override_reason(override_reason)
        reason = _require_reason(reason)
    certification = _lock_certification(certification)
    ctype = certification.credential_type
    on = on or timezone.localdate()
    S = Certification.Status
    if not ctype.expires:
        raise ValidationError(_("This credential does not expire and needs no renewal."))
    if certification.replaced_on is not None:
        raise ValidationError(_("This certification was replaced by a re-certification; renew the new one."))
    if certification.status in (S.SUSPENDED, S.REVOKED):
        raise ValidationError(_("A suspended or revoked certification cannot be renewed."))
    late_limit = renewal_late_limit(certification)
    if on > late_limit:
        raise ValidationError(
            _("The late-renewal limit passed on %(date)s: certify the person again instead.")
            % {"date": late_limit.isoformat()}
        )
    if on < certification.renewal_due_from:
        opens = _("Renewal opens on %(date)s.") % {"date": certification.renewal_due_from.isoformat()}
        if not override:
            raise ValidationError(opens)
        if not exception.allows_early_renewal:
            early = "、".join(str(r.label) for r in RenewalOverrideReason if r.allows_early_renewal)
            raise ValidationError({"override_reason": " ".join([
                opens, _("Before then, renewal by exception is possible only for: %(reasons)s.") % {"reasons": early},
            ])})
    progress = renewal_progress(certification)
    if progress.missing and not override:
        raise ValidationError(progress.missing)
    start = certification.valid_until + datetime.timedelta(days=1)
    if on > certification.grace_until:  # late renewal: the new cycle starts today
        start = on
    from_status = certification.status
    certification.cycle += 1
    certification.cycle_started_on = start
    for key, value in cycle_dates(ctype, start).items():
        setattr(certification, key, value)
    certification.status = status_for_dates(certification, on)
    certification.status_reason = ""
    certification.full_clean()
    certification.save()
    Event = CertificationStatusChange.Event
    _certification_history(
        certification, from_status, Event.RENEWED_OVERRIDE if override else Event.RENEWED, actor,
        reason if override else "", exception.value if override else "",
    )
    RenewalRequest.objects.filter(certification=certification, outcome=RenewalRequest.Outcome.OPEN).update(
        outcome=RenewalRequest.Outcome.RENEWED, closed_at=timezone.now(), closed_by=actor if actor and actor.pk else None,
    )
    audit_record(actor=actor, action="certification.renew", target=certification,
                 data={"cycle": certification.cycle, "override": override,
                       "override_reason": exception.value if override else "",
                       "missing": len(progress.missing)})
    until = certification.valid_until.isoformat()
    number = certification.number
    lines = [lambda: _("Certificate %(number)s is now valid until %(date)s.") % {"number": number, "date": until}]
    if override:
        lines.append(lambda: _("This renewal was made by exception (%(reason)s): %(text)s")
                     % {"reason": exception.label, "text": reason})
    _notify(certification.holder, lambda: _("Your certification has been renewed"), lines)
    return certification


@transaction.atomic
def certification_recertify(
    *, certification: Certification, actor: User | None, on: datetime.date | None = None, notify: bool = True,
) -> Certification:
    """Certify again someone whose certification lapsed past its late-renewal limit: a new
    certification, linked to the lapsed one (`recertification_of`), which keeps its own record
    and history and is marked replaced. The body's `recertification_keeps_number` decides
    whether the new one keeps the old number or gets the next one; verifying the old number
    then points to the new certification. Where the credential type asks for an initial
    course, it must have been completed again after the lapse."""
    old = _lock_certification(certification)
    body = TrainingBody.objects.select_for_update().get(pk=old.body_id)
    ctype = old.credential_type
    on = on or timezone.localdate()
    S = Certification.Status
    if old.replaced_on is not None:
        raise ValidationError(_("This certification has already been followed by a re-certification."))
    if old.status != S.LAPSED:
        raise ValidationError(_("Only a lapsed certification can be followed by a re-certification."))
    late_limit = renewal_late_limit(old)
    if late_limit is not None and on <= late_limit:
        raise ValidationError(
            _("It can still be renewed late until %(date)s: renew it instead.") % {"date": late_limit.isoformat()}
        )
    if Certification.objects.filter(
        holder=old.holder, credential_type=ctype, replaced_on__isnull=True
    ).exclude(pk=old.pk).exclude(status=S.REVOKED).exists():
        raise ValidationError(_("This person already holds this credential."))
    basis = None
    if ctype.initial_course_id:
        lapsed_on = old.grace_until + datetime.timedelta(days=1) if old.grace_until else old.issued_on
        basis = (
            Completion.objects.filter(person=old.holder, course_id=ctype.initial_course_id, completed_on__gte=lapsed_on)
            .order_by("-completed_on").first()
        )
        if basis is None:
            raise ValidationError(
                _("To be certified again, %(name)s must complete %(course)s again after the lapse on %(date)s.")
                % {"name": old.holder.display_name, "course": ctype.initial_course.title,
                   "date": lapsed_on.isoformat()}
            )
    if body.recertification_keeps_number:
        year, sequence, number = old.year, old.sequence, old.number
    else:
        year = on.year
        sequence = _next_sequence(body, year)
        number = certification_number(body=body, year=year, sequence=sequence)
    old.replaced_on = on
    old.save(update_fields=["replaced_on"])
    new = Certification(
        body=body, credential_type=ctype, holder=old.holder, number=number, year=year, sequence=sequence,
        basis=basis, issued_on=on, cycle_started_on=on, recertification_of=old,
        show_name_publicly=old.show_name_publicly, **cycle_dates(ctype, on),
    )
    new.status = status_for_dates(new, timezone.localdate())
    new.full_clean()
    new.save()
    Event = CertificationStatusChange.Event
    _certification_history(old, old.status, Event.SUPERSEDED, actor, new.number)
    _certification_history(new, "", Event.RECERTIFIED, actor, old.number)
    audit_record(actor=actor, action="certification.recertify", target=new,
                 data={"number": new.number, "previous": old.pk, "previous_number": old.number})
    if notify:
        ctype_name = ctype.name
        _notify(old.holder, lambda: _("You are certified again: %(type)s") % {"type": ctype_name}, [
            lambda: _("Your certificate number is %(number)s.") % {"number": number},
            lambda: _("Anyone can check it on the verification page."),
        ])
    return new


# ---------------------------------------------------------------- renewal requests
@transaction.atomic
def renewal_request_submit(*, certification: Certification, holder: User, note: str = "") -> RenewalRequest:
    """The holder asks the body to renew, once the renewal window is open and the requirements
    are met (the selector's renewal progress decides). One open request at a time."""
    from .selectors import renewal_progress

    certification = _lock_certification(certification)
    if certification.holder_id != holder.pk:
        raise PermissionDenied
    progress = renewal_progress(certification)
    if not progress.renewable_now:
        raise ValidationError(_("This certification cannot be renewed now."))
    if progress.missing:
        raise ValidationError(progress.missing)
    if RenewalRequest.objects.filter(certification=certification, outcome=RenewalRequest.Outcome.OPEN).exists():
        raise ValidationError(_("You have already asked for renewal; the training body will reply."))
    request = RenewalRequest(certification=certification, cycle=certification.cycle, note=(note or "").strip()[:300])
    request.full_clean()
    request.save()
    _certification_history(certification, certification.status,
                           CertificationStatusChange.Event.RENEWAL_REQUESTED, holder, request.note)
    audit_record(actor=holder, action="certification.renewal_request", target=certification,
                 data={"request": request.pk})
    number = certification.number
    _notify(holder, lambda: _("We have received your request for renewal"), [
        lambda: _("The training body will review your request to renew certificate %(number)s.") % {"number": number},
    ])
    return request


@transaction.atomic
def renewal_request_decline(*, renewal_request: RenewalRequest, actor: User, reason: str) -> RenewalRequest:
    """Staff decline an open renewal request, saying why (the holder is told)."""
    reason = _require_reason(reason)
    renewal_request = RenewalRequest.objects.select_for_update(of=("self",)).select_related(
        "certification__holder").get(pk=renewal_request.pk)
    if renewal_request.outcome != RenewalRequest.Outcome.OPEN:
        raise ValidationError(_("This renewal request has already been answered."))
    renewal_request.outcome = RenewalRequest.Outcome.DECLINED
    renewal_request.closed_at = timezone.now()
    renewal_request.closed_by = actor
    renewal_request.save(update_fields=["outcome", "closed_at", "closed_by"])
    certification = renewal_request.certification
    _certification_history(certification, certification.status,
                           CertificationStatusChange.Event.RENEWAL_DECLINED, actor, reason)
    audit_record(actor=actor, action="certification.renewal_decline", target=certification,
                 data={"request": renewal_request.pk, "reason": reason})
    number = certification.number
    _notify(certification.holder, lambda: _("Your request for renewal"), [
        lambda: _("The training body could not yet renew certificate %(number)s:") % {"number": number},
        reason,
    ])
    return renewal_request


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason; it is kept in the history.")})
    return reason


@transaction.atomic
def certification_suspend(*, certification: Certification, actor: User, reason: str) -> Certification:
    reason = _require_reason(reason)
    certification = _lock_certification(certification)
    if certification.status in (Certification.Status.SUSPENDED, Certification.Status.REVOKED):
        raise ValidationError(_("This certification is already suspended or revoked."))
    return _set_status(certification, Certification.Status.SUSPENDED, CertificationStatusChange.Event.SUSPENDED, actor, reason)


@transaction.atomic
def certification_reinstate(*, certification: Certification, actor: User, reason: str) -> Certification:
    reason = _require_reason(reason)
    certification = _lock_certification(certification)
    if certification.status != Certification.Status.SUSPENDED:
        raise ValidationError(_("Only a suspended certification can be reinstated."))
    new_status = status_for_dates(certification, timezone.localdate())
    return _set_status(certification, new_status, CertificationStatusChange.Event.REINSTATED, actor, reason)


@transaction.atomic
def certification_revoke(*, certification: Certification, actor: User, reason: str) -> Certification:
    reason = _require_reason(reason)
    certification = _lock_certification(certification)
    if certification.status == Certification.Status.REVOKED:
        raise ValidationError(_("This certification is already revoked."))
    return _set_status(certification, Certification.Status.REVOKED, CertificationStatusChange.Event.REVOKED, actor, reason)


def _set_status(certification, status, event, actor, reason) -> Certification:
    from_status = certification.status
    certification.status = status
    certification.status_reason = reason
    certification.full_clean()
    certification.save(update_fields=["status", "status_reason"])
    _certification_history(certification, from_status, event, actor, reason)
    audit_record(actor=actor, action=f"certification.{event}", target=certification, data={"reason": reason})
    label = Certification.Status(status).label
    _notify(certification.holder, lambda: _("Your certification: %(status)s") % {"status": label}, [
        lambda: _("Certificate %(number)s is now: %(status)s.") % {"number": certification.number, "status": label},
        reason,
    ])
    return certification


@transaction.atomic
def certification_set_public_name(*, certification: Certification, holder: User, show: bool) -> None:
    """Only the holder decides whether their name shows on the public verification page."""
    if certification.holder_id != holder.pk:
        raise PermissionDenied
    Certification.objects.filter(pk=certification.pk).update(show_name_publicly=show)
    audit_record(actor=holder, action="certification.public_name", target=certification, data={"show": show})


@transaction.atomic
def completion_set_public_name(*, completion: Completion, person: User, show: bool) -> None:
    """As for certifications: only the person decides whether their name shows when someone
    verifies their completion number."""
    if completion.person_id != person.pk:
        raise PermissionDenied
    Completion.objects.filter(pk=completion.pk).update(show_name_publicly=show)
    audit_record(actor=person, action="completion.public_name", target=completion, data={"show": show})


# ---------------------------------------------------------------- daily sweep
def _sweep_sql(to_status: str, from_statuses: list[str], condition: str, today, now) -> tuple[str, str, list]:
    """INSERT … SELECT of the history rows, and the UPDATE, for one transition."""
    cert = connection.ops.quote_name(Certification._meta.db_table)
    hist = connection.ops.quote_name(CertificationStatusChange._meta.db_table)
    placeholders = ", ".join(["%s"] * len(from_statuses))
    where = f"status IN ({placeholders}) AND {condition}"
    insert = (
        f"INSERT INTO {hist} (certification_id, from_status, to_status, event, at, actor_id, reason, valid_until) "
        f"SELECT id, status, %s, %s, %s, NULL, '', valid_until FROM {cert} WHERE {where}"
    )
    update = f"UPDATE {cert} SET status = %s WHERE {where}"
    return insert, update, [*from_statuses, connection.ops.adapt_datefield_value(today)]


@transaction.atomic
def certification_sweep(*, today: datetime.date | None = None) -> dict[str, int]:
    """Move every certification whose dates were reached to its new status: three transitions,
    each one INSERT … SELECT into the history and one UPDATE, whatever the number of rows."""
    today = today or timezone.localdate()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    S = Certification.Status
    steps = [
        (S.LAPSED, [S.ACTIVE, S.EXPIRING, S.GRACE], "grace_until < %s"),
        (S.GRACE, [S.ACTIVE, S.EXPIRING], "valid_until < %s"),
        (S.EXPIRING, [S.ACTIVE], "renewal_due_from <= %s"),
    ]
    counts = {}
    with connection.cursor() as cursor:
        for to_status, from_statuses, condition in steps:
            insert, update, where_params = _sweep_sql(to_status, [str(s) for s in from_statuses], condition, today, now)
            cursor.execute(insert, [str(to_status), CertificationStatusChange.Event.SWEEP.value, now, *where_params])
            cursor.execute(update, [str(to_status), *where_params])
            counts[str(to_status)] = cursor.rowcount
    audit_record(actor=None, action="certification.sweep", target=TrainingBody(), data={"date": today.isoformat(), **counts})
    return counts


# ---------------------------------------------------------------- reminders
def _notify_reminder(certification: Certification, missing: list[str]) -> None:
    until = certification.valid_until.isoformat()
    number = certification.number

    def missing_text() -> str:
        if not missing:
            return _("You have everything needed: apply for renewal.")
        return _("Still missing for renewal:") + "\n" + "\n".join(f"・{m}" for m in missing)

    _notify(certification.holder, lambda: _("Your certification needs renewing"), [
        lambda: _("Certificate %(number)s is valid until %(date)s.") % {"number": number, "date": until},
        missing_text,
    ])


def reminders_send(*, today: datetime.date | None = None) -> int:
    """Send each due reminder once: at the offsets the credential type sets (days before
    expiry; negative = during grace), each listing what is still missing for renewal."""
    from .selectors import renewal_progress

    today = today or timezone.localdate()
    S = Certification.Status
    sent = 0
    for ctype in CredentialType.objects.filter(expires=True).exclude(reminder_offsets=[]):
        offsets = sorted({int(o) for o in ctype.reminder_offsets}, reverse=True)
        if not offsets:
            continue
        horizon = today + datetime.timedelta(days=max(offsets))
        candidates = Certification.objects.filter(
            credential_type=ctype, status__in=[S.ACTIVE, S.EXPIRING, S.GRACE], valid_until__lte=horizon
        ).select_related("holder", "credential_type")
        # What was already sent, read once, so only certifications with a reminder due cost more.
        already = set(
            ReminderSent.objects.filter(
                certification__credential_type=ctype,
                certification__status__in=[S.ACTIVE, S.EXPIRING, S.GRACE],
                certification__valid_until__lte=horizon, channel=ReminderSent.Channel.EMAIL,
            ).values_list("certification_id", "cycle", "offset_days")
        )
        for certification in candidates.iterator(chunk_size=2000):
            days_left = (certification.valid_until - today).days
            due = [o for o in offsets if days_left <= o]
            if not due or (days_left < 0 and today > certification.grace_until):
                continue
            offset = min(due)  # the latest one reached; earlier missed ones are not sent late
            if (certification.pk, certification.cycle, offset) in already:
                continue
            with transaction.atomic():
                # What is missing is worded in the holder's language, as the email is.
                with translation.override(certification.holder.language or settings.LANGUAGE_CODE):
                    missing = [str(m) for m in renewal_progress(certification).missing]
                _reminder, created = ReminderSent.objects.get_or_create(
                    certification=certification, cycle=certification.cycle, offset_days=offset,
                    channel=ReminderSent.Channel.EMAIL, defaults={"missing": missing},
                )
                if not created:
                    continue
                _notify_reminder(certification, missing)
                sent += 1
    return sent


@dataclass(frozen=True)
class ManualReminderPlan:
    """Who a manual renewal reminder would reach, before staff confirm it."""

    to_send: list[Certification]
    not_renewable: int  # no expiry date, or lapsed, suspended or revoked
    reminded_today: int  # already had a reminder (either kind) today

    @property
    def people(self) -> int:
        return len({c.holder_id for c in self.to_send})


def reminder_manual_plan(*, certifications, today: datetime.date | None = None) -> ManualReminderPlan:
    """Split the selected certifications into those a manual reminder would go to and those it
    would skip (two queries, whatever their number). Reads only; reminder_manual_send sends."""
    today = today or timezone.localdate()
    S = Certification.Status
    selected = list(certifications)
    renewable = [c for c in selected if c.valid_until is not None and c.status in (S.ACTIVE, S.EXPIRING, S.GRACE)]
    today_keys = {(c.pk, c.cycle, (c.valid_until - today).days) for c in renewable}
    already = set(
        ReminderSent.objects.filter(certification_id__in=[c.pk for c in renewable])
        .values_list("certification_id", "cycle", "offset_days")
    ) & today_keys
    to_send = [c for c in renewable if (c.pk, c.cycle, (c.valid_until - today).days) not in already]
    return ManualReminderPlan(to_send=to_send, not_renewable=len(selected) - len(renewable),
                              reminded_today=len(renewable) - len(to_send))


@transaction.atomic
def reminder_manual_send(*, certifications, actor: User, today: datetime.date | None = None) -> ManualReminderPlan:
    """Send a renewal reminder now to each selected certification that can still be renewed,
    listing what is missing (as the scheduled ones do), and record each in the reminder log as
    sent by staff, with the days left today as its offset: the log's rule (one reminder per
    certification, cycle and offset) then keeps a person to one reminder a day, whoever sends
    it. Returns what was sent and what was skipped. Certifications are locked while deciding,
    so two staff confirming at once send each reminder once."""
    from .selectors import renewal_progress_list

    today = today or timezone.localdate()
    ids = sorted(c.pk for c in certifications)
    locked = list(
        Certification.objects.select_for_update(of=("self",)).filter(pk__in=ids)
        .select_related("holder", "credential_type").order_by("pk")
    )
    plan = reminder_manual_plan(certifications=locked, today=today)
    by_language: dict[str, list[Certification]] = {}
    for certification in plan.to_send:
        by_language.setdefault(certification.holder.language or settings.LANGUAGE_CODE, []).append(certification)
    missing: dict[int, list[str]] = {}
    for language, group in by_language.items():
        # What is missing is worded in the holder's language, as the email is.
        with translation.override(language):
            for progress in renewal_progress_list(group):
                missing[progress.certification.pk] = [str(m) for m in progress.missing]
    ReminderSent.objects.bulk_create([
        ReminderSent(certification=c, cycle=c.cycle, offset_days=(c.valid_until - today).days,
                     kind=ReminderSent.Kind.MANUAL, missing=missing[c.pk])
        for c in plan.to_send
    ])
    for certification in plan.to_send:
        audit_record(actor=actor, action="certification.remind", target=certification,
                     data={"offset_days": (certification.valid_until - today).days})
        _notify_reminder(certification, missing[certification.pk])
    return plan


# ---------------------------------------------------------------- continuing education
@transaction.atomic
def ce_record_add(
    *, person: User, body: TrainingBody, date: datetime.date, provider: str, hours: Decimal,
    category: CECategory, title: str = "", evidence=None, actor: User | None = None,
) -> ContinuingEducation:
    if category.body_id != body.pk:
        raise ValidationError({"category": _("Choose a category of this training body.")})
    record = ContinuingEducation(
        person=person, body=body, date=date, provider=provider, hours=hours, category=category,
        title=title,
    )
    if evidence is not None:
        try:
            evidence_check(evidence)  # PDF, JPEG, PNG or HEIC by content, within the size limit
        except ValidationError as error:
            raise ValidationError({"evidence": error.error_list}) from error
        record.evidence = evidence
    record.full_clean()
    record.save()
    audit_record(actor=actor or person, action="ce.add", target=record)
    return record


@transaction.atomic
def ce_credit_practice_withdraw(*, person_id: int, source_ref: str) -> int:
    """Take back the hours credited for one piece of practice (an entry its author corrected
    goes back for verification; verifying it again credits the corrected hours)."""
    deleted, _detail = ContinuingEducation.objects.filter(
        person_id=person_id, source_ref=source_ref
    ).exclude(source_ref="").delete()
    return deleted


def ce_credit_practice(*, items: list[dict]) -> int:
    """Credit verified peer-support practice (activity entries, confirmed supervision) as
    continuing-education hours, wherever the person holds a live certification whose credential
    type says practice counts (`practice_ce_category`). Each item: person_id, date, hours,
    provider, title, source_ref. Never twice for the same source; three queries for any number.

    Called by collaboration when it verifies entries (the dependency runs that way)."""
    if not items:
        return 0
    S = Certification.Status
    person_ids = {item["person_id"] for item in items}
    targets: dict[int, list[tuple[int, int]]] = {}
    for person_id, body_id, category_id in (
        Certification.objects.filter(
            holder_id__in=person_ids, status__in=[S.ACTIVE, S.EXPIRING, S.GRACE],
            credential_type__practice_ce_category__isnull=False,
        )
        .values_list("holder_id", "body_id", "credential_type__practice_ce_category_id")
        .distinct()
    ):
        targets.setdefault(person_id, []).append((body_id, category_id))
    if not targets:
        return 0
    refs = {item["source_ref"] for item in items}
    existing = set(
        ContinuingEducation.objects.filter(person_id__in=targets, source_ref__in=refs).values_list(
            "person_id", "body_id", "source_ref"
        )
    )
    records = []
    for item in items:
        for body_id, category_id in targets.get(item["person_id"], []):
            key = (item["person_id"], body_id, item["source_ref"])
            if key in existing or item["hours"] <= 0:
                continue
            existing.add(key)
            records.append(
                ContinuingEducation(
                    person_id=item["person_id"], body_id=body_id, category_id=category_id,
                    date=item["date"], hours=item["hours"], provider=item["provider"][:200],
                    title=item.get("title", "")[:200], source_ref=item["source_ref"],
                )
            )
    ContinuingEducation.objects.bulk_create(records)
    return len(records)


@transaction.atomic
def ce_sample(*, body: TrainingBody, actor: User, size: int, seed: int | None = None) -> list[ContinuingEducation]:
    """Pick `size` unreviewed records at random and ask for their evidence: each person is told by
    email, in their language, which records, what to upload and by when (the body's
    `evidence_due_days` from today). Until accepted, the hours count as waiting, not earned."""
    ids = list(
        ContinuingEducation.objects.filter(body=body, review=ContinuingEducation.Review.NOT_REVIEWED)
        .values_list("pk", flat=True)
    )
    rng = random.Random(seed) if seed is not None else random.SystemRandom()
    chosen = rng.sample(ids, min(size, len(ids)))
    due_on = timezone.localdate() + datetime.timedelta(days=body.evidence_due_days)
    ContinuingEducation.objects.filter(pk__in=chosen).update(
        review=ContinuingEducation.Review.SAMPLED, evidence_due_on=due_on, review_reason="",
        evidence_submitted_at=None,
    )
    audit_record(actor=actor, action="ce.sample", target=body,
                 data={"ids": chosen, "due_on": due_on.isoformat()})
    records = list(
        ContinuingEducation.objects.filter(pk__in=chosen).select_related("person", "category")
        .order_by("person_id", "date", "id")
    )
    by_person: dict[int, list[ContinuingEducation]] = {}
    for record in records:
        by_person.setdefault(record.person_id, []).append(record)
    body_name = body.organisation.name
    for person_records in by_person.values():
        _notify_evidence_request(person_records[0].person, person_records, body_name=body_name, due_on=due_on)
    return records


def _record_line(record: ContinuingEducation) -> str:
    title = f" {record.title}" if record.title else ""
    return _("・%(date)s %(provider)s%(title)s, %(category)s, %(hours)s hours") % {
        "date": formats.date_format(record.date, "DATE_FORMAT"), "provider": record.provider,
        "title": title, "category": record.category.name, "hours": f"{record.hours.normalize():f}",
    }


def _notify_evidence_request(person: User, records: list[ContinuingEducation], *, body_name: str,
                             due_on: datetime.date) -> None:
    _notify(person, lambda: _("Please send evidence for your continuing education"), [
        lambda: _(
            "%(body)s checks a random sample of continuing-education records, and picked these of yours:"
        ) % {"body": body_name},
        lambda: "\n".join(_record_line(record) for record in records),
        lambda: _(
            "Please upload evidence for each (a certificate of attendance, a receipt or the programme "
            "with your name: a PDF, JPEG, PNG or HEIC file) by %(date)s, on your training page "
            "under “Evidence requested”."
        ) % {"date": formats.date_format(due_on, "DATE_FORMAT")},
        lambda: _("Until the evidence is accepted these hours count as waiting, not yet toward renewal."),
    ])


@transaction.atomic
def ce_evidence_submit(*, record: ContinuingEducation, person: User, evidence) -> ContinuingEducation:
    """The person sends the evidence asked for (until the due date; again after a rejection).
    The record then waits for staff review; an earlier file is replaced."""
    record = ContinuingEducation.objects.select_for_update().get(pk=record.pk)
    if record.person_id != person.pk:
        raise PermissionDenied
    if not record.evidence_asked:
        raise ValidationError({"evidence": _(
            "Evidence is not asked for this record now (or the date to send it has passed). Nothing was saved."
        )})
    try:
        evidence_check(evidence)
    except ValidationError as error:
        raise ValidationError({"evidence": error.error_list}) from error
    old_name = record.evidence.name if record.evidence else ""
    record.evidence = evidence
    record.review = ContinuingEducation.Review.SUBMITTED
    record.evidence_submitted_at = timezone.now()
    record.full_clean()
    record.save(update_fields=["evidence", "review", "evidence_submitted_at"])
    audit_record(actor=person, action="ce.evidence_submit", target=record)
    if old_name and old_name != record.evidence.name:
        storage = record.evidence.storage
        transaction.on_commit(lambda: storage.delete(old_name))
    return record


@transaction.atomic
def ce_review(*, record: ContinuingEducation, actor: User, accepted: bool, reason: str = "") -> ContinuingEducation:
    """Accept or reject a record's evidence. A rejection needs a reason, which the person is told;
    they may upload again until the due date (the hours stay out of renewal meanwhile)."""
    record = ContinuingEducation.objects.select_for_update(of=("self",)).select_related("person", "category", "body__organisation").get(pk=record.pk)
    reason = (reason or "").strip()
    if not accepted and not reason:
        raise ValidationError({"reason": _("Give a reason for rejecting; the person is told it.")})
    record.review = ContinuingEducation.Review.ACCEPTED if accepted else ContinuingEducation.Review.REJECTED
    record.reviewed_by = actor
    record.review_reason = "" if accepted else reason
    record.full_clean()
    record.save(update_fields=["review", "reviewed_by", "review_reason"])
    audit_record(actor=actor, action="ce.review", target=record, data={"accepted": accepted, "reason": reason})
    if record.evidence_due_on is not None:  # the person was asked for evidence: tell them the outcome
        _notify_review(record, accepted=accepted)
    return record


def _notify_review(record: ContinuingEducation, *, accepted: bool) -> None:
    if accepted:
        _notify(record.person, lambda: _("Your evidence has been accepted"), [
            lambda: _("The evidence you sent for this record has been accepted; its hours count toward renewal:"),
            lambda: _record_line(record),
        ])
        return
    due_on = record.evidence_due_on
    reason = record.review_reason
    _notify(record.person, lambda: _("Your evidence was not accepted"), [
        lambda: _("The evidence you sent for this record was not accepted:"),
        lambda: _record_line(record),
        lambda: _("Reason: %(reason)s") % {"reason": reason},
        (lambda: _("You may upload evidence again on your training page until %(date)s.") % {
            "date": formats.date_format(due_on, "DATE_FORMAT")}) if record.evidence_asked else
        (lambda: _("The date to send evidence has passed, so these hours do not count toward renewal.")),
    ])


def hours_total(person: User, body: TrainingBody, since: datetime.date) -> Decimal:
    """Hours earned: rejected records and those waiting for their evidence check do not count."""
    total = ContinuingEducation.objects.filter(person=person, body=body, date__gte=since).exclude(
        review__in=[ContinuingEducation.Review.REJECTED, *ContinuingEducation.WAITING_REVIEWS]
    ).aggregate(total=Sum("hours"))["total"]
    return total or Decimal("0")



# ---------------------------------------------------------------- credential types and modules
@transaction.atomic
def credential_type_save(
    *, credential_type: CredentialType, actor: User, reminder_offsets: list[int], floors: dict[str, Decimal]
) -> CredentialType:
    """Save a credential type's rules; floors name categories (created when new)."""
    from .models import CEFloor

    credential_type.reminder_offsets = sorted(set(reminder_offsets), reverse=True)
    credential_type.full_clean()
    created = credential_type._state.adding
    credential_type.save()
    credential_type.ce_floors.all().delete()
    for name, hours in floors.items():
        category, _created = CECategory.objects.get_or_create(body_id=credential_type.body_id, name=name)
        CEFloor.objects.create(credential_type=credential_type, category=category, minimum_hours=hours)
    audit_record(
        actor=actor, action="credential_type.create" if created else "credential_type.update",
        target=credential_type, data={"floors": {k: str(v) for k, v in floors.items()}},
    )
    return credential_type


@transaction.atomic
def course_module_add(*, course: Course, title: str, hours: Decimal, actor: User):
    from .models import CurriculumModule

    module = CurriculumModule(course=course, title=title, hours=hours, order=course.modules.count())
    module.full_clean()
    module.save()
    audit_record(actor=actor, action="course.module_add", target=course, data={"module": module.pk})
    return module


# ---------------------------------------------------------------- body settings
@transaction.atomic
def training_body_settings_update(*, body: TrainingBody, actor: User, number_prefix: str,
                                  sequence_digits: int,
                                  recertification_keeps_number: bool | None = None) -> TrainingBody:
    """The body's certificate numbering. The prefix is part of every number already printed on
    a certificate and checked by /verify/, so it can change only until the first one is issued.
    `recertification_keeps_number` (unchanged when None): whether a re-certification after a
    lapse keeps the old number or gets a new one."""
    body = TrainingBody.objects.select_for_update().get(pk=body.pk)
    number_prefix = number_prefix.strip().upper()
    if number_prefix != body.number_prefix and body.certifications.exists():
        raise ValidationError({"number_prefix": _(
            "Certificates have already been issued with this prefix, so it can no longer change."
        )})
    before = {"number_prefix": body.number_prefix, "sequence_digits": body.sequence_digits,
              "recertification_keeps_number": body.recertification_keeps_number}
    body.number_prefix, body.sequence_digits = number_prefix, sequence_digits
    if recertification_keeps_number is not None:
        body.recertification_keeps_number = bool(recertification_keeps_number)
    body.full_clean()
    body.save(update_fields=["number_prefix", "sequence_digits", "recertification_keeps_number"])
    audit_record(actor=actor, action="training_body.settings", target=body,
                 data={"before": before, "after": {"number_prefix": number_prefix,
                                                   "sequence_digits": sequence_digits,
                                                   "recertification_keeps_number": body.recertification_keeps_number}})
    return body


@transaction.atomic
def training_body_evidence_days_update(*, body: TrainingBody, actor: User, evidence_due_days: int) -> TrainingBody:
    """How many days a sampled person has to send evidence (records sampled from now on)."""
    body = TrainingBody.objects.select_for_update().get(pk=body.pk)
    before = body.evidence_due_days
    body.evidence_due_days = evidence_due_days
    body.full_clean()
    body.save(update_fields=["evidence_due_days"])
    audit_record(actor=actor, action="training_body.evidence_days", target=body,
                 data={"before": before, "after": evidence_due_days})
    return body


@transaction.atomic
def ce_category_save(*, body: TrainingBody, actor: User, name: str,
                     category: CECategory | None = None) -> CECategory:
    """Add a continuing-education category, or rename one (records keep pointing at it)."""
    if category is not None and category.body_id != body.pk:
        raise PermissionDenied
    category = category or CECategory(body=body)
    category.name = name.strip()
    category.full_clean()
    category.save()
    audit_record(actor=actor, action="ce_category.save", target=category, data={"name": category.name})
    return category


from .models import Instructor  # noqa: E402 - appended here while services.py becomes a package


@transaction.atomic
def instructor_add(*, cohort: Cohort, actor: User, name: str, is_peer: bool = False,
                   user: User | None = None) -> Instructor:
    """Name an instructor of the cohort (a peer instructor when `is_peer`), audited."""
    instructor = Instructor(cohort=cohort, name=name.strip(), is_peer=is_peer, user=user)
    instructor.full_clean()
    instructor.save()
    audit_record(actor=actor, action="cohort.instructor_add", target=cohort,
                 data={"instructor": instructor.pk, "is_peer": is_peer})
    return instructor
