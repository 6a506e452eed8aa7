"""Erasure requests: the person asks and follows their own (/api/v1/me/erasure-requests/);
administrators list them and carry them out (/api/v1/erasure/…), as on the pages
(peers.views.me.my_data and peers.views.staff_workforce.erasure_list)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from ..models import ErasureRequest
from ..selectors import user_is_admin
from ..selectors.privacy import erasure_request_get_for, erasure_request_list_for, kept_for_display
from ..services.privacy import erasure_carry_out, erasure_request
from .base import KakehashiAPIView, page_schema, validated


class KeptSerializer(serializers.Serializer):
    label = serializers.CharField()
    count = serializers.IntegerField()
    reason = serializers.CharField()
    until = serializers.DateField(allow_null=True)


class ErasureRequestSerializer(serializers.ModelSerializer):
    kept = serializers.SerializerMethodField(help_text="What a rule required us to keep, why and until when.")

    class Meta:
        model = ErasureRequest
        fields = ["id", "status", "note", "requested_at", "completed_at", "kept"]

    def get_kept(self, obj) -> list[dict]:
        return KeptSerializer(kept_for_display(obj.kept), many=True).data


class StaffErasureRequestSerializer(ErasureRequestSerializer):
    person = serializers.IntegerField(source="person_id")
    person_name = serializers.CharField(source="person.display_name")

    class Meta(ErasureRequestSerializer.Meta):
        fields = ["id", "person", "person_name", *ErasureRequestSerializer.Meta.fields[1:]]


class ErasureAskSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    confirm = serializers.BooleanField(help_text=(
        "true: you understand that your account will be closed and your personal data erased, "
        "except what a rule requires us to keep."
    ))

    def validate_confirm(self, value):
        if not value:
            raise serializers.ValidationError(_("Please confirm that you understand what erasure means."))
        return value


class MyErasureRequestListAPI(KakehashiAPIView):
    """Your erasure requests; POST asks for erasure (an open request is answered as it is)."""

    own_record_only = True
    serializer_class = ErasureRequestSerializer

    @extend_schema(parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
                   responses=page_schema(ErasureRequestSerializer), operation_id="me_erasure_requests_list")
    def get(self, request):
        qs = erasure_request_list_for(request.user).filter(person=request.user)
        items, next_url = self.page(qs, ["-requested_at", "-id"])
        return Response({"results": ErasureRequestSerializer(items, many=True).data, "next": next_url})

    @extend_schema(request=ErasureAskSerializer, responses={201: ErasureRequestSerializer})
    def post(self, request):
        data = validated(ErasureAskSerializer, request.data)
        made = erasure_request(person=request.user, note=data["note"])
        return Response(ErasureRequestSerializer(made).data, status=status.HTTP_201_CREATED)


def _require_admin(user) -> None:
    if not user_is_admin(user):
        raise PermissionDenied(_("This page is for administrators."))


class ErasureRequestListAPI(KakehashiAPIView):
    """Every erasure request, newest first: administrators only, as on the staff page."""

    serializer_class = StaffErasureRequestSerializer

    @extend_schema(parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
                   responses=page_schema(StaffErasureRequestSerializer), operation_id="erasure_requests_list")
    def get(self, request):
        _require_admin(request.user)
        items, next_url = self.page(erasure_request_list_for(request.user), ["-requested_at", "-id"])
        return Response({"results": StaffErasureRequestSerializer(items, many=True).data, "next": next_url})


class ErasureCarryOutAPI(KakehashiAPIView):
    """Carry out a request: erase or anonymise the person's data, keeping what a rule requires."""

    serializer_class = StaffErasureRequestSerializer

    @extend_schema(request=None, responses=StaffErasureRequestSerializer)
    def post(self, request, pk: int):
        _require_admin(request.user)
        done = erasure_carry_out(actor=request.user, request=erasure_request_get_for(request.user, pk))
        return Response(StaffErasureRequestSerializer(erasure_request_get_for(request.user, done.pk)).data)



