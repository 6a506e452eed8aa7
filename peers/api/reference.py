"""Reference data people choose from and administrators keep: regions (/api/v1/regions/) and
retention rules (/api/v1/retention-rules/), read only.

Regions (障害保健福祉圏域) are the scopes chosen on the staff forms (a coordinator's invitation,
a regional consultation body): everyone signed in reads them, as the forms list them; no page
edits them. Retention rules are kept by administrators in the editor (peers.wagtail_hooks), so
they are read here with the editor's own permission; they are changed there, not through the API.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.response import Response

from ..models import Region, RetentionRule
from ..request_params import read_text
from ..selectors.workforce import vocabulary_change_allowed
from .base import KakehashiAPIView, list_endpoint

EDITOR_ONLY = _("Only those who keep the retention rules in the editor can read them here.")


class RegionSerializer(serializers.ModelSerializer):
    prefecture = serializers.CharField(source="prefecture_id")

    class Meta:
        model = Region
        fields = ["id", "prefecture", "name_ja", "name_en"]


class RegionListAPI(KakehashiAPIView):
    """The regions (圏域) of every prefecture, or of one (`prefecture`, its JIS code)."""

    serializer_class = RegionSerializer

    @list_endpoint(RegionSerializer, operation_id="regions_list",
                   parameters=[OpenApiParameter("prefecture", str, description="A JIS X 0401 code, e.g. 13.")])
    def get(self, request):
        qs = Region.objects.all()
        prefecture = read_text(request.query_params, "prefecture", max_length=2, default=None)
        if prefecture:
            qs = qs.filter(prefecture_id=prefecture)
        items, next_url = self.page(qs, ["prefecture_id", "id"])
        return Response({"results": RegionSerializer(items, many=True).data, "next": next_url})


class RetentionRuleSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = RetentionRule
        fields = ["id", "kind", "kind_label", "period", "unit", "anchor", "note_ja", "note_en", "active",
                  "updated_at"]


class RetentionRuleListAPI(KakehashiAPIView):
    """How long each kind of record is kept (the daily task carries the rules out)."""

    serializer_class = RetentionRuleSerializer

    @list_endpoint(RetentionRuleSerializer, operation_id="retention_rules_list")
    def get(self, request):
        if not vocabulary_change_allowed(request.user, RetentionRule, "view"):
            raise PermissionDenied(EDITOR_ONLY)
        items, next_url = self.page(RetentionRule.objects.all(), ["kind", "id"])
        return Response({"results": RetentionRuleSerializer(items, many=True).data, "next": next_url})
