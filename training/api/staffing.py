"""An office's in-house trainings and staffing publications under
/api/v1/organisations/<id>/in-house-trainings/ and …/staffing-publications/: its managers (and
administrators) read and record them, as in the staffing page's sections; coordinators, who read
the staffing check without the people, get a 403, and anyone else a 404
(training.staffing.selectors.staffing_organisation_for decides for the page and here)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from peers.api.base import KakehashiAPIView, page_schema, validated
from peers.models import User

from ..models import InHouseTraining, StaffingPublication
from ..staffing import (
    fiscal_year_of,
    in_house_training_record,
    staffing_check,
    staffing_publication_record,
)
from ..staffing.selectors import staffing_organisation_for


def _office_for(user, pk):
    organisation, sees_people = staffing_organisation_for(user, pk)
    if not sees_people:
        raise PermissionDenied(_("Only the office's managers can see and record this."))
    return organisation


class InHouseTrainingSerializer(serializers.ModelSerializer):
    has_materials = serializers.SerializerMethodField()

    class Meta:
        model = InHouseTraining
        fields = ["id", "organisation", "held_on", "title", "trainer", "given_by", "attendees", "has_materials",
                  "recorded_at"]

    def get_has_materials(self, training) -> bool:
        return bool(training.materials)


class InHouseTrainingInput(serializers.Serializer):
    held_on = serializers.DateField()
    title = serializers.CharField(max_length=200)
    trainer = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    given_by = serializers.ListField(child=serializers.IntegerField(), required=False, default=list, max_length=200)
    attendees = serializers.ListField(child=serializers.IntegerField(), required=False, default=list, max_length=500)
    materials = serializers.FileField(required=False, allow_null=True)


def _staff_of(organisation, month, ids: list[int], field: str) -> list[User]:
    """The people named must be staff counted in the office's check for that month (the page's
    choices); anyone else is refused."""
    if not ids:
        return []
    check = staffing_check(organisation=organisation, month=month)
    staff_ids = {line.person.pk for addition in check.additions for line in addition.people}
    if not set(ids) <= staff_ids:
        raise ValidationError({field: _("Choose staff of this office.")})
    return list(User.objects.filter(pk__in=set(ids)))


class InHouseTrainingListAPI(KakehashiAPIView):
    serializer_class = InHouseTrainingSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
                   responses=page_schema(InHouseTrainingSerializer), operation_id="organisation_in_house_trainings_list")
    def get(self, request, pk):
        organisation = _office_for(request.user, pk)
        qs = InHouseTraining.objects.filter(organisation=organisation).prefetch_related("given_by", "attendees")
        items, next_url = self.page(qs, ["-held_on", "-id"])
        return Response({"results": InHouseTrainingSerializer(items, many=True).data, "next": next_url})

    @extend_schema(request=InHouseTrainingInput, responses={201: InHouseTrainingSerializer},
                   operation_id="organisation_in_house_trainings_create")
    def post(self, request, pk):
        organisation = _office_for(request.user, pk)
        values = validated(InHouseTrainingInput, request.data)
        month = values["held_on"].replace(day=1)
        training = in_house_training_record(
            organisation=organisation, held_on=values["held_on"], title=values["title"], trainer=values["trainer"],
            attendees=_staff_of(organisation, month, values["attendees"], "attendees"),
            given_by=_staff_of(organisation, month, values["given_by"], "given_by"),
            materials=values.get("materials"), recorded_by=request.user,
        )
        return Response(InHouseTrainingSerializer(training).data, status=status.HTTP_201_CREATED)


class StaffingPublicationSerializer(serializers.ModelSerializer):
    class Meta:
        model = StaffingPublication
        fields = ["id", "organisation", "fiscal_year", "published_on", "where"]


class PublicationInput(serializers.Serializer):
    published_on = serializers.DateField()
    where = serializers.CharField(max_length=300)


class StaffingPublicationListAPI(KakehashiAPIView):
    """GET: the office's publications by fiscal year. POST: record one; the fiscal year comes
    from the date, and a second one in the same fiscal year replaces the first (as the page)."""

    serializer_class = StaffingPublicationSerializer

    @extend_schema(parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
                   responses=page_schema(StaffingPublicationSerializer),
                   operation_id="organisation_staffing_publications_list")
    def get(self, request, pk):
        organisation = _office_for(request.user, pk)
        qs = StaffingPublication.objects.filter(organisation=organisation)
        items, next_url = self.page(qs, ["-fiscal_year", "-id"])
        return Response({"results": StaffingPublicationSerializer(items, many=True).data, "next": next_url})

    @extend_schema(request=PublicationInput, responses={201: StaffingPublicationSerializer},
                   operation_id="organisation_staffing_publications_create")
    def post(self, request, pk):
        organisation = _office_for(request.user, pk)
        values = validated(PublicationInput, request.data)
        publication = staffing_publication_record(
            organisation=organisation, fiscal_year=fiscal_year_of(values["published_on"]),
            published_on=values["published_on"], where=values["where"], recorded_by=request.user,
        )
        return Response(StaffingPublicationSerializer(publication).data, status=status.HTTP_201_CREATED)
