"""The audit log, roles, invitations, a person's language and API tokens."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from ..mail import email_templates, site_url
from ..models import (
    ORGANISATION_ROLES,
    AuditEvent,
    Invitation,
    Organisation,
    Prefecture,
    Region,
    Role,
    RoleAssignment,
    User,
)
from ..selectors import (
    forget_roles,
    invitable_roles_for,
    organisation_list_managed_by,
    user_is_admin,
)


def audit_record(*, actor: User | None, action: str, target: object, data: dict | None = None) -> AuditEvent:
    """Append one line to the audit log (never edited)."""
    event = AuditEvent(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        target_type=type(target).__name__,
        target_id=str(getattr(target, "pk", "")),
        data=data or {},
    )
    # Written by our own code, never from a form: the fields are checked, while the database
    # enforces the table's constraints (Django's constraint validation costs a query each).
    event.full_clean(validate_constraints=False)
    event.save()
    return event


@transaction.atomic
def role_grant(
    *,
    user: User,
    role: str,
    organisation: Organisation | None = None,
    prefecture: Prefecture | None = None,
    region: Region | None = None,
    granted_by: User | None = None,
) -> RoleAssignment:
    """Give a person a role with its scope; granting one they already hold changes nothing."""
    existing = RoleAssignment.objects.filter(
        user=user, role=role, organisation=organisation, prefecture=prefecture, region=region
    ).first()
    if existing:
        return existing
    assignment = RoleAssignment(
        user=user,
        role=role,
        organisation=organisation,
        prefecture=prefecture,
        region=region,
        granted_by=granted_by,
    )
    assignment.full_clean()
    assignment.save()
    forget_roles(user)
    audit_record(
        actor=granted_by,
        action="role.grant",
        target=assignment,
        data={"user": user.pk, "role": role},
    )
    return assignment


def _check_scope(role: str, organisation, prefecture, region) -> None:
    if role in ORGANISATION_ROLES and organisation is None:
        raise ValidationError({"organisation": _("Choose the organisation for this role.")})
    if role == Role.COORDINATOR and (prefecture is None) == (region is None):
        raise ValidationError(
            {"prefecture": _("Choose either a prefecture or a region for a coordinator.")}
        )


@transaction.atomic
def invitation_create(
    *,
    invited_by: User,
    email: str,
    role: str,
    organisation: Organisation | None = None,
    prefecture: Prefecture | None = None,
    region: Region | None = None,
    request_language: str | None = None,
) -> Invitation:
    """Invite someone by email to join with one role, within what the inviter may give."""
    if role not in invitable_roles_for(invited_by):
        raise PermissionDenied(_("You cannot invite people to this role."))
    if not user_is_admin(invited_by):
        # A manager invites only into an organisation they manage.
        if organisation is None or not organisation_list_managed_by(invited_by).filter(
            pk=organisation.pk
        ).exists():
            raise PermissionDenied(_("You can only invite people to your own organisations."))
    if role == Role.COORDINATOR:
        organisation = None
    else:
        # Organisation roles are scoped to it; peers and professionals keep it as the place
        # they were invited to; an administrator has no scope at all.
        prefecture = region = None
        if role == Role.ADMIN:
            organisation = None
    _check_scope(role, organisation, prefecture, region)
    return _invitation_save(
        invited_by=invited_by, email=email, role=role, organisation=organisation,
        prefecture=prefecture, region=region, request_language=request_language,
    )


# Roles another app's service may invite to on its own decision (no staff role: those need an
# inviter who may give them).
SELF_SERVICE_ROLES = frozenset({Role.PEER, Role.PROFESSIONAL})


@transaction.atomic
def invitation_issue(
    *,
    invited_by: User | None,
    email: str,
    role: str,
    organisation: Organisation | None = None,
    request_language: str | None = None,
) -> Invitation:
    """Invite someone another app has admitted (a training body selected their application):
    only to a peer's or a professional's role, which carry no staff rights; the email and the
    way in are the same as any invitation's."""
    if role not in SELF_SERVICE_ROLES:
        raise PermissionDenied(_("You cannot invite people to this role."))
    return _invitation_save(
        invited_by=invited_by, email=email, role=role, organisation=organisation,
        prefecture=None, region=None, request_language=request_language,
    )


def _invitation_save(*, invited_by, email, role, organisation, prefecture, region, request_language) -> Invitation:
    invitation = Invitation(
        email=email.strip().lower(),
        role=role,
        organisation=organisation,
        prefecture=prefecture,
        region=region,
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=settings.KAKEHASHI_INVITATION_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    audit_record(
        actor=invited_by, action="invitation.create", target=invitation,
        data={"email": invitation.email, "role": role},
    )
    language = request_language or translation.get_language() or settings.LANGUAGE_CODE

    email_templates(to=invitation.email, language=language, prefix="peers/email/invitation", context=lambda: {
        "invitation": invitation,
        "inviter": invited_by,
        "url": site_url(reverse("peers:invitation_accept", args=[invitation.token])),
        "days": settings.KAKEHASHI_INVITATION_DAYS,
    })
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> RoleAssignment:
    """The invited person has signed up (or signed in): give them the role, once."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise ValidationError(_("This invitation has already been used or has expired."))
    if invitation.email.lower() != user.email.lower():
        raise ValidationError(_("This invitation was sent to a different email address."))
    scoped_org = invitation.organisation if invitation.role in ORGANISATION_ROLES else None
    assignment = role_grant(
        user=user,
        role=invitation.role,
        organisation=scoped_org,
        prefecture=invitation.prefecture,
        region=invitation.region,
        granted_by=invitation.invited_by,
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(actor=user, action="invitation.accept", target=invitation)
    from ..signals import invitation_accepted

    invitation_accepted.send(sender=Invitation, invitation=invitation, user=user)
    return assignment


def user_set_language(*, user: User, language: str) -> None:
    """Remember the person's language so that it follows them to any device."""
    if language not in dict(settings.LANGUAGES) or user.language == language:
        return
    user.language = language
    user.save(update_fields=["language"])


@transaction.atomic
def user_preferences_save(*, user: User, display: dict | None = None,
                          quiet_hours: tuple | None = None) -> User:
    """Save a person's display settings (names from peers.preferences.DISPLAY_SETTINGS; others
    are ignored) and, when given, their quiet hours as (start, end), (None, None) for off."""
    from ..preferences import DISPLAY_SETTINGS

    fields = []
    for item in DISPLAY_SETTINGS:
        if display and item.name in display:
            setattr(user, item.name, display[item.name])
            fields.append(item.name)
    if quiet_hours is not None:
        start, end = quiet_hours
        # The model's constraint has one message, rendered in the active language when it is
        # raised; these name the field and stay lazy, so the API gives them in both languages.
        if (start is None) != (end is None):
            raise ValidationError({"quiet_hours_end" if end is None else "quiet_hours_start": ValidationError(
                _("Please give both a start and an end, or leave both empty."), code="incomplete")})
        if start is not None and start == end:
            raise ValidationError({"quiet_hours_end": ValidationError(
                _("The end must differ from the start."), code="same_as_start")})
        user.quiet_hours_start, user.quiet_hours_end = start, end
        fields += ["quiet_hours_start", "quiet_hours_end"]
    if not fields:
        return user
    user.full_clean(validate_unique=False, validate_constraints=True,
                    exclude=[f.name for f in user._meta.fields if f.name not in fields])
    user.save(update_fields=fields)
    return user


# --- API tokens -----------------------------------------------------------------------------------

API_TOKEN_MAX_DAYS = 365


def api_token_secret_digest(secret: str) -> str:
    """SHA-256 hex of a token's secret (256 random bits: no salt or slow hash is needed)."""
    import hashlib

    return hashlib.sha256(secret.encode("ascii")).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str, scope: str, days: int | None = None):
    """Make an API token for the person. Only after two-step sign-in in this session (the
    token outlives the session, so it must not be a way around the second step). Returns the
    token and the whole `kk_<prefix>_<secret>` string, which is never stored or shown again."""
    import secrets

    from ..access import two_step_passed
    from ..models import ApiToken

    if not getattr(user, "is_authenticated", False) or not two_step_passed(user):
        raise PermissionDenied(_(
            "Making an API token needs two-step sign-in in this session. Turn it on at "
            "/accounts/2fa/, or sign in with the second step again."
        ))
    if days is None:
        days = settings.KAKEHASHI_API_TOKEN_DAYS
    if not isinstance(days, int) or not 1 <= days <= API_TOKEN_MAX_DAYS:
        raise ValidationError({"days": _("Choose between 1 and 365 days.")})
    now = timezone.now()
    while True:
        prefix = secrets.token_hex(6)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    secret = secrets.token_hex(32)
    token = ApiToken(
        user=user, name=(name or "").strip(), scope=scope, prefix=prefix,
        digest=api_token_secret_digest(secret), created_at=now, expires_at=now + timedelta(days=days),
    )
    token.full_clean()
    token.save()
    audit_record(actor=user, action="api_token.create", target=token,
                 data={"name": token.name, "scope": token.scope, "prefix": prefix, "days": days})
    return token, f"kk_{prefix}_{secret}"


@transaction.atomic
def api_token_revoke(*, actor: User, token):
    """The person stops one of their tokens at once. Revoking twice changes nothing."""
    if actor is None or token.user_id != actor.pk:
        raise PermissionDenied(_("You can only revoke your own tokens."))
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.full_clean()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="api_token.revoke", target=token,
                 data={"name": token.name, "prefix": token.prefix})
    return token


@transaction.atomic
def person_create(*, actor: User | None, email: str, display_name: str, name_kana: str = "",
                  role: str | None = None, via: str = "import") -> User:
    """Add a person to the platform without a password (they set one through "forgot password"
    or an invitation), with a role if given (peer or professional), audited. `via` names where
    the record came from. Refuses an address already in use (ValidationError on `email`)."""
    if role not in (None, Role.PEER, Role.PROFESSIONAL):
        raise ValidationError({"role": _("Role must be peer or professional.")})
    person = User(email=User.objects.normalize_email(email.strip()).lower(), display_name=display_name.strip(),
                  name_kana=name_kana.strip())
    person.set_unusable_password()
    person.full_clean()
    person.save()
    if role is not None:
        role_grant(user=person, role=role, granted_by=actor)
    audit_record(actor=actor, action="person.create", target=person, data={"email": person.email, "via": via})
    return person
