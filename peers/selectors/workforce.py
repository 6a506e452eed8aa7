"""Reads about organisations, profiles and engagements: who may see which record is decided here.

Rules (issue 3):
- a person sees their own profile and engagements;
- a manager sees their organisations' engagements and the people in them;
- a coordinator sees counts for the prefectures they cover, never a person's sensitive fields;
- an administrator sees every record, but not sensitive fields (fewest people see them).
A record outside what the user may see is reported as missing (404), never as forbidden.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, FloatField, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone

from ..models import (
    Activity,
    DataCategory,
    Engagement,
    LivedExperience,
    Organisation,
    OrganisationKind,
    ProfessionalRole,
    Profile,
    Role,
    RoleAssignment,
    SensitiveAccess,
    User,
)
from .accounts import (
    organisation_list_managed_by,
    prefecture_list_coordinated_by,
    role_assignment_list_for,
    user_is_admin,
)

# Counts below this are hidden in regional summaries (a small cell can identify a person).
SMALL_CELL = 3


# --- Vocabularies ---------------------------------------------------------------------------


def organisation_kind_list() -> QuerySet[OrganisationKind]:
    return OrganisationKind.objects.filter(is_active=True)


def professional_role_list() -> QuerySet[ProfessionalRole]:
    return ProfessionalRole.objects.filter(is_active=True)


def activity_list() -> QuerySet[Activity]:
    return Activity.objects.filter(is_active=True)


# --- Organisations --------------------------------------------------------------------------


def organisation_list(
    *,
    search: str = "",
    prefecture: str | None = None,
    kind: str | None = None,
    activity: str | None = None,
) -> QuerySet[Organisation]:
    """The organisation directory (any signed-in person): facts only, no people.

    `kind` and `activity` are vocabulary codes; `activity` keeps organisations with a current
    engagement covering that activity.
    """
    qs = Organisation.objects.select_related("prefecture", "kind")
    if search:
        qs = qs.filter(
            Q(name__icontains=search) | Q(municipality__icontains=search)
            | Q(corporation__icontains=search)
        )
    if prefecture:
        qs = qs.filter(prefecture_id=prefecture)
    if kind:
        qs = qs.filter(kind__code=kind)
    if activity:
        today = timezone.localdate()
        matching = Engagement.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=today),
            activities__code=activity,
            start_date__lte=today,
        ).values("organisation_id")
        qs = qs.filter(id__in=matching)
    return qs.order_by("name", "id")


def organisation_get(pk) -> Organisation:
    try:
        return Organisation.objects.select_related("prefecture", "kind").get(pk=pk)
    except (Organisation.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404 from missing


def user_manages_organisation(user, organisation: Organisation) -> bool:
    if user_is_admin(user):
        return True
    return any(
        a.role == Role.MANAGER and a.organisation_id == organisation.pk
        for a in role_assignment_list_for(user)
    )


def user_sees_organisation_counts(user, organisation: Organisation) -> bool:
    """Managers, administrators, and coordinators of the organisation's prefecture."""
    if user_manages_organisation(user, organisation):
        return True
    return any(
        a.role == Role.COORDINATOR
        and (a.prefecture_id or a.region.prefecture_id) == organisation.prefecture_id
        for a in role_assignment_list_for(user)
    )


def _current(qs: QuerySet[Engagement], on=None) -> QuerySet[Engagement]:
    day = on or timezone.localdate()
    return qs.filter(Q(end_date__isnull=True) | Q(end_date__gte=day), start_date__lte=day)


# Float division: SQLite would otherwise divide the stored numbers as integers.
_FTE = Cast("weekly_hours", FloatField()) / Cast("full_time_weekly_hours", FloatField())


def engagement_summary(engagements: QuerySet[Engagement]) -> dict:
    """Counts of current engagements by kind and their total FTE (常勤換算), in one query."""
    kinds = Engagement.Kind
    row = _current(engagements).aggregate(
        volunteer=Count("id", filter=Q(kind=kinds.VOLUNTEER)),
        honorarium=Count("id", filter=Q(kind=kinds.HONORARIUM)),
        employed=Count("id", filter=Q(kind=kinds.EMPLOYED)),
        fte=Sum(_FTE, filter=Q(kind=kinds.EMPLOYED)),
    )
    fte = row["fte"]
    row["fte"] = Decimal(str(round(fte or 0, 2))).quantize(Decimal("0.01"))
    row["total"] = row["volunteer"] + row["honorarium"] + row["employed"]
    return row


def organisation_summary_for(user, organisation: Organisation) -> dict | None:
    """Counts and FTE of an organisation's current peer staff, for those allowed to see them."""
    if not user_sees_organisation_counts(user, organisation):
        return None
    return engagement_summary(Engagement.objects.filter(organisation=organisation))


def _engagements_with_terms() -> QuerySet[Engagement]:
    return Engagement.objects.select_related(
        "person", "organisation__prefecture", "confirmed_by"
    ).prefetch_related(Prefetch("activities", queryset=Activity.objects.order_by("sort_order")))


def organisation_staff_for(user, organisation: Organisation) -> QuerySet[Engagement]:
    """The organisation's current engagements with their terms: managers and administrators only."""
    if not user_manages_organisation(user, organisation):
        return Engagement.objects.none()
    return _current(_engagements_with_terms().filter(organisation=organisation)).order_by(
        "person__display_name", "id"
    )


def organisation_public_staff(organisation: Organisation) -> QuerySet[Engagement]:
    """Current engagements of people who chose to show where they work in the directory."""
    return _current(
        Engagement.objects.select_related("person").filter(
            organisation=organisation,
            person__profile__directory_opt_in=True,
            person__profile__public_engagements=True,
        )
    ).order_by("person__display_name", "id")


# --- Engagements ----------------------------------------------------------------------------


def engagement_list_for(user) -> QuerySet[Engagement]:
    """Every engagement this user may see: their own and their organisations'."""
    qs = _engagements_with_terms()
    if user_is_admin(user):
        return qs.all()
    managed = [a.organisation_id for a in role_assignment_list_for(user) if a.role == Role.MANAGER]
    return qs.filter(Q(person=user) | Q(organisation_id__in=managed))


def engagement_list_own(user) -> QuerySet[Engagement]:
    return _engagements_with_terms().filter(person=user)


def engagement_get_for(user, pk) -> Engagement:
    try:
        return engagement_list_for(user).get(pk=pk)
    except (Engagement.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404 from missing


def engagement_list_pending_for(user) -> QuerySet[Engagement]:
    """Engagements waiting for this manager's confirmation."""
    return _engagements_with_terms().filter(
        organisation__in=organisation_list_managed_by(user), confirmed_at__isnull=True
    )


def user_manages_engagement(user, engagement: Engagement) -> bool:
    return user_manages_organisation(user, engagement.organisation)


# --- People ---------------------------------------------------------------------------------


def person_list_for(user) -> QuerySet[User]:
    """People whose (non-sensitive) profile this user may see: themselves, and for a manager
    everyone with an engagement at one of their organisations."""
    qs = User.objects.select_related("profile__prefecture").prefetch_related(
        "profile__professional_roles"
    )
    if user_is_admin(user):
        return qs.filter(is_active=True)
    managed = [a.organisation_id for a in role_assignment_list_for(user) if a.role == Role.MANAGER]
    return qs.filter(
        Q(pk=user.pk) | Q(engagements__organisation_id__in=managed)
    ).distinct()


def person_list_linked_to(organisation: Organisation) -> QuerySet[User]:
    """Active people linked to an organisation: anyone with an engagement there (past or
    present) or who accepted an invitation to it. A manager picks from these."""
    from ..models import Invitation

    invited = Invitation.objects.filter(
        organisation=organisation, accepted_by__isnull=False
    ).values("accepted_by")
    engaged = Engagement.objects.filter(organisation=organisation).values("person")
    return User.objects.filter(
        Q(pk__in=engaged) | Q(pk__in=invited), is_active=True
    ).order_by("display_name", "id")


def person_get_for(user, pk) -> User:
    try:
        return person_list_for(user).get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404 from missing


def profile_for(person: User) -> Profile:
    """The person's profile, or an unsaved empty one (a profile is made on first save)."""
    try:
        return person.profile
    except Profile.DoesNotExist:
        return Profile(user=person)


def directory_list(*, prefecture: str | None = None, kind: str | None = None) -> QuerySet[Profile]:
    """People who chose to be listed, with what each chose to show, in a fixed number of queries.

    A filter only matches what the person made public: `prefecture` (JIS code) their shown
    prefecture, `kind` (organisation-kind code) where they show that they work now. Current
    engagements are on `user.current_engagements`, for those who show them.
    """
    qs = Profile.objects.filter(directory_opt_in=True, user__is_active=True)
    if prefecture:
        qs = qs.filter(public_prefecture=True, prefecture_id=prefecture)
    if kind:
        working = _current(Engagement.objects.filter(organisation__kind__code=kind)).values("person")
        qs = qs.filter(public_engagements=True, user_id__in=working)
    return (
        qs.select_related("user", "prefecture")
        .prefetch_related(
            Prefetch("professional_roles", queryset=ProfessionalRole.objects.order_by("sort_order")),
            Prefetch(
                "user__engagements",
                queryset=_current(Engagement.objects.select_related("organisation"))
                .filter(person__profile__public_engagements=True)
                .order_by("organisation__name", "id"),
                to_attr="current_engagements",
            ),
        )
        .order_by("user__display_name", "id")
    )


def directory_lived_experience(*, viewer, profiles: list[Profile], context: str) -> dict[int, LivedExperience]:
    """Lived experience that people on a directory page chose to show to anyone who sees their
    entry (under an active consent), keyed by user id. Each one shown is logged for the person,
    in one insert."""
    shown = {
        d.person_id: d
        for d in LivedExperience.objects.select_related("consent").filter(
            person_id__in=[p.user_id for p in profiles],
            visibility=LivedExperience.Visibility.DIRECTORY,
        )
        if d.consent.covers(DataCategory.LIVED_EXPERIENCE)
    }
    SensitiveAccess.objects.bulk_create([
        SensitiveAccess(person_id=person_id, accessor=viewer,
                        category=DataCategory.LIVED_EXPERIENCE, context=context[:100])
        for person_id in shown if person_id != viewer.pk
    ])
    return shown


# --- Sensitive fields -----------------------------------------------------------------------


def _log_access(*, viewer, person, category: str, context: str) -> None:
    if viewer.pk != person.pk:
        SensitiveAccess.objects.create(
            person=person, accessor=viewer, category=category, context=context[:100]
        )


def _manages_current_engagement_of(viewer, person) -> bool:
    managed = [
        a.organisation_id for a in role_assignment_list_for(viewer) if a.role == Role.MANAGER
    ]
    return bool(managed) and _current(
        Engagement.objects.filter(person=person, organisation_id__in=managed)
    ).exists()


def accommodations_read(*, viewer, person, context: str) -> str | None:
    """The person's accommodation preferences if `viewer` may read them now, else None.

    The person; and managers of an organisation where the person currently works, while the
    consent to share them is active. Every read by someone else is logged for the person.
    """
    profile = (
        Profile.objects.select_related("accommodations_consent").filter(user=person).first()
    )
    consent = profile.accommodations_consent if profile else None
    if profile is None or not profile.accommodations or consent is None or not consent.covers(
        DataCategory.ACCOMMODATIONS
    ):
        return None
    if viewer.pk != person.pk and not _manages_current_engagement_of(viewer, person):
        return None
    _log_access(
        viewer=viewer, person=person, category=DataCategory.ACCOMMODATIONS, context=context
    )
    return profile.accommodations


def lived_experience_read(*, viewer, person, context: str) -> LivedExperience | None:
    """The person's lived-experience declaration if `viewer` may see it now, else None."""
    declaration = (
        LivedExperience.objects.select_related("consent").filter(person=person).first()
    )
    if declaration is None or not declaration.consent.covers(DataCategory.LIVED_EXPERIENCE):
        return None
    if viewer.pk != person.pk:
        visibility = declaration.visibility
        allowed = (
            visibility == LivedExperience.Visibility.DIRECTORY
            and profile_for(person).directory_opt_in
        ) or (
            visibility in (LivedExperience.Visibility.MANAGERS, LivedExperience.Visibility.DIRECTORY)
            and _manages_current_engagement_of(viewer, person)
        )
        if not allowed:
            return None
    _log_access(
        viewer=viewer, person=person, category=DataCategory.LIVED_EXPERIENCE, context=context
    )
    return declaration


def sensitive_access_list_for(person) -> QuerySet[SensitiveAccess]:
    """The person's own access log: who read which sensitive field, when."""
    return SensitiveAccess.objects.filter(person=person).select_related("accessor")


# --- Coordinators ---------------------------------------------------------------------------


def _hide_small(value: int) -> int | None:
    return None if 0 < value < SMALL_CELL else value


def prefecture_counts_for(user) -> list[dict]:
    """For each prefecture the coordinator covers: current engagements by kind and total FTE.

    Counts only, never people; counts from 1 to SMALL_CELL-1 are hidden (None).
    """
    rows = []
    for prefecture in prefecture_list_coordinated_by(user).order_by("code"):
        summary = engagement_summary(
            Engagement.objects.filter(organisation__prefecture=prefecture)
        )
        organisations = Organisation.objects.filter(prefecture=prefecture).count()
        rows.append(
            {
                "prefecture": prefecture,
                "organisations": organisations,
                **{k: _hide_small(summary[k]) for k in ("volunteer", "honorarium", "employed")},
                "fte": summary["fte"] if summary["employed"] >= SMALL_CELL else None,
            }
        )
    return rows


def person_belongs_to_organisation(person, organisation: Organisation, *, on=None) -> bool:
    """Whether the person works at the organisation now (a current engagement of any kind) or
    manages it (a manager's role there). An administrator's reach does not count."""
    if person is None or organisation is None:
        return False
    if _current(Engagement.objects.filter(person=person, organisation=organisation), on).exists():
        return True
    return RoleAssignment.objects.filter(user=person, role=Role.MANAGER, organisation=organisation).exists()


def person_manages_organisation(person, organisation: Organisation) -> bool:
    """A manager's role at this organisation itself (not an administrator's reach)."""
    return RoleAssignment.objects.filter(user=person, role=Role.MANAGER, organisation=organisation).exists()


def organisation_list_belonged_to(person, *, on=None) -> QuerySet[Organisation]:
    """Organisations the person belongs to now: where they work (a current engagement) or
    that they manage (the offices they may apply to training from)."""
    day = on or timezone.localdate()
    working = _current(Engagement.objects.filter(person=person), day).values("organisation_id")
    managing = RoleAssignment.objects.filter(user=person, role=Role.MANAGER).values("organisation_id")
    return Organisation.objects.filter(Q(pk__in=working) | Q(pk__in=managing)).order_by("name")


def vocabulary_change_allowed(user, model, action: str = "change") -> bool:
    """Whether the user may add or change terms of a vocabulary: the editor's own permission
    (Wagtail snippets, peers.wagtail_hooks), which grants only after two-step sign-in."""
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm(
        f"{model._meta.app_label}.{action}_{model._meta.model_name}"
    )
