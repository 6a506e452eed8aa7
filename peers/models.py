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


class TrustsSavedRelations:
    """`full_clean()` checks that each foreign key points at an existing row with one query per
    key. When the related object was loaded from (or saved to) the database in this very
    transaction that query tells nothing new, so it is skipped; a bare id, or an unsaved
    object, is still checked. Constraints are validated as before. Bulk work such as an import
    of thousands of rows pays several queries less per row."""

    def clean_fields(self, exclude=None):
        exclude = set(exclude or ())
        for field in self._meta.concrete_fields:
            if field.many_to_one and field.name not in exclude and field.is_cached(self):
                related = field.get_cached_value(self)
                if related is not None and related.pk is not None and not related._state.adding \
                        and getattr(self, field.attname) == related.pk:
                    exclude.add(field.name)
        super().clean_fields(exclude=exclude)


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

    # Django and Wagtail permissions (the editor, the Django admin) are staff capabilities too:
    # they apply only to a user object marked as having passed two-step sign-in (peers.access).
    def has_perm(self, perm, obj=None) -> bool:
        from .access import two_step_passed

        return two_step_passed(self) and super().has_perm(perm, obj)

    def has_module_perms(self, app_label) -> bool:
        from .access import two_step_passed

        return two_step_passed(self) and super().has_module_perms(app_label)

    # Django 5.2's async forms ask the backends directly, not has_perm: gate them the same way.
    async def ahas_perm(self, perm, obj=None) -> bool:
        from asgiref.sync import sync_to_async

        from .access import two_step_passed

        return await sync_to_async(two_step_passed)(self) and await super().ahas_perm(perm, obj)

    async def ahas_perms(self, perm_list, obj=None) -> bool:
        for perm in perm_list:
            if not await self.ahas_perm(perm, obj):
                return False
        return True

    async def ahas_module_perms(self, app_label) -> bool:
        from asgiref.sync import sync_to_async

        from .access import two_step_passed

        return await sync_to_async(two_step_passed)(self) and await super().ahas_module_perms(app_label)

    def get_full_name(self) -> str:
        return self.display_name or self.email

    def get_short_name(self) -> str:
        return self.display_name or self.email


class VocabularyTerm(BilingualNameMixin, models.Model):
    """A term of a managed vocabulary: a stable code, Japanese and English labels.

    Administrators extend vocabularies; a term in use is retired (is_active off), not deleted.
    """

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=150)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]


class OrganisationKind(VocabularyTerm):
    """Where peers work (DOMAIN.md "Where peers work"): group home, day care, clinic, …"""

    class Meta(VocabularyTerm.Meta):
        verbose_name = _("organisation kind")
        verbose_name_plural = _("organisation kinds")


class ProfessionalRole(VocabularyTerm):
    """A professional's role: 精神保健福祉士, 看護師, 精神科医, …"""

    class Meta(VocabularyTerm.Meta):
        verbose_name = _("professional role")
        verbose_name_plural = _("professional roles")


class Activity(VocabularyTerm):
    """What an engagement covers: peer group, 当事者研究, listening, family support, …"""

    class Meta(VocabularyTerm.Meta):
        verbose_name = _("activity")
        verbose_name_plural = _("activities")


class WelfareService(VocabularyTerm):
    """指定サービス種別: a welfare service an office is designated for (障害福祉サービス等の指定),
    with fee types where a rule tells them apart (就労継続支援B型's fee types). The welfare-fee
    staffing rules (training.StaffingRule) name the services they apply to."""

    class Meta(VocabularyTerm.Meta):
        verbose_name = _("designated welfare service")
        verbose_name_plural = _("designated welfare services")


class Organisation(models.Model):
    """A 事業所 or agency: where peers work, or a training body's organisation."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.ForeignKey(
        OrganisationKind, on_delete=models.PROTECT, null=True, blank=True,
        related_name="organisations", verbose_name=_("kind"),
    )
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="organisations",
        verbose_name=_("prefecture"),
    )
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    corporation = models.CharField(
        _("operating corporation"), max_length=200, blank=True,
        help_text=_("The corporation (法人) that runs it."),
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Welfare-fee staffing (training.staffing): what the office is designated for, and the
    # offices of the same operator on the same premises whose hours are summed (兼務).
    designated_services = models.ManyToManyField(
        WelfareService, blank=True, related_name="organisations",
        verbose_name=_("designated welfare services"),
    )
    co_located = models.ManyToManyField(
        "self", blank=True, symmetrical=True, verbose_name=_("co-located offices of the same operator"),
        help_text=_("Offices run by the same operator on the same premises: hours worked there "
                    "count together (兼務)."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [models.Index(fields=["name", "id"], name="organisation_name_id_idx")]

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


class AuditEvent(TrustsSavedRelations, models.Model):
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


# --- The workforce: profiles, engagements, consent --------------------------------------------


class DataCategory(models.TextChoices):
    """Sensitive data (要配慮個人情報 and near it) that is stored only under an active consent."""

    LIVED_EXPERIENCE = "lived_experience", _("Lived experience")
    ACCOMMODATIONS = "accommodations", _("Accommodation preferences")


class Consent(models.Model):
    """One line of the consent ledger: a person agreed to one purpose for some data categories.

    A consent is never edited except to record its withdrawal (and, later, the erasure of the
    data it covered). Giving consent again makes a new line.
    """

    class Purpose(models.TextChoices):
        LIVED_EXPERIENCE = "lived_experience", _(
            "Record my lived experience and show it only to the people I choose"
        )
        ACCOMMODATIONS = "accommodations", _(
            "Share my accommodation preferences with the managers of the organisations I work with"
        )
        TRAINING_ACCOMMODATIONS = "training_accommodations", _(
            "Share my accommodation request with the staff of the training body that runs the cohort"
        )
        MEETING_ACCOMMODATIONS = "meeting_accommodations", _(
            "Share my accommodation request with the coordinators of the meeting"
        )

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents",
        verbose_name=_("person"),
    )
    purpose = models.CharField(_("purpose"), max_length=40, choices=Purpose.choices)
    data_categories = models.JSONField(_("data categories"), default=list)
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("recorded by"),
    )
    data_erased_at = models.DateTimeField(_("data erased at"), null=True, blank=True)

    class Meta:
        ordering = ["-given_at", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                name="consent_withdrawn_after_given",
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=models.F("given_at")),
            ),
            models.UniqueConstraint(
                fields=["person", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="consent_one_active_per_purpose",
            ),
        ]

    def __str__(self) -> str:
        return str(self.get_purpose_display())

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        categories = self.data_categories
        if not isinstance(categories, list) or not categories or not set(categories) <= set(
            DataCategory.values
        ):
            raise ValidationError({"data_categories": _("Choose at least one known data category.")})

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None

    def covers(self, category: str) -> bool:
        return self.is_active and category in self.data_categories


class Profile(models.Model):
    """What a peer or professional tells the platform about themselves, beyond the account.

    Accommodation preferences are sensitive: kept only with an active consent covering them.
    What the public directory may show is the person's choice, field by field.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile",
        verbose_name=_("person"),
    )
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("prefecture"),
    )
    languages = models.CharField(
        _("languages"), max_length=200, blank=True,
        help_text=_("Languages you can support people in, e.g. 日本語, English, 日本手話."),
    )
    professional_roles = models.ManyToManyField(
        ProfessionalRole, blank=True, related_name="profiles", verbose_name=_("professional roles")
    )
    accommodations = models.TextField(
        _("accommodation preferences (合理的配慮)"), blank=True,
        help_text=_("Only what you choose to share, e.g. flexible hours or written instructions."),
    )
    accommodations_consent = models.ForeignKey(
        Consent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("consent for accommodation preferences"),
    )
    directory_opt_in = models.BooleanField(_("list me in the directory"), default=False)
    public_prefecture = models.BooleanField(_("show my prefecture"), default=False)
    public_languages = models.BooleanField(_("show my languages"), default=False)
    public_roles = models.BooleanField(_("show my professional roles"), default=False)
    public_engagements = models.BooleanField(_("show where I work"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        constraints = [
            models.CheckConstraint(
                name="profile_accommodations_need_consent",
                condition=Q(accommodations="") | Q(accommodations_consent__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return str(self.user)


class LivedExperience(models.Model):
    """A person's own declaration of lived experience (当事者). Never required; never a diagnosis.

    It holds only how the person relates to it and who may see it, and exists only while a
    consent covering it is active (until the retention period after withdrawal runs out).
    """

    class Relation(models.TextChoices):
        PERSONAL = "personal", _("My own experience (本人)")
        FAMILY = "family", _("As a family member (家族)")
        BOTH = "both", _("Both")

    class Visibility(models.TextChoices):
        ONLY_ME = "only_me", _("Only me")
        MANAGERS = "managers", _("Managers of the organisations I work with")
        DIRECTORY = "directory", _("Anyone who can see my directory entry")

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lived_experience",
        verbose_name=_("person"),
    )
    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, related_name="+", verbose_name=_("consent")
    )
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    visibility = models.CharField(
        _("who may see it"), max_length=20, choices=Visibility.choices, default=Visibility.ONLY_ME
    )
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)

    class Meta:
        verbose_name = _("lived experience")
        verbose_name_plural = _("lived experience")

    def __str__(self) -> str:
        return str(self.get_relation_display())


class SensitiveAccess(models.Model):
    """Someone other than the person read one of their sensitive fields. Written by selectors."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sensitive_accesses",
        verbose_name=_("person"),
    )
    accessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("read by"),
    )
    category = models.CharField(_("data"), max_length=40, choices=DataCategory.choices)
    context = models.CharField(_("where"), max_length=100, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("sensitive data access")
        verbose_name_plural = _("sensitive data accesses")
        indexes = [models.Index(fields=["person", "-at", "-id"], name="sensitive_access_person_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.category}"


class Engagement(TrustsSavedRelations, models.Model):
    """One person's work at one organisation on one set of terms (DOMAIN.md, three groups).

    Terms are never edited: changing them ends this engagement and starts another that points
    back here (`previous`). The organisation's manager confirms the terms.
    """

    class Kind(models.TextChoices):
        VOLUNTEER = "volunteer", _("Volunteer (第一群 ボランティア)")
        HONORARIUM = "honorarium", _("Honorarium, no contract (第二群 謝金)")
        EMPLOYED = "employed", _("Employed under contract (第三群 雇用)")

    class Contract(models.TextChoices):
        """For paid work under contract (kind EMPLOYED): the form of the contract."""

        EMPLOYMENT = "employment", _("Employment contract (雇用契約)")
        OUTSOURCING = "outsourcing", _("Outsourcing contract (業務委託)")
        WORK = "work", _("Contract for work (請負)")

    class RateUnit(models.TextChoices):
        HOUR = "hour", _("per hour")
        SESSION = "session", _("per session")
        DAY = "day", _("per day")
        TASK = "task", _("per task")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="engagements",
        verbose_name=_("person"),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="engagements",
        verbose_name=_("organisation"),
    )
    kind = models.CharField(_("kind of engagement"), max_length=20, choices=Kind.choices)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    activities = models.ManyToManyField(
        Activity, blank=True, related_name="engagements", verbose_name=_("activities")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    honorarium_rate = models.PositiveIntegerField(_("honorarium (yen)"), null=True, blank=True)
    honorarium_unit = models.CharField(
        _("honorarium unit"), max_length=20, choices=RateUnit.choices, blank=True
    )
    weekly_hours = models.DecimalField(
        _("weekly contracted hours"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    full_time_weekly_hours = models.DecimalField(
        _("organisation's full-time weekly hours"), max_digits=5, decimal_places=2,
        null=True, blank=True,
    )
    on_leave = models.BooleanField(_("on leave"), default=False)
    contract = models.CharField(
        _("form of contract"), max_length=20, choices=Contract.choices, blank=True,
        help_text=_("For work under contract: an employment contract unless it says otherwise."),
    )
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next",
        verbose_name=_("replaces"),
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        indexes = [
            models.Index(fields=["organisation", "end_date"], name="engagement_org_end_idx"),
            models.Index(fields=["person", "-start_date", "-id"], name="engagement_person_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="engagement_ends_after_start",
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
            ),
            models.CheckConstraint(
                name="engagement_honorarium_terms",
                condition=(
                    Q(kind="honorarium", honorarium_rate__isnull=False)
                    & ~Q(honorarium_unit="")
                    | ~Q(kind="honorarium") & Q(honorarium_rate__isnull=True, honorarium_unit="")
                ),
            ),
            models.CheckConstraint(
                name="engagement_employment_terms",
                condition=(
                    Q(
                        kind="employed",
                        weekly_hours__gt=0,
                        full_time_weekly_hours__gt=0,
                        weekly_hours__lte=models.F("full_time_weekly_hours"),
                    )
                    | ~Q(kind="employed")
                    & Q(weekly_hours__isnull=True, full_time_weekly_hours__isnull=True, on_leave=False)
                ),
            ),
            models.CheckConstraint(
                name="engagement_confirmation_complete",
                condition=Q(confirmed_at__isnull=True) | Q(confirmed_by__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.organisation} · {self.get_kind_display()}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date cannot be before the start date.")
        if self.kind == self.Kind.HONORARIUM:
            if self.honorarium_rate is None:
                errors["honorarium_rate"] = _("Give the honorarium for this kind of engagement.")
            if not self.honorarium_unit:
                errors["honorarium_unit"] = _("Give the unit the honorarium is paid per.")
        if self.kind == self.Kind.EMPLOYED:
            if not self.weekly_hours or self.weekly_hours <= 0:
                errors["weekly_hours"] = _("Give the weekly contracted hours for employment.")
            if not self.full_time_weekly_hours or self.full_time_weekly_hours <= 0:
                errors["full_time_weekly_hours"] = _(
                    "Give the organisation's full-time weekly hours for employment."
                )
            elif self.weekly_hours and self.weekly_hours > self.full_time_weekly_hours:
                errors["weekly_hours"] = _(
                    "Contracted hours cannot be more than the organisation's full-time hours."
                )
        if errors:
            raise ValidationError(errors)

    @property
    def fte(self):
        """Full-time equivalent (常勤換算) for employment, rounded to two places; else None."""
        from decimal import ROUND_HALF_UP, Decimal

        if self.kind != self.Kind.EMPLOYED or not self.full_time_weekly_hours:
            return None
        return (Decimal(self.weekly_hours) / Decimal(self.full_time_weekly_hours)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def contract_form(self) -> str:
        """The form of contract of paid work under contract ("" for volunteer and honorarium
        work); an employed engagement recorded without one is under an employment contract."""
        if self.kind != self.Kind.EMPLOYED:
            return ""
        return self.contract or self.Contract.EMPLOYMENT

    def is_current(self, on=None) -> bool:
        day = on or timezone.localdate()
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)


class ErasureRequest(models.Model):
    """A person asked for their personal data to be erased. What a rule requires is kept,
    and recorded in `kept` with the reason."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        COMPLETED = "completed", _("Completed")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="erasure_requests",
        verbose_name=_("person"),
    )
    note = models.TextField(_("note"), blank=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("completed by"),
    )
    kept = models.JSONField(_("kept, and why"), default=list, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="requested"),
                name="erasure_one_open_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_status_display()})"


def _retention_kind_choices():
    from .personal_data import retention_kind_choices

    return retention_kind_choices()


class RetentionRule(models.Model):
    """How long one kind of record is kept, set by an administrator; the daily task carries it
    out (retention_apply) and erasure tells the person the rule and until when."""

    class Anchor(models.TextChoices):
        CREATED = "created", _("after the record was made")
        ENDED = "ended", _("after it ends")
        WITHDRAWN = "withdrawn", _("after consent is withdrawn")

    class Unit(models.TextChoices):
        DAYS = "days", _("days")
        MONTHS = "months", _("months")
        YEARS = "years", _("years")

    kind = models.CharField(_("kind of record"), max_length=60, unique=True, choices=_retention_kind_choices)
    period = models.PositiveIntegerField(_("keep for"), help_text=_("0 means at once."))
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.YEARS)
    anchor = models.CharField(_("counted from"), max_length=20, choices=Anchor.choices)
    note_ja = models.TextField(_("rule and legal basis (Japanese)"))
    note_en = models.TextField(_("rule and legal basis (English)"), blank=True)
    active = models.BooleanField(_("carried out daily"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")

    def __str__(self) -> str:
        return str(self.get_kind_display())

    @property
    def note(self) -> str:
        if (get_language() or "ja").startswith("en") and self.note_en:
            return self.note_en
        return self.note_ja

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from .personal_data import retention_kinds

        known = retention_kinds()
        if self.kind not in known:
            raise ValidationError({"kind": _("Choose a known kind of record.")})
        anchors = known[self.kind][1].anchors
        if self.anchor not in anchors:
            raise ValidationError({"anchor": _("This kind of record is counted from: %(anchors)s") % {
                "anchors": "、".join(str(self.Anchor(a).label) for a in anchors)}})


class RetentionRun(models.Model):
    """One rule carried out once by the daily task: how many records it removed."""

    kind = models.CharField(_("kind of record"), max_length=60)
    ran_at = models.DateTimeField(_("ran at"), default=timezone.now, db_index=True)
    cutoff = models.DateField(_("removed what was older than"), null=True, blank=True)
    removed = models.PositiveIntegerField(_("removed"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-ran_at", "-id"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self) -> str:
        return f"{self.ran_at:%Y-%m-%d %H:%M} {self.kind}: {self.removed}"


# --- API tokens ---------------------------------------------------------------------------------


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
