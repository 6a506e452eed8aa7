"""People who sign in, the roles they hold, the invitations that bring them in and their API
tokens."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .base import TrustsSavedRelations
from .organisations import Organisation
from .places import Prefecture, Region

kana_validator = RegexValidator(
    regex=r"^[\u3040-\u309F\u30A0-\u30FF\u31F0-\u31FF\u3000\s・ー]+$",
    message=_("Please write the reading in hiragana or katakana."),
)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class TextSize(models.TextChoices):
    STANDARD = "standard", _("Standard")
    LARGE = "large", _("Large")
    LARGER = "larger", _("Larger")


class Theme(models.TextChoices):
    STANDARD = "standard", _("Standard")
    CALM = "calm", _("Calm (no motion, softer contrast)")


class Furigana(models.TextChoices):
    OFF = "off", _("Without furigana")
    ON = "on", _("With furigana (readings over kanji)")


class Wording(models.TextChoices):
    STANDARD = "standard", _("Standard Japanese")
    PLAIN = "plain", _("Plain Japanese (yasashii nihongo)")


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. Email is the login; the display name is what others see."""

    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=100)
    name_kana = models.CharField(
        _("name reading (kana)"), max_length=100, blank=True, validators=[kana_validator]
    )
    language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="ja"
    )
    is_staff = models.BooleanField(
        _("editor access"),
        default=False,
        help_text=_("Can sign in to the website editor (Wagtail admin)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # How the site looks and when it may email them (peers/preferences.py; the visitor's cookies
    # hold the same display values).
    text_size = models.CharField(
        _("text size"), max_length=12, choices=TextSize.choices, default=TextSize.STANDARD,
        db_default=TextSize.STANDARD,  # so rows written by older code (and migrations) get it too
    )
    theme = models.CharField(
        _("theme"), max_length=12, choices=Theme.choices, default=Theme.STANDARD, db_default=Theme.STANDARD
    )
    furigana = models.CharField(
        _("furigana"), max_length=8, choices=Furigana.choices, default=Furigana.OFF, db_default=Furigana.OFF
    )
    wording = models.CharField(
        _("wording"), max_length=12, choices=Wording.choices, default=Wording.STANDARD,
        db_default=Wording.STANDARD,
    )
    quiet_hours_start = models.TimeField(
        _("quiet hours start"), null=True, blank=True,
        help_text=_("Japan time. Emails and digests are held until the quiet hours end."),
    )
    quiet_hours_end = models.TimeField(_("quiet hours end"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="user_quiet_hours_both_or_neither",
                condition=Q(quiet_hours_start__isnull=True, quiet_hours_end__isnull=True)
                | Q(quiet_hours_start__isnull=False, quiet_hours_end__isnull=False)
                & ~Q(quiet_hours_start=models.F("quiet_hours_end")),
                violation_error_message=_(
                    "Quiet hours need both a start and an end, and they must differ."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    # Django and Wagtail permissions (the editor, the Django admin) are staff capabilities too:
    # they apply only to a user object marked as having passed two-step sign-in (peers.access).
    def has_perm(self, perm, obj=None) -> bool:
        from ..access import two_step_passed

        return two_step_passed(self) and super().has_perm(perm, obj)

    def has_module_perms(self, app_label) -> bool:
        from ..access import two_step_passed

        return two_step_passed(self) and super().has_module_perms(app_label)

    # Django 5.2's async forms ask the backends directly, not has_perm: gate them the same way.
    async def ahas_perm(self, perm, obj=None) -> bool:
        from asgiref.sync import sync_to_async

        from ..access import two_step_passed

        return await sync_to_async(two_step_passed)(self) and await super().ahas_perm(perm, obj)

    async def ahas_perms(self, perm_list, obj=None) -> bool:
        for perm in perm_list:
            if not await self.ahas_perm(perm, obj):
                return False
        return True

    async def ahas_module_perms(self, app_label) -> bool:
        from asgiref.sync import sync_to_async

        from ..access import two_step_passed

        return await sync_to_async(two_step_passed)(self) and await super().ahas_module_perms(app_label)

    def get_full_name(self) -> str:
        return self.display_name or self.email

    def get_short_name(self) -> str:
        return self.display_name or self.email


class Role(models.TextChoices):
    ADMIN = "admin", _("Platform administrator")
    TRAINER = "trainer", _("Training-body staff")
    MANAGER = "manager", _("Organisation manager")
    COORDINATOR = "coordinator", _("Regional coordinator")
    PEER = "peer", _("Peer supporter")
    PROFESSIONAL = "professional", _("Professional")


# Roles that run staff pages and so must turn on two-step sign-in (MFA) first.
STAFF_ROLES = frozenset({Role.ADMIN, Role.TRAINER, Role.MANAGER, Role.COORDINATOR})


# Roles held for an organisation (a training body is an organisation too).
ORGANISATION_ROLES = frozenset({Role.TRAINER, Role.MANAGER})


class RoleAssignment(TrustsSavedRelations, models.Model):
    """One role one person holds, with its scope. A person may hold several.

    Training-body staff and organisation managers are scoped to an organisation; coordinators to
    a prefecture or a region; the other roles are not scoped.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments",
        verbose_name=_("person"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True,
        related_name="role_assignments", verbose_name=_("organisation"),
    )
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, null=True, blank=True,
        related_name="role_assignments", verbose_name=_("prefecture"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True,
        related_name="role_assignments", verbose_name=_("region"),
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("granted by"),
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.CheckConstraint(
                name="role_scope_matches_role",
                condition=(
                    Q(
                        role__in=["trainer", "manager"],
                        organisation__isnull=False,
                        prefecture__isnull=True,
                        region__isnull=True,
                    )
                    | Q(role="coordinator", organisation__isnull=True)
                    & (
                        Q(prefecture__isnull=False, region__isnull=True)
                        | Q(prefecture__isnull=True, region__isnull=False)
                    )
                    | Q(
                        role__in=["admin", "peer", "professional"],
                        organisation__isnull=True,
                        prefecture__isnull=True,
                        region__isnull=True,
                    )
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(role__in=["admin", "peer", "professional"]),
                name="role_unique_unscoped",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "organisation"],
                condition=Q(organisation__isnull=False),
                name="role_unique_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "prefecture"],
                condition=Q(prefecture__isnull=False),
                name="role_unique_per_prefecture",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "region"],
                condition=Q(region__isnull=False),
                name="role_unique_per_region",
            ),
        ]

    def __str__(self) -> str:
        scope = self.organisation or self.region or self.prefecture
        label = self.get_role_display()
        return f"{label} ({scope})" if scope else str(label)

    @property
    def scope(self) -> Organisation | Region | Prefecture | None:
        return self.organisation or self.region or self.prefecture


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """An invitation to join with one role: the way in while open sign-up is off."""

    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True,
        related_name="invitations", verbose_name=_("organisation"),
    )
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("prefecture"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("region"),
    )
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
        related_name="invitations_sent", verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("accepted by"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} ({self.get_role_display()})"

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


def _api_token_expiry():
    from datetime import timedelta

    return timezone.now() + timedelta(days=getattr(settings, "KAKEHASHI_API_TOKEN_DAYS", 90))


class ApiToken(models.Model):
    """A person's key to the API, made on their account page after two-step sign-in.

    Sent as `Authorization: Bearer kk_<prefix>_<secret>`. Only the SHA-256 of the secret is
    stored (the secret is 256 random bits, so a plain hash is enough); the prefix finds the row.
    """

    class Scope(models.TextChoices):
        READ_ONLY = "read_only", _("Read only")
        READ_WRITE = "read_write", _("Read and write")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kakehashi_api_tokens",
        verbose_name=_("person"),
    )
    name = models.CharField(_("name"), max_length=100)
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices, default=Scope.READ_ONLY)
    prefix = models.CharField(_("public id"), max_length=16, unique=True)
    digest = models.CharField(_("SHA-256 of the secret"), max_length=64)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), default=_api_token_expiry)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")),
                                   name="api_token_expires_after_created"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (kk_{self.prefix}_…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now=None) -> bool:
        return self.expires_at <= (now or timezone.now())

    def is_usable(self, now=None) -> bool:
        return not self.is_revoked and not self.is_expired(now)

    @property
    def status_label(self) -> str:
        if self.is_revoked:
            return _("Revoked")
        if self.is_expired():
            return _("Expired")
        return _("In use")


class HeldEmail(models.Model):
    """An email that reached a person during their quiet hours, kept until those hours end.

    Rendered already, in the recipient's language; sent by `held_email_send_due` (the
    scheduler's tick) to the account's address at that time, and deleted once handed to the
    email task. `send_after` is when the quiet hours in force at holding time end; if the person
    shortens or turns off their quiet hours, the mail goes at the next tick outside them."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="held_emails",
        verbose_name=_("person"),
    )
    subject = models.CharField(_("subject"), max_length=998)
    body = models.TextField(_("message"))
    held_at = models.DateTimeField(_("held at"), default=timezone.now)
    send_after = models.DateTimeField(_("send after"), db_index=True)

    class Meta:
        ordering = ["send_after", "id"]
        verbose_name = _("held email")
        verbose_name_plural = _("held emails")

    def __str__(self) -> str:
        return self.subject
