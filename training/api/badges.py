"""Digital credentials over the API: a certification's or completion's Open Badges 3.0
credential (its holder and the body's staff), and checking any posted credential (public)."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from peers.api.base import KakehashiAPIView

from ..badges.documents import credential_signed
from ..badges.verify import credential_verify
from ..models import BadgeCredential
from ..ratelimit import allow
from ..selectors import certification_get_visible, completion_get_visible
from ..services import badge_credential_for_certification, badge_credential_for_completion

_CREDENTIAL = OpenApiResponse(description="The signed OpenBadgeCredential (W3C VC 2.0, eddsa-rdfc-2022 proof).",
                              response=inline_serializer("OpenBadgeCredential", {"@context": serializers.ListField()}))


class CertificationCredentialAPI(KakehashiAPIView):
    """The credential of the certification's current cycle (made on first request)."""

    resource_models = [BadgeCredential]

    @extend_schema(responses={200: _CREDENTIAL})
    def get(self, request, pk):
        certification = certification_get_visible(request.user, pk)
        credential = badge_credential_for_certification(certification=certification, actor=request.user)
        return Response(credential_signed(credential))


class CompletionCredentialAPI(KakehashiAPIView):
    resource_models = [BadgeCredential]

    @extend_schema(responses={200: _CREDENTIAL})
    def get(self, request, pk):
        completion = completion_get_visible(request.user, pk)
        credential = badge_credential_for_completion(completion=completion, actor=request.user)
        return Response(credential_signed(credential))


class CredentialVerifyAPI(KakehashiAPIView):
    """Public: check a posted credential (the credential itself as the body, or
    {"credential": …}) offline, with the verification page's limit."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        request=inline_serializer("CredentialToVerify", {"credential": serializers.DictField(required=False)}),
        responses={200: inline_serializer("CredentialVerification", {
            "verified": serializers.BooleanField(),
            "checks": inline_serializer("CredentialCheck", {
                "check": serializers.ChoiceField(["format", "issuer", "signature", "dates", "status"]),
                "ok": serializers.BooleanField(), "message": serializers.DictField(),
            }, many=True),
            "status": serializers.ChoiceField(["active", "suspended", "revoked", "expired"], allow_null=True),
        }), 429: OpenApiResponse(description="Too many checks from one address (see Retry-After).")},
    )
    def post(self, request):
        limit = getattr(settings, "KAKEHASHI_VERIFY_LIMIT", 30)
        period = getattr(settings, "KAKEHASHI_VERIFY_PERIOD", 600)
        if not allow(request, scope="verify", limit=limit, period=period):
            raise Throttled(wait=period)
        document = request.data if isinstance(request.data, dict) else None
        if document is not None and "@context" not in document and isinstance(document.get("credential"), dict):
            document = document["credential"]
        return Response(credential_verify(dict(document) if document is not None else None).as_dict())
