"""The organisation directory and organisation pages (any signed-in person; what each person
sees on a page is decided by the selectors)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from ..directory import directory_context
from ..forms import OrganisationFilterForm
from ..models import Role
from ..pagination import keyset_page_for_request
from ..selectors import role_assignment_list_for
from ..selectors.workforce import (
    organisation_get,
    organisation_list,
    organisation_public_staff,
    organisation_staff_for,
    organisation_summary_for,
    user_manages_organisation,
    user_sees_organisation_counts,
)
from .access import staff_required


@login_required
def organisation_list_view(request: HttpRequest) -> HttpResponse:
    form = OrganisationFilterForm(request.GET or None)
    filters = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "search": data["q"].strip(),
            "prefecture": data["prefecture"].code if data["prefecture"] else None,
            "kind": data["kind"].code if data["kind"] else None,
            "activity": data["activity"].code if data["activity"] else None,
        }
    page = keyset_page_for_request(request, organisation_list(**filters), fields=["name", "id"])
    query = request.GET.copy()
    query.pop("after", None)
    return render(request, "peers/organisation_list.html", {
        "form": form, "page": page, "query": query.urlencode(),
    })


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The public face: facts, and the people who chose to show that they work here."""
    organisation = organisation_get(pk)
    return render(request, "peers/organisation_detail.html", {
        "organisation": organisation,
        "public_staff": list(organisation_public_staff(organisation)[:100]),
        "staff_view": user_sees_organisation_counts(request.user, organisation),
    })


@staff_required
def organisation_staff(request: HttpRequest, pk: int) -> HttpResponse:
    """Peer staff and their terms (managers, administrators); counts only for coordinators of
    the prefecture. Anyone else is told the page does not exist."""
    organisation = organisation_get(pk)
    user = request.user
    summary = organisation_summary_for(user, organisation)
    if summary is None:
        raise Http404
    manages = user_manages_organisation(user, organisation)
    staff_page = None
    if manages:
        staff_page = keyset_page_for_request(
            request, organisation_staff_for(user, organisation), fields=["person__display_name", "id"],
        )
    return render(request, "peers/staff/organisation_staff.html", {
        "organisation": organisation, "summary": summary, "manages": manages,
        "staff_page": staff_page,
        # Leave and accommodations: the organisation's own managers only (peers.selectors.employment).
        "sees_employment": any(a.role == Role.MANAGER and a.organisation_id == organisation.pk
                               for a in role_assignment_list_for(user)),
    })


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    """People who chose to be listed, showing only the fields each chose (signed-in members:
    that is what the profile page promises them)."""
    return render(request, "peers/directory.html", directory_context(request))
