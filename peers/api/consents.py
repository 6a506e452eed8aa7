"""The person's consents (/api/v1/me/consents/): what each covers, give and withdraw; and the
declaration of lived experience they cover (/api/v1/me/lived-experience/).

The same selectors and services as the consent page (peers.views.me.consent_page).
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from ..models import Consent, LivedExperience
from ..selectors.privacy import consent_get_own, consent_list_for
from ..selectors.workforce import lived_experience_read
from ..services.privacy import (
    consent_give,
    consent_withdraw,
    lived_experience_declare,
    lived_experience_remove,
)
from .base import KakehashiAPIView, page_schema, validated


class ConsentSerializer(serializers.ModelSerializer):
    purpose_label = serializers.CharField(source="get_purpose_display", read_only=True)
    is_active = serializers.BooleanField(read_only=True)
    data_categories = serializers.ListField(child=serializers.CharField(), read_only=True,
                                            help_text="The kinds of data this consent covers.")

    class Meta:
        model = Consent
        fields = ["id", "purpose", "purpose_label", "data_categories", "given_at", "withdrawn_at",
                  "data_erased_at", "is_active"]


class ConsentGiveSerializer(serializers.Serializer):
    purpose = serializers.ChoiceField(choices=Consent.Purpose.choices)


class ConsentWithdrawSerializer(serializers.Serializer):
    consent = serializers.IntegerField(help_text="The id of one of your consents.")


class MyConsentListAPI(KakehashiAPIView):
    """Your consents, newest first; POST gives consent to a purpose (again: changes nothing)."""

    own_record_only = True  # the caller's own record, as on the consent page
    serializer_class = ConsentSerializer

    @extend_schema(parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
                   responses=page_schema(ConsentSerializer), operation_id="me_consents_list")
    def get(self, request):
        items, next_url = self.page(consent_list_for(request.user), ["-given_at", "-id"])
        return Response({"results": ConsentSerializer(items, many=True).data, "next": next_url})

    @extend_schema(request=ConsentGiveSerializer, responses={201: ConsentSerializer})
    def post(self, request):
        data = validated(ConsentGiveSerializer, request.data)
        consent = consent_give(person=request.user, purpose=data["purpose"])
        return Response(ConsentSerializer(consent_get_own(request.user, consent.pk)).data,
                        status=status.HTTP_201_CREATED)


class MyConsentWithdrawAPI(KakehashiAPIView):
    """Withdraw one of your consents: what it covers is unused from now on."""

    own_record_only = True
    serializer_class = ConsentSerializer

    @extend_schema(request=ConsentWithdrawSerializer, responses=ConsentSerializer)
    def post(self, request):
        data = validated(ConsentWithdrawSerializer, request.data)
        consent = consent_withdraw(actor=request.user, consent=consent_get_own(request.user, data["consent"]))
        return Response(ConsentSerializer(consent).data)


# --- Lived experience (declared on the consent page, under the consent that covers it) ----------


class LivedExperienceSerializer(serializers.ModelSerializer):
    consent = serializers.IntegerField(source="consent_id", read_only=True)

    class Meta:
        model = LivedExperience
        fields = ["relation", "visibility", "declared_at", "consent"]
        read_only_fields = ["declared_at"]


class LivedExperienceInSerializer(serializers.Serializer):
    relation = serializers.ChoiceField(choices=LivedExperience.Relation.choices)
    visibility = serializers.ChoiceField(choices=LivedExperience.Visibility.choices)


class MyLivedExperienceAPI(KakehashiAPIView):
    """Your declaration of lived experience: GET (404 when there is none), PUT declares or changes
    it (needs your active consent for it), DELETE removes it at once."""

    own_record_only = True
    serializer_class = LivedExperienceSerializer

    def get(self, request):
        declaration = lived_experience_read(viewer=request.user, person=request.user, context="API")
        if declaration is None:
            raise Http404
        return Response(LivedExperienceSerializer(declaration).data)

    @extend_schema(request=LivedExperienceInSerializer, responses=LivedExperienceSerializer)
    def put(self, request):
        data = validated(LivedExperienceInSerializer, request.data)
        declaration = lived_experience_declare(person=request.user, **data)
        return Response(LivedExperienceSerializer(declaration).data)

    @extend_schema(responses={204: None})
    def delete(self, request):
        lived_experience_remove(person=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
