"""Applications to a cohort: alone or in pairs, invitations of visitors, and moving applications on."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peers.mail import email_lines
from peers.models import Consent, Organisation, Role, User
from peers.selectors import user_get_by_email
from peers.selectors.workforce import person_belongs_to_organisation, person_manages_organisation
from peers.services import audit_record, invitation_issue
from peers.services.privacy import accommodation_consent_for

from ..models import (
    ACCOMMODATION_MAX_CHARS,
    ELIGIBILITY_FOR_ROLE,
    Application,
    ApplicationStateChange,
    Cohort,
    Completion,
    Course,
    Eligibility,
    PairRole,
)
from .common import _notify

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

    def refuse(message, **params):
        error = ValidationError(message, params=params)
        raise ValidationError({field: error} if field else error)

    if Application.objects.filter(cohort=cohort, applicant=person).exists():
        if own:
            refuse(_("You have already applied to this cohort."))
        refuse(_("%(name)s has already applied to this cohort."), name=name)
    if Completion.objects.filter(person=person, course_id=cohort.course_id).exists():
        if own:
            refuse(_("You have already completed %(course)s: a course is completed once."),
                   course=cohort.course.title)
        refuse(_("%(name)s has already completed %(course)s: a course is completed once."),
               name=name, course=cohort.course.title)
    missing = _prerequisites_missing(cohort.course, person)
    if missing:
        courses = "、".join(c.title for c in missing)
        if own:
            refuse(_("Complete these courses first: %(courses)s"), courses=courses)
        refuse(_("%(name)s must complete these courses first: %(courses)s"), name=name, courses=courses)


def _accommodation(applicant: User, text: str, given: bool):
    text = (text or "").strip()
    if len(text) > ACCOMMODATION_MAX_CHARS:
        raise ValidationError({"accommodation_request": ValidationError(_(
            "Please keep the accommodation request to %(max)s characters (it has %(count)s)."
        ), params={"max": ACCOMMODATION_MAX_CHARS, "count": len(text)})})
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
        raise ValidationError({"organisation": ValidationError(_(
            "You can apply from %(organisation)s only if you work there or manage it."
        ), params={"organisation": organisation.name})})
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
        raise ValidationError({field: ValidationError(_(
            "No account uses the address %(email)s. Check it, or ask the person to apply with "
            "you from the public application page."
        ), params={"email": (email or "").strip() or "–"})})
    return person


def _check_eligibility(role: str, eligibility: str, field: str) -> None:
    if eligibility not in ELIGIBILITY_FOR_ROLE[role]:
        raise ValidationError({field: ValidationError(_("Choose what describes %(role)s."),
                                                      params={"role": PairRole(role).label})})


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
        raise ValidationError({"organisation": ValidationError(_(
            "You can send a pair application only for yourself and your partner, or as a manager "
            "of %(organisation)s."
        ), params={"organisation": organisation.name})})
    for person, eligibility, field in ((peer, peer_eligibility, "peer_email"),
                                       (supporter, supporter_eligibility, "supporter_email")):
        prospect_named_by_manager = eligibility == Eligibility.PROSPECT and sender_manages
        if not prospect_named_by_manager and not person_belongs_to_organisation(person, organisation):
            raise ValidationError({field: ValidationError(
                _("You do not belong to %(organisation)s: you can apply from an office where you "
                  "work or that you manage.") if person.pk == submitted_by.pk else
                _("%(name)s does not belong to %(organisation)s: both people of a pair work at, or "
                  "manage, the same office."),
                params={"name": person.display_name, "organisation": organisation.name})})
        if eligibility == Eligibility.MANAGER and not person_manages_organisation(person, organisation):
            raise ValidationError({"supporter_eligibility": ValidationError(_(
                "%(name)s is not a manager of %(organisation)s on the platform: choose co-worker."
            ), params={"name": person.display_name, "organisation": organisation.name})})
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
            if len(takes) == 1 else
            _("The cohort has fewer than two places left (%(capacity)s in all): a pair needs two. "
              "Wait-list the pair instead."),
            params={"capacity": cohort.capacity},
        )
    for member in group:
        from_state = member.state
        member.state = to_state
        member.save(update_fields=["state"])
        _record_state(member, from_state, to_state, actor, note)
        if to_state == Application.State.SELECTED:
            _invite_public(member, actor)
    return application


