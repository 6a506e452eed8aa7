"""JSON API (/api/v1/activity/) for entries, verification and supervision. The same selectors
decide access and the same services make changes as on the pages; bad input answers 400 in
Japanese and English at once and changes nothing."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from peers.api.base import KakehashiAPIView, list_endpoint, validated
from peers.models import (
    Activity,
    Engagement,
    Organisation,
    OrganisationKind,
    ProfessionalRole,
    User,
)
from peers.request_params import (
    REQUIRED,
    BadParameter,
    CodeRelatedField,
    read_choice,
    read_date,
    read_id,
)

from .. import selectors, services
from ..models import (
    LEVEL_FIELDS,
    RECOVERY_FIELDS,
    ActivityColleague,
    ActivityEntry,
    EntryStatus,
    Mode,
    Stage,
    SupervisionSession,
)

ORDER = ["-date", "-id"]


class EntrySerializer(serializers.ModelSerializer):
    activity = serializers.CharField(source="activity.code")
    setting = serializers.CharField(source="setting.code")
    organisation = serializers.IntegerField(source="organisation_id")
    engagement = serializers.IntegerField(source="engagement_id")
    author = serializers.IntegerField(source="author_id")
    hours = serializers.FloatField()

    class Meta:
        model = ActivityEntry
        fields = ["id", "author", "engagement", "organisation", "engagement_kind", "date", "start_time",
                  "duration_minutes", "hours", "setting", "activity", "mode", "stage", "people_supported",
                  *LEVEL_FIELDS, *RECOVERY_FIELDS, "status", "verification_waived"]


class EntryDetailSerializer(EntrySerializer):
    professional_roles = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    history = serializers.SerializerMethodField()
    reflection = serializers.SerializerMethodField()

    class Meta(EntrySerializer.Meta):
        fields = [*EntrySerializer.Meta.fields, "professional_roles", "history", "reflection", "reflection_shared"]

    def get_history(self, entry) -> list[dict]:
        return [{"action": h.action, "actor": h.actor_id, "at": h.at, "reason": h.reason} for h in entry.history.all()]

    def get_reflection(self, entry) -> str | None:
        return entry.reflection if selectors.reflection_visible(self.context["user"], entry) else None


class _Emails(serializers.ListField):
    child = serializers.EmailField()

    def to_internal_value(self, data):
        emails = [e.lower() for e in super().to_internal_value(data)]
        users = list(User.objects.filter(email__in=emails, is_active=True))
        if len(users) != len(set(emails)):
            raise serializers.ValidationError(_no_such_person())
        return users


def _no_such_person():
    from django.utils.translation import gettext as _

    return _("No one on the platform has one of these addresses.")


class EntryInSerializer(serializers.Serializer):
    engagement = serializers.PrimaryKeyRelatedField(queryset=Engagement.objects.all())
    date = serializers.DateField()
    start_time = serializers.TimeField(required=False, allow_null=True)
    duration_minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)
    activity = CodeRelatedField(slug_field="code", queryset=Activity.objects.filter(is_active=True))
    setting = CodeRelatedField(
        slug_field="code", queryset=OrganisationKind.objects.all(), required=False, allow_null=True
    )
    mode = serializers.ChoiceField(choices=Mode.choices, required=False)
    stage = serializers.ChoiceField(choices=Stage.choices)
    people_supported = serializers.IntegerField(min_value=0, max_value=1000, required=False)
    professional_roles = CodeRelatedField(
        slug_field="code", queryset=ProfessionalRole.objects.all(), many=True, required=False
    )
    colleagues = _Emails(required=False)
    level_person = serializers.BooleanField(required=False)
    level_professionals = serializers.BooleanField(required=False)
    level_organisation = serializers.BooleanField(required=False)
    level_community = serializers.BooleanField(required=False)
    recovery_personal = serializers.BooleanField(
        required=False, help_text="Personal recovery (内面的リカバリー); implies the effect on the person.")
    recovery_social = serializers.BooleanField(
        required=False, help_text="Social recovery (外見的リカバリー); implies the effect on the person.")
    reflection = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    reflection_shared = serializers.BooleanField(required=False)


class EntryCorrectSerializer(EntryInSerializer):
    engagement = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class WeekVerifySerializer(serializers.Serializer):
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    week_start = serializers.DateField()


class SupervisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = SupervisionSession
        fields = ["id", "supervisor", "peer", "date", "minutes", "topics", "recorded_by", "confirmed_at"]
        read_only_fields = ["recorded_by", "confirmed_at"]


class SupervisionInSerializer(serializers.Serializer):
    """One of the two ids is the caller's own; the other must be someone they work with
    (selectors.supervision_counterpart_list_for): an id that does not exist and one of a person
    they do not work with get the same 400, and nothing is stored or sent."""

    supervisor = serializers.IntegerField(help_text="User id of the supervisor (you, or your supervisor).")
    peer = serializers.IntegerField(help_text="User id of the peer (you, or a peer you supervised).")
    date = serializers.DateField()
    minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)
    topics = serializers.CharField(required=False, allow_blank=True, max_length=2000)


def _entry_or_404(user, pk: int) -> ActivityEntry:
    entry = selectors.activity_entry_get_for(user, pk)
    if entry is None:
        raise Http404
    return entry


class EntryListAPI(KakehashiAPIView):
    serializer_class = EntrySerializer
    resource_models = (ActivityEntry, ActivityColleague)  # colleagues are named with the entry

    @list_endpoint(EntrySerializer, operation_id="activity_entries_list",
                   parameters=[OpenApiParameter("organisation", int), OpenApiParameter("status", str)])
    def get(self, request):
        qs = selectors.activity_entry_list_for(request.user)
        organisation = read_id(request.query_params, "organisation")
        if organisation is not None:
            qs = qs.filter(organisation_id=organisation)
        entry_status = read_choice(request.query_params, "status", EntryStatus.choices)
        if entry_status is not None:
            qs = qs.filter(status=entry_status)
        items, next_url = self.page(qs, ORDER)
        return Response({"results": EntrySerializer(items, many=True).data, "next": next_url})

    @extend_schema(request=EntryInSerializer, responses={201: EntryDetailSerializer})
    def post(self, request):
        data = dict(validated(EntryInSerializer, request.data))
        entry = services.activity_entry_create(author=request.user, **data)
        body = EntryDetailSerializer(_entry_or_404(request.user, entry.pk), context={"user": request.user}).data
        body["possible_duplicates"] = entry.possible_duplicates
        return Response(body, status=status.HTTP_201_CREATED)


class EntryDetailAPI(KakehashiAPIView):
    serializer_class = EntryDetailSerializer

    def get(self, request, pk: int):
        return Response(EntryDetailSerializer(_entry_or_404(request.user, pk), context={"user": request.user}).data)

    @extend_schema(request=EntryCorrectSerializer, responses=EntryDetailSerializer)
    def patch(self, request, pk: int):
        entry = _entry_or_404(request.user, pk)
        data = dict(validated(EntryCorrectSerializer, request.data, partial=True))
        services.activity_entry_correct(actor=request.user, entry=entry, **data)
        return Response(EntryDetailSerializer(_entry_or_404(request.user, pk), context={"user": request.user}).data)


class EntryVerifyAPI(KakehashiAPIView):
    serializer_class = EntryDetailSerializer

    @extend_schema(request=None, responses=EntryDetailSerializer)
    def post(self, request, pk: int):
        entry = services.activity_entry_verify(actor=request.user, entry=_entry_or_404(request.user, pk))
        return Response(EntryDetailSerializer(_entry_or_404(request.user, entry.pk), context={"user": request.user}).data)


class EntryDeclineAPI(KakehashiAPIView):
    serializer_class = EntryDetailSerializer

    @extend_schema(request=DeclineSerializer, responses=EntryDetailSerializer)
    def post(self, request, pk: int):
        entry = _entry_or_404(request.user, pk)
        data = validated(DeclineSerializer, request.data)
        services.activity_entry_decline(actor=request.user, entry=entry, reason=data["reason"])
        return Response(EntryDetailSerializer(_entry_or_404(request.user, pk), context={"user": request.user}).data)


class WeekVerifyAPI(KakehashiAPIView):
    serializer_class = WeekVerifySerializer

    @extend_schema(request=WeekVerifySerializer, responses={200: None})
    def post(self, request):
        data = validated(WeekVerifySerializer, request.data)
        organisation = selectors.activity_organisation_get_for(request.user, data["organisation"].pk)
        if organisation is None:
            raise Http404
        count = services.activity_week_verify(actor=request.user, organisation=organisation,
                                              week_start=data["week_start"])
        return Response({"verified": count})


class SupervisionListAPI(KakehashiAPIView):
    serializer_class = SupervisionSerializer

    @list_endpoint(SupervisionSerializer, operation_id="supervision_list")
    def get(self, request):
        items, next_url = self.page(selectors.supervision_list_for(request.user), ORDER)
        return Response({"results": SupervisionSerializer(items, many=True).data, "next": next_url})

    @extend_schema(request=SupervisionInSerializer, responses={201: SupervisionSerializer})
    def post(self, request):
        data = dict(validated(SupervisionInSerializer, request.data))
        me = request.user
        supervisor_id, peer_id = data.pop("supervisor"), data.pop("peer")
        if me.pk not in (supervisor_id, peer_id):
            raise PermissionDenied(_("Only the supervisor or the peer can record a session."))
        # Compared in Python with the people this user works with: the raw id never reaches a query.
        counterparts = selectors.supervision_counterpart_list_for(me)
        if supervisor_id == me.pk:
            field, other = "peer", counterparts.get(selectors.PEER, peer_id)
        else:
            field, other = "supervisor", counterparts.get(selectors.SUPERVISOR, supervisor_id)
        if other is None:
            raise ValidationError({field: selectors.NOT_A_COUNTERPART})
        supervisor, peer = (me, other) if field == "peer" else (other, me)
        session = services.supervision_record(actor=me, supervisor=supervisor, peer=peer, **data)
        return Response(SupervisionSerializer(session).data, status=status.HTTP_201_CREATED)


class SupervisionConfirmAPI(KakehashiAPIView):
    serializer_class = SupervisionSerializer

    @extend_schema(request=None, responses=SupervisionSerializer)
    def post(self, request, pk: int):
        session = selectors.supervision_get_for(request.user, pk)
        if session is None:
            raise Http404
        return Response(SupervisionSerializer(services.supervision_confirm(actor=request.user, session=session)).data)


class HoursAPI(KakehashiAPIView):
    """The signed-in person's verified hours between two dates (what renewal counts)."""

    @extend_schema(parameters=[OpenApiParameter("since", str), OpenApiParameter("until", str)], responses={200: None})
    def get(self, request):
        since = read_date(request.query_params, "since", default=REQUIRED)
        until = read_date(request.query_params, "until", default=REQUIRED)
        if until < since:
            raise BadParameter("until", ValidationError(_("The end date cannot be before the start date."),
                                                        code="order"))
        return Response({"hours": str(selectors.verified_hours_for(request.user, since, until))})
