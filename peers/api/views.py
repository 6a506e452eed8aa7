"""JSON API (/api/v1/) for organisations, people and engagements.

The same selectors decide access and the same services make changes as on the pages. Bad input
is answered 400 with messages in Japanese and English at once, and nothing is changed; every
error is RFC 9457 problem details, written by the one handler in peers/api/problems.py.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from ..models import (
    Activity,
    Engagement,
    Organisation,
    Prefecture,
    ProfessionalRole,
    Profile,
    User,
)
from ..request_params import (
    CodeRelatedField,
    read_text,
)
from ..selectors.workforce import (
    engagement_get_for,
    engagement_list_for,
    organisation_get,
    organisation_list,
    organisation_summary_for,
    person_get_for,
    person_list_for,
    profile_for,
)
from ..services.workforce import (
    engagement_change_terms,
    engagement_confirm,
    engagement_end,
    engagement_start,
    profile_update,
)
from .base import KakehashiAPIView, list_endpoint, validated

# --- Serializers ------------------------------------------------------------------------------


class TermSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_ja = serializers.CharField()
    name_en = serializers.CharField()


class OrganisationSerializer(serializers.ModelSerializer):
    kind = TermSerializer(allow_null=True)
    prefecture = serializers.CharField(source="prefecture_id")

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "prefecture", "municipality", "corporation",
                  "contact_email", "contact_phone"]


class SummarySerializer(serializers.Serializer):
    volunteer = serializers.IntegerField()
    honorarium = serializers.IntegerField()
    employed = serializers.IntegerField()
    total = serializers.IntegerField()
    fte = serializers.DecimalField(max_digits=8, decimal_places=2)


class OrganisationDetailSerializer(OrganisationSerializer):
    summary = SummarySerializer(allow_null=True, read_only=True, help_text=(
        "Counts and FTE of current peer staff: managers, administrators and coordinators only."
    ))

    class Meta(OrganisationSerializer.Meta):
        fields = [*OrganisationSerializer.Meta.fields, "summary"]


class PersonSerializer(serializers.Serializer):
    """A person's non-sensitive profile (sensitive fields are never in the API)."""

    id = serializers.IntegerField()
    display_name = serializers.CharField()
    name_kana = serializers.CharField()
    prefecture = serializers.CharField(allow_null=True)
    languages = serializers.CharField()
    professional_roles = serializers.ListField(child=serializers.CharField())


def _person_data(person: User) -> dict:
    profile = profile_for(person)
    return {
        "id": person.pk,
        "display_name": person.display_name,
        "name_kana": person.name_kana,
        "prefecture": profile.prefecture_id,
        "languages": profile.languages,
        "professional_roles": [r.code for r in profile.professional_roles.all()] if profile.pk else [],
    }


class ProfileUpdateSerializer(serializers.Serializer):
    display_name = serializers.CharField(max_length=100, required=False)
    name_kana = serializers.CharField(max_length=100, required=False, allow_blank=True)
    prefecture = CodeRelatedField(
        slug_field="code", queryset=Prefecture.objects.all(), required=False, allow_null=True
    )
    languages = serializers.CharField(max_length=200, required=False, allow_blank=True)
    professional_roles = CodeRelatedField(
        slug_field="code", queryset=ProfessionalRole.objects.filter(is_active=True), many=True,
        required=False,
    )
    directory_opt_in = serializers.BooleanField(required=False)
    public_prefecture = serializers.BooleanField(required=False)
    public_languages = serializers.BooleanField(required=False)
    public_roles = serializers.BooleanField(required=False)
    public_engagements = serializers.BooleanField(required=False)


class EngagementSerializer(serializers.ModelSerializer):
    person = serializers.IntegerField(source="person_id")
    person_name = serializers.CharField(source="person.display_name")
    organisation = serializers.IntegerField(source="organisation_id")
    activities = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    fte = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    replaces = serializers.IntegerField(source="previous_id", allow_null=True)

    class Meta:
        model = Engagement
        fields = ["id", "person", "person_name", "organisation", "kind", "job_title", "activities",
                  "start_date", "end_date", "honorarium_rate", "honorarium_unit", "weekly_hours",
                  "full_time_weekly_hours", "fte", "on_leave", "contract", "confirmed_at", "replaces"]


class TermsSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Engagement.Kind.choices)
    job_title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    activities = CodeRelatedField(
        slug_field="code", queryset=Activity.objects.filter(is_active=True), many=True,
        required=False,
    )
    honorarium_rate = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    honorarium_unit = serializers.ChoiceField(
        choices=Engagement.RateUnit.choices, required=False, allow_blank=True, default=""
    )
    weekly_hours = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0,
                                            required=False, allow_null=True)
    full_time_weekly_hours = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0,
                                                      required=False, allow_null=True)
    on_leave = serializers.BooleanField(required=False, default=False)
    contract = serializers.ChoiceField(
        choices=Engagement.Contract.choices, required=False, allow_blank=True, default="",
        help_text="For employment only; blank means an employment contract.",
    )


class EngagementCreateSerializer(TermsSerializer):
    person = serializers.IntegerField(required=False, help_text="Defaults to yourself.")
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)


class EngagementEndSerializer(serializers.Serializer):
    end_date = serializers.DateField()


class ChangeTermsSerializer(TermsSerializer):
    effective_date = serializers.DateField()


# --- Views ------------------------------------------------------------------------------------


class OrganisationListAPI(KakehashiAPIView):
    serializer_class = OrganisationSerializer

    @list_endpoint(OrganisationSerializer, operation_id="organisations_list", parameters=[
        OpenApiParameter("search", str), OpenApiParameter("prefecture", str),
        OpenApiParameter("kind", str), OpenApiParameter("activity", str),
    ])
    def get(self, request):
        params = request.query_params
        qs = organisation_list(
            search=read_text(params, "search", max_length=100),
            prefecture=read_text(params, "prefecture", max_length=10, default=None),
            kind=read_text(params, "kind", max_length=60, default=None),
            activity=read_text(params, "activity", max_length=60, default=None),
        )
        items, next_url = self.page(qs, ["name", "id"])
        return Response({"results": OrganisationSerializer(items, many=True).data, "next": next_url})


class OrganisationDetailAPI(KakehashiAPIView):
    serializer_class = OrganisationDetailSerializer

    def get(self, request, pk: int):
        organisation = organisation_get(pk)
        data = OrganisationSerializer(organisation).data
        summary = organisation_summary_for(request.user, organisation)
        data["summary"] = SummarySerializer(summary).data if summary else None
        return Response(data)


class PersonListAPI(KakehashiAPIView):
    serializer_class = PersonSerializer

    @list_endpoint(PersonSerializer, operation_id="people_list")
    def get(self, request):
        items, next_url = self.page(person_list_for(request.user), ["id"])
        return Response({"results": [_person_data(p) for p in items], "next": next_url})


class PersonDetailAPI(KakehashiAPIView):
    serializer_class = PersonSerializer

    def get(self, request, pk: int):
        return Response(_person_data(person_get_for(request.user, pk)))


class MyProfileAPI(KakehashiAPIView):
    own_record_only = True  # open without two-step sign-in: it is the caller's own record
    serializer_class = PersonSerializer
    resource_models = (User, Profile)  # for the API coverage test (PersonSerializer is not a ModelSerializer)

    def get(self, request):
        return Response(_person_data(request.user))

    @extend_schema(request=ProfileUpdateSerializer, responses=PersonSerializer)
    def patch(self, request):
        data = dict(validated(ProfileUpdateSerializer, request.data))
        profile_update(actor=request.user, person=request.user, **data)
        request.user.refresh_from_db()
        return Response(_person_data(User.objects.get(pk=request.user.pk)))


class EngagementListAPI(KakehashiAPIView):
    serializer_class = EngagementSerializer

    @list_endpoint(EngagementSerializer, operation_id="engagements_list")
    def get(self, request):
        items, next_url = self.page(engagement_list_for(request.user), ["-start_date", "-id"])
        return Response({"results": EngagementSerializer(items, many=True).data, "next": next_url})

    @extend_schema(request=EngagementCreateSerializer, responses={201: EngagementSerializer})
    def post(self, request):
        data = dict(validated(EngagementCreateSerializer, request.data))
        person_id = data.pop("person", None)
        person = request.user if person_id in (None, request.user.pk) else person_get_for(
            request.user, person_id
        )
        engagement = engagement_start(actor=request.user, person=person, **data)
        engagement = engagement_get_for(request.user, engagement.pk)
        return Response(EngagementSerializer(engagement).data, status=status.HTTP_201_CREATED)


class EngagementDetailAPI(KakehashiAPIView):
    serializer_class = EngagementSerializer

    def get(self, request, pk: int):
        return Response(EngagementSerializer(engagement_get_for(request.user, pk)).data)


class EngagementConfirmAPI(KakehashiAPIView):
    serializer_class = EngagementSerializer

    @extend_schema(request=None, responses=EngagementSerializer)
    def post(self, request, pk: int):
        engagement = engagement_confirm(actor=request.user, engagement=engagement_get_for(request.user, pk))
        return Response(EngagementSerializer(engagement_get_for(request.user, engagement.pk)).data)


class EngagementEndAPI(KakehashiAPIView):
    serializer_class = EngagementSerializer

    @extend_schema(request=EngagementEndSerializer, responses=EngagementSerializer)
    def post(self, request, pk: int):
        engagement = engagement_get_for(request.user, pk)
        data = validated(EngagementEndSerializer, request.data)
        engagement_end(actor=request.user, engagement=engagement, end_date=data["end_date"])
        return Response(EngagementSerializer(engagement_get_for(request.user, pk)).data)


class EngagementChangeTermsAPI(KakehashiAPIView):
    serializer_class = EngagementSerializer

    @extend_schema(request=ChangeTermsSerializer, responses={201: EngagementSerializer})
    def post(self, request, pk: int):
        engagement = engagement_get_for(request.user, pk)
        data = dict(validated(ChangeTermsSerializer, request.data, partial=False))
        activities = data.pop("activities", None)
        new = engagement_change_terms(
            actor=request.user, engagement=engagement, activities=activities, **data
        )
        return Response(EngagementSerializer(engagement_get_for(request.user, new.pk)).data,
                        status=status.HTTP_201_CREATED)
