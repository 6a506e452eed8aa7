"""Training bodies' own settings, their continuing-education categories and cohorts'
instructors, under /api/v1/training/.

The same selectors and services as the staff pages: a body's settings page
(training.views.staff.body_settings: numbering, time to send evidence, categories) and a
cohort's staff page (cohort_detail: instructors). Categories are also read by the holders of the
body's certifications, who record continuing education in them (as the form on their page does).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from peers.api.base import KakehashiAPIView, list_endpoint, validated
from peers.request_params import read_id

from ..models import CECategory, Instructor, TrainingBody
from ..selectors import cohort_get_for, training_body_get_for, training_body_list_for
from ..services import (
    ce_category_save,
    instructor_add,
    training_body_evidence_days_update,
    training_body_settings_update,
)

ONLY_STAFF = _("Only the training body's staff can change its categories.")


class TrainingBodySerializer(serializers.ModelSerializer):
    organisation = serializers.IntegerField(source="organisation_id")
    name = serializers.CharField(source="organisation.name")

    class Meta:
        model = TrainingBody
        fields = ["id", "organisation", "name", "number_prefix", "sequence_digits",
                  "recertification_keeps_number", "evidence_due_days"]


class TrainingBodySettingsInput(serializers.Serializer):
    """The body's settings page: numbering (the prefix can change only until the first
    certificate is issued) and the days a sampled person has to send evidence."""

    number_prefix = serializers.RegexField(
        r"^[A-Za-z][A-Za-z0-9]{0,9}$", max_length=10, required=False,
        error_messages={"invalid": _("Use capital letters and digits only, starting with a letter (up to 10).")})
    sequence_digits = serializers.IntegerField(min_value=3, max_value=8, required=False)
    recertification_keeps_number = serializers.BooleanField(required=False)
    evidence_due_days = serializers.IntegerField(min_value=1, max_value=365, required=False)


class TrainingBodyListAPI(KakehashiAPIView):
    """The training bodies whose records you run (every body for an administrator)."""

    serializer_class = TrainingBodySerializer

    @list_endpoint(TrainingBodySerializer, operation_id="training_bodies_list")
    def get(self, request):
        items, next_url = self.page(training_body_list_for(request.user), ["id"])
        return Response({"results": TrainingBodySerializer(items, many=True).data, "next": next_url})


class TrainingBodyDetailAPI(KakehashiAPIView):
    """One body you run; PATCH changes its settings (fields left out stay as they are)."""

    serializer_class = TrainingBodySerializer

    def get(self, request, body_id: int):
        return Response(TrainingBodySerializer(training_body_get_for(request.user, body_id)).data)

    @extend_schema(request=TrainingBodySettingsInput, responses=TrainingBodySerializer)
    def patch(self, request, body_id: int):
        body = training_body_get_for(request.user, body_id)
        data = validated(TrainingBodySettingsInput, request.data)
        numbering = {"number_prefix", "sequence_digits", "recertification_keeps_number"} & set(data)
        with transaction.atomic():  # both settings change, or neither
            body = self._save(request, body, data, numbering)
        return Response(TrainingBodySerializer(training_body_get_for(request.user, body.pk)).data)

    @staticmethod
    def _save(request, body, data, numbering):
        if numbering:
            body = training_body_settings_update(
                body=body, actor=request.user,
                number_prefix=data.get("number_prefix", body.number_prefix),
                sequence_digits=data.get("sequence_digits", body.sequence_digits),
                recertification_keeps_number=data.get("recertification_keeps_number"),
            )
        if "evidence_due_days" in data:
            body = training_body_evidence_days_update(body=body, actor=request.user,
                                                      evidence_due_days=data["evidence_due_days"])
        return body


class CECategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = CECategory
        fields = ["id", "body", "name"]


class CECategoryInput(serializers.Serializer):
    body = serializers.IntegerField(min_value=1)
    name = serializers.CharField(max_length=100)
    category = serializers.IntegerField(min_value=1, required=False,
                                        help_text="A category of the body to rename; leave out to add one.")


def _categories_for(user):
    """Categories of the bodies the user runs, and of the bodies whose certification they hold."""
    run = training_body_list_for(user).values("id")
    return CECategory.objects.filter(Q(body_id__in=run) | Q(body__certifications__holder=user)).distinct()


class CECategoryListAPI(KakehashiAPIView):
    """Continuing-education categories you may record in or run; POST (the body's staff) adds a
    category, or renames one (`category`): records keep pointing at it."""

    serializer_class = CECategorySerializer

    @list_endpoint(CECategorySerializer, operation_id="training_ce_categories_list",
                   parameters=[OpenApiParameter("body", int, description="Only this training body's.")])
    def get(self, request):
        qs = _categories_for(request.user)
        body = read_id(request.query_params, "body")
        if body is not None:
            qs = qs.filter(body_id=body)
        items, next_url = self.page(qs, ["id"])
        return Response({"results": CECategorySerializer(items, many=True).data, "next": next_url})

    @extend_schema(request=CECategoryInput, responses={201: CECategorySerializer})
    def post(self, request):
        data = validated(CECategoryInput, request.data)
        body = training_body_list_for(request.user).filter(pk=data["body"]).first()
        if body is None:
            if _categories_for(request.user).filter(body_id=data["body"]).exists():
                raise PermissionDenied(ONLY_STAFF)
            raise Http404
        category = None
        if data.get("category"):
            category = CECategory.objects.filter(body=body, pk=data["category"]).first()
            if category is None:
                raise Http404
        saved = ce_category_save(body=body, actor=request.user, category=category, name=data["name"])
        return Response(CECategorySerializer(saved).data,
                        status=status.HTTP_200_OK if category else status.HTTP_201_CREATED)


class InstructorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Instructor
        fields = ["id", "cohort", "name", "is_peer"]


class InstructorInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    is_peer = serializers.BooleanField(required=False, default=False)


class CohortInstructorListAPI(KakehashiAPIView):
    """A cohort's instructors (its body's staff, as on the cohort's staff page); POST names one."""

    serializer_class = InstructorSerializer

    @list_endpoint(InstructorSerializer, operation_id="training_cohort_instructors_list")
    def get(self, request, pk: int):
        cohort = cohort_get_for(request.user, pk)
        items, next_url = self.page(Instructor.objects.filter(cohort=cohort), ["id"])
        return Response({"results": InstructorSerializer(items, many=True).data, "next": next_url})

    @extend_schema(request=InstructorInput, responses={201: InstructorSerializer})
    def post(self, request, pk: int):
        cohort = cohort_get_for(request.user, pk)
        data = validated(InstructorInput, request.data)
        instructor = instructor_add(cohort=cohort, actor=request.user, **data)
        return Response(InstructorSerializer(instructor).data, status=status.HTTP_201_CREATED)
