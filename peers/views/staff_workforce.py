"""Staff pages about the workforce: /staff/… (managers, coordinators, administrators).
MFA is enforced before these by StaffMFAMiddleware."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..forms import ImportForm
from ..imports import CHUNK_ROWS, MAX_ROWS, export_rows, import_steps
from ..pagination import keyset_page_for_request
from ..selectors import user_is_admin, user_may_coordinate, user_may_manage_people
from ..selectors.privacy import erasure_request_get_for, erasure_request_list_for, kept_for_display
from ..selectors.workforce import (
    accommodations_read,
    engagement_get_for,
    engagement_list_for,
    engagement_list_pending_for,
    lived_experience_read,
    person_get_for,
    prefecture_counts_for,
    profile_for,
)
from ..services.privacy import erasure_carry_out
from ..services.workforce import engagement_confirm
from .access import staff_required


def _require_manager(user) -> None:
    if not user_may_manage_people(user):
        raise PermissionDenied(_("This page is for organisation managers."))


@staff_required
def engagement_pending(request: HttpRequest) -> HttpResponse:
    _require_manager(request.user)
    page = keyset_page_for_request(
        request, engagement_list_pending_for(request.user), fields=["-start_date", "-id"],
    )
    return render(request, "peers/staff/engagement_pending.html", {"page": page})


@staff_required
@require_POST
def engagement_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = engagement_get_for(request.user, pk)
    try:
        engagement_confirm(actor=request.user, engagement=engagement)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The terms have been confirmed. The person can see them in their engagements."))
    return redirect("peers:engagement_pending")


@staff_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A person working at one of the manager's organisations. Sensitive fields appear only as
    the person allowed, and each read is logged for them."""
    _require_manager(request.user)
    person = person_get_for(request.user, pk)
    context = f"staff person page ({request.user.pk})"
    return render(request, "peers/staff/person_detail.html", {
        "person": person,
        "is_admin": user_is_admin(request.user),
        "profile": profile_for(person),
        "engagements": engagement_list_for(request.user).filter(person=person)[:100],
        "accommodations": accommodations_read(viewer=request.user, person=person, context=context),
        "lived_experience": lived_experience_read(viewer=request.user, person=person, context=context),
    })


@staff_required
def coordinator_counts(request: HttpRequest) -> HttpResponse:
    if not user_may_coordinate(request.user):
        raise PermissionDenied(_("This page is for regional coordinators."))
    return render(request, "peers/staff/counts.html", {"rows": prefecture_counts_for(request.user)})


# Up to this many rows are listed after an import; beyond it, only rows with errors.
LIST_ALL_ROWS = 500
_PROGRESS_MARKER = "<!--import-progress-->"


def _result_context(result: dict) -> dict:
    rows = result["rows"]
    shown = rows if len(rows) <= LIST_ALL_ROWS else [r for r in rows if r["errors"]][:LIST_ALL_ROWS]
    return {"result": result, "shown_rows": shown, "hidden_rows": len(rows) - len(shown)}


def _import_context(form, **extra) -> dict:
    return {"form": form, "max_rows": MAX_ROWS, "chunk_rows": CHUNK_ROWS, **extra}


def _stream_import(request: HttpRequest, form, steps, total: int) -> StreamingHttpResponse:
    """Send the page at once, then a line every CHUNK_ROWS rows, then the result: progress
    without scripts, from the process doing the work (served by a WSGI server, it arrives as it
    happens; an ASGI server buffers a synchronous stream until the end)."""
    language = translation.get_language()
    page = render_to_string("peers/staff/import.html", _import_context(form, streaming=True), request)
    head, tail = page.split(_PROGRESS_MARKER, 1)

    def body():
        with translation.override(language):
            yield head
            yield format_html(
                '<section class="card" aria-labelledby="progress-heading"><h2 id="progress-heading">'
                '{}</h2><ol class="plain-list" role="log" aria-live="polite">', _("Progress"),
            )
            result = None
            for step in steps:
                if isinstance(step, dict):
                    result = step
                    break
                yield format_html("<li>{}</li>", _("Rows checked: %(done)s of %(total)s") % {
                    "done": step[0], "total": step[1]})
            yield "</ol></section>"
            yield render_to_string("peers/staff/_import_result.html", _result_context(result), request)
            yield tail

    response = StreamingHttpResponse(body(), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"  # proxies such as nginx pass each line on at once
    return response


@staff_required
def import_view(request: HttpRequest) -> HttpResponse:
    _require_manager(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        steps = import_steps(
            actor=request.user, shape=data["shape"], upload=data["file"], apply=data["apply"]
        )
        try:
            _done, total = next(steps)
        except ValidationError as error:
            form.add_error("file", error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            if total > CHUNK_ROWS:
                return _stream_import(request, form, steps, total)
            *_progress, result = steps
            context = _result_context(result)
    return render(request, "peers/staff/import.html", _import_context(form, **context))


@staff_required
def export_view(request: HttpRequest, shape: str) -> HttpResponse:
    _require_manager(request.user)
    if shape not in ("organisations", "people"):
        from django.http import Http404

        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kakehashi-{shape}.csv"'
    response.write("\ufeff")
    csv.writer(response).writerows(export_rows(actor=request.user, shape=shape))
    return response


@staff_required
def erasure_list(request: HttpRequest) -> HttpResponse:
    if not user_is_admin(request.user):
        raise PermissionDenied(_("This page is for administrators."))
    page = keyset_page_for_request(
        request, erasure_request_list_for(request.user), fields=["-requested_at", "-id"],
    )
    for item in page.items:  # what each completed erasure kept, the rule and until when
        item.kept_display = kept_for_display(item.kept)
    return render(request, "peers/staff/erasure_list.html", {"page": page})


@staff_required
@require_POST
def erasure_carry_out_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not user_is_admin(request.user):
        raise PermissionDenied(_("This page is for administrators."))
    erasure_carry_out(actor=request.user, request=erasure_request_get_for(request.user, pk))
    messages.success(request, _("The erasure has been carried out. The data covered by the request has been removed; this cannot be undone."))
    return redirect("peers:erasure_list")
