"""An office's in-house trainings and staffing publications under
/api/v1/organisations/<id>/in-house-trainings/ and …/staffing-publications/: its managers (and
administrators) read and record them, as in the staffing page's sections; coordinators, who read
the staffing check without the people, get a 403, and anyone else a 404
(training.staffing.selectors.staffing_organisation_for decides for the page and here)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from peers.api.base import KakehashiAPIView, list_endpoint, page_schema, validated
from peers.models import User

from ..models import (
    InHouseTraining,
    PeerSupportDeliveryCount,
    StaffingFiling,
    StaffingPublication,
    StaffingRule,
)
from ..staffing import (
    delivery_count_record,
    fiscal_year_of,
    in_house_training_record,
    parse_month,
    staffing_check,
    staffing_filing_prepare,
    staffing_publication_record,
)
from ..staffing.selectors import staffing_filing_list, staffing_organisation_for


def _office_for(user, pk):
    organisation, sees_people = staffing_organisation_for(user, pk)
    if not sees_people:
        raise PermissionDenied(_("Only the office's managers can see and record this."))
    return organisation


class _OfficeRecordsAPI(KakehashiAPIView):
    """One of the office's record lists on the staffing page: its managers' (see _office_for)."""

    def office_page(self, request, pk, rows, ordering: list[str]) -> Response:
        """A page of `rows(organisation)` in `ordering`, shown with the view's serializer."""
        items, next_url = self.page(rows(_office_for(request.user, pk)), ordering)
        return Response({"results": self.serializer_class(items, many=True).data, "next": next_url})


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


class InHouseTrainingListAPI(_OfficeRecordsAPI):
    serializer_class = InHouseTrainingSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
                   responses=page_schema(InHouseTrainingSerializer), operation_id="organisation_in_house_trainings_list")
    def get(self, request, pk):
        return self.office_page(request, pk, lambda office: InHouseTraining.objects.filter(
            organisation=office).prefetch_related("given_by", "attendees"), ["-held_on", "-id"])

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


class StaffingPublicationListAPI(_OfficeRecordsAPI):
    """GET: the office's publications by fiscal year. POST: record one; the fiscal year comes
    from the date, and a second one in the same fiscal year replaces the first (as the page)."""

    serializer_class = StaffingPublicationSerializer

    @extend_schema(parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
                   responses=page_schema(StaffingPublicationSerializer),
                   operation_id="organisation_staffing_publications_list")
    def get(self, request, pk):
        return self.office_page(request, pk, lambda office: StaffingPublication.objects.filter(organisation=office),
                                ["-fiscal_year", "-id"])

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


# --- Delivery counts (ピアサポート実施加算) and filing packs: the staffing page's last two sections --


@extend_schema_field({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$", "example": "2026-05"})
class MonthField(serializers.Field):
    """A month as the page takes it: `2026-05` (the first day is kept)."""

    def __init__(self, **kwargs):
        super().__init__(help_text="Year and month, like 2026-05.", **kwargs)

    def to_internal_value(self, data):
        month = parse_month(data) if isinstance(data, str) and len(data) <= 7 else None
        if month is None:
            raise serializers.ValidationError(_("Give the month as year and month, like 2026-05."), code="invalid")
        return month

    def to_representation(self, value):
        return f"{value:%Y-%m}"


class DeliveryCountSerializer(serializers.ModelSerializer):
    class Meta:
        model = PeerSupportDeliveryCount
        fields = ["id", "organisation", "month", "service_users", "recorded_at"]


class DeliveryCountInput(serializers.Serializer):
    month = MonthField()
    service_users = serializers.IntegerField(min_value=0, max_value=100000)


class DeliveryCountListAPI(_OfficeRecordsAPI):
    """GET: how many service users received peer support each month (numbers; no one is named).
    POST: record a month's number; recording the month again replaces it (as the page)."""

    serializer_class = DeliveryCountSerializer

    @list_endpoint(DeliveryCountSerializer, operation_id="organisation_delivery_counts_list")
    def get(self, request, pk):
        return self.office_page(request, pk, lambda office: PeerSupportDeliveryCount.objects.filter(
            organisation=office), ["-month", "-id"])

    @extend_schema(request=DeliveryCountInput, responses={201: DeliveryCountSerializer},
                   operation_id="organisation_delivery_counts_create")
    def post(self, request, pk):
        organisation = _office_for(request.user, pk)
        values = validated(DeliveryCountInput, request.data)
        count = delivery_count_record(organisation=organisation, month=values["month"],
                                      service_users=values["service_users"], recorded_by=request.user)
        return Response(DeliveryCountSerializer(count).data, status=status.HTTP_201_CREATED)


class StaffingFilingSerializer(serializers.ModelSerializer):
    xlsx_url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = StaffingFiling
        fields = ["id", "organisation", "month", "prepared_at", "prepared_by", "xlsx_url", "pdf_url"]

    def _url(self, filing, name) -> str:
        return f"{reverse(name, args=[filing.organisation_id])}?month={filing.month:%Y-%m}"

    def get_xlsx_url(self, filing) -> str:
        """The month's latest pack as Excel (the page's download)."""
        return self._url(filing, "training:staffing_pack_xlsx")

    def get_pdf_url(self, filing) -> str:
        return self._url(filing, "training:staffing_pack_pdf")


class StaffingFilingInput(serializers.Serializer):
    month = MonthField()


class StaffingFilingListAPI(_OfficeRecordsAPI):
    """GET: the filing packs kept, newest first. POST: keep the pack for a month as the records
    stand now; the files are downloaded from the staffing page's addresses."""

    serializer_class = StaffingFilingSerializer

    @list_endpoint(StaffingFilingSerializer, operation_id="organisation_staffing_filings_list")
    def get(self, request, pk):
        return self.office_page(request, pk, staffing_filing_list, ["-prepared_at", "-id"])

    @extend_schema(request=StaffingFilingInput, responses={201: StaffingFilingSerializer},
                   operation_id="organisation_staffing_filings_create")
    def post(self, request, pk):
        organisation = _office_for(request.user, pk)
        values = validated(StaffingFilingInput, request.data)
        filing = staffing_filing_prepare(organisation=organisation, month=values["month"], prepared_by=request.user)
        return Response(StaffingFilingSerializer(filing).data, status=status.HTTP_201_CREATED)


# --- The welfare-fee staffing rules (kept by administrators in the editor; read here) ----------


class StaffingRuleSerializer(serializers.ModelSerializer):
    eligible_services = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = StaffingRule
        fields = ["id", "addition", "label", "in_force_from", "eligible_services", "units", "units_per_service_user",
                  "peer_courses", "partner_courses", "fte_floor", "combine_co_located", "counted_kinds",
                  "counted_contracts", "on_leave_counts", "trainings_per_fiscal_year", "training_by_placed_staff",
                  "publication_required", "transitional_until", "transitional_peer_courses",
                  "transitional_partner_untrained", "note_ja", "note_en"]


class StaffingRuleListAPI(KakehashiAPIView):
    """Every version of each welfare-fee addition's rule, as the staffing check applies them (the
    version in force in the month it looks at). Published rules: everyone signed in reads them;
    administrators change them in the editor."""

    serializer_class = StaffingRuleSerializer

    @list_endpoint(StaffingRuleSerializer, operation_id="training_staffing_rules_list")
    def get(self, request):
        qs = StaffingRule.objects.prefetch_related("eligible_services")
        items, next_url = self.page(qs, ["addition", "-in_force_from", "id"])
        return Response({"results": StaffingRuleSerializer(items, many=True).data, "next": next_url})
