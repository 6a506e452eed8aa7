"""The ground floor: people (accounts), places (prefectures, regions), organisations and roles."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class BilingualNameMixin:
    """A row named in Japanese and English; `name` follows the active language."""

    name_ja: str
    name_en: str

    @property
    def name(self) -> str:
        if (get_language() or "ja").startswith("en") and self.name_en:
            return self.name_en
        return self.name_ja

    def __str__(self) -> str:
        return self.name


class Prefecture(BilingualNameMixin, models.Model):
    """One of the 47 prefectures, keyed by its JIS X 0401 code."""

    code = models.CharField(_("JIS code"), max_length=2, primary_key=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=10, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=20, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("prefecture")
        verbose_name_plural = _("prefectures")


class Region(BilingualNameMixin, models.Model):
    """A 障害保健福祉圏域 (disability health and welfare region) inside a prefecture."""

    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="regions", verbose_name=_("prefecture")
    )
    name_ja = models.CharField(_("name (Japanese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)

    class Meta:
        ordering = ["prefecture", "name_ja"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.UniqueConstraint(fields=["prefecture", "name_ja"], name="region_unique_name")
        ]


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

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.display_name or self.email

    def get_short_name(self) -> str:
        return self.display_name or self.email


class Organisation(models.Model):
    """A 事業所 or agency: where peers work, or a training body's organisation."""

    name = models.CharField(_("name"), max_length=200)
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="organisations",
        verbose_name=_("prefecture"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


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


class RoleAssignment(models.Model):
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


class AuditEvent(models.Model):
    """One line of the audit log: who did what to which record, appended by services only."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=60)
    target_type = models.CharField(_("record type"), max_length=60)
    target_id = models.CharField(_("record id"), max_length=40, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"
