"""The coordinator's region report (/api/v1/activity/region/): the figures of the region page
(collaboration.activity.views.region) as JSON, with the same access and period parameters.
Counts only, from the rollups; a cell under 5 is "<5" so that no one can be singled out."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from peers.api.base import KakehashiAPIView
from peers.request_params import BadParameter, read_date

from .. import selectors
from ..models import ActivityRoleRollup, ActivityRollup

REPORT_MONTHS = 12  # the page's default period: the last 12 months


class RegionRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    entries = serializers.CharField(help_text='A count, or "<5".')
    hours = serializers.CharField(help_text='Hours with two decimals, or "<5".')


class RegionReportSerializer(serializers.Serializer):
    since = serializers.DateField()
    until = serializers.DateField()
    prefectures = serializers.ListField(child=serializers.CharField(), help_text="Prefecture codes.")
    by_setting = RegionRowSerializer(many=True)
    by_activity = RegionRowSerializer(many=True)
    by_role = RegionRowSerializer(many=True)


def _rows(table: list[dict]) -> list[dict]:
    return [{"label": str(r["label"]), "entries": str(r["entries"]), "hours": str(r["hours"])} for r in table]


class RegionReportAPI(KakehashiAPIView):
    serializer_class = RegionReportSerializer
    resource_models = (ActivityRollup, ActivityRoleRollup)

    @extend_schema(parameters=[OpenApiParameter("since", str, description="YYYY-MM-DD; default: 12 months ago"),
                               OpenApiParameter("until", str, description="YYYY-MM-DD; default: today")],
                   responses=RegionReportSerializer, operation_id="activity_region_report")
    def get(self, request):
        if not selectors.region_report_allowed(request.user):
            raise PermissionDenied(_("This page is for regional coordinators."))
        params = request.query_params
        since = read_date(params, "since", default=selectors.month_start_before(REPORT_MONTHS))
        until = read_date(params, "until", default=timezone.localdate())
        if until < since:
            raise BadParameter("until", ValidationError(_("The end date cannot be before the start date."),
                                                        code="order"))
        report = selectors.region_report_for(request.user, since, until)
        return Response(RegionReportSerializer({
            "since": since, "until": until, "prefectures": [p.code for p in report.prefectures],
            "by_setting": _rows(report.by_setting), "by_activity": _rows(report.by_activity),
            "by_role": _rows(report.by_role),
        }).data)
