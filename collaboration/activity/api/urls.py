from django.urls import path

from . import views as api

urlpatterns = [
    path("entries/", api.EntryListAPI.as_view(), name="api_activity_entries"),
    path("entries/<int:pk>/", api.EntryDetailAPI.as_view(), name="api_activity_entry"),
    path("entries/<int:pk>/verify/", api.EntryVerifyAPI.as_view(), name="api_activity_verify"),
    path("entries/<int:pk>/decline/", api.EntryDeclineAPI.as_view(), name="api_activity_decline"),
    path("verify-week/", api.WeekVerifyAPI.as_view(), name="api_activity_verify_week"),
    path("supervision/", api.SupervisionListAPI.as_view(), name="api_supervision"),
    path("supervision/<int:pk>/confirm/", api.SupervisionConfirmAPI.as_view(), name="api_supervision_confirm"),
    path("hours/", api.HoursAPI.as_view(), name="api_activity_hours"),
]

# Issue 14: the region report (one module per resource).
from .region import RegionReportAPI  # noqa: E402
from .verifiers import ActivityVerifierDetailAPI, ActivityVerifierListAPI  # noqa: E402

urlpatterns += [
    path("region/", RegionReportAPI.as_view(), name="api_activity_region"),
    path("organisations/<int:pk>/supervisors/", ActivityVerifierListAPI.as_view(), name="api_activity_supervisors"),
    path("organisations/<int:pk>/supervisors/<int:verifier_pk>/", ActivityVerifierDetailAPI.as_view(),
         name="api_activity_supervisor"),
]

# Issue 18: volunteer work (第一群).
from .volunteer import (  # noqa: E402
    OrganisationThanksSendAPI,
    OrganisationVolunteersAPI,
    VolunteerCheckInAPI,
    VolunteerCheckInUndoAPI,
    VolunteerCheckOutAPI,
    VolunteerHoursAPI,
    VolunteerThanksAPI,
)

urlpatterns += [
    path("volunteer/check-in/", VolunteerCheckInAPI.as_view(), name="api_volunteer_check_in"),
    path("volunteer/check-in/undo/", VolunteerCheckInUndoAPI.as_view(), name="api_volunteer_check_in_undo"),
    path("volunteer/check-out/", VolunteerCheckOutAPI.as_view(), name="api_volunteer_check_out"),
    path("volunteer/hours/", VolunteerHoursAPI.as_view(), name="api_volunteer_hours"),
    path("volunteer/thanks/", VolunteerThanksAPI.as_view(), name="api_volunteer_thanks"),
    path("organisations/<int:pk>/volunteers/", OrganisationVolunteersAPI.as_view(), name="api_activity_volunteers"),
    path("organisations/<int:pk>/volunteers/thanks/", OrganisationThanksSendAPI.as_view(),
         name="api_activity_volunteer_thanks"),
]
