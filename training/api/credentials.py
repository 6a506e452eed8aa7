"""Credential types and their continuing-education floors under /api/v1/training/credential-types/.

Read by the body's staff and by the holders of the type's certifications; created and changed by
the body's staff only, through the same service as the staff page (credential_type_save)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from peers.api.base import KakehashiAPIView, page_schema, validated
from peers.request_params import read_id

from ..models import CECategory, CEFloor, Course, CredentialType
from ..selectors import (
    credential_type_list_for,
    credential_type_list_visible,
    training_body_get_for,
)
from ..services import credential_type_save


class CEFloorSerializer(serializers.ModelSerializer):
    category_name = serializers.CharField(source="category.name", read_only=True)

    class Meta:
        model = CEFloor
        fields = ["category", "category_name", "minimum_hours"]


class CredentialTypeSerializer(serializers.ModelSerializer):
    floors = CEFloorSerializer(source="ce_floors", many=True, read_only=True)

    class Meta:
        model = CredentialType
        fields = ["id", "body", "name", "initial_course", "expires", "validity_months", "renewal_window_days",
                  "grace_days", "late_renewal_limit_months", "renewal_course", "ce_hours_required",
                  "practice_ce_category", "reminder_offsets", "floors"]


class FloorInput(serializers.Serializer):
    category = serializers.CharField(max_length=100, help_text="The category's name; a new name makes a category.")
    minimum_hours = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0)


class CredentialTypeInput(serializers.ModelSerializer):
    """The fields of the staff page's form; courses and the category are the body's own."""

    reminder_offsets = serializers.ListField(child=serializers.IntegerField(min_value=-3650, max_value=3650),
                                             required=False, max_length=20)
    floors = FloorInput(many=True, required=False)

    class Meta:
        model = CredentialType
        fields = ["name", "initial_course", "expires", "validity_months", "renewal_window_days", "grace_days",
                  "late_renewal_limit_months", "renewal_course", "ce_hours_required", "practice_ce_category",
                  "reminder_offsets", "floors"]

    def __init__(self, *args, body=None, **kwargs):
        super().__init__(*args, **kwargs)
        courses = Course.objects.filter(body=body)
        self.fields["initial_course"].queryset = courses
        self.fields["renewal_course"].queryset = courses
        self.fields["practice_ce_category"].queryset = CECategory.objects.filter(body=body)

    def validate_floors(self, floors):
        names = [floor["category"].strip() for floor in floors]
        if any(not name for name in names) or len(set(names)) != len(names):
            raise serializers.ValidationError(_("Name each category once."))
        return floors


class BodyInput(serializers.Serializer):
    body = serializers.IntegerField(min_value=1)


class CredentialTypeCreateInput(CredentialTypeInput):
    body = serializers.IntegerField(min_value=1)

    class Meta(CredentialTypeInput.Meta):
        fields = ["body", *CredentialTypeInput.Meta.fields]


def _save(credential_type: CredentialType, values: dict, actor) -> CredentialType:
    floors = values.pop("floors", None)
    offsets = values.pop("reminder_offsets", None)
    for name, value in values.items():
        setattr(credential_type, name, value)
    if floors is None:
        floors = {f.category.name: f.minimum_hours for f in credential_type.ce_floors.select_related("category")} \
            if credential_type.pk else {}
    else:
        floors = {floor["category"].strip(): floor["minimum_hours"] for floor in floors}
    if offsets is None:
        offsets = list(credential_type.reminder_offsets or [])
    return credential_type_save(credential_type=credential_type, actor=actor, reminder_offsets=offsets, floors=floors)


def _fresh(pk: int) -> CredentialType:
    return CredentialType.objects.prefetch_related("ce_floors__category").get(pk=pk)


class CredentialTypeListAPI(KakehashiAPIView):
    """GET: the credential types the person may read. POST (the body's staff): a new type."""

    serializer_class = CredentialTypeSerializer
    resource_models = (CEFloor,)  # the floors are read and replaced with their type

    @extend_schema(parameters=[OpenApiParameter("body", int), OpenApiParameter("cursor", str),
                               OpenApiParameter("page_size", int)],
                   responses=page_schema(CredentialTypeSerializer), operation_id="training_credential_types_list")
    def get(self, request):
        qs = credential_type_list_visible(request.user)
        body = read_id(request.query_params, "body")
        if body is not None:
            qs = qs.filter(body_id=body)
        items, next_url = self.page(qs, ["id"])
        return Response({"results": CredentialTypeSerializer(items, many=True).data, "next": next_url})

    @extend_schema(request=CredentialTypeCreateInput, responses={201: CredentialTypeSerializer},
                   operation_id="training_credential_types_create")
    def post(self, request):
        body = training_body_get_for(request.user, validated(BodyInput, request.data)["body"])
        values = dict(validated(CredentialTypeCreateInput, request.data, body=body))
        values.pop("body")
        saved = _save(CredentialType(body=body), values, request.user)
        return Response(CredentialTypeSerializer(_fresh(saved.pk)).data, status=status.HTTP_201_CREATED)


class CredentialTypeDetailAPI(KakehashiAPIView):
    """GET: one credential type the person may read. PATCH (the body's staff): change its rules;
    `floors`, when given, replace all of them."""

    serializer_class = CredentialTypeSerializer
    resource_models = (CEFloor,)  # the floors are read and replaced with their type

    @extend_schema(responses=CredentialTypeSerializer, operation_id="training_credential_types_retrieve")
    def get(self, request, pk):
        credential_type = credential_type_list_visible(request.user).filter(pk=pk).first()
        if credential_type is None:
            raise Http404
        return Response(CredentialTypeSerializer(credential_type).data)

    @extend_schema(request=CredentialTypeInput, responses=CredentialTypeSerializer,
                   operation_id="training_credential_types_update")
    def patch(self, request, pk):
        credential_type = credential_type_list_for(request.user).filter(pk=pk).first()
        if credential_type is None:
            if credential_type_list_visible(request.user).filter(pk=pk).exists():
                raise PermissionDenied(_("Only the training body's staff can change a credential type."))
            raise Http404
        values = dict(validated(CredentialTypeInput, request.data, body=credential_type.body, partial=True))
        saved = _save(credential_type, values, request.user)
        return Response(CredentialTypeSerializer(_fresh(saved.pk)).data)
