"""Renewal under /api/v1/training/: the holder's renewal progress (the same figures as the
training page's progress card, from training.selectors.renewal_progress_list), the renewal
requests a holder sends, and the body's staff queue of open requests with their decision
(renew, or decline with a reason), as on the staff pages."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from peers.api.base import KakehashiAPIView, page_schema, validated
from peers.request_params import read_id

from ..models import Certification, RenewalRequest
from ..selectors import (
    certification_get_for_staff,
    certification_get_visible,
    certification_list_of,
    renewal_progress_list,
    renewal_request_list_for_staff,
    renewal_request_list_of,
    renewal_request_open_for_staff,
    training_body_get_for,
)
from ..services import certification_renew, renewal_request_decline, renewal_request_submit


def _hours(value) -> str:
    return f"{value.normalize():f}"


class CategoryProgressSerializer(serializers.Serializer):
    category = serializers.IntegerField()
    category_name = serializers.CharField()
    have = serializers.CharField()
    need = serializers.CharField()


class RenewalProgressSerializer(serializers.Serializer):
    """training.selectors.RenewalProgress; hours as decimal strings, `missing` in the request's language."""

    certification = serializers.IntegerField(source="certification.pk")
    number = serializers.CharField(source="certification.number")
    credential_type_name = serializers.CharField(source="certification.credential_type.name")
    status = serializers.CharField(source="certification.status")
    valid_until = serializers.DateField(source="certification.valid_until", allow_null=True)
    hours_total = serializers.SerializerMethodField()
    hours_required = serializers.SerializerMethodField()
    hours_enough = serializers.BooleanField()
    hours_from_practice = serializers.SerializerMethodField()
    practice_counts = serializers.BooleanField()
    hours_waiting = serializers.SerializerMethodField()
    by_category = serializers.SerializerMethodField()
    renewal_course_done = serializers.BooleanField()
    missing = serializers.ListField(child=serializers.CharField())
    complete = serializers.BooleanField()
    renewable_now = serializers.BooleanField()
    can_request = serializers.BooleanField()
    renewal_opens_on = serializers.DateField(allow_null=True)
    late_limit = serializers.DateField(allow_null=True)

    def get_hours_total(self, p) -> str:
        return _hours(p.hours_total)

    def get_hours_required(self, p) -> str:
        return _hours(p.hours_required)

    def get_hours_from_practice(self, p) -> str:
        return _hours(p.hours_from_practice)

    def get_hours_waiting(self, p) -> str:
        return _hours(p.hours_waiting)

    def get_by_category(self, p) -> list[dict]:
        return [{"category": row["category"].pk, "category_name": row["category"].name,
                 "have": _hours(row["have"]), "need": _hours(row["need"])} for row in p.by_category]


class RenewalProgressListAPI(KakehashiAPIView):
    """What each certification the person holds has toward its renewal, and what is missing."""

    resource_models = (Certification,)

    @extend_schema(parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
                   responses=page_schema(RenewalProgressSerializer), operation_id="training_renewal_progress_list")
    def get(self, request):
        items, next_url = self.page(certification_list_of(request.user), ["id"])
        progress = renewal_progress_list(items)
        return Response({"results": RenewalProgressSerializer(progress, many=True).data, "next": next_url})


class RenewalRequestSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="certification.number", read_only=True)
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)

    class Meta:
        model = RenewalRequest
        fields = ["id", "certification", "number", "cycle", "requested_at", "note", "outcome", "outcome_label",
                  "closed_at"]


class RenewalRequestInput(serializers.Serializer):
    certification = serializers.IntegerField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class RenewalRequestListAPI(KakehashiAPIView):
    """The person's own renewal requests (GET) and a new one for a certification they hold (POST),
    once the renewal window is open and nothing is missing."""

    serializer_class = RenewalRequestSerializer

    @extend_schema(parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
                   responses=page_schema(RenewalRequestSerializer), operation_id="training_renewal_requests_list")
    def get(self, request):
        items, next_url = self.page(renewal_request_list_of(request.user), ["-requested_at", "-id"])
        return Response({"results": RenewalRequestSerializer(items, many=True).data, "next": next_url})

    @extend_schema(request=RenewalRequestInput, responses={201: RenewalRequestSerializer},
                   operation_id="training_renewal_requests_create")
    def post(self, request):
        values = validated(RenewalRequestInput, request.data)
        certification = certification_get_visible(request.user, values["certification"])
        if certification.holder_id != request.user.pk:
            raise Http404
        created = renewal_request_submit(certification=certification, holder=request.user, note=values["note"])
        return Response(RenewalRequestSerializer(created).data, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------- the body's staff
class QueuedRenewalRequestSerializer(RenewalRequestSerializer):
    holder = serializers.IntegerField(source="certification.holder_id", read_only=True)
    holder_name = serializers.CharField(source="certification.holder.display_name", read_only=True)
    body = serializers.IntegerField(source="certification.body_id", read_only=True)
    progress = serializers.SerializerMethodField()

    class Meta(RenewalRequestSerializer.Meta):
        fields = [*RenewalRequestSerializer.Meta.fields, "holder", "holder_name", "body", "progress"]

    def get_progress(self, renewal_request) -> dict | None:
        progress = self.context.get("progress", {}).get(renewal_request.pk)
        return RenewalProgressSerializer(progress).data if progress is not None else None


class StaffRenewalRequestQueueAPI(KakehashiAPIView):
    """The open renewal requests of the bodies the person runs as staff, oldest first, each with
    its renewal progress (`body` narrows to one body)."""

    serializer_class = QueuedRenewalRequestSerializer

    @extend_schema(parameters=[OpenApiParameter("body", int), OpenApiParameter("cursor", str),
                               OpenApiParameter("page_size", int)],
                   responses=page_schema(QueuedRenewalRequestSerializer),
                   operation_id="training_staff_renewal_requests_list")
    def get(self, request):
        qs = renewal_request_list_for_staff(request.user)
        body = read_id(request.query_params, "body")
        if body is not None:
            qs = qs.filter(certification__body=training_body_get_for(request.user, body))
        items, next_url = self.page(qs, ["requested_at", "id"])
        progress = dict(zip([r.pk for r in items], renewal_progress_list([r.certification for r in items]),
                            strict=True))
        data = QueuedRenewalRequestSerializer(items, many=True, context={"progress": progress}).data
        return Response({"results": data, "next": next_url})


class DecisionInput(serializers.Serializer):
    decision = serializers.ChoiceField(["renew", "decline"])
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class StaffRenewalRequestDecisionAPI(KakehashiAPIView):
    """Answer the certification's open renewal request, as on the staff certification page:
    renew it (when its requirements are met), or decline with a reason the holder is told.
    Renewal by exception is the certification's `renew` action
    (/api/v1/training/certifications/<id>/renew/). No open request: 404."""

    serializer_class = RenewalRequestSerializer

    @extend_schema(request=DecisionInput, responses=RenewalRequestSerializer,
                   operation_id="training_staff_renewal_request_decide")
    def post(self, request, pk):
        certification = certification_get_for_staff(request.user, pk)
        open_request = renewal_request_open_for_staff(request.user, certification)
        if open_request is None:
            raise Http404
        values = validated(DecisionInput, request.data)
        if values["decision"] == "renew":
            certification_renew(certification=certification, actor=request.user)
        else:
            renewal_request_decline(renewal_request=open_request, actor=request.user, reason=values["reason"])
        open_request.refresh_from_db()
        return Response(RenewalRequestSerializer(open_request).data)
