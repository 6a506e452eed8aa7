"""JSON API of employed work (第三群): leave and return, and the accommodations agreed at work,
for the person and the manager of the organisation only (peers.selectors.employment); anyone
else gets 404. The same services as the pages."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from ..models import EngagementLeave, WorkAccommodation
from ..selectors.employment import (
    accommodation_get_for,
    accommodation_queryset_for,
    accommodation_read_log,
    employment_engagement_get_for,
    leave_get_for,
    leave_list_for,
)
from ..services.employment import (
    accommodation_record,
    accommodation_remove,
    accommodation_update,
    leave_record,
    leave_remove,
    leave_update,
)
from .base import KakehashiAPIView, list_endpoint, validated


class LeaveSerializer(serializers.ModelSerializer):
    engagement = serializers.IntegerField(source="engagement_id", read_only=True)

    class Meta:
        model = EngagementLeave
        fields = ["id", "engagement", "kind", "start_date", "expected_return", "actual_return", "recorded_at"]


class LeaveInSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EngagementLeave.Kind.choices)
    start_date = serializers.DateField()
    expected_return = serializers.DateField(required=False, allow_null=True, default=None)
    actual_return = serializers.DateField(required=False, allow_null=True, default=None)


class LeaveChangeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EngagementLeave.Kind.choices, required=False)
    start_date = serializers.DateField(required=False)
    expected_return = serializers.DateField(required=False, allow_null=True)
    actual_return = serializers.DateField(required=False, allow_null=True)


class AccommodationSerializer(serializers.ModelSerializer):
    engagement = serializers.IntegerField(source="engagement_id", read_only=True)

    class Meta:
        model = WorkAccommodation
        fields = ["id", "engagement", "text", "agreed_on", "review_on", "recorded_at", "updated_at"]


class AccommodationInSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000)
    agreed_on = serializers.DateField()
    review_on = serializers.DateField(required=False, allow_null=True, default=None)
    consent_given = serializers.BooleanField(
        required=False, default=False,
        help_text="The person only: agree here to store accommodations and show them to your managers.")


class AccommodationChangeSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000, required=False)
    agreed_on = serializers.DateField(required=False)
    review_on = serializers.DateField(required=False, allow_null=True)


def _engagement_or_404(user, pk):
    engagement = employment_engagement_get_for(user, pk)
    if engagement is None:
        raise Http404
    return engagement


class LeaveListAPI(KakehashiAPIView):
    serializer_class = LeaveSerializer

    @list_endpoint(LeaveSerializer, operation_id="engagement_leave_list")
    def get(self, request, pk: int):
        engagement = _engagement_or_404(request.user, pk)
        items, next_url = self.page(leave_list_for(request.user, engagement), ["-start_date", "-id"])
        return Response({"results": LeaveSerializer(items, many=True).data, "next": next_url})

    @extend_schema(request=LeaveInSerializer, responses={201: LeaveSerializer})
    def post(self, request, pk: int):
        engagement = _engagement_or_404(request.user, pk)
        data = validated(LeaveInSerializer, request.data)
        leave = leave_record(actor=request.user, engagement=engagement, **data)
        return Response(LeaveSerializer(leave).data, status=status.HTTP_201_CREATED)


class LeaveDetailAPI(KakehashiAPIView):
    serializer_class = LeaveSerializer

    def _leave(self, request, pk):
        leave = leave_get_for(request.user, pk)
        if leave is None:
            raise Http404
        return leave

    def get(self, request, pk: int):
        return Response(LeaveSerializer(self._leave(request, pk)).data)

    @extend_schema(request=LeaveChangeSerializer, responses=LeaveSerializer)
    def patch(self, request, pk: int):
        leave = self._leave(request, pk)
        data = validated(LeaveChangeSerializer, request.data)
        return Response(LeaveSerializer(leave_update(actor=request.user, leave=leave, **data)).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk: int):
        leave_remove(actor=request.user, leave=self._leave(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class AccommodationListAPI(KakehashiAPIView):
    serializer_class = AccommodationSerializer

    @list_endpoint(AccommodationSerializer, operation_id="engagement_accommodation_list")
    def get(self, request, pk: int):
        engagement = _engagement_or_404(request.user, pk)
        items, next_url = self.page(accommodation_queryset_for(request.user, engagement), ["agreed_on", "id"])
        accommodation_read_log(request.user, engagement, items, context=f"API, engagement {engagement.pk}")
        return Response({"results": AccommodationSerializer(items, many=True).data, "next": next_url})

    @extend_schema(request=AccommodationInSerializer, responses={201: AccommodationSerializer})
    def post(self, request, pk: int):
        engagement = _engagement_or_404(request.user, pk)
        data = validated(AccommodationInSerializer, request.data)
        item = accommodation_record(actor=request.user, engagement=engagement, **data)
        return Response(AccommodationSerializer(item).data, status=status.HTTP_201_CREATED)


class AccommodationDetailAPI(KakehashiAPIView):
    serializer_class = AccommodationSerializer

    def _item(self, request, pk):
        item = accommodation_get_for(request.user, pk)
        if item is None:
            raise Http404
        return item

    def get(self, request, pk: int):
        item = self._item(request, pk)
        accommodation_read_log(request.user, item.engagement, [item], context=f"API, accommodation {item.pk}")
        return Response(AccommodationSerializer(item).data)

    @extend_schema(request=AccommodationChangeSerializer, responses=AccommodationSerializer)
    def patch(self, request, pk: int):
        item = self._item(request, pk)
        data = validated(AccommodationChangeSerializer, request.data)
        return Response(AccommodationSerializer(accommodation_update(actor=request.user, item=item, **data)).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk: int):
        accommodation_remove(actor=request.user, item=self._item(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
