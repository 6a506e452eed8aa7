"""Comparisons in the API (/api/v1/reports/): compare any table of counts, and read a table from
the records in the same shape. Access as the region report: administrators and regional
coordinators after two-step sign-in (a token made after it counts)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from peers.api.base import KakehashiAPIView, validated
from peers.api.problems import Invalid, item
from peers.request_params import BadParameter

from .. import selectors, stats
from ..forms import TableForm
from ..models import OutcomeRollup, RollupCheck, Source


def _require(user) -> None:
    if not selectors.comparison_allowed(user):
        raise PermissionDenied(_("This page is for regional coordinators."))


class RowInSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=200)
    counts = serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=10**9),
                                   max_length=stats.MAX_COLUMNS)


class CompareInSerializer(serializers.Serializer):
    columns = serializers.ListField(child=serializers.CharField(max_length=200), max_length=stats.MAX_COLUMNS)
    rows = RowInSerializer(many=True, max_length=stats.MAX_ROWS)


class CellSerializer(serializers.Serializer):
    row = serializers.CharField()
    column = serializers.CharField()
    observed = serializers.IntegerField()
    expected = serializers.FloatField()
    adjusted_residual = serializers.FloatField()
    flag = serializers.ChoiceField(choices=["p01", "p05"], allow_null=True,
                                   help_text="p01: |r| > 2.576; p05: |r| > 1.96; null: neither.")


class CautionSerializer(serializers.Serializer):
    code = serializers.CharField()
    ja = serializers.CharField()
    en = serializers.CharField()


class ComparisonSerializer(serializers.Serializer):
    chi2 = serializers.FloatField()
    df = serializers.IntegerField()
    p = serializers.FloatField()
    cramers_v = serializers.FloatField()
    cells = CellSerializer(many=True)
    cautions = CautionSerializer(many=True)


def comparison_data(result: stats.Comparison) -> dict:
    return {
        "chi2": result.chi2, "df": result.df, "p": result.p, "cramers_v": result.cramers_v,
        "cells": [{"row": c.row, "column": c.column, "observed": c.observed, "expected": c.expected,
                   "adjusted_residual": c.adjusted_residual, "flag": c.flag} for c in result.cells],
        "cautions": [c.bilingual() for c in result.cautions],
    }


def _refused(refusal: stats.TableRefused, field: str) -> Invalid:
    return Invalid([item(field, refusal.code, refusal.message)])


class CompareAPI(KakehashiAPIView):
    """Pearson's χ² with adjusted residuals of any table of counts (one's own, or published
    statistics): rows are groups, columns outcomes. A table with a row or column of zeros, or
    fewer than two of either, is refused with the reason."""

    serializer_class = CompareInSerializer

    @extend_schema(request=CompareInSerializer, responses=ComparisonSerializer, operation_id="reports_compare")
    def post(self, request):
        _require(request.user)
        data = validated(CompareInSerializer, request.data)
        rows = [(r["label"], list(r["counts"])) for r in data["rows"]]
        try:
            result = stats.compare(list(data["columns"]), rows)
        except stats.TableRefused as refusal:
            field = "columns" if refusal.code in ("too_few_columns", "zero_column") else "rows"
            raise _refused(refusal, field) from None
        result.cautions.append(stats.data_limits(_(
            "These counts were sent to be compared: the test is only as sound as they are.")))
        return Response(comparison_data(result))


class TableRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    counts = serializers.ListField(child=serializers.JSONField(), help_text='Counts; a count from 1 to 4 is "<5" '
                                   "unless the caller may see people (an administrator).")


class RecordTableSerializer(serializers.Serializer):
    name = serializers.CharField()
    group = serializers.CharField()
    fiscal_year_from = serializers.IntegerField()
    fiscal_year_to = serializers.IntegerField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = TableRowSerializer(many=True)
    small_cells_hidden = serializers.BooleanField()
    source = serializers.CharField()
    updated_at = serializers.DateTimeField(allow_null=True)
    checked_at = serializers.DateTimeField(allow_null=True)
    comparison = ComparisonSerializer(allow_null=True)
    refused = CautionSerializer(allow_null=True)


class RecordTableAPI(KakehashiAPIView):
    """A table from the records (`name`: certifications, applications, engagements, activity,
    attendance: people present at consultation bodies' meetings by sector) grouped by `group`, over fiscal years `from` to `to` (April to March, named by the year they
    start; both default to the current one), from the rollups, with its comparison. To anyone who
    may not see people, counts from 1 to 4 are "<5" and the comparison merges or leaves out their
    groups."""

    serializer_class = RecordTableSerializer
    resource_models = (OutcomeRollup, RollupCheck)

    @extend_schema(parameters=[
        OpenApiParameter("group", str, description="prefecture, municipality, organisation, body or setting "
                                                   "(as the records allow), consultation_body for attendance; "
                                                   "default: the records' first"),
        OpenApiParameter("from", int, description="First fiscal year (YYYY); default: the current one"),
        OpenApiParameter("to", int, description="Last fiscal year (YYYY); default: the current one"),
        OpenApiParameter("merge", bool, description="Merge the groups too small for the test"),
    ], responses=RecordTableSerializer, operation_id="reports_table")
    def get(self, request, name: str):
        _require(request.user)
        if name not in Source.values:
            raise Http404(_("There is no such table."))
        params = request.query_params
        form = TableForm({"source": name, "group": params.get("group"), "year_from": params.get("from"),
                          "year_to": params.get("to"), "merge": params.get("merge")})
        if not form.is_valid():
            names = {"year_from": "from", "year_to": "to"}
            field_, errors = next(iter(form.errors.as_data().items()))
            raise BadParameter(names.get(field_, field_), errors[0])
        d = form.cleaned_data
        table = selectors.record_table_for(request.user, source=name, group=d["group"], year_from=d["year_from"],
                                           year_to=d["year_to"])
        view = selectors.shown(table)
        comparison = selectors.compare_table(table, merge_small=d["merge"])
        refused = None
        if comparison.refused is not None:
            refused = stats.Caution(comparison.refused.code, comparison.refused.message).bilingual()
        return Response({
            "name": name, "group": d["group"], "fiscal_year_from": d["year_from"], "fiscal_year_to": d["year_to"],
            "columns": table.column_labels,
            "rows": [{"label": r["label"], "counts": r["counts"]} for r in view.rows],
            "small_cells_hidden": not table.may_see, "source": str(table.source_text),
            "updated_at": table.updated_at, "checked_at": table.checked.checked_at if table.checked else None,
            "comparison": comparison_data(comparison.result) if comparison.result else None,
            "refused": refused,
        })
