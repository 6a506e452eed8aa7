from django.urls import path

from . import views as api

app_name = "training_api"

urlpatterns = [
    path("training/courses/", api.CourseList.as_view(), name="courses"),
    path("training/cohorts/", api.CohortList.as_view(), name="cohorts"),
    path("training/cohorts/open/", api.OpenCohortList.as_view(), name="cohorts_open"),
    path("training/applications/", api.ApplicationList.as_view(), name="applications"),
    path("training/applications/<int:pk>/transition/", api.ApplicationTransition.as_view(), name="application_transition"),
    path("training/attendance/", api.AttendanceView.as_view(), name="attendance"),
    path("training/completions/", api.CompletionList.as_view(), name="completions"),
    path("training/certifications/", api.CertificationList.as_view(), name="certifications"),
    path("training/certifications/<int:pk>/<str:action>/", api.CertificationAction.as_view(), name="certification_action"),
    path("organisations/<int:pk>/staffing/", api.StaffingCheckView.as_view(), name="organisation_staffing"),
    path("verify/<str:number>/", api.Verify.as_view(), name="verify"),
]
