"""Continuing-education records and audit sampling under /api/v1/training/ce/ (the holder's)
and /api/v1/training/staff/ce/ (the body's staff).

The holder lists and adds their own records and sends the evidence asked of them, as on their
training page; the body's staff list the records, pick a sample for evidence and accept or reject
it, as on the staff pages. The same selectors decide access and the same services change state."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from peers.api.base import KakehashiAPIView, page_schema, validated
from peers.request_params import read_choice, read_id

from ..evidence import EvidenceUploadLimit, declared_too_large, too_large_error
from ..models import CECategory, ContinuingEducation
from ..selectors import (
    ce_evidence_request_list_of,
    ce_record_get_for_staff,
    ce_record_get_own,
    ce_record_list_for,
    ce_record_list_of,
    training_body_get_for,
    training_body_list_held_by,
)
from ..services import ce_evidence_submit, ce_record_add, ce_review, ce_sample


class CERecordSerializer(serializers.ModelSerializer):
    category_name = serializers.CharField(source="category.name", read_only=True)
    has_evidence = serializers.SerializerMethodField()
    evidence_asked = serializers.BooleanField(read_only=True)

    class Meta:
        model = ContinuingEducation
        fields = ["id", "body", "person", "date", "provider", "title", "hours", "category", "category_name",
                  "has_evidence", "review", "review_reason", "evidence_due_on", "evidence_submitted_at",
                  "evidence_asked", "created_at"]

    def get_has_evidence(self, record) -> bool:
        """The file itself is at /me/training/ce/<id>/evidence/ (its person and the body's staff)."""
        return bool(record.evidence)


def _refuse_large_uploads(request) -> None:
    """As the page: refuse an upload declared too large unread, drop one that grows too large."""
    if declared_too_large(request._request):
        raise ValidationError({"evidence": too_large_error()})
    request._request.upload_handlers.insert(0, EvidenceUploadLimit(request._request))


def _check_upload(request) -> None:
    if getattr(request._request, "evidence_too_large", False):
        raise ValidationError({"evidence": too_large_error()})


class CERecordInput(serializers.Serializer):
    body = serializers.IntegerField()
    date = serializers.DateField()
    provider = serializers.CharField(max_length=200)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    hours = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal("0.25"))
    category = serializers.IntegerField()
    evidence = serializers.FileField(required=False, allow_null=True)


CE_RECORD_PAGE = page_schema(CERecordSerializer)


class CERecordListAPI(KakehashiAPIView):
    """The person's own continuing-education records (GET) and a new one (POST, JSON or
    multipart with an optional `evidence` file), with a body that certified them."""

    serializer_class = CERecordSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
                   responses=CE_RECORD_PAGE, operation_id="training_ce_records_list")
    def get(self, request):
        items, next_url = self.page(ce_record_list_of(request.user), ["-date", "-id"])
        return Response({"results": CERecordSerializer(items, many=True).data, "next": next_url})

    @extend_schema(request=CERecordInput, responses={201: CERecordSerializer},
                   operation_id="training_ce_records_create")
    def post(self, request):
        _refuse_large_uploads(request)
        values = validated(CERecordInput, request.data)
        _check_upload(request)
        body = training_body_list_held_by(request.user).filter(pk=values["body"]).first()
        if body is None:
            raise ValidationError({"body": _("Choose a training body that certified you.")})
        category = CECategory.objects.filter(pk=values["category"], body=body).first()
        if category is None:
            raise ValidationError({"category": _("Choose a category of this training body.")})
        record = ce_record_add(person=request.user, body=body, date=values["date"], provider=values["provider"],
                               hours=values["hours"], category=category, title=values["title"],
                               evidence=values.get("evidence"))
        return Response(CERecordSerializer(record).data, status=status.HTTP_201_CREATED)


class CEEvidenceRequestListAPI(KakehashiAPIView):
    """The person's own records picked for an evidence check that are still open, soonest due first."""

    serializer_class = CERecordSerializer

    @extend_schema(parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
                   responses=CE_RECORD_PAGE, operation_id="training_ce_evidence_requests_list")
    def get(self, request):
        items, next_url = self.page(ce_evidence_request_list_of(request.user), ["evidence_due_on", "date", "id"])
        return Response({"results": CERecordSerializer(items, many=True).data, "next": next_url})


class EvidenceInput(serializers.Serializer):
    evidence = serializers.FileField()


class CEEvidenceUploadAPI(KakehashiAPIView):
    """The person sends the evidence asked for one of their own records (multipart `evidence`)."""

    serializer_class = CERecordSerializer
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": EvidenceInput}, responses=CERecordSerializer,
                   operation_id="training_ce_evidence_upload")
    def post(self, request, pk):
        record = ce_record_get_own(request.user, pk)
        _refuse_large_uploads(request)
        values = validated(EvidenceInput, request.data)
        _check_upload(request)
        record = ce_evidence_submit(record=record, person=request.user, evidence=values["evidence"])
        return Response(CERecordSerializer(record).data)


# ---------------------------------------------------------------- the body's staff
class StaffCERecordListAPI(KakehashiAPIView):
    """The records of the bodies the person runs as staff; `body` and `review` narrow them."""

    serializer_class = CERecordSerializer

    @extend_schema(parameters=[OpenApiParameter("body", int), OpenApiParameter(
        "review", str, enum=ContinuingEducation.Review.values), OpenApiParameter("cursor", str),
        OpenApiParameter("page_size", int)],
        responses=CE_RECORD_PAGE, operation_id="training_staff_ce_records_list")
    def get(self, request):
        qs = ce_record_list_for(request.user)
        body = read_id(request.query_params, "body")
        if body is not None:
            qs = qs.filter(body=training_body_get_for(request.user, body))
        review = read_choice(request.query_params, "review", ContinuingEducation.Review.values)
        if review is not None:
            qs = qs.filter(review=review)
        items, next_url = self.page(qs, ["-date", "-id"])
        return Response({"results": CERecordSerializer(items, many=True).data, "next": next_url})


class ReviewInput(serializers.Serializer):
    decision = serializers.ChoiceField(["accept", "reject"])
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class StaffCEReviewAPI(KakehashiAPIView):
    """Accept or reject a record's evidence (a rejection needs a reason, which the person is told)."""

    serializer_class = CERecordSerializer

    @extend_schema(request=ReviewInput, responses=CERecordSerializer, operation_id="training_staff_ce_review")
    def post(self, request, pk):
        found = ce_record_list_for(request.user).filter(pk=pk).values_list("body_id", flat=True).first()
        if found is None:
            raise Http404
        record = ce_record_get_for_staff(request.user, body=training_body_get_for(request.user, found), pk=pk)
        values = validated(ReviewInput, request.data)
        record = ce_review(record=record, actor=request.user, accepted=values["decision"] == "accept",
                           reason=values["reason"])
        return Response(CERecordSerializer(record).data)


class SampleInput(serializers.Serializer):
    body = serializers.IntegerField()
    size = serializers.IntegerField(min_value=1, max_value=500)


class StaffCESampleAPI(KakehashiAPIView):
    """Pick `size` unreviewed records of the body at random and ask their people for evidence."""

    serializer_class = CERecordSerializer

    @extend_schema(request=SampleInput, responses={201: CERecordSerializer(many=True)},
                   operation_id="training_staff_ce_sample")
    def post(self, request):
        values = validated(SampleInput, request.data)
        body = training_body_get_for(request.user, values["body"])
        picked = ce_sample(body=body, actor=request.user, size=values["size"])
        return Response(CERecordSerializer(picked, many=True).data, status=status.HTTP_201_CREATED)
