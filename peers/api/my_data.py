"""The person's own data (/api/v1/me/data/): the same content as the JSON download on the
account page (peers.views.me.data_download), from every part of the record."""

from __future__ import annotations

from django.utils import translation
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from ..models import Consent, Profile, User
from ..selectors.privacy import personal_data_json
from .base import KakehashiAPIView


class MyDataSerializer(serializers.Serializer):
    exported_at = serializers.DateTimeField()
    parts = serializers.DictField(help_text="Each part of the record, with its label.")
    tables = serializers.DictField(help_text="Each table: its part, column headings and rows.")


class MyDataAPI(KakehashiAPIView):
    """Everything we hold about you, headings in your language."""

    own_record_only = True  # the caller's own record, as on the account page
    serializer_class = MyDataSerializer
    resource_models = (User, Profile, Consent)

    @extend_schema(responses=MyDataSerializer, operation_id="me_data")
    def get(self, request):
        with translation.override(request.user.language or "ja"):
            data = personal_data_json(request.user)
        response = Response(data)
        response["Cache-Control"] = "no-store"
        return response
