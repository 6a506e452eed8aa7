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
