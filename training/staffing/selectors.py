"""Who sees an office's staffing check, decided once for the page and the API."""

from __future__ import annotations

from django.http import Http404

from peers.models import Organisation
from peers.selectors import organisation_list_managed_by
from peers.selectors.workforce import user_sees_organisation_counts

from ..models import StaffingFiling


def staffing_organisation_for(user, pk) -> tuple[Organisation, bool]:
    """(the office, whether the user sees the people). The office's managers (and
    administrators) see everything; coordinators of the office's prefecture or one of its regions
    see the answer without the people; anyone else gets a 404."""
    organisation = organisation_list_managed_by(user).filter(pk=pk).first()
    if organisation is not None:
        return organisation, True
    organisation = Organisation.objects.select_related("prefecture").filter(pk=pk).first()
    if organisation is not None and user_sees_organisation_counts(user, organisation):
        return organisation, False
    raise Http404


def staffing_filing_list(organisation: Organisation):
    return StaffingFiling.objects.filter(organisation=organisation).defer("snapshot").order_by("-prepared_at", "-id")


def staffing_filing_latest(organisation: Organisation, month) -> StaffingFiling:
    filing = StaffingFiling.objects.filter(organisation=organisation, month=month).order_by(
        "-prepared_at", "-id").first()
    if filing is None:
        raise Http404
    return filing
