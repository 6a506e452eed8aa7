from django.urls import path

from . import badges, bodies, continuing_education, credentials, renewals
from . import staffing as staffing_api
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
    path("training/certifications/<int:pk>/credential/", badges.CertificationCredentialAPI.as_view(),
         name="certification_credential"),
    path("training/certifications/<int:pk>/<str:action>/", api.CertificationAction.as_view(), name="certification_action"),
    path("organisations/<int:pk>/staffing/", api.StaffingCheckView.as_view(), name="organisation_staffing"),
    path("training/completions/<int:pk>/credential/", badges.CompletionCredentialAPI.as_view(),
         name="completion_credential"),
    path("verify/credential/", badges.CredentialVerifyAPI.as_view(), name="verify_credential"),
    path("verify/<str:number>/", api.Verify.as_view(), name="verify"),
]

# Training resources that had pages only (issue 14): one module per resource.

urlpatterns += [
    path("training/credential-types/", credentials.CredentialTypeListAPI.as_view(), name="credential_types"),
    path("training/credential-types/<int:pk>/", credentials.CredentialTypeDetailAPI.as_view(),
         name="credential_type"),
    path("training/ce/", continuing_education.CERecordListAPI.as_view(), name="ce_records"),
    path("training/ce/evidence-requests/", continuing_education.CEEvidenceRequestListAPI.as_view(),
         name="ce_evidence_requests"),
    path("training/ce/<int:pk>/evidence/", continuing_education.CEEvidenceUploadAPI.as_view(),
         name="ce_evidence_upload"),
    path("training/staff/ce/", continuing_education.StaffCERecordListAPI.as_view(), name="staff_ce_records"),
    path("training/staff/ce/<int:pk>/review/", continuing_education.StaffCEReviewAPI.as_view(),
         name="staff_ce_review"),
    path("training/staff/ce/sample/", continuing_education.StaffCESampleAPI.as_view(), name="staff_ce_sample"),
    path("training/renewal-progress/", renewals.RenewalProgressListAPI.as_view(), name="renewal_progress"),
    path("training/renewal-requests/", renewals.RenewalRequestListAPI.as_view(), name="renewal_requests"),
    path("training/staff/renewal-requests/", renewals.StaffRenewalRequestQueueAPI.as_view(),
         name="staff_renewal_requests"),
    path("training/staff/certifications/<int:pk>/renewal-request/", renewals.StaffRenewalRequestDecisionAPI.as_view(),
         name="staff_renewal_request_decision"),
    path("training/bodies/", bodies.TrainingBodyListAPI.as_view(), name="training_bodies"),
    path("training/bodies/<int:body_id>/", bodies.TrainingBodyDetailAPI.as_view(), name="training_body"),
    path("training/ce-categories/", bodies.CECategoryListAPI.as_view(), name="ce_categories"),
    path("training/cohorts/<int:pk>/instructors/", bodies.CohortInstructorListAPI.as_view(),
         name="cohort_instructors"),
    path("training/staffing-rules/", staffing_api.StaffingRuleListAPI.as_view(), name="staffing_rules"),
]

# The office's record lists of the staffing page (its managers'), /api/v1/organisations/<id>/….
urlpatterns += [
    path(f"organisations/<int:pk>/{segment}/", view.as_view(), name=f"organisation_{name}")
    for segment, view, name in (
        ("in-house-trainings", staffing_api.InHouseTrainingListAPI, "in_house_trainings"),
        ("staffing-publications", staffing_api.StaffingPublicationListAPI, "staffing_publications"),
        ("delivery-counts", staffing_api.DeliveryCountListAPI, "delivery_counts"),
        ("staffing-filings", staffing_api.StaffingFilingListAPI, "staffing_filings"),
    )
]
