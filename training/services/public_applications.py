"""Applications from visitors without an account, confirmed by a signed link."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peers.mail import email_lines
from peers.models import Organisation
from peers.selectors import user_get_by_email

from ..models import (
    Application,
    Cohort,
    PairRole,
)
from .applications import (
    PUBLIC_CONFIRM_SALT,
    _check_eligibility,
    _first_come,
    _lock_cohort,
    _notify_person,
    _record_state,
)


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


