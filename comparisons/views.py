"""The coordinator's comparison page and its CSV / Excel: a table from the rollups, the χ² test
with adjusted residuals, the chart and the cautions. Access as the region report."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from peers import spreadsheets

from . import export, selectors, stats
from .forms import FiscalYearForm, TableForm, UploadForm
from .models import Group

MARKS = {("p01", True): "▲▲", ("p05", True): "▲", ("p01", False): "▼▼", ("p05", False): "▼"}


def _require(user) -> None:
    if not selectors.comparison_allowed(user):
        raise PermissionDenied(_("This page is for regional coordinators."))


def _chart(comparison) -> list[dict]:
    """Each group's share of each outcome, with its mark (▲/▼, doubled at p < .01)."""
    result = comparison.result
    if result is None:
        return []
    out = []
    for i, label in enumerate(result.rows):
        cells = []
        for j, column in enumerate(result.columns):
            c = result.cell(i, j)
            share = 100 * c.observed / result.row_totals[i]
            cells.append({"column": column, "cell": c, "share": share,
                          "mark": MARKS.get((c.flag, c.adjusted_residual > 0), "")})
        out.append({"label": label, "total": result.row_totals[i], "cells": cells})
    return out


def _compute(request: HttpRequest):
    form = TableForm(request.GET)
    if not form.is_valid():
        return form, None, None, None
    d = form.cleaned_data
    table = selectors.record_table_for(request.user, source=d["source"], group=d["group"],
                                       year_from=d["year_from"], year_to=d["year_to"])
    return form, table, selectors.shown(table), selectors.compare_table(table, merge_small=d["merge"])


def _with_merge(params) -> str:
    query = params.copy()
    query["merge"] = "on"
    return query.urlencode()


def _compare_upload(upload: UploadForm):
    """The comparison of an uploaded table (nothing stored), or None with the form's errors."""
    if not upload.is_valid():
        return None
    columns, rows = upload.cleaned_data["table_file"]
    try:
        result = stats.compare(columns, rows)
    except stats.TableRefused as refusal:
        upload.add_error("table_file", ValidationError(refusal.message, code=refusal.code))
        return None
    result.cautions.append(stats.data_limits(_("These counts are the uploaded table's: the test is only as sound "
                                               "as they are.")))
    return selectors.TableComparison(result, None, result.cautions)


@login_required
def compare(request: HttpRequest) -> HttpResponse:
    """Counts from the rollups (small counts hidden unless the viewer may see people), the test,
    the chart and the cautions; or, on POST, the same for a table the coordinator uploads."""
    _require(request.user)
    upload = UploadForm()
    if request.method == "POST":
        upload = UploadForm(request.POST, request.FILES)
        comparison = _compare_upload(upload)
        return render(request, "comparisons/compare.html", {
            "form": TableForm(), "upload": upload, "uploaded": comparison, "comparison": comparison,
            "chart": _chart(comparison) if comparison else [],
        })
    form, table, view, comparison = _compute(request)
    query = request.GET.urlencode()
    return render(request, "comparisons/compare.html", {
        "form": form, "upload": upload, "table": table, "view": view, "comparison": comparison,
        "chart": _chart(comparison) if comparison else [], "query": query,
        "group_label": Group(table.group).label if table else "",
        "merge_query": _with_merge(request.GET),
    })


@login_required
def compare_export(request: HttpRequest, fmt: str) -> HttpResponse:
    _require(request.user)
    if fmt not in spreadsheets.FORMATS:
        raise Http404
    form, table, view, comparison = _compute(request)
    if table is None:
        # A malformed choice in the address: the comparison page with the form's own bilingual
        # messages, as a 400, rather than a bare "not found".
        return render(request, "comparisons/compare.html", {
            "form": form, "upload": UploadForm(), "table": None, "view": None, "comparison": None,
            "chart": [], "query": "", "group_label": "", "merge_query": _with_merge(request.GET),
        }, status=400)
    header, rows = export.comparison_rows(table, view, comparison)
    return spreadsheets.respond(fmt, f"comparison-{table.source}-{table.group}", header, rows)


# ---------------------------------------------------------------- 協議の場 indicators
def _require_bodies(user) -> None:
    if not selectors.consultation_body_list_for(user).exists():
        raise PermissionDenied(_("This page is for the coordinators of consultation bodies."))


def _body_report(request: HttpRequest, pk: int):
    """The year's form and the body's report, or the form with its errors and None."""
    from .bodies import body_report_get_for

    form = FiscalYearForm(request.GET)
    if not form.is_valid():
        if not selectors.consultation_body_list_for(request.user).filter(pk=pk).exists():
            raise Http404
        return form, None
    report = body_report_get_for(request.user, pk, form.cleaned_data["year"])
    if report is None:
        raise Http404
    return form, report


@require_GET
@login_required
def body_list(request: HttpRequest) -> HttpResponse:
    """The consultation bodies the person coordinates, each with its indicators' page."""
    _require_bodies(request.user)
    form = FiscalYearForm(request.GET)
    year = form.cleaned_data["year"] if form.is_valid() else selectors.current_fiscal_year()
    bodies = list(selectors.consultation_body_list_for(request.user).order_by("prefecture", "name"))
    return render(request, "comparisons/bodies.html", {"form": form, "bodies": bodies, "year": year},
                  status=200 if form.is_valid() else 400)


@require_GET
@login_required
def body_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One body's figures for a fiscal year, with its annual report as PDF and Excel."""
    _require_bodies(request.user)
    form, report = _body_report(request, pk)
    return render(request, "comparisons/body_detail.html", {"form": form, "report": report, "pk": pk},
                  status=200 if report else 400)


@require_GET
@login_required
def body_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from .bodies import report_pdf

    _require_bodies(request.user)
    form, report = _body_report(request, pk)
    if report is None:
        return render(request, "comparisons/body_detail.html", {"form": form, "report": None, "pk": pk}, status=400)
    response = HttpResponse(report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="body-{report.body.pk}-fy{report.year}.pdf"'
    return response


@require_GET
@login_required
def body_report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    from .bodies import report_rows

    _require_bodies(request.user)
    form, report = _body_report(request, pk)
    if report is None:
        return render(request, "comparisons/body_detail.html", {"form": form, "report": None, "pk": pk}, status=400)
    header, rows = report_rows(report)
    return spreadsheets.respond("xlsx", f"body-{report.body.pk}-fy{report.year}", header, rows)
