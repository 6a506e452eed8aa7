"""The directory of people who chose to be listed: /directory/ and the website's directory page
(cms.DirectoryPage) both build their context here."""

from __future__ import annotations

from django.http import HttpRequest

from .forms import DirectoryFilterForm
from .pagination import keyset_page_for_request
from .selectors.workforce import directory_list, directory_lived_experience


def directory_context(request: HttpRequest) -> dict:
    """The directory search and one page of its results for a signed-in viewer: people who
    chose to be listed, showing only the fields each chose. Used by /directory/ and by the
    website's directory page (site/templates/peers/_directory.html renders it)."""
    form = DirectoryFilterForm(request.GET or None)
    filters = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "prefecture": data["prefecture"].code if data["prefecture"] else None,
            "kind": data["kind"].code if data["kind"] else None,
        }
    page = keyset_page_for_request(request, directory_list(**filters), fields=["user__display_name", "id"])
    lived = directory_lived_experience(viewer=request.user, profiles=page.items, context="directory")
    entries = [(profile, lived.get(profile.user_id)) for profile in page.items]
    query = request.GET.copy()
    query.pop("after", None)
    return {
        "form": form, "page": page, "directory_page": page, "entries": entries,
        "query": query.urlencode(),
    }
